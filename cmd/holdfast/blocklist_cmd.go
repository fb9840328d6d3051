package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/holdfast/holdfast/store"
)

const blocklistUsage = `usage: holdfast blocklist SUBCOMMAND [--config FILE] [--json] [KIND VALUE]

subcommands:
  list               list blocked sender addresses and domains, newest first,
                     with who blocked each and the entry that showed it
  remove KIND VALUE  take one value off the blocklist; KIND is "sender" or
                     "domain"

Marking a message as phishing fills the blocklist; a blocked value raises
BLOCKLISTED. Removals are recorded with the actor "cli:$USER" in the audit
trail of the entry that caused the block, and in the log.
`

// runBlocklist runs "holdfast blocklist SUBCOMMAND".
func runBlocklist(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(os.Stderr, blocklistUsage)
		return flag.ErrHelp
	}
	sub := args[0]
	if sub != "list" && sub != "remove" {
		return fmt.Errorf("unknown subcommand %q\n\n%s", sub, blocklistUsage)
	}
	fs := flag.NewFlagSet("blocklist "+sub, flag.ContinueOnError)
	path := fs.String("config", "", "config file (TOML)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")

	// Flags may follow the positional arguments, so parse again after
	// each one.
	var positional []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	want := 0
	if sub == "remove" {
		want = 2
	}
	if len(positional) != want {
		return fmt.Errorf("blocklist %s takes %d arguments, got %d\n\n%s", sub, want, len(positional), blocklistUsage)
	}

	cfg, err := loadConfig(*path)
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

	if sub == "list" {
		blocks, err := svc.Blocklist(ctx)
		if err != nil {
			return err
		}
		return printBlocklist(out, blocks, *asJSON)
	}
	kind, value := positional[0], positional[1]
	if err := svc.Unblock(ctx, kind, value, cliActor(), ""); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(out, map[string]any{"kind": kind, "value": value, "removed": true})
	}
	_, err = fmt.Fprintf(out, "%s %s removed from the blocklist\n", kind, value)
	return err
}

func printBlocklist(out io.Writer, blocks []store.Block, asJSON bool) error {
	if asJSON {
		if blocks == nil {
			blocks = []store.Block{}
		}
		return writeJSON(out, map[string]any{"blocklist": blocks})
	}
	if len(blocks) == 0 {
		_, err := fmt.Fprintln(out, "the blocklist is empty")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tVALUE\tADDED\tBY\tENTRY")
	for _, b := range blocks {
		entry := "-"
		if b.EntryID != 0 {
			entry = fmt.Sprint(b.EntryID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", b.Kind, cutValue(b.Value),
			b.AddedAt.UTC().Format(time.DateTime), cutValue(b.Actor), entry)
	}
	return tw.Flush()
}
