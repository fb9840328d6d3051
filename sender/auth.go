package sender

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"blitiri.com.ar/go/spf"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"

	"github.com/holdfast/holdfast/sender/dnsclient"
	"github.com/holdfast/holdfast/sender/geo"
	"github.com/holdfast/holdfast/sender/trace"
)

// SPFResult is the SPF verdict on the envelope sender.
type SPFResult struct {
	// Result is an RFC 7208 result: "pass", "fail", "softfail",
	// "neutral", "none", "temperror" or "permerror"; "" when not checked.
	Result string `json:"result,omitempty"`
	// Domain is the domain checked: the MAIL FROM domain, or the HELO
	// name for the null sender.
	Domain string `json:"domain,omitempty"`
	// IP is the address checked.
	IP netip.Addr `json:"ip,omitzero"`
	// Source is "checked" for holdfast's own check, else the trusted
	// field it came from.
	Source string `json:"source,omitempty"`
	// Detail explains the result: the matched mechanism or the error.
	Detail string `json:"detail,omitempty"`
}

// DKIMResult is the verdict on one DKIM signature.
type DKIMResult struct {
	// Domain is the signing domain (d=).
	Domain string `json:"domain"`
	// Result is "pass", "fail", "temperror" or "permerror".
	Result string `json:"result"`
	// Aligned reports that Domain aligns with the From domain under the
	// DMARC record's mode (relaxed when there is none).
	Aligned bool   `json:"aligned"`
	Source  string `json:"source,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// DMARCResult is the DMARC verdict on the From domain.
type DMARCResult struct {
	// Result is "pass", "fail", "none" (no record), "temperror" or
	// "permerror"; "" when not checked.
	Result string `json:"result,omitempty"`
	// Domain is the From domain.
	Domain string `json:"domain,omitempty"`
	// Policy is the record's policy for Domain: "none", "quarantine" or
	// "reject" (the sp= policy when the record is the organisational
	// domain's).
	Policy string `json:"policy,omitempty"`
	Source string `json:"source,omitempty"`
	Detail string `json:"detail,omitempty"`
}

const sourceChecked = "checked"

// authenticate fills the SPF, DKIM and DMARC results: from the trusted
// Authentication-Results or Received-SPF field where one covers the
// method, else from holdfast's own checks through the resolver.
func (c *Checker) authenticate(ctx context.Context, in Input, p path, a *Assessment) {
	var session *dnsclient.Session
	if c.deps.Resolver != nil {
		var cancel context.CancelFunc
		session, cancel = c.deps.Resolver.Session(ctx)
		defer cancel()
	}

	a.SPF = c.checkSPF(in, p, session)
	a.DKIM = c.checkDKIM(in, p, session, a)
	a.DMARC = c.checkDMARC(domainOf(a.SenderAddress), p, session, a)
	if session != nil {
		a.DNSFailures = session.Failures()
	}
}

func (c *Checker) checkSPF(in Input, p path, session *dnsclient.Session) SPFResult {
	r := SPFResult{Domain: domainOf(in.MailFrom), IP: c.spfIP(in, p)}
	if r.Domain == "" {
		r.Domain = strings.ToLower(in.Helo)
	}

	if p.authResults != nil {
		if res, ok := p.authResults.Find("spf"); ok {
			r.Result, r.Source, r.Detail = res.Value, "Authentication-Results by "+p.authResults.AuthservID, res.Reason
			if d := domainOf(res.Props["smtp.mailfrom"]); d != "" {
				r.Domain = d
			} else if d := res.Props["smtp.mailfrom"]; d != "" {
				r.Domain = strings.ToLower(d)
			}
			return r
		}
	}
	if p.receivedSPF != nil && p.receivedSPF.Result != "" {
		r.Result, r.Source, r.Detail = p.receivedSPF.Result, "Received-SPF by "+p.receivedSPF.Receiver(), p.receivedSPF.Comment
		if ip := p.receivedSPF.ClientIP(); ip.IsValid() {
			r.IP = ip
		}
		return r
	}

	switch {
	case session == nil:
		r.Detail = "not checked: no DNS resolver"
		return r
	case !r.IP.IsValid():
		r.Detail = "not checked: no client IP"
		return r
	case r.Domain == "":
		r.Detail = "not checked: no MAIL FROM domain and no HELO"
		return r
	}
	// No SPF record lists a private or loopback address, so checking one
	// (a file scanned with the loopback client) would only report fail.
	if name, doc := geo.Special(r.IP); name != "" && !doc {
		r.Detail = fmt.Sprintf("not checked: %s is a %s address", r.IP, name)
		return r
	}
	sender := in.MailFrom
	if sender == "" {
		sender = "postmaster@" + r.Domain
	}
	res, err := spf.CheckHostWithSender(net.IP(r.IP.AsSlice()), in.Helo, sender,
		spf.WithContext(session.Context()), spf.WithResolver(session))
	r.Result, r.Source = string(res), sourceChecked
	if err != nil {
		r.Detail = err.Error()
	}
	return r
}

func (c *Checker) checkDKIM(in Input, p path, session *dnsclient.Session, a *Assessment) []DKIMResult {
	if p.authResults != nil {
		var out []DKIMResult
		for _, res := range p.authResults.Results {
			if res.Method == "dkim" {
				out = append(out, DKIMResult{Domain: strings.ToLower(res.Props["header.d"]), Result: res.Value,
					Source: "Authentication-Results by " + p.authResults.AuthservID, Detail: res.Reason})
			}
		}
		if out != nil {
			return out
		}
	}
	if session == nil || len(in.Raw) == 0 {
		return nil
	}

	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(in.Raw), &dkim.VerifyOptions{
		LookupTXT:        session.TXT,
		MaxVerifications: c.cfg.MaxDKIMSignatures,
	})
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		a.Errors = append(a.Errors, "dkim: "+err.Error())
	}
	if errors.Is(err, dkim.ErrTooManySignatures) {
		a.Errors = append(a.Errors, fmt.Sprintf("dkim: more than %d signatures; the rest were ignored", c.cfg.MaxDKIMSignatures))
	}
	out := make([]DKIMResult, 0, len(verifs))
	for _, v := range verifs {
		r := DKIMResult{Domain: strings.ToLower(v.Domain), Result: "pass", Source: sourceChecked}
		switch {
		case v.Err == nil:
		case dkim.IsTempFail(v.Err):
			r.Result, r.Detail = "temperror", v.Err.Error()
		case dkim.IsPermFail(v.Err):
			r.Result, r.Detail = "permerror", v.Err.Error()
		default:
			r.Result, r.Detail = "fail", v.Err.Error()
		}
		out = append(out, r)
	}
	return out
}

// checkDMARC looks up the From domain's DMARC record (RFC 7489 §6.6.3:
// the domain's own, else its organisational domain's) and checks that a
// passing SPF or DKIM identifier aligns with it.
func (c *Checker) checkDMARC(fromDomain string, p path, session *dnsclient.Session, a *Assessment) DMARCResult {
	r := DMARCResult{Domain: fromDomain}
	if p.authResults != nil {
		if res, ok := p.authResults.Find("dmarc"); ok {
			r.Result, r.Source, r.Detail = res.Value, "Authentication-Results by "+p.authResults.AuthservID, res.Reason
			if d := res.Props["header.from"]; d != "" {
				r.Domain = strings.ToLower(d)
			}
			r.Policy = policyFromReason(res)
			markAligned(a.DKIM, r.Domain, dmarc.AlignmentRelaxed)
			return r
		}
	}
	if session == nil || fromDomain == "" {
		markAligned(a.DKIM, fromDomain, dmarc.AlignmentRelaxed)
		return r
	}

	rec, own, err := lookupDMARC(fromDomain, session)
	switch {
	case errors.Is(err, dmarc.ErrNoPolicy):
		r.Result, r.Source = "none", sourceChecked
		markAligned(a.DKIM, fromDomain, dmarc.AlignmentRelaxed)
		return r
	case dmarc.IsTempFail(err):
		r.Result, r.Source, r.Detail = "temperror", sourceChecked, err.Error()
		markAligned(a.DKIM, fromDomain, dmarc.AlignmentRelaxed)
		return r
	case err != nil:
		r.Result, r.Source, r.Detail = "permerror", sourceChecked, err.Error()
		markAligned(a.DKIM, fromDomain, dmarc.AlignmentRelaxed)
		return r
	}

	r.Source, r.Policy = sourceChecked, string(rec.Policy)
	if !own && rec.SubdomainPolicy != "" {
		r.Policy = string(rec.SubdomainPolicy)
	}
	dkimAligned := markAligned(a.DKIM, fromDomain, rec.DKIMAlignment)
	spfAligned := a.SPF.Result == "pass" && aligned(a.SPF.Domain, fromDomain, rec.SPFAlignment)
	if dkimAligned || spfAligned {
		r.Result = "pass"
		return r
	}
	r.Result = "fail"
	r.Detail = dmarcFailDetail(a, fromDomain)
	return r
}

// lookupDMARC returns the record for domain, else for its organisational
// domain, and whether the record was domain's own.
func lookupDMARC(domain string, session *dnsclient.Session) (*dmarc.Record, bool, error) {
	opts := &dmarc.LookupOptions{LookupTXT: session.TXT}
	rec, err := dmarc.LookupWithOptions(domain, opts)
	if !errors.Is(err, dmarc.ErrNoPolicy) {
		return rec, true, err
	}
	org := registrableDomain(domain)
	if org == domain {
		return nil, true, err
	}
	rec, err = dmarc.LookupWithOptions(org, opts)
	return rec, false, err
}

// markAligned sets Aligned on each passing signature that aligns with
// fromDomain and reports whether any did.
func markAligned(results []DKIMResult, fromDomain string, mode dmarc.AlignmentMode) bool {
	any := false
	for i := range results {
		if results[i].Result == "pass" && aligned(results[i].Domain, fromDomain, mode) {
			results[i].Aligned = true
			any = true
		}
	}
	return any
}

// aligned applies RFC 7489 §3.1: strict mode needs equal domains, relaxed
// mode equal organisational domains.
func aligned(domain, fromDomain string, mode dmarc.AlignmentMode) bool {
	domain, fromDomain = strings.ToLower(domain), strings.ToLower(fromDomain)
	if domain == "" || fromDomain == "" {
		return false
	}
	if mode == dmarc.AlignmentStrict {
		return domain == fromDomain
	}
	return registrableDomain(domain) == registrableDomain(fromDomain)
}

func dmarcFailDetail(a *Assessment, fromDomain string) string {
	spfPart := fmt.Sprintf("SPF %s for %s", orNone(a.SPF.Result), defang(orNone(a.SPF.Domain)))
	if a.SPF.Result == "pass" {
		spfPart += " (not aligned)"
	}
	var signers []string
	for _, d := range a.DKIM {
		signers = append(signers, fmt.Sprintf("%s %s", defang(d.Domain), d.Result))
	}
	dkimPart := "no DKIM signature"
	if len(signers) > 0 {
		dkimPart = "DKIM " + strings.Join(signers, ", ") + ", none aligned with a pass"
	}
	return spfPart + "; " + dkimPart
}

// policyFromReason reads the policy a trusted field reports for DMARC, in
// the common "policy.dmarc=reject" property or "(p=reject)" comment forms.
func policyFromReason(res trace.AuthResult) string {
	for _, key := range []string{"policy.dmarc", "policy.published-domain-policy"} {
		if v := res.Props[key]; v != "" {
			return strings.ToLower(v)
		}
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
