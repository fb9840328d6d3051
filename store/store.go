// Package store keeps holdfast's state behind small interfaces: the
// organisation's correspondence history today, the quarantine and campaign
// counters later. SQLite (modernc.org/sqlite, WAL) is the default for one
// node; PostgreSQL serves several nodes sharing one history.
//
// It never scores and never decides: it records and answers lookups.
package store

import (
	"context"
	"time"
)

// Direction tells inbound mail (an external sender writing to the
// organisation) from outbound mail (a local account writing out).
type Direction int

const (
	Inbound Direction = iota
	Outbound
)

// Observation is what one accepted message teaches the history. Held
// messages are never learnt.
type Observation struct {
	Time      time.Time
	Direction Direction
	// SenderAddress is the lower-case sender address: the external sender
	// for inbound mail, the local sender for outbound mail.
	SenderAddress string
	// SenderDomain is the registrable domain of SenderAddress.
	SenderDomain string
	// DisplayName is the From display name, decoded, "" when absent.
	DisplayName string
	// LocalAccount is the SASL login (or the local sender address when
	// there is none) for outbound mail; "" for inbound.
	LocalAccount string
	// Recipients lists the lower-case external recipients of outbound
	// mail: each becomes a known correspondent. Empty for inbound.
	Recipients []string
	// RecipientDomains lists the registrable domains of Recipients. When
	// nil, Learn derives them from Recipients with the public suffix
	// list compiled into golang.org/x/net/publicsuffix.
	RecipientDomains []string
	// LinkDomains lists the registrable domains of the message's links
	// and QR targets.
	LinkDomains []string
	// OriginCountry and OriginASN describe the login origin of the
	// sender's client: ISO 3166 alpha-2 and "AS64500" forms, "" unknown.
	OriginCountry string
	OriginASN     string
}

// Seen holds the first-seen, last-seen and counts of one key.
type Seen struct {
	FirstSeen time.Time
	LastSeen  time.Time
	// Inbound counts messages received from the key (or carrying it, for
	// a link domain); Outbound counts messages the organisation's users
	// sent to it.
	Inbound  int64
	Outbound int64
}

// Known reports whether the key was ever seen.
func (s Seen) Known() bool { return s.Inbound > 0 || s.Outbound > 0 }

// Origin is one login origin seen for a sender domain or a local account.
type Origin struct {
	Country  string
	ASN      string
	Count    int64
	LastSeen time.Time
}

// SenderHistory is what the history holds about one sender.
type SenderHistory struct {
	Address Seen
	Domain  Seen
	// DisplayNames lists the display names seen with the address, most
	// recent first, at most a bounded number.
	DisplayNames []string
	// DomainOrigins lists the login origins seen for the sender domain.
	DomainOrigins []Origin
}

// Overview says how much history exists, so that novelty signals can be
// weakened on a young history.
type Overview struct {
	// Messages counts every message learnt.
	Messages int64
	// Since is the time of the oldest message learnt, zero when none.
	Since time.Time
	// SenderDomains counts distinct sender and correspondent domains.
	SenderDomains int64
}

// History is the organisation's correspondence history. Implementations
// are safe for concurrent use by many milter sessions.
type History interface {
	// Sender returns what is known of an address and its domain; unknown
	// keys come back as zero Seen values, not errors.
	Sender(ctx context.Context, address, domain string) (SenderHistory, error)
	// LinkDomains returns the history of each given registrable domain;
	// domains never seen are absent from the map.
	LinkDomains(ctx context.Context, domains []string) (map[string]Seen, error)
	// AccountOrigins returns the login origins seen for a local account.
	AccountOrigins(ctx context.Context, account string) ([]Origin, error)
	// Overview returns the size and age of the history.
	Overview(ctx context.Context) (Overview, error)
	// Learn records one accepted message.
	Learn(ctx context.Context, obs Observation) error
}
