package quarantine

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Kinds of blocklist entries.
const (
	// BlockDomain is a link or QR target domain, matched exactly.
	BlockDomain = "domain"
	// BlockSender is an envelope sender or From address.
	BlockSender = "sender"
)

// ErrNotBlocked is returned by Unblock for a value that is not on the
// blocklist.
var ErrNotBlocked = errors.New("quarantine: value is not on the blocklist")

// Block is one blocklist entry.
type Block struct {
	// Kind is BlockDomain or BlockSender.
	Kind string `json:"kind"`
	// Value is the lower-case domain or address.
	Value string `json:"value"`
	// AddedAt is when it was first blocked; Actor is who blocked it.
	AddedAt time.Time `json:"added_at"`
	Actor   string    `json:"actor"`
	// EntryID is the quarantine entry marked as phishing, 0 when none.
	// The entry may have been deleted since.
	EntryID int64 `json:"entry_id"`
}

// Blocklist stores what MarkPhish blocks. store.Store implements it.
type Blocklist interface {
	// Block adds domains and a sender address, either of which may be
	// empty. A value already there keeps its first actor and time.
	Block(ctx context.Context, domains []string, sender, actor string, entryID int64) error
	// Blocklist returns every entry, newest first.
	Blocklist(ctx context.Context) ([]Block, error)
	// RemoveBlock deletes one entry and returns it, with found false when
	// there was none.
	RemoveBlock(ctx context.Context, kind, value string) (b Block, found bool, err error)
}

// BlockPlan lists the values MarkPhish blocks for one entry.
type BlockPlan struct {
	// Sender is the sender address to block, "" when the entry has none.
	Sender string
	// Domains are the link domains to block, lower-case, in link order.
	Domains []string
	// Skipped lists the entry's other link domains with the reason each
	// is left off.
	Skipped []SkippedDomain
}

// SkippedDomain is a link domain that MarkPhish leaves off the blocklist.
type SkippedDomain struct {
	Domain string
	Reason string
}

// Reasons of SkippedDomain.
const (
	SkipSeenBefore   = "the organisation saw it before this message"
	SkipNeverBlock   = "on the never_block list of shared mail and hosting platforms"
	SkipLocal        = "one of the organisation's own domains"
	SkipSenderDomain = "the sender's domain: only the sender address is blocked"
	SkipPublicSuffix = "a public suffix shared by unrelated sites"
)

// PhishBlockPlan returns the values MarkPhish blocks for e. It blocks
// the sender address, and each link domain that the organisation had
// never seen before the message (Link.New). It skips a domain covered by
// never_block or a local domain, the sender's registrable domain, and a
// domain that is itself a public suffix. The sender's domain is spared
// because a real company's domain may be compromised rather than
// hostile.
func (s *Service) PhishBlockPlan(e *Entry) BlockPlan {
	p := BlockPlan{Sender: e.SenderAddress()}
	senderDomain := registrableDomain(domainOf(p.Sender))
	var seen []string
	for _, l := range e.Links {
		d := normalizeDomain(l.Domain)
		if d == "" || slices.Contains(seen, d) {
			continue
		}
		seen = append(seen, d)
		if reason := s.skipReason(d, l.New, senderDomain); reason != "" {
			p.Skipped = append(p.Skipped, SkippedDomain{Domain: d, Reason: reason})
			continue
		}
		p.Domains = append(p.Domains, d)
	}
	return p
}

// skipReason returns why link domain d is not blocked, "" when it is.
// A domain seen before is reported as such first, because that reason
// holds whatever the configuration.
func (s *Service) skipReason(d string, isNew bool, senderDomain string) string {
	switch {
	case !isNew:
		return SkipSeenBefore
	case coveredBy(d, s.cfg.LocalDomains):
		return SkipLocal
	case s.cfg.NeverBlocked(d):
		return SkipNeverBlock
	case d == senderDomain:
		return SkipSenderDomain
	case isPublicSuffix(d):
		return SkipPublicSuffix
	}
	return ""
}

// Blocklist returns every blocklist entry, newest first, or an error
// wrapping ErrUnavailable when the Service has no blocklist.
func (s *Service) Blocklist(ctx context.Context) ([]Block, error) {
	if s.block == nil {
		return nil, fmt.Errorf("%w: the blocklist is not configured", ErrUnavailable)
	}
	return s.block.Blocklist(ctx)
}

// Unblock removes one blocklist entry. When the entry came from a
// quarantine entry that still exists, the removal is added to that
// entry's audit trail; it is logged either way. It returns an error
// wrapping ErrNotBlocked or ErrUnavailable, or an invalid-kind error.
func (s *Service) Unblock(ctx context.Context, kind, value, actor, remote string) error {
	if s.block == nil {
		return fmt.Errorf("%w: the blocklist is not configured", ErrUnavailable)
	}
	if kind != BlockDomain && kind != BlockSender {
		return fmt.Errorf("quarantine: blocklist kind %q is invalid: use %q or %q", kind, BlockDomain, BlockSender)
	}
	b, found, err := s.block.RemoveBlock(ctx, kind, value)
	if err != nil {
		return fmt.Errorf("quarantine: unblock %s %q: %w", kind, value, err)
	}
	if !found {
		return fmt.Errorf("%w: %s %q", ErrNotBlocked, kind, value)
	}
	s.log.Info("quarantine unblocked",
		"kind", b.Kind,
		"value", b.Value,
		"id", b.EntryID,
		"blocked_by", b.Actor,
		"actor", actor,
		"remote", remote)

	// The entry may have been purged by record retention since; the log
	// line above is then the only record.
	if b.EntryID == 0 {
		return nil
	}
	a := Action{EntryID: b.EntryID, At: s.now(), Actor: actor, Remote: remote, Name: "unblock",
		Detail: "removed " + b.Kind + " " + b.Value + " from the blocklist"}
	if err := s.store.Record(ctx, a); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("quarantine: %s %q was unblocked, but recording it failed: %w", kind, b.Value, err)
	}
	return nil
}

// normalizeDomain lower-cases d and drops surrounding space and a
// trailing dot.
func normalizeDomain(d string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
}

// coveredBy reports whether d is, or is under, one of domains.
func coveredBy(d string, domains []string) bool {
	for _, n := range domains {
		n = normalizeDomain(n)
		if n != "" && (d == n || strings.HasSuffix(d, "."+n)) {
			return true
		}
	}
	return false
}

// domainOf returns the domain of an address, "" when it has none.
func domainOf(address string) string {
	at := strings.LastIndexByte(address, '@')
	if at < 0 {
		return ""
	}
	return normalizeDomain(address[at+1:])
}

// registrableDomain returns the registrable domain of host per the public
// suffix list including its private section, as the scanner reports link
// domains, or host itself when it has none.
func registrableDomain(host string) string {
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

// isPublicSuffix reports whether d is itself on the public suffix list,
// such as s3.amazonaws.com or github.io: a name shared by sites of
// unrelated owners. An IP address is not a suffix.
func isPublicSuffix(d string) bool {
	if _, err := netip.ParseAddr(strings.Trim(d, "[]")); err == nil || !strings.Contains(d, ".") {
		return false
	}
	suffix, _ := publicsuffix.PublicSuffix(d)
	return suffix == d
}
