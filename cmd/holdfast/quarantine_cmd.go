package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/store"
)

const quarantineUsage = `usage: holdfast quarantine SUBCOMMAND [--config FILE] [--json] [flags] [ID]

subcommands:
  list         list entries, newest first (filters: --status --since --until
               --sender --recipient --signal --campaign; paging: --limit --offset)
  show ID      print an entry and its audit trail (--raw prints the stored message)
  release ID   deliver a held message through the MTA
  delete ID    delete a held message from the MTA
  mark-safe ID record the sender as a correspondent of the organisation
  mark-phish ID  block the sender address and the link domains new to the
                 organisation (holdfast blocklist list|remove undoes it)

Actions are recorded with the actor "cli:$USER".
`

// quarantineFlags are the flags every subcommand takes, plus list's
// filter.
type quarantineFlags struct {
	config     string
	json       bool
	raw        bool
	filter     quarantine.Filter
	status     string
	since      string
	until      string
	positional []string
}

func parseQuarantineFlags(sub string, args []string) (*quarantineFlags, error) {
	f := &quarantineFlags{}
	fs := flag.NewFlagSet("quarantine "+sub, flag.ContinueOnError)
	fs.StringVar(&f.config, "config", "", "config file (TOML)")
	fs.BoolVar(&f.json, "json", false, "print JSON instead of text")
	if sub == "show" {
		fs.BoolVar(&f.raw, "raw", false, "print the stored message instead of the entry")
	}
	if sub == "list" {
		fs.StringVar(&f.status, "status", "", "held, released or deleted")
		fs.StringVar(&f.since, "since", "", "received at or after this time (RFC 3339 or YYYY-MM-DD, UTC)")
		fs.StringVar(&f.until, "until", "", "received before this time (RFC 3339 or YYYY-MM-DD, UTC)")
		fs.StringVar(&f.filter.Sender, "sender", "", "substring of MAIL FROM or From, any case")
		fs.StringVar(&f.filter.Recipient, "recipient", "", "substring of a recipient, any case")
		fs.StringVar(&f.filter.Signal, "signal", "", "exact signal name")
		fs.StringVar(&f.filter.Campaign, "campaign", "", "campaign key")
		fs.IntVar(&f.filter.Limit, "limit", store.DefaultListLimit, "entries per page, at most 500")
		fs.IntVar(&f.filter.Offset, "offset", 0, "entries to skip")
	}

	// Flags may follow the ID, so parse again after each positional
	// argument.
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		f.positional = append(f.positional, args[0])
		args = args[1:]
	}
	return f, f.buildFilter()
}

func (f *quarantineFlags) buildFilter() error {
	switch quarantine.Status(f.status) {
	case "", quarantine.Held, quarantine.Released, quarantine.Deleted:
		f.filter.Status = quarantine.Status(f.status)
	default:
		return fmt.Errorf("--status %q is invalid: use held, released or deleted", f.status)
	}
	var err error
	if f.filter.Since, err = parseTimeFlag("since", f.since); err != nil {
		return err
	}
	f.filter.Until, err = parseTimeFlag("until", f.until)
	return err
}

func parseTimeFlag(name, value string) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, value); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q is invalid: use RFC 3339 (2026-12-04T10:00:00Z) or YYYY-MM-DD", name, value)
	}
	return t, nil
}

// runQuarantine runs "holdfast quarantine SUBCOMMAND".
func runQuarantine(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(os.Stderr, quarantineUsage)
		return flag.ErrHelp
	}
	sub := args[0]
	switch sub {
	case "list", "show", "release", "delete", "mark-safe", "mark-phish":
	default:
		return fmt.Errorf("unknown subcommand %q\n\n%s", sub, quarantineUsage)
	}
	f, err := parseQuarantineFlags(sub, args[1:])
	if err != nil {
		return err
	}
	var id int64
	if sub != "list" {
		if id, err = entryID(f.positional); err != nil {
			return err
		}
	}

	cfg, err := loadConfig(f.config)
	if err != nil {
		return err
	}
	ctx := context.Background()
	history, err := store.Open(ctx, cfg.Store)
	if err != nil {
		return err
	}
	defer history.Close()
	svc, err := newQuarantine(cfg, history, newLogger(cfg.Log))
	if err != nil {
		return err
	}

	switch sub {
	case "list":
		return quarantineList(ctx, svc, f, out)
	case "show":
		return quarantineShow(ctx, svc, id, f, out)
	}
	return quarantineAct(ctx, svc, sub, id, f.json, out)
}

func entryID(positional []string) (int64, error) {
	if len(positional) != 1 {
		return 0, errors.New("one entry ID is required (see holdfast quarantine list)")
	}
	id, err := strconv.ParseInt(positional[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("entry ID %q is invalid: use the number from holdfast quarantine list", positional[0])
	}
	return id, nil
}

// cliActor returns "cli:" and the login name of the user running the
// command.
func cliActor() string {
	name := os.Getenv("USER")
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	if name == "" {
		name = strconv.Itoa(os.Getuid())
	}
	return "cli:" + name
}

func quarantineAct(ctx context.Context, svc *quarantine.Service, sub string, id int64, asJSON bool,
	out io.Writer) error {
	actions := map[string]func(context.Context, int64, string, string) error{
		"release":    svc.Release,
		"delete":     svc.Delete,
		"mark-safe":  svc.MarkSafe,
		"mark-phish": svc.MarkPhish,
	}
	if err := actions[sub](ctx, id, cliActor(), ""); err != nil {
		return err
	}
	e, err := svc.Get(ctx, id)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(out, map[string]any{"id": id, "action": sub, "status": e.Status})
	}
	_, err = fmt.Fprintf(out, "entry %d: %s done, status %s\n", id, sub, e.Status)
	return err
}

func quarantineList(ctx context.Context, svc *quarantine.Service, f *quarantineFlags, out io.Writer) error {
	entries, total, err := svc.List(ctx, f.filter)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(out, map[string]any{"total": total, "entries": entries})
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tSTATUS\tSCORE\tSENDER\tRECIPIENTS\tSUBJECT")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f\t%s\t%s\t%s\n", e.ID, e.ReceivedAt.UTC().Format(time.DateTime),
			e.Status, e.Score, cutValue(e.SenderAddress()), cutValue(strings.Join(e.Rcpts, ",")),
			cutValue(e.Subject))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%d of %d entries (offset %d)\n", len(entries), total, f.filter.Offset)
	return err
}

func quarantineShow(ctx context.Context, svc *quarantine.Service, id int64, f *quarantineFlags,
	out io.Writer) error {
	if f.raw {
		raw, err := svc.Raw(ctx, id)
		if err != nil {
			return err
		}
		_, err = out.Write(raw)
		return err
	}
	e, err := svc.Get(ctx, id)
	if err != nil {
		return err
	}
	audit, err := svc.Audit(ctx, id)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(out, map[string]any{"entry": e, "audit": audit})
	}
	printEntry(out, e, audit)
	return nil
}

func printEntry(out io.Writer, e *quarantine.Entry, audit []quarantine.Action) {
	fmt.Fprintf(out, "entry %d (%s), queue id %s, received %s\n", e.ID, e.Status, e.QueueID,
		e.ReceivedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(out, "from %s (%s) to %s\n", e.MailFrom, e.From, strings.Join(e.Rcpts, ", "))
	fmt.Fprintf(out, "subject %s\n", e.Subject)
	fmt.Fprintf(out, "verdict %s, score %.1f\n", e.Verdict, e.Score)
	for _, s := range e.Signals {
		fmt.Fprintf(out, "  %-26s %+5.1f  %s\n", s.Name, s.Score, s.Evidence)
	}
	for _, l := range e.Links {
		fmt.Fprintf(out, "  link (%s) %s  [%s]\n", l.Via, l.URL, l.Source)
	}
	for _, a := range e.Attachments {
		fmt.Fprintf(out, "  attachment %s (%s, %d bytes)\n", a.Filename, a.ContentType, a.Size)
	}
	fmt.Fprintln(out, "audit:")
	for _, a := range audit {
		fmt.Fprintf(out, "  %s  %-10s %s %s  %s\n", a.At.UTC().Format(time.RFC3339), a.Name, a.Actor,
			a.Remote, a.Detail)
	}
}

func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
