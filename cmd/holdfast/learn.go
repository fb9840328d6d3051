package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/sender"
	"github.com/holdfast/holdfast/store"
)

// learnStats counts what an import read and taught, and what it left out
// or replaced, one count per reason.
type learnStats struct {
	Files    int
	Messages int
	Inbound  int
	Outbound int
	// NoSender counts messages skipped without a From address.
	NoSender int
	// StoreErrors counts messages skipped because the history or the
	// account baseline failed to store them. FirstStoreError is the
	// first such error's text.
	StoreErrors     int
	FirstStoreError string
	// DatesByFile and DatesByNow count messages learnt at the file's
	// modification time or at the time of the import, because their Date
	// field was missing, invalid or implausible.
	DatesByFile int
	DatesByNow  int
	// RecipientsDropped counts the To and Cc addresses beyond
	// [milter] max_recipients, in CappedMessages messages.
	RecipientsDropped int
	CappedMessages    int
	// JunkFolders counts the junk and spam folders not read.
	JunkFolders int
}

// skipped returns the number of messages not learnt.
func (s learnStats) skipped() int { return s.NoSender + s.StoreErrors }

// maxDateAhead is how far in the future a Date field may lie and still be
// believed: a sender's clock may run ahead by a few hours.
const maxDateAhead = 24 * time.Hour

func runLearn(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("learn", flag.ContinueOnError)
	path := fs.String("config", "", "config file (TOML); its [store] and [org] sections are used")
	outbound := fs.Bool("outbound", false,
		"count every message whose From is at a local domain as outbound, wherever it is stored")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: holdfast learn [--config FILE] [--outbound] PATH... "+
			"(mbox files, Maildirs, .eml files or folders of them)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no PATH given")
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	d, err := openDeps(context.Background(), cfg, depsLearn)
	if err != nil {
		return err
	}
	defer d.close()

	p := newPipeline(cfg, slog.New(slog.DiscardHandler), d)
	if p.cross, err = newCrossMessage(cfg, d.history); err != nil {
		return err
	}
	start := time.Now()
	l := &learner{p: p, out: out, outbound: *outbound, now: start}
	for _, root := range fs.Args() {
		if err := l.path(root); err != nil {
			return err
		}
	}
	return l.report(time.Since(start))
}

// learner imports past mail into the history.
type learner struct {
	p   *pipeline
	out io.Writer
	// outbound is the --outbound flag.
	outbound bool
	// now is the start of the import, against which Date fields are
	// judged.
	now   time.Time
	stats learnStats
}

// message teaches the history one past message. It counts as outbound
// only when its From is at a local domain and sentByUser holds. Otherwise
// it is inbound, and a local From is not learnt as a correspondent.
func (l *learner) message(raw []byte, src source) {
	ctx := context.Background()
	report := l.p.scanner.Scan(ctx, raw)
	env := envelopeFromHeaders(envelope{}, report)
	if env.MailFrom == "" {
		l.stats.NoSender++
		return
	}
	env.Rcpts = l.capRecipients(env.Rcpts)
	localFrom := isLocalAddress(env.MailFrom, l.p.cfg.Org.LocalDomains)
	if localFrom && l.sentByUser(src, report) {
		env.AuthUser = env.MailFrom
	}
	in := l.p.senderInput(raw, env, report)
	a := l.p.deps.checker.Assess(ctx, in)
	obs := l.p.deps.checker.Observation(in, a)
	obs.Time = l.messageTime(report, src)

	// An inbound message with a local From is forged or internal. Neither
	// makes its sender an external correspondent, and learning it would
	// make a forged From of a colleague look familiar.
	if obs.Direction == store.Inbound && localFrom {
		obs.SenderAddress, obs.SenderDomain, obs.DisplayName = "", "", ""
	}

	// Past outbound mail is also each account's baseline: its daily
	// volume and how often it writes to someone new. The recipients are
	// judged before this message teaches the history about them.
	if a.Direction == sender.Outbound && l.p.cross.accounts != nil {
		ai := accountInput(obs.Time, in, a, &judgement{Report: report}, l.p.cfg.Org.LocalDomains)
		if _, err := l.p.cross.accounts.Observe(ctx, ai); err != nil {
			l.storeFailed(err)
			return
		}
	}
	if err := l.p.deps.history.Learn(ctx, obs); err != nil {
		l.storeFailed(err)
		return
	}
	l.stats.Messages++
	if a.Direction == sender.Outbound {
		l.stats.Outbound++
	} else {
		l.stats.Inbound++
	}
}

func (l *learner) storeFailed(err error) {
	if l.stats.StoreErrors == 0 {
		l.stats.FirstStoreError = err.Error()
	}
	l.stats.StoreErrors++
}

// capRecipients keeps the first [milter] max_recipients addresses, as
// the milter does for RCPT commands, and counts the rest.
func (l *learner) capRecipients(rcpts []string) []string {
	limit := l.p.cfg.Milter.MaxRecipients
	if len(rcpts) <= limit {
		return rcpts
	}
	l.stats.RecipientsDropped += len(rcpts) - limit
	l.stats.CappedMessages++
	return rcpts[:limit]
}

// sentByUser reports whether a message with a local From was written by
// one of the organisation's users, rather than received with a forged or
// internal From. It was when the --outbound flag is set, when it was
// read from a sent-mail folder, when no server added a Received field (a
// mail client's own copy), or when the newest Received field records an
// authenticated submission.
func (l *learner) sentByUser(src source, r *scanner.Report) bool {
	if l.outbound || src.sent {
		return true
	}
	received := headerValues(r, "Received")
	if len(received) == 0 {
		return true
	}
	// The newest Received field is the one the organisation's own server
	// added, so the sender cannot forge it.
	// NOTE: where the MX relays inbound mail to the mailbox server with
	// SMTP AUTH, that hop also reads as authenticated, and a forged local
	// From then counts as outbound. Run learn on sent folders only there.
	return authenticatedProtocols[receivedProtocol(received[0])]
}

// authenticatedProtocols lists the Received "with" protocol types that
// record an SMTP AUTH login of the client: RFC 3848, and RFC 6531 for
// the UTF8 forms.
var authenticatedProtocols = map[string]bool{
	"esmtpa": true, "esmtpsa": true, "lmtpa": true, "lmtpsa": true,
	"utf8smtpa": true, "utf8smtpsa": true, "utf8lmtpa": true, "utf8lmtpsa": true,
}

// receivedProtocol returns the lower-case "with" protocol type of a
// Received field value, "" when it has none. Comments are skipped,
// because a TLS comment such as "(using TLSv1.3 with cipher ...)" may
// come before the "with" clause.
func receivedProtocol(value string) string {
	clauses, _, _ := strings.Cut(value, ";")
	fields := strings.Fields(strings.ToLower(stripComments(clauses)))
	for i := 0; i+1 < len(fields); i++ {
		if fields[i] == "with" {
			return fields[i+1]
		}
	}
	return ""
}

// stripComments removes the parenthesised comments of a header value
// (RFC 5322 §3.2.2), nested ones included, and keeps a space for each.
func stripComments(value string) string {
	var out strings.Builder
	depth := 0
	for i := 0; i < len(value); i++ {
		switch c := value[i]; {
		case c == '\\' && depth > 0:
			i++
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
			if depth == 0 {
				out.WriteByte(' ')
			}
		case depth == 0:
			out.WriteByte(c)
		}
	}
	return out.String()
}

// messageTime returns when a message was sent: its Date field when that
// parses and is plausible, else the file's modification time when that is
// plausible, else the time of the import.
func (l *learner) messageTime(r *scanner.Report, src source) time.Time {
	if t, err := mail.ParseDate(headerOf(r, "Date")); err == nil && l.plausible(t) {
		return t
	}
	if l.plausible(src.modTime) {
		l.stats.DatesByFile++
		return src.modTime
	}
	l.stats.DatesByNow++
	return l.now
}

// plausible reports whether t can be the time a message was sent: at most
// maxDateAhead after now, not older than [store] history_retention (older
// keys are pruned anyway), and within the range the store accepts.
func (l *learner) plausible(t time.Time) bool {
	oldest := l.now.Add(-time.Duration(l.p.cfg.Store.HistoryRetention))
	return !t.Before(oldest) && !t.After(l.now.Add(maxDateAhead)) &&
		!t.Before(store.MinObservationTime) && t.Before(store.MaxObservationTime)
}

func headerOf(r *scanner.Report, name string) string {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// headerValues returns the values of every field called name, in message
// order: the newest Received field first.
func headerValues(r *scanner.Report, name string) []string {
	var out []string
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			out = append(out, h.Value)
		}
	}
	return out
}

func isLocalAddress(addr string, local []string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	domain := strings.ToLower(addr[at+1:])
	for _, d := range local {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return true
		}
	}
	return false
}

// report prints what was learnt, why messages were skipped or changed,
// and the size of the history now.
func (l *learner) report(took time.Duration) error {
	s := l.stats
	rate := float64(s.Messages) / took.Seconds()
	fmt.Fprintf(l.out, "learnt %d messages (%d inbound, %d outbound) from %d files in %s (%.0f messages/s); %d skipped\n",
		s.Messages, s.Inbound, s.Outbound, s.Files, took.Round(time.Millisecond), rate, s.skipped())
	if s.NoSender > 0 {
		fmt.Fprintf(l.out, "skipped: %d without a From address\n", s.NoSender)
	}
	if s.StoreErrors > 0 {
		fmt.Fprintf(l.out, "skipped: %d failed to store, the first with: %s\n", s.StoreErrors, s.FirstStoreError)
	}
	if n := s.DatesByFile + s.DatesByNow; n > 0 {
		fmt.Fprintf(l.out, "replaced: %d Date fields missing, invalid, in the future or older than "+
			"[store] history_retention (%d by the file time, %d by the import time)\n",
			n, s.DatesByFile, s.DatesByNow)
	}
	if s.RecipientsDropped > 0 {
		fmt.Fprintf(l.out, "limits: %d recipients in %d messages beyond [milter] max_recipients = %d not read\n",
			s.RecipientsDropped, s.CappedMessages, l.p.cfg.Milter.MaxRecipients)
	}
	if s.JunkFolders > 0 {
		fmt.Fprintf(l.out, "folders: %d junk or spam folders not read\n", s.JunkFolders)
	}

	o, err := l.p.deps.history.Overview(context.Background())
	if err != nil {
		return err
	}
	since := "never"
	if !o.Since.IsZero() {
		since = o.Since.UTC().Format("2006-01-02")
	}
	fmt.Fprintf(l.out, "history: %d messages on %d days since %s, %d sender and correspondent domains\n",
		o.Messages, o.Days, since, o.SenderDomains)
	return nil
}
