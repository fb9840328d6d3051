// Package store keeps holdfast's state: today the organisation's
// correspondence history (History), implemented by Store on SQLite
// (modernc.org/sqlite, pure Go, WAL mode). The quarantine and campaign
// counters will get their own small interfaces here, and PostgreSQL will
// serve several gateway nodes sharing one history.
//
// It never scores and never decides: it records what accepted messages
// teach and answers lookups. Keys (addresses, domains, accounts) are
// stored and matched in lower case.
//
// Failure: every method returns an error prefixed "store: " and wrapping
// the database error; ErrInvalidObservation, ErrSchemaTooNew and
// ErrUnsupportedDriver can be tested with errors.Is. Unknown keys are not
// errors.
//
// Config keys, in the [store] section (see Config): driver, dsn,
// history_retention, max_keys, max_display_names, max_origins,
// busy_timeout.
//
// Limitations: the "postgres" driver is accepted in the config but Open
// rejects it. Retention and MaxKeys are enforced only when the caller
// runs Prune, so the tables can exceed MaxKeys by the keys learnt
// between two runs. Learn waits for the single writer connection, so
// learning throughput is bounded by one core (see BENCH.md).
package store

import (
	"context"
	"time"
)

// Direction tells inbound mail (an external sender writing to the
// organisation) from outbound mail (a local account writing out).
type Direction int

const (
	// Inbound is mail from an external sender to a local recipient.
	Inbound Direction = iota
	// Outbound is mail a local account submits to external recipients.
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
	// Messages counts the messages learnt since Since.
	Messages int64
	// Since is the time from which the history is complete: the oldest
	// message learnt, moved forward when old keys are pruned. Zero when
	// nothing was learnt.
	Since time.Time
	// Days counts the distinct UTC days, from now minus
	// Config.HistoryRetention to today, on which learnt mail is dated.
	// Unlike the span since Since, it grows by at most one for a message
	// with an outlying date.
	Days int64
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
