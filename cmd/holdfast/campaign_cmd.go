package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/store"
)

const campaignUsage = `usage: holdfast campaign SUBCOMMAND [--config FILE] [--json] [ID]

subcommands:
  list         list campaigns, most recent first (--kind, --value, --limit, --offset)
  show ID      print a campaign and every member, the accepted early ones included
  release ID   release every held member through the MTA
  delete ID    delete every held member from the MTA

Actions are recorded on each quarantine entry with the actor "cli:$USER".
`

// campaignView is a campaign with its members, as `campaign show --json`
// prints it.
type campaignView struct {
	ID        int64                  `json:"id"`
	Kind      string                 `json:"kind"`
	Value     string                 `json:"value"`
	FirstSeen time.Time              `json:"first_seen"`
	LastSeen  time.Time              `json:"last_seen"`
	Members   int64                  `json:"members"`
	Messages  []store.CampaignMember `json:"messages,omitempty"`
}

func viewOf(c store.Campaign) campaignView {
	return campaignView{ID: c.ID, Kind: c.Key.Kind, Value: c.Key.Value,
		FirstSeen: c.FirstSeen, LastSeen: c.LastSeen, Members: c.Members}
}

func runCampaign(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(os.Stderr, campaignUsage)
		return flag.ErrHelp
	}
	sub := args[0]
	fs := flag.NewFlagSet("campaign "+sub, flag.ContinueOnError)
	path := fs.String("config", "", "config file (TOML)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var filter store.CampaignFilter
	if sub == "list" {
		fs.StringVar(&filter.Kind, "kind", "", "key kind")
		fs.StringVar(&filter.Value, "value", "", "substring of the key value")
		fs.IntVar(&filter.Limit, "limit", 0, "campaigns per page")
		fs.IntVar(&filter.Offset, "offset", 0, "campaigns to skip")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}

	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Store)
	if err != nil {
		return err
	}
	defer st.Close()

	switch sub {
	case "list":
		return campaignList(ctx, st, filter, *asJSON, out)
	case "show", "release", "delete":
	default:
		return fmt.Errorf("unknown subcommand %q\n\n%s", sub, campaignUsage)
	}
	if fs.NArg() != 1 {
		return errors.New("give one campaign ID")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("campaign ID %q is invalid: use the number `holdfast campaign list` prints", fs.Arg(0))
	}
	if sub == "show" {
		return campaignShow(ctx, st, id, *asJSON, out)
	}
	svc, err := newQuarantine(cfg, st, newLogger(cfg.Log))
	if err != nil {
		return err
	}
	return campaignAct(ctx, st, svc, sub, id, out)
}

func campaignList(ctx context.Context, st *store.Store, f store.CampaignFilter, asJSON bool, out io.Writer) error {
	list, err := st.Campaigns(ctx, f)
	if err != nil {
		return err
	}
	views := make([]campaignView, len(list))
	for i, c := range list {
		views[i] = viewOf(c)
	}
	if asJSON {
		return writeJSON(out, views)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tVALUE\tMEMBERS\tFIRST SEEN\tLAST SEEN")
	for _, v := range views {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", v.ID, v.Kind, cutValue(v.Value), v.Members,
			v.FirstSeen.UTC().Format(time.DateTime), v.LastSeen.UTC().Format(time.DateTime))
	}
	return tw.Flush()
}

func campaignShow(ctx context.Context, st *store.Store, id int64, asJSON bool, out io.Writer) error {
	c, err := st.CampaignByID(ctx, id)
	if err != nil {
		return err
	}
	v := viewOf(c)
	if v.Messages, err = st.CampaignMembers(ctx, id); err != nil {
		return err
	}
	if asJSON {
		return writeJSON(out, v)
	}
	fmt.Fprintf(out, "campaign %d: %s %s, %d members, %s to %s\n", v.ID, v.Kind, v.Value, v.Members,
		v.FirstSeen.UTC().Format(time.DateTime), v.LastSeen.UTC().Format(time.DateTime))
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSENDER\tRECIPIENTS\tVERDICT\tQUARANTINE ID")
	for _, m := range v.Messages {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\n", m.Time.UTC().Format(time.DateTime), cutValue(m.Sender),
			m.Recipients, orNone(m.Verdict), m.EntryID)
	}
	return tw.Flush()
}

// campaignAct releases or deletes every held member, going on past a
// member that fails and reporting each failure.
func campaignAct(ctx context.Context, st *store.Store, svc *quarantine.Service, sub string, id int64,
	out io.Writer) error {
	if _, err := st.CampaignByID(ctx, id); err != nil {
		return err
	}
	entries, err := st.CampaignMemberEntries(ctx, id)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		fmt.Fprintf(out, "campaign %d has no held members\n", id)
	}
	act := svc.Release
	if sub == "delete" {
		act = svc.Delete
	}
	failed := 0
	for _, e := range entries {
		if err := act(ctx, e, cliActor(), ""); err != nil {
			failed++
			fmt.Fprintf(out, "entry %d: %v\n", e, err)
			continue
		}
		fmt.Fprintf(out, "entry %d: %sd\n", e, sub)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d held members could not be %sd", failed, len(entries), sub)
	}
	return nil
}
