package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/holdfast/holdfast/milter"
	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/sender"
	"github.com/holdfast/holdfast/store"
)

// newQuarantine builds the quarantine service on the history store: the
// releaser from [quarantine], MarkSafe teaching the history, and MarkPhish
// filling the store's blocklist. The organisation's own domains are never
// blocklisted.
func newQuarantine(cfg *Config, history *store.Store, log *slog.Logger) (*quarantine.Service, error) {
	if history == nil {
		return nil, fmt.Errorf("quarantine: no store: set [store] dsn")
	}
	releaser, err := quarantine.NewReleaser(cfg.Quarantine)
	if err != nil {
		return nil, err
	}
	qcfg := cfg.Quarantine
	qcfg.LocalDomains = cfg.Org.LocalDomains

	teach := func(ctx context.Context, e *quarantine.Entry) error {
		return history.Learn(ctx, correspondentObservation(e, qcfg, time.Now()))
	}
	return quarantine.NewService(history.Quarantine(), releaser, teach, history, qcfg, log), nil
}

// correspondentObservation returns the outbound observation that makes
// the sender of e a correspondent of its first recipient, as if that
// local user had written to them. The sender's registrable domain
// becomes a correspondent too, unless the domain is on the never_block
// list: one safe sender at a freemail or shared platform domain must not
// make every other sender there a correspondent.
func correspondentObservation(e *quarantine.Entry, cfg quarantine.Config, now time.Time) store.Observation {
	local := ""
	if len(e.Rcpts) > 0 {
		local = strings.ToLower(e.Rcpts[0])
	}
	sender := e.SenderAddress()
	obs := store.Observation{
		Time:          now,
		Direction:     store.Outbound,
		SenderAddress: local,
		LocalAccount:  local,
		Recipients:    []string{sender},
		// Non-nil, so that Learn does not derive the domain itself.
		RecipientDomains: []string{},
	}

	domain := ""
	if at := strings.LastIndexByte(sender, '@'); at >= 0 {
		domain = sender[at+1:]
	}
	if domain != "" && !cfg.NeverBlocked(domain) {
		if d, err := publicsuffix.EffectiveTLDPlusOne(domain); err == nil {
			domain = d
		}
		obs.RecipientDomains = []string{domain}
	}
	return obs
}

// purgeLoop runs Purge at start and then every purge_interval until ctx
// ends.
func purgeLoop(ctx context.Context, q *quarantine.Service, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		stats, err := q.Purge(ctx, time.Now())
		if err != nil && ctx.Err() == nil {
			log.Error("quarantine purge failed", "err", err, "purged", stats.Purged)
		} else if stats.Purged > 0 || stats.Failed > 0 || stats.RecordsDeleted > 0 {
			log.Info("quarantine purged",
				"purged", stats.Purged,
				"failed", stats.Failed,
				"records_deleted", stats.RecordsDeleted)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// hold stores a held message before the MTA is instructed to hold it. The
// stored copy starts with the headers the milter adds, so it matches what
// the MTA keeps. An error makes Judge fail, and the MTA gets the fail
// mode, so a message is never held by the MTA without a stored entry.
func (p *pipeline) hold(ctx context.Context, msg *milter.Message, j judgement, d *milter.Decision,
	log *slog.Logger) (int64, error) {
	if p.quarantine == nil {
		return 0, nil
	}
	var raw []byte
	for _, f := range d.Headers {
		raw = append(raw, f.Name+": "+f.Value+"\r\n"...)
	}
	raw = append(raw, msg.Raw...)

	e := heldEntry(msg, j, time.Now())
	id, err := p.quarantine.Hold(ctx, e, raw)
	if err != nil {
		return 0, err
	}
	d.Headers = append(d.Headers, milter.Field{Name: "X-Holdfast-Quarantine-Id", Value: fmt.Sprint(id)})
	log.Info("quarantined", "id", id)
	return id, nil
}

// maxEntryItems bounds the links, QR codes and attachments copied into
// one entry. Arbitrary: far more than a reviewer reads, while a hostile
// message with thousands of links cannot bloat its row.
const maxEntryItems = 200

// heldEntry builds the quarantine entry from the milter's message and the
// judgement.
func heldEntry(msg *milter.Message, j judgement, now time.Time) *quarantine.Entry {
	r, v := j.Report, j.Verdict
	e := &quarantine.Entry{
		QueueID:    msg.QueueID,
		ReceivedAt: now,
		ClientIP:   ipString(msg),
		Helo:       msg.Helo,
		MailFrom:   msg.MailFrom,
		Rcpts:      msg.Rcpts,
		AuthUser:   msg.AuthUser,
		Verdict:    v.Action.String(),
		Score:      v.Score,
		Origin:     entryOrigin(j.Sender),
		Campaign:   campaignLabel(j.cross),
		Size:       msg.Size,
		Truncated:  msg.Truncated,
	}
	for _, s := range v.Signals {
		e.Signals = append(e.Signals, quarantine.Signal{Name: s.Name, Score: s.Score, Evidence: s.Evidence})
	}
	if r == nil {
		return e
	}
	e.MessageID, e.Subject, e.From = r.MessageID, r.Subject, r.From
	e.Links = entryLinks(r, j.Sender.History)
	for _, c := range r.QRCodes[:min(len(r.QRCodes), maxEntryItems)] {
		e.QRCodes = append(e.QRCodes, quarantine.QRCode{Text: c.Text, Source: c.Source, Region: c.Region})
	}
	for _, a := range r.Attachments[:min(len(r.Attachments), maxEntryItems)] {
		e.Attachments = append(e.Attachments, quarantine.Attachment{
			Filename: a.Filename, ContentType: a.ContentType, Sniffed: string(a.Sniffed),
			Size: a.Size, SHA256: a.SHA256, Source: a.Source,
		})
	}
	return e
}

// entryLinks copies the report's links and redirects. A link is New when
// the history was consulted and has never seen its domain.
func entryLinks(r *scanner.Report, h *sender.HistoryFacts) []quarantine.Link {
	var out []quarantine.Link
	for _, l := range append(r.Links[:len(r.Links):len(r.Links)], r.Redirects...) {
		if len(out) == maxEntryItems {
			break
		}
		link := quarantine.Link{URL: l.URL, Domain: l.Domain, Via: l.Via, Source: l.Source}
		if h != nil && l.Domain != "" {
			_, seen := h.LinkDomains[l.Domain]
			link.New = !seen
		}
		out = append(out, link)
	}
	return out
}

// entryOrigin copies where the sender was from the sender assessment.
func entryOrigin(a sender.Assessment) quarantine.Origin {
	o := quarantine.Origin{
		ClientCountry: a.Client.Country,
		DomainCountry: a.DomainCountry,
		SPF:           a.SPF.Result,
		DMARC:         a.DMARC.Result,
	}
	if a.Client.IP.IsValid() {
		o.ClientIP = a.Client.IP.String()
	}
	if a.Origin != nil {
		o.LoginIP = a.Origin.IP.String()
		o.LoginCountry, o.LoginASN, o.LoginOrg = a.Origin.Country, a.Origin.ASN, a.Origin.Org
		o.LoginSource = a.Origin.Source
	}
	var dkim []string
	for _, d := range a.DKIM {
		dkim = append(dkim, d.Result+" ("+d.Domain+")")
	}
	o.DKIM = strings.Join(dkim, ", ")
	return o
}

// campaignLabel names the strongest campaign a message joined, "" when
// none.
func campaignLabel(c crossOutcome) string {
	if c.campaign == nil {
		return ""
	}
	return c.campaign.Label()
}
