package sender

import (
	"fmt"
	"slices"
	"strings"

	"github.com/holdfast/holdfast/policy"
)

// maxEvidenceItems caps how many items one signal's evidence lists, and
// maxEvidenceValue cuts each value taken from the message. Arbitrary:
// chosen so that a signal still fits one header line.
const (
	maxEvidenceItems = 3
	maxEvidenceValue = 80
)

// raiseSignals derives the signals from the facts in a.
func (c *Checker) raiseSignals(in Input, a *Assessment) {
	if a.Direction == Inbound {
		c.authSignals(a)
		c.abroadSignal(a)
		c.noveltySignals(a)
	} else {
		c.accountSignal(in, a)
	}
	c.hostingSignal(a)
	c.linkSignals(in, a)
}

func (a *Assessment) raise(name string, scale float64, format string, args ...any) {
	a.Signals = append(a.Signals, policy.Signal{Name: name, Scale: scale, Evidence: fmt.Sprintf(format, args...)})
}

var spfSignals = map[string]string{
	"pass":      policy.SPFPass,
	"fail":      policy.SPFFail,
	"softfail":  policy.SPFSoftFail,
	"neutral":   policy.SPFNeutral,
	"none":      policy.SPFNone,
	"temperror": policy.SPFTempError,
	"permerror": policy.SPFPermError,
}

func (c *Checker) authSignals(a *Assessment) {
	if name, ok := spfSignals[a.SPF.Result]; ok {
		ev := fmt.Sprintf("SPF %s for %s as %s", a.SPF.Result, ipString(a.SPF), defang(orNone(a.SPF.Domain)))
		if a.SPF.Source != sourceChecked {
			ev += " per " + a.SPF.Source
		}
		if a.SPF.Detail != "" && a.SPF.Result != "pass" {
			ev += ": " + cut(a.SPF.Detail)
		}
		if a.SPF.Result == "temperror" && len(a.DNSFailures) > 0 {
			ev += " (DNS: " + listItems(a.DNSFailures) + ")"
		}
		a.raise(name, 0, "%s", ev)
	}

	var passed, failed, temp []string
	for _, d := range a.DKIM {
		item := defang(d.Domain)
		switch d.Result {
		case "pass":
			if d.Aligned {
				item += " (aligned with From)"
			}
			passed = append(passed, item)
		case "temperror":
			temp = append(temp, item+": "+cut(d.Detail))
		default:
			failed = append(failed, item+" "+d.Result+": "+cut(d.Detail))
		}
	}
	if len(passed) > 0 {
		a.raise(policy.DKIMPass, 0, "valid signature by %s", listItems(passed))
	}
	if len(failed) > 0 && len(passed) == 0 {
		a.raise(policy.DKIMFail, 0, "signature by %s", listItems(failed))
	}
	if len(temp) > 0 && len(passed) == 0 {
		a.raise(policy.DKIMTempError, 0, "signature by %s", listItems(temp))
	}

	if a.DMARC.Result == "fail" {
		a.raise(policy.DMARCFail, dmarcScale(a.DMARC.Policy), "DMARC p=%s for %s: %s",
			orNone(a.DMARC.Policy), defang(a.DMARC.Domain), a.DMARC.Detail)
	}
}

// dmarcScale weighs a DMARC failure by the domain owner's own policy:
// a domain that publishes p=reject vouches that its mail always aligns.
func dmarcScale(p string) float64 {
	switch p {
	case "reject":
		return 1
	case "quarantine":
		return 0.75
	}
	return 0.5
}

// abroadSignal raises SPF_PASS_ORIGIN_ABROAD when SPF passes but the
// login origin's country differs from the connecting IP's, from the
// country the domain's ccTLD implies, and from every origin the history
// recorded for the domain.
func (c *Checker) abroadSignal(a *Assessment) {
	o := a.Origin
	if a.SPF.Result != "pass" || o == nil || o.Country == "" {
		return
	}
	spfCountry := c.place(a.SPF.IP).Country
	if spfCountry == "" || spfCountry == o.Country || a.DomainCountry == o.Country {
		return
	}
	var earlier []string
	if a.History != nil {
		earlier = originCountries(a.History.DomainOrigins)
	}
	if slices.Contains(earlier, o.Country) {
		return
	}

	domain := defang(a.SenderDomain)
	implied := fmt.Sprintf("%s implies no country", domain)
	if a.DomainCountry != "" {
		implied = fmt.Sprintf("%s implies %s", domain, a.DomainCountry)
	}
	before := fmt.Sprintf("no earlier login origin recorded for %s", domain)
	if len(earlier) > 0 {
		before = fmt.Sprintf("%s not among earlier origins of %s (%s)", o.Country, domain, strings.Join(earlier, ", "))
	}
	a.raise(policy.SPFPassOriginAbroad, 0, "SPF pass for %s (%s); client logged in from %s (%s) per %s%s; %s; %s",
		a.SPF.IP, spfCountry, o.IP, o.Country, o.Source, untrustedNote(o), implied, before)
}

func (c *Checker) hostingSignal(a *Assessment) {
	o := a.Origin
	if o == nil || o.Hosting == "" {
		return
	}
	a.raise(policy.OriginHostingNetwork, 0, "client logged in from %s (%s) per %s%s: %s",
		o.IP, placeLabel(o.Place), o.Source, untrustedNote(o), o.Hosting)
}

// accountSignal raises LOGIN_COUNTRY_NEW when a local account sends from
// a country the history never recorded for it.
func (c *Checker) accountSignal(in Input, a *Assessment) {
	o, f := a.Origin, a.History
	if o == nil || o.Country == "" || f == nil || f.Maturity == 0 || len(f.AccountOrigins) == 0 {
		return
	}
	earlier := originCountries(f.AccountOrigins)
	if slices.Contains(earlier, o.Country) {
		return
	}
	a.raise(policy.LoginCountryNew, f.Maturity, "%s logged in from %s (%s) per %s; earlier origins of the account: %s%s",
		defangAddress(cut(observationAccount(in, a))), o.IP, placeLabel(o.Place), o.Source, strings.Join(earlier, ", "), youngNote(f))
}

// noveltySignals compares the sender with the history. None is raised on
// an empty history, and each is scaled by the history's maturity.
func (c *Checker) noveltySignals(a *Assessment) {
	f := a.History
	if f == nil || f.Maturity == 0 || a.SenderAddress == "" {
		return
	}
	addr, domain := defangAddress(cut(a.SenderAddress)), defang(cut(a.SenderDomain))

	switch {
	case f.Address.Outbound > 0:
		a.raise(policy.KnownCorrespondent, 0, "the organisation wrote %s to %s; last seen on %s",
			messages(f.Address.Outbound), addr, day(f.Address.LastSeen))
	case f.Domain.Outbound > 0:
		a.raise(policy.KnownCorrespondent, 0.5, "the organisation wrote %s to addresses at %s, never to %s",
			messages(f.Domain.Outbound), domain, addr)
	}

	switch {
	case !f.Domain.known():
		a.raise(policy.SenderFirstContact, f.Maturity, "no mail from %s in %d days of history (%s)%s",
			domain, f.Days, messages(f.Messages), youngNote(f))
	case !f.Address.known():
		a.raise(policy.AddressFirstContact, f.Maturity, "no mail from %s before; %s from %s since %s%s",
			addr, messages(f.Domain.Inbound), domain, day(f.Domain.FirstSeen), youngNote(f))
	case a.DisplayName != "" && len(f.DisplayNames) > 0 && !containsName(f.DisplayNames, a.DisplayName):
		var seen []string
		for _, n := range f.DisplayNames {
			seen = append(seen, fmt.Sprintf("%q", cut(n)))
		}
		a.raise(policy.DisplayNameNew, f.Maturity, "display name %q never seen with %s (seen: %s)%s",
			cut(a.DisplayName), addr, listItems(seen), youngNote(f))
	}
}

// linkSignals raises LINK_DOMAIN_NEW and QR_LINK_DOMAIN_NEW for link
// domains the history never saw, leaving out the sender's own domain and
// the local domains.
func (c *Checker) linkSignals(in Input, a *Assessment) {
	f := a.History
	if f == nil || f.Maturity == 0 {
		return
	}
	var plain, qr []string
	done := map[string]bool{}
	for _, l := range in.Links {
		d := registrableDomain(l.Domain)
		key := fmt.Sprint(d, l.QR)
		if d == "" || done[key] || d == a.SenderDomain || isLocal(d, in.LocalDomains) {
			continue
		}
		done[key] = true
		if _, known := f.LinkDomains[d]; known {
			continue
		}
		item := defang(cut(d))
		if l.Source != "" {
			item += " in " + cut(l.Source)
		}
		if l.QR {
			qr = append(qr, item)
		} else {
			plain = append(plain, item)
		}
	}
	if len(qr) > 0 {
		a.raise(policy.QRLinkDomainNew, f.Maturity, "QR code link to %s, never seen in %d days of history%s",
			listItems(qr), f.Days, youngNote(f))
	}
	if len(plain) > 0 {
		a.raise(policy.LinkDomainNew, f.Maturity, "link to %s, never seen in %d days of history%s",
			listItems(plain), f.Days, youngNote(f))
	}
}
