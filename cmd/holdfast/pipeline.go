package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/holdfast/holdfast/milter"
	"github.com/holdfast/holdfast/policy"
	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/sender"
	"github.com/holdfast/holdfast/sender/geo"
)

// envelope holds a message's transport facts as the MTA or the scan flags
// report them.
type envelope struct {
	ClientIP   string   `json:"client_ip"`
	ClientName string   `json:"client_name,omitempty"`
	Helo       string   `json:"helo"`
	MailFrom   string   `json:"mail_from"`
	Rcpts      []string `json:"rcpts"`
	AuthUser   string   `json:"auth_user"`
	// limits lists the MTA session caps the message hit, for the
	// SCAN_LIMIT_REACHED signal.
	limits []string
}

// judgement is the whole outcome for one message.
type judgement struct {
	Report  *scanner.Report
	Sender  sender.Assessment
	Verdict policy.Verdict
	// input holds the sender checks' input, kept for learning.
	input sender.Input
	// cross holds the campaign and account detectors' findings.
	cross crossOutcome
}

// pipeline runs scanner, then policy, for the milter and for `holdfast scan`
// alike.
type pipeline struct {
	cfg     *Config
	log     *slog.Logger
	scanner *scanner.Scanner
	deps    *deps
	// quarantine stores held messages; nil for holdfast scan.
	quarantine *quarantine.Service
	// cross holds the campaign and account detectors; nil in commands
	// that never track messages.
	cross *crossMessage
	// metrics counts verdicts for Prometheus; nil outside serve.
	metrics *metrics
}

func newPipeline(cfg *Config, log *slog.Logger, d *deps) *pipeline {
	return &pipeline{cfg: cfg, log: log, scanner: scanner.New(cfg.Scanner.limits()), deps: d}
}

// judge scans raw, checks the sender and decides. size is the message's
// full size, larger than len(raw) when the milter truncated it.
func (p *pipeline) judge(ctx context.Context, raw []byte, env envelope, size int64, truncated bool,
	track *tracking) judgement {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Scanner.timeout())
	defer cancel()
	return p.decide(ctx, raw, env, p.scanner.Scan(ctx, raw), size, truncated, track)
}

// tracking is the request that decide count the message into the campaign
// and account windows. The milter always sends it; `holdfast scan` only
// with --track.
type tracking struct {
	queueID string
	log     *slog.Logger
}

// decide checks the sender of a scanned message and scores both. With
// track set, the message also joins the cross-message windows.
func (p *pipeline) decide(ctx context.Context, raw []byte, env envelope, report *scanner.Report,
	size int64, truncated bool, track *tracking) judgement {
	in := p.senderInput(raw, env, report)
	a := p.deps.checker.Assess(ctx, in)
	j := judgement{Report: report, Sender: a, input: in}
	signals := append(a.Signals, p.blocklistSignals(ctx, in, a)...)
	if track != nil {
		j.cross = p.observeCross(ctx, in, a, &j, track.queueID, track.log)
		signals = append(signals, j.cross.signals...)
	}
	j.Verdict = policy.Decide(policy.Input{
		Report: report, Sender: signals, Limits: env.limits,
		Truncated: truncated, Size: size, ScannedBytes: int64(len(raw)),
	}, p.cfg.Policy)
	return j
}

// senderInput builds what the sender checks need from the envelope, the
// raw message and the scanner's report.
func (p *pipeline) senderInput(raw []byte, env envelope, r *scanner.Report) sender.Input {
	in := sender.Input{
		ClientName:   env.ClientName,
		Helo:         env.Helo,
		MailFrom:     env.MailFrom,
		Recipients:   env.Rcpts,
		SASLLogin:    env.AuthUser,
		Raw:          raw,
		From:         r.From,
		LocalDomains: p.cfg.Org.LocalDomains,
	}
	if ip, err := netip.ParseAddr(env.ClientIP); err == nil {
		in.ClientIP = ip.Unmap()
	}
	for _, h := range r.Headers {
		in.Headers = append(in.Headers, sender.Header{Name: h.Name, Value: h.Value})
	}
	for _, l := range r.Links {
		if l.Domain == "" {
			continue
		}
		in.Links = append(in.Links, sender.Link{Domain: l.Domain, QR: l.Via == "qr", Source: l.Source})
		// A site on a hosting platform (evil.pages.dev) also teaches and
		// looks up the platform itself, so campaign keys on the platform
		// know whether the organisation saw it before.
		if suffix := privateSuffix(l.Domain); suffix != "" {
			in.Links = append(in.Links, sender.Link{Domain: suffix, QR: l.Via == "qr", Source: l.Source})
		}
	}
	return in
}

// privateSuffix returns the privately run public suffix a domain sits
// under, such as "pages.dev" for "evil.pages.dev", or "" for a domain
// under an ICANN suffix only.
func privateSuffix(domain string) string {
	suffix, icann := publicsuffix.PublicSuffix(domain)
	if icann || suffix == domain || !strings.Contains(suffix, ".") {
		return ""
	}
	return suffix
}

// blocklistSignals raises BLOCKLISTED when staff marked the sender, its
// domain or a link domain as phishing. A failed lookup is logged and
// raises nothing: the other signals still judge the message.
func (p *pipeline) blocklistSignals(ctx context.Context, in sender.Input, a sender.Assessment) []policy.Signal {
	if p.deps.history == nil {
		return nil
	}
	domains := []string{}
	if a.SenderDomain != "" {
		domains = append(domains, a.SenderDomain)
	}
	for _, l := range in.Links {
		domains = append(domains, l.Domain)
	}
	hits, err := p.deps.history.Blocklisted(ctx, domains, a.SenderAddress)
	// A blocked address also covers its plus-addressed forms: the local
	// part up to the first "+" reaches the same mailbox at most providers.
	if base := baseAddress(a.SenderAddress); err == nil && base != a.SenderAddress {
		var more []string
		more, err = p.deps.history.Blocklisted(ctx, nil, base)
		hits = append(hits, more...)
	}
	if err != nil {
		p.log.Warn("blocklist lookup failed", "err", err)
		p.metrics.fail("blocklist")
		return nil
	}
	if len(hits) == 0 {
		return nil
	}
	return []policy.Signal{{Name: policy.Blocklisted,
		Evidence: "marked as phishing by staff: " + strings.Join(defangAll(hits), ", ")}}
}

// baseAddress returns addr without a "+tag" in its local part.
func baseAddress(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	if plus := strings.IndexByte(addr[:at], '+'); plus > 0 {
		return addr[:plus] + addr[at:]
	}
	return addr
}

func defangAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = strings.ReplaceAll(s, ".", "[.]")
	}
	return out
}

// learn teaches the history what a message judged clean shows. Tagged,
// held and rejected messages never teach it, in observe mode too: one
// tagged wave message must not make its sender and link domains known to
// the messages that follow it.
func (p *pipeline) learn(ctx context.Context, j judgement, log *slog.Logger) {
	if p.deps.history == nil || j.Verdict.Action != policy.Accept {
		return
	}
	obs := p.deps.checker.Observation(j.input, j.Sender)
	if err := p.deps.history.Learn(ctx, obs); err != nil {
		log.Warn("history not updated", "err", err)
		p.metrics.fail("history")
	}
}

// Judge implements milter.Handler.
func (p *pipeline) Judge(ctx context.Context, msg *milter.Message) (milter.Decision, error) {
	env := envelope{
		ClientIP: ipString(msg), ClientName: msg.ClientName, Helo: msg.Helo,
		MailFrom: msg.MailFrom, Rcpts: msg.Rcpts, AuthUser: msg.AuthUser,
	}
	for _, l := range msg.Exceeded {
		if l.Key != "max_message_bytes" { // MESSAGE_TOO_LARGE covers it
			env.limits = append(env.limits, fmt.Sprintf("%s: %d > limit %d", l.Key, l.Observed, l.Limit))
		}
	}
	log := p.log.With("conn_id", msg.ConnID, "queue_id", msg.QueueID)
	start := time.Now()
	j := p.judge(ctx, msg.Raw, env, msg.Size, msg.Truncated, &tracking{queueID: msg.QueueID, log: log})
	v := j.Verdict
	p.metrics.observe(v, time.Since(start))
	p.learn(ctx, j, log)

	p.log.Info("verdict",
		"conn_id", msg.ConnID,
		"queue_id", msg.QueueID,
		"client_ip", ipString(msg),
		"mail_from", cutValue(msg.MailFrom),
		"rcpt_count", len(msg.Rcpts),
		"verdict", v.Action.String(),
		"enforced", v.Enforced.String(),
		"score", v.Score,
		"signals", strings.Join(v.SignalNames(), ","),
	)

	d := milter.Decision{Headers: append(verdictHeaders(v), senderHeader(j.Sender))}
	var entryID int64
	switch v.Enforced {
	case policy.Hold:
		d.Action = milter.Hold
		d.Reason = v.Reason()
		id, err := p.hold(ctx, msg, j, &d, log)
		if err != nil {
			return milter.Decision{}, err
		}
		entryID = id
	case policy.Reject:
		d.Action = milter.Reject
	default:
		d.Action = milter.Accept
	}
	p.recordCampaign(ctx, j.cross, v, entryID, log)
	return d, nil
}

// ownHeaders lists every field holdfast adds. The milter deletes received
// copies of them: a sender who writes "X-Holdfast-Verdict: accept" must
// not be believed by a mail filter that reads the first such field.
var ownHeaders = []string{
	"X-Holdfast-Verdict", "X-Holdfast-Score", "X-Holdfast-Signals",
	"X-Holdfast-Reason", "X-Holdfast-Sender", "X-Holdfast-Quarantine-Id",
}

func ipString(msg *milter.Message) string {
	if msg.ClientIP == nil {
		return ""
	}
	return msg.ClientIP.String()
}

// Header limits. maxHeaderReasons keeps the added block short enough to read
// in a mail client's source view. maxHeaderValue stays under RFC 5322's
// 998-byte line limit with room for the field name and folding.
const (
	maxHeaderReasons = 10
	maxHeaderValue   = 900
)

// verdictHeaders returns the headers added to every message.
func verdictHeaders(v policy.Verdict) []milter.Field {
	verdict := v.Action.String()
	if v.Observe {
		verdict += " (observe)"
	}
	fields := []milter.Field{
		{Name: "X-Holdfast-Verdict", Value: verdict},
		{Name: "X-Holdfast-Score", Value: fmt.Sprintf("%.1f", v.Score)},
		{Name: "X-Holdfast-Signals", Value: strings.Join(v.SignalNames(), ",")},
	}
	for i, s := range v.Signals {
		if i == maxHeaderReasons {
			break
		}
		fields = append(fields, milter.Field{
			Name:  "X-Holdfast-Reason",
			Value: headerSafe(fmt.Sprintf("%s %+.1f %s", s.Name, s.Score, s.Evidence)),
		})
	}
	return fields
}

// senderHeader summarises the sender checks in one X-Holdfast-Sender field:
// authentication results, the connecting client and the login origin with
// their countries.
func senderHeader(a sender.Assessment) milter.Field {
	parts := []string{
		"spf=" + orNone(a.SPF.Result),
		"dkim=" + dkimSummary(a.DKIM),
		"dmarc=" + orNone(a.DMARC.Result),
		"direction=" + a.Direction,
	}
	if a.Client.IP.IsValid() {
		parts = append(parts, fmt.Sprintf("client=%s (%s)", a.Client.IP, placeWords(a.Client.Info)))
	}
	if o := a.Origin; o != nil {
		parts = append(parts, fmt.Sprintf("origin=%s (%s; %s)", o.IP, placeWords(o.Info), o.Source))
	}
	if a.DomainCountry != "" {
		parts = append(parts, "domain_country="+a.DomainCountry)
	}
	return milter.Field{Name: "X-Holdfast-Sender", Value: headerSafe(strings.Join(parts, "; "))}
}

func dkimSummary(results []sender.DKIMResult) string {
	if len(results) == 0 {
		return "none"
	}
	var out []string
	for _, r := range results {
		out = append(out, r.Result+"@"+r.Domain)
	}
	return strings.Join(out, ",")
}

func placeWords(i geo.Info) string {
	words := []string{orNone(i.Country)}
	if i.ASN != "" {
		words = append(words, i.ASN)
	}
	if i.Org != "" {
		words = append(words, i.Org)
	}
	return strings.Join(words, " ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// headerSafe removes control characters, which could end the header or
// inject another, and cuts the value to maxHeaderValue bytes on a rune
// boundary.
func headerSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= maxHeaderValue {
		return s
	}
	cut := maxHeaderValue
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// maxLoggedValue is how many bytes of a peer-supplied value a log line
// keeps; slog quotes and escapes what remains.
const maxLoggedValue = 200

func cutValue(s string) string {
	if len(s) > maxLoggedValue {
		return s[:maxLoggedValue] + "…"
	}
	return s
}
