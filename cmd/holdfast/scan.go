package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strings"

	"github.com/holdfast/holdfast/policy"
	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/sender"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// scanOutput is one JSON line of `holdfast scan --json`.
type scanOutput struct {
	File        string               `json:"file"`
	Verdict     string               `json:"verdict"`
	Enforced    string               `json:"enforced"`
	Score       float64              `json:"score"`
	Signals     []policy.Signal      `json:"signals"`
	Envelope    envelope             `json:"envelope"`
	Sender      sender.Assessment    `json:"sender"`
	Subject     string               `json:"subject"`
	From        string               `json:"from"`
	Links       []scanner.Link       `json:"links"`
	QRCodes     []scanner.QRCode     `json:"qr_codes"`
	Attachments []scanner.Attachment `json:"attachments"`
	Forms       []scanner.Form       `json:"forms"`
	Anomalies   []scanner.Anomaly    `json:"anomalies"`
	Parts       []scanner.Part       `json:"parts"`
	// Wrapped reports that the file was not a message and was scanned as
	// the only attachment of one.
	Wrapped bool `json:"wrapped"`
}

// maxScanFileBytes bounds a file read by `holdfast scan`; it matches the
// milter's message cap so the command judges what the milter would.
func maxScanFileBytes(cfg *Config) int64 { return cfg.Milter.MaxMessageBytes }

func runScan(args []string, stdin io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	path := fs.String("config", "", "config file (TOML); without it, the defaults")
	asJSON := fs.Bool("json", false, "print one JSON object per file (JSON Lines)")
	var env envelope
	var rcpts listFlag
	fs.StringVar(&env.ClientIP, "client-ip", "", "connecting client IP address")
	fs.StringVar(&env.Helo, "helo", "", "HELO/EHLO name")
	fs.StringVar(&env.MailFrom, "mail-from", "", "envelope sender (default: the From header)")
	fs.Var(&rcpts, "rcpt", "envelope recipient, repeatable (default: the To and Cc headers)")
	fs.StringVar(&env.AuthUser, "auth-user", "", "SASL login name of the submitting client")
	track := fs.Bool("track", false, "count each file into the campaign and account windows of the configured store, "+
		"as the milter does (for replaying captured traffic; needs --config)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: holdfast scan [flags] FILE... (- reads standard input)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no FILE given")
	}
	env.Rcpts = rcpts

	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	// Without a config file, scan makes no DNS lookups: a file on an
	// analyst's disk should not announce itself to its sender's domain.
	mode := depsScanOffline
	if *path != "" {
		mode = depsScanOnline
	}
	d, err := openDeps(context.Background(), cfg, mode)
	if err != nil {
		return err
	}
	defer d.close()
	p := newPipeline(cfg, slog.New(slog.DiscardHandler), d)
	if *track {
		if *path == "" || d.history == nil {
			return errors.New("--track needs --config with an existing [store]")
		}
		if p.cross, err = newCrossMessage(cfg, d.history); err != nil {
			return err
		}
	}

	var failed []string
	for _, name := range fs.Args() {
		res, err := scanOne(p, name, stdin, env)
		if err != nil {
			fmt.Fprintf(os.Stderr, "holdfast scan: %s: %v\n", name, err)
			failed = append(failed, name)
			continue
		}
		if *asJSON {
			if err := json.NewEncoder(out).Encode(res); err != nil {
				return err
			}
		} else {
			printText(out, res)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d files could not be read", len(failed), fs.NArg())
	}
	return nil
}

// scanOne reads one file (or standard input for "-") and judges it.
func scanOne(p *pipeline, name string, stdin io.Reader, env envelope) (*scanOutput, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	limit := maxScanFileBytes(p.cfg)
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	size := int64(len(data))
	truncated := size > limit
	if truncated {
		if st, err := statSize(name); err == nil {
			size = st
		}
		data = data[:limit]
	}

	res := &scanOutput{File: name}
	if !scanner.LooksLikeMessage(data) {
		data = scanner.WrapFile(filepath.Base(name), data)
		res.Wrapped = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.Scanner.timeout())
	defer cancel()
	report := p.scanner.Scan(ctx, data)
	env = envelopeFromHeaders(env, report)
	var track *tracking
	if p.cross != nil {
		track = &tracking{log: p.log}
	}
	j := p.decide(ctx, data, env, report, size, truncated, track)

	res.Verdict = j.Verdict.Action.String()
	res.Enforced = j.Verdict.Enforced.String()
	res.Score = j.Verdict.Score
	res.Signals = j.Verdict.Signals
	r2 := j.Report
	res.Envelope = env
	res.Sender = j.Sender
	res.Subject, res.From = r2.Subject, r2.From
	res.Links, res.QRCodes, res.Attachments = r2.Links, r2.QRCodes, r2.Attachments
	res.Forms, res.Anomalies, res.Parts = r2.Forms, r2.Anomalies, r2.Parts
	if res.Forms == nil {
		res.Forms = []scanner.Form{}
	}
	return res, nil
}

// envelopeFromHeaders fills the sender and recipients the flags left empty
// from the message's From, To and Cc headers.
func envelopeFromHeaders(env envelope, r *scanner.Report) envelope {
	if env.MailFrom == "" {
		if addrs := parseAddresses(r.From); len(addrs) > 0 {
			env.MailFrom = addrs[0]
		}
	}
	if len(env.Rcpts) == 0 {
		env.Rcpts = append(parseAddresses(r.To), parseAddresses(r.Cc)...)
	}
	if env.Rcpts == nil {
		env.Rcpts = []string{}
	}
	return env
}

// parseAddresses returns the addresses of an address-list header, or none
// when it does not parse.
func parseAddresses(value string) []string {
	if value == "" {
		return nil
	}
	list, err := mail.ParseAddressList(value)
	if err != nil {
		return nil
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
	}
	return out
}

func statSize(name string) (int64, error) {
	if name == "-" {
		return 0, errors.New("standard input has no size")
	}
	st, err := os.Stat(name)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// printText writes the readable report of one file.
func printText(out io.Writer, r *scanOutput) {
	fmt.Fprintf(out, "%s: %s (score %.1f)\n", r.File, r.Verdict, r.Score)
	if r.Subject != "" {
		fmt.Fprintf(out, "  subject: %s\n", r.Subject)
	}
	for _, s := range r.Signals {
		fmt.Fprintf(out, "  %+5.1f %s  %s\n", s.Score, s.Name, s.Evidence)
	}
	section(out, "links", len(r.Links))
	for _, l := range r.Links {
		fmt.Fprintf(out, "    %s  [%s, %s]\n", l.URL, l.Via, l.Source)
	}
	section(out, "qr codes", len(r.QRCodes))
	for _, q := range r.QRCodes {
		fmt.Fprintf(out, "    %s  [%s]\n", q.Text, q.Source)
	}
	section(out, "attachments", len(r.Attachments))
	for _, a := range r.Attachments {
		fmt.Fprintf(out, "    %q %s sniffed=%s %d bytes sha256=%s  [%s]\n",
			a.Filename, a.ContentType, orDash(string(a.Sniffed)), a.Size, a.SHA256, a.Source)
	}
	section(out, "anomalies", len(r.Anomalies))
	for _, a := range r.Anomalies {
		fmt.Fprintf(out, "    %s: %s\n", a.Name, a.Detail)
	}
}

func section(out io.Writer, name string, n int) {
	if n > 0 {
		fmt.Fprintf(out, "  %s:\n", name)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
