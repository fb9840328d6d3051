package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/sender"
)

// learnStats counts what an import read and taught.
type learnStats struct {
	Files    int
	Messages int
	Inbound  int
	Outbound int
	Skipped  int
}

func runLearn(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("learn", flag.ContinueOnError)
	path := fs.String("config", "", "config file (TOML); its [store] and [org] sections are used")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: holdfast learn [--config FILE] PATH... (mbox files, Maildirs, .eml files or folders of them)")
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
	l := &learner{p: p, out: out}
	start := time.Now()
	for _, root := range fs.Args() {
		if err := l.path(root); err != nil {
			return err
		}
	}
	return l.report(time.Since(start))
}

// learner imports past mail into the history.
type learner struct {
	p     *pipeline
	out   io.Writer
	stats learnStats
}

// path imports a Maildir, a folder of files, an mbox file or one message.
func (l *learner) path(root string) error {
	st, err := os.Stat(root)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return l.file(root)
	}
	if isMaildir(root) {
		for _, sub := range []string{"cur", "new"} {
			if err := l.folder(filepath.Join(root, sub)); err != nil {
				return err
			}
		}
		return nil
	}
	return filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && p != root && isMaildir(p) {
			if err := l.path(p); err != nil {
				return err
			}
			return filepath.SkipDir
		}
		if e.Type().IsRegular() {
			return l.file(p)
		}
		return nil
	})
}

// isMaildir reports whether dir has the cur and new folders of a Maildir.
func isMaildir(dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

// folder imports every regular file of dir as one message.
func (l *learner) folder(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := l.file(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// file imports an mbox file (it starts with a "From " line) or one message.
func (l *learner) file(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	l.stats.Files++
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(5)
	if string(head) == "From " {
		return splitMbox(br, l.p.cfg.Milter.MaxMessageBytes, l.message)
	}
	raw, err := io.ReadAll(io.LimitReader(br, l.p.cfg.Milter.MaxMessageBytes))
	if err != nil {
		return err
	}
	l.message(raw)
	return nil
}

// message teaches the history one past message. A message from a local
// domain counts as outbound: the organisation's user sent it.
func (l *learner) message(raw []byte) {
	ctx := context.Background()
	report := l.p.scanner.Scan(ctx, raw)
	env := envelopeFromHeaders(envelope{}, report)
	if env.MailFrom == "" {
		l.stats.Skipped++
		return
	}
	if isLocalAddress(env.MailFrom, l.p.cfg.Org.LocalDomains) {
		env.AuthUser = env.MailFrom
	}
	in := l.p.senderInput(raw, env, report)
	a := l.p.deps.checker.Assess(ctx, in)
	obs := l.p.deps.checker.Observation(in, a)
	if t, err := mail.ParseDate(headerOf(report, "Date")); err == nil {
		obs.Time = t
	}

	// Past outbound mail is also each account's baseline: its daily
	// volume and how often it writes to someone new. The recipients are
	// judged before this message teaches the history about them.
	if a.Direction == sender.Outbound && l.p.cross.accounts != nil {
		ai := accountInput(obs.Time, in, a, &judgement{Report: report}, l.p.cfg.Org.LocalDomains)
		if _, err := l.p.cross.accounts.Observe(ctx, ai); err != nil {
			l.stats.Skipped++
			return
		}
	}
	if err := l.p.deps.history.Learn(ctx, obs); err != nil {
		l.stats.Skipped++
		return
	}
	l.stats.Messages++
	if a.Direction == sender.Outbound {
		l.stats.Outbound++
	} else {
		l.stats.Inbound++
	}
}

func headerOf(r *scanner.Report, name string) string {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
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

// report prints what was learnt and the size of the history now.
func (l *learner) report(took time.Duration) error {
	s := l.stats
	rate := float64(s.Messages) / took.Seconds()
	fmt.Fprintf(l.out, "learnt %d messages (%d inbound, %d outbound) from %d files in %s (%.0f messages/s); %d skipped\n",
		s.Messages, s.Inbound, s.Outbound, s.Files, took.Round(time.Millisecond), rate, s.Skipped)
	o, err := l.p.deps.history.Overview(context.Background())
	if err != nil {
		return err
	}
	since := "never"
	if !o.Since.IsZero() {
		since = o.Since.UTC().Format("2006-01-02")
	}
	fmt.Fprintf(l.out, "history: %d messages since %s, %d sender and correspondent domains\n",
		o.Messages, since, o.SenderDomains)
	return nil
}

// splitMbox calls fn with each message of an mbox stream. A line starting
// "From " opens a message; the mboxrd quoting of body lines (">From ") is
// undone. A message over max bytes is cut there.
func splitMbox(r *bufio.Reader, max int64, fn func([]byte)) error {
	var msg bytes.Buffer
	started := false
	flush := func() {
		if started {
			fn(bytes.Clone(msg.Bytes()))
		}
		msg.Reset()
	}
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			switch {
			case bytes.HasPrefix(line, []byte("From ")):
				flush()
				started = true
			case int64(msg.Len()+len(line)) <= max:
				msg.Write(unquoteFrom(line))
			}
		}
		if errors.Is(err, io.EOF) {
			flush()
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// unquoteFrom removes one ">" from a line of the form ">>From ".
func unquoteFrom(line []byte) []byte {
	trimmed := bytes.TrimLeft(line, ">")
	if len(trimmed) < len(line) && bytes.HasPrefix(trimmed, []byte("From ")) {
		return line[1:]
	}
	return line
}
