package sender

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/holdfast/holdfast/store"
)

// HistoryFacts is the history's record of a message's sender and links at
// the time the message was judged.
type HistoryFacts struct {
	// Messages counts the messages learnt. Days counts the distinct days
	// within the retention period that carry learnt mail, so a message
	// with an outlying old date does not age the history.
	Messages int64 `json:"messages"`
	Days     int   `json:"days"`
	// Maturity is min(1, Days/history_full_days,
	// Messages/history_full_messages): the scale of novelty signals.
	Maturity float64 `json:"maturity"`

	Address Seen `json:"address"`
	Domain  Seen `json:"domain"`
	// DisplayNames lists the display names seen with the address.
	DisplayNames []string `json:"display_names,omitempty"`
	// DomainOrigins lists the login origins seen for the sender domain.
	DomainOrigins []OriginSeen `json:"domain_origins,omitempty"`
	// AccountOrigins lists the login origins seen for the local account
	// of outbound mail.
	AccountOrigins []OriginSeen `json:"account_origins,omitempty"`
	// LinkDomains maps each link domain found in the history to its
	// counts. A domain absent from the map was never seen.
	LinkDomains map[string]Seen `json:"link_domains,omitempty"`
}

// Seen is store.Seen with JSON names.
type Seen struct {
	Inbound   int64     `json:"inbound"`
	Outbound  int64     `json:"outbound"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
}

// OriginSeen is store.Origin with JSON names.
type OriginSeen struct {
	Country string `json:"country,omitempty"`
	ASN     string `json:"asn,omitempty"`
	Count   int64  `json:"count"`
}

func seenOf(s store.Seen) Seen {
	return Seen{Inbound: s.Inbound, Outbound: s.Outbound, FirstSeen: s.FirstSeen, LastSeen: s.LastSeen}
}

func (s Seen) known() bool { return s.Inbound > 0 || s.Outbound > 0 }

func originsOf(in []store.Origin) []OriginSeen {
	out := make([]OriginSeen, 0, len(in))
	for _, o := range in {
		out = append(out, OriginSeen{Country: o.Country, ASN: o.ASN, Count: o.Count})
	}
	return out
}

// consultHistory fills a.History. An error from the store is listed in
// a.Errors and leaves a.History nil, so no novelty signal is raised.
func (c *Checker) consultHistory(ctx context.Context, in Input, a *Assessment) {
	h := c.deps.History
	if h == nil {
		return
	}
	fail := func(what string, err error) {
		a.Errors = append(a.Errors, "history: "+what+": "+errString(err))
	}

	ov, err := h.Overview(ctx)
	if err != nil {
		fail("overview", err)
		return
	}
	f := &HistoryFacts{Messages: ov.Messages, Days: int(ov.Days)}
	f.Maturity = c.maturity(f.Messages, f.Days)

	if a.Direction == Inbound && a.SenderAddress != "" {
		sh, err := h.Sender(ctx, a.SenderAddress, a.SenderDomain)
		if err != nil {
			fail("sender", err)
			return
		}
		f.Address, f.Domain = seenOf(sh.Address), seenOf(sh.Domain)
		f.DisplayNames = sh.DisplayNames
		f.DomainOrigins = originsOf(sh.DomainOrigins)
	}
	if a.Direction == Outbound {
		account := observationAccount(in, a)
		origins, err := h.AccountOrigins(ctx, account)
		if err != nil {
			fail("account origins", err)
			return
		}
		f.AccountOrigins = originsOf(origins)
	}

	if domains := linkDomains(in.Links); len(domains) > 0 {
		seen, err := h.LinkDomains(ctx, domains)
		if err != nil {
			fail("link domains", err)
			return
		}
		f.LinkDomains = map[string]Seen{}
		for d, s := range seen {
			f.LinkDomains[d] = seenOf(s)
		}
	}
	a.History = f
}

// minNoveltyScale keeps a scaled novelty signal above zero, because
// policy reads a zero Scale as 1.
const minNoveltyScale = 0.05

// maturity returns how far the history is towards the configured full
// age and size, in [minNoveltyScale, 1]; 0 for an empty history.
func (c *Checker) maturity(messages int64, days int) float64 {
	if messages == 0 {
		return 0
	}
	m := math.Min(float64(days)/float64(c.cfg.HistoryFullDays),
		float64(messages)/float64(c.cfg.HistoryFullMessages))
	m = math.Max(minNoveltyScale, math.Min(1, m))
	return math.Round(m*100) / 100
}

// observationAccount returns the local account of outbound mail: the SASL
// login, else the sender address.
func observationAccount(in Input, a *Assessment) string {
	if in.SASLLogin != "" {
		return lower(in.SASLLogin)
	}
	return a.SenderAddress
}

// originCountries returns the distinct countries of origins, sorted.
func originCountries(origins []OriginSeen) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range origins {
		if o.Country != "" && !seen[o.Country] {
			seen[o.Country] = true
			out = append(out, o.Country)
		}
	}
	sort.Strings(out)
	return out
}
