// Package quarantine keeps the messages holdfast held: a compressed copy of
// each with its envelope, verdict and evidence, their state (held,
// released, deleted) and an audit trail of who did what. It releases a
// message through the MTA (Postfix's hold queue with postsuper, or SMTP
// re-injection to a relay that bypasses the milter) and deletes it there.
//
// It never decides what to hold: the milter's verdict does.
//
// Service is the entry point for the milter pipeline, the review pages
// and the CLI. Store persists entries (package store implements it on
// SQLite); a Releaser acts on the MTA. Failures are errors prefixed
// "quarantine: " or "store: "; ErrNotFound, ErrNotHeld, ErrNotInMTA,
// ErrPurged, ErrTruncated, ErrInvalidQueueID, ErrUnavailable,
// ErrNoSender and ErrNotBlocked can be tested with errors.Is. The
// Service logs what it did and each failed MTA action; it never logs
// message content.
//
// Config keys, in the [quarantine] section (see Config): release_method,
// postfix_config_dir, postsuper_path, postqueue_path, command_timeout,
// smtp_relay, smtp_helo, retention, max_bytes, record_retention,
// purge_interval, never_block, never_block_defaults.
//
// Limitations:
//   - With release_method "smtp" the MTA's own held copy stays in its
//     hold queue; the operator removes it (Postfix: postsuper -d).
//   - A release runs the MTA command before the status change is stored.
//     If storing fails, the message is delivered but the entry still
//     reads held, and the returned error states this.
//   - Two processes (serve and the CLI) releasing the same entry at the
//     same moment are not serialised. With the postsuper method the
//     second finds the message gone (ErrNotInMTA); with the smtp method
//     both deliver it.
//   - MarkPhish blocks only link domains the history had never seen
//     when the message arrived. Without a history (Link.New false
//     everywhere) it blocks the sender address alone. A new domain of a
//     legitimate service that is missing from never_block can still be
//     blocked; Unblock removes it, and the audit detail lists what was
//     blocked.
package quarantine

import (
	"context"
	"image"
	"time"
)

// Status is the state of a held message.
type Status string

const (
	Held     Status = "held"
	Released Status = "released"
	Deleted  Status = "deleted"
)

// Signal is one scored reason of the verdict.
type Signal struct {
	Name     string  `json:"name"`
	Score    float64 `json:"score"`
	Evidence string  `json:"evidence"`
}

// Link is one URL found in the message, with where it was found.
type Link struct {
	URL    string `json:"url"`
	Domain string `json:"domain"`
	Via    string `json:"via"`
	Source string `json:"source"`
	// New reports that the organisation never saw the domain before.
	New bool `json:"new"`
}

// QRCode is one decoded QR code and the region of the image it came from.
type QRCode struct {
	Text   string          `json:"text"`
	Source string          `json:"source"`
	Region image.Rectangle `json:"region"`
}

// Attachment describes one file of the message.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Sniffed     string `json:"sniffed"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
	Source      string `json:"source"`
}

// Origin describes where the sender was, for the review pages.
type Origin struct {
	// ClientIP is the connecting SMTP client; ClientCountry its country.
	ClientIP      string `json:"client_ip"`
	ClientCountry string `json:"client_country"`
	// LoginIP is where the sender's mail client logged in from, "" when
	// unknown. LoginSource names the header or hop it came from.
	LoginIP      string `json:"login_ip"`
	LoginCountry string `json:"login_country"`
	LoginASN     string `json:"login_asn"`
	LoginOrg     string `json:"login_org"`
	LoginSource  string `json:"login_source"`
	// DomainCountry is the country the sender domain's ccTLD implies.
	DomainCountry string `json:"domain_country"`
	SPF           string `json:"spf"`
	DKIM          string `json:"dkim"`
	DMARC         string `json:"dmarc"`
}

// Entry is one held message with everything the review needs.
type Entry struct {
	ID         int64     `json:"id"`
	QueueID    string    `json:"queue_id"`
	MessageID  string    `json:"message_id"`
	ReceivedAt time.Time `json:"received_at"`
	Status     Status    `json:"status"`
	// Envelope.
	ClientIP string   `json:"client_ip"`
	Helo     string   `json:"helo"`
	MailFrom string   `json:"mail_from"`
	Rcpts    []string `json:"rcpts"`
	AuthUser string   `json:"auth_user"`
	// Decoded headers.
	Subject string `json:"subject"`
	From    string `json:"from"`
	// Verdict.
	Verdict     string       `json:"verdict"`
	Score       float64      `json:"score"`
	Signals     []Signal     `json:"signals"`
	Links       []Link       `json:"links"`
	QRCodes     []QRCode     `json:"qr_codes"`
	Attachments []Attachment `json:"attachments"`
	Origin      Origin       `json:"origin"`
	// Campaign is the campaign key the message belongs to, "" when none.
	Campaign string `json:"campaign"`
	// Size is the size of the raw message in bytes.
	Size int64 `json:"size"`
	// Truncated reports that the milter stored only the first part of a
	// message larger than its size cap, so the stored copy cannot be
	// re-injected.
	Truncated bool `json:"truncated"`
	// Purged reports that retention dropped the stored message; the
	// entry and its audit trail remain, and Raw returns ErrPurged.
	Purged bool `json:"purged"`
}

// Filter selects entries for List. Zero fields match everything.
type Filter struct {
	Status    Status
	Since     time.Time
	Until     time.Time
	Sender    string // substring of MAIL FROM or From, case-insensitive
	Recipient string // substring of a recipient, case-insensitive
	Signal    string // exact signal name
	Campaign  string
	Limit     int // default 50, at most 500
	Offset    int
}

// Action is one audit record.
type Action struct {
	ID      int64     `json:"id"`
	EntryID int64     `json:"entry_id"`
	At      time.Time `json:"at"`
	// Actor is the staff login or "cli:USER" or "system".
	Actor string `json:"actor"`
	// Remote is the client address of the web request, "" for the CLI.
	Remote string `json:"remote"`
	// Name is "hold", "release", "delete", "mark-safe", "mark-phish",
	// "unblock", "purge" or "view".
	Name   string `json:"name"`
	Detail string `json:"detail"`
}

// Store persists held messages. Implementations are safe for concurrent
// use.
type Store interface {
	// Put stores a new held entry with its raw message and returns its ID.
	Put(ctx context.Context, e *Entry, raw []byte) (int64, error)
	List(ctx context.Context, f Filter) (entries []Entry, total int, err error)
	Get(ctx context.Context, id int64) (*Entry, error)
	// Raw returns the stored message, decompressed.
	Raw(ctx context.Context, id int64) ([]byte, error)
	// SetStatus changes an entry's status and records the action in the
	// same transaction.
	SetStatus(ctx context.Context, id int64, s Status, a Action) error
	// Record adds an audit record without changing the status.
	Record(ctx context.Context, a Action) error
	Audit(ctx context.Context, id int64) ([]Action, error)
}
