package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/holdfast/holdfast/milter"
	"github.com/holdfast/holdfast/policy"
	"github.com/holdfast/holdfast/scanner"
)

// envelope is what the MTA or the scan flags say about a message's
// transport, as the pipeline needs it.
type envelope struct {
	ClientIP string
	Helo     string
	MailFrom string
	Rcpts    []string
	AuthUser string
}

// judgement is the whole outcome for one message.
type judgement struct {
	Report  *scanner.Report
	Verdict policy.Verdict
}

// pipeline runs scanner, then policy, for the milter and for `holdfast scan`
// alike.
type pipeline struct {
	cfg     *Config
	log     *slog.Logger
	scanner *scanner.Scanner
}

func newPipeline(cfg *Config, log *slog.Logger) *pipeline {
	return &pipeline{cfg: cfg, log: log, scanner: scanner.New(cfg.Scanner.limits())}
}

// judge scans raw and decides. size is the message's full size, larger than
// len(raw) when the milter truncated it.
func (p *pipeline) judge(ctx context.Context, raw []byte, size int64, truncated bool) judgement {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Scanner.timeout())
	defer cancel()

	report := p.scanner.Scan(ctx, raw)
	v := policy.Decide(policy.Input{
		Report: report, Truncated: truncated, Size: size, ScannedBytes: int64(len(raw)),
	}, p.cfg.Policy)
	return judgement{Report: report, Verdict: v}
}

// Judge implements milter.Handler.
func (p *pipeline) Judge(ctx context.Context, msg *milter.Message) (milter.Decision, error) {
	j := p.judge(ctx, msg.Raw, msg.Size, msg.Truncated)
	v := j.Verdict

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

	d := milter.Decision{Headers: verdictHeaders(v)}
	switch v.Enforced {
	case policy.Hold:
		d.Action = milter.Hold
		d.Reason = v.Reason()
	case policy.Reject:
		d.Action = milter.Reject
	default:
		d.Action = milter.Accept
	}
	return d, nil
}

func ipString(msg *milter.Message) string {
	if msg.ClientIP == nil {
		return ""
	}
	return msg.ClientIP.String()
}

// Header limits. maxHeaderReasons keeps the added block short enough to read
// in a mail client's source view; maxHeaderValue stays under RFC 5322's
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
