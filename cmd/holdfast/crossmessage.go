package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/holdfast/holdfast/policy"
	"github.com/holdfast/holdfast/sender"
	"github.com/holdfast/holdfast/store"
)

// crossMessage holds the detectors that judge a message against the ones
// before it: campaigns across inbound senders, and bursts of a local
// account's outbound mail. Both are nil without a store.
type crossMessage struct {
	campaigns *policy.Campaigns
	accounts  *policy.Accounts
}

// crossOutcome holds the signals and campaign the detectors found for one
// message.
type crossOutcome struct {
	signals  []policy.Signal
	campaign *policy.CampaignResult
}

func newCrossMessage(cfg *Config, st *store.Store) (*crossMessage, error) {
	if st == nil {
		return &crossMessage{}, nil
	}
	c, err := policy.NewCampaigns(cfg.Campaign, st)
	if err != nil {
		return nil, err
	}
	a, err := policy.NewAccounts(cfg.Account, st)
	if err != nil {
		return nil, err
	}
	return &crossMessage{campaigns: c, accounts: a}, nil
}

// observeCross records the message with the campaign detector (inbound) or the
// account watcher (outbound) and returns their signals. A store failure is
// logged and judged without these signals.
func (p *pipeline) observeCross(ctx context.Context, in sender.Input, a sender.Assessment, j *judgement,
	queueID string, log *slog.Logger) crossOutcome {
	x := p.cross
	if x == nil || x.campaigns == nil {
		return crossOutcome{}
	}
	now := time.Now()
	if a.Direction == sender.Outbound && in.SASLLogin != "" {
		res, err := x.accounts.Observe(ctx, accountInput(now, in, a, j, p.cfg.Org.LocalDomains))
		if err != nil {
			log.Warn("account watch failed", "err", err)
			p.metrics.fail("account")
			return crossOutcome{}
		}
		return crossOutcome{signals: res.Signals}
	}
	if a.Direction != sender.Inbound {
		return crossOutcome{}
	}
	res, err := x.campaigns.Observe(ctx, policy.CampaignInput{
		Time: now, MessageID: j.Report.MessageID, QueueID: queueID, Report: j.Report,
		SenderAddress: a.SenderAddress, SenderDomain: a.SenderDomain,
		NewSender:  isNewSender(a),
		Recipients: in.Recipients, LocalDomains: p.cfg.Org.LocalDomains,
		DomainsFirstSeen: domainsFirstSeen(a),
	})
	if err != nil {
		log.Warn("campaign tracking failed", "err", err)
		p.metrics.fail("campaign")
		return crossOutcome{}
	}
	return crossOutcome{signals: res.Signals, campaign: &res}
}

// recordCampaign stores the verdict of a campaign member, with its quarantine
// entry when it was held.
func (p *pipeline) recordCampaign(ctx context.Context, out crossOutcome, v policy.Verdict, entryID int64,
	log *slog.Logger) {
	if out.campaign == nil || p.cross == nil || p.cross.campaigns == nil {
		return
	}
	if err := p.cross.campaigns.Record(ctx, *out.campaign, v, entryID); err != nil {
		log.Warn("campaign member not recorded", "err", err)
	}
}

func isNewSender(a sender.Assessment) bool {
	return a.History == nil || !(a.History.Address.Inbound > 0 || a.History.Address.Outbound > 0)
}

// domainsFirstSeen maps each sender and link domain found in the history to
// the time it was first seen.
func domainsFirstSeen(a sender.Assessment) map[string]time.Time {
	out := map[string]time.Time{}
	h := a.History
	if h == nil {
		return out
	}
	if a.SenderDomain != "" && !h.Domain.FirstSeen.IsZero() {
		out[a.SenderDomain] = h.Domain.FirstSeen
	}
	for d, s := range h.LinkDomains {
		if !s.FirstSeen.IsZero() {
			out[d] = s.FirstSeen
		}
	}
	return out
}

func accountInput(now time.Time, in sender.Input, a sender.Assessment, j *judgement, local []string) policy.AccountInput {
	ai := policy.AccountInput{
		Time: now, Account: in.SASLLogin, Recipients: in.Recipients, LocalDomains: local,
		Report: j.Report, Raised: a.Signals,
	}
	if o := a.Origin; o != nil {
		ai.LoginIP, ai.LoginCountry, ai.LoginASN, ai.LoginHosting = o.IP.String(), o.Country, o.ASN, o.Hosting
	}
	if a.History != nil {
		ai.KnownLinkDomains = map[string]bool{}
		for d := range a.History.LinkDomains {
			ai.KnownLinkDomains[d] = true
		}
	}
	return ai
}

// maintenanceInterval is how often serve prunes the history, campaign and
// account tables to their retention and size bounds. Hourly keeps each
// pass small: a busy gateway adds a few thousand rows an hour.
const maintenanceInterval = time.Hour

// maintenanceLoop prunes the store at start and then every
// maintenanceInterval until ctx ends.
func maintenanceLoop(ctx context.Context, cfg *Config, st *store.Store, log *slog.Logger) {
	if st == nil {
		return
	}
	t := time.NewTicker(maintenanceInterval)
	defer t.Stop()
	for {
		now := time.Now()
		if _, err := st.Prune(ctx, now); err != nil && ctx.Err() == nil {
			log.Error("history prune failed", "err", err)
		}
		if _, err := st.PruneCampaigns(ctx, now, cfg.Campaign.Limits()); err != nil && ctx.Err() == nil {
			log.Error("campaign prune failed", "err", err)
		}
		if _, err := st.PruneAccounts(ctx, now, cfg.Account.Limits()); err != nil && ctx.Err() == nil {
			log.Error("account prune failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
