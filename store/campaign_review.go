package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrCampaignNotFound is returned for a campaign id that does not exist.
var ErrCampaignNotFound = errors.New("store: campaign not found")

// Limits of the review queries.
const (
	// DefaultCampaignListLimit is the page size of Campaigns when the
	// filter sets none, and MaxCampaignListLimit the largest it accepts.
	DefaultCampaignListLimit = 50
	MaxCampaignListLimit     = 500

	// MaxCampaignMembersListed is how many members CampaignMembers
	// returns, oldest first. Arbitrary: chosen so that one review page
	// stays below a few megabytes; CampaignMemberEntries has no cap.
	MaxCampaignMembersListed = 10_000
)

// CampaignFilter selects campaigns for Campaigns. Zero fields match
// everything.
type CampaignFilter struct {
	// Since and Until bound the campaign's last member time.
	Since time.Time
	Until time.Time
	// Kind is one of the Key constants.
	Kind string
	// Value is a substring of the key value, matched case-insensitively.
	Value string
	// Limit is the page size: DefaultCampaignListLimit when 0, at most
	// MaxCampaignListLimit.
	Limit  int
	Offset int
}

// CampaignMember is one message of a campaign.
type CampaignMember struct {
	// Message is the id ObserveCampaign returned for it.
	Message   int64
	Time      time.Time
	MessageID string
	QueueID   string
	Sender    string
	// Recipients counts the message's envelope recipients.
	Recipients int
	// Verdict is the verdict given when the message arrived, "" when the
	// caller never recorded it.
	Verdict string
	// EntryID is the quarantine entry that held the message, 0 when it was
	// not held.
	EntryID int64
}

const selectCampaignSQL = `SELECT id, kind, value, first_seen, last_seen, members FROM campaigns`

// Campaigns returns the campaigns the filter selects, most recently
// active first.
func (s *Store) Campaigns(ctx context.Context, f CampaignFilter) ([]Campaign, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, "last_seen >= ?"), append(args, f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "last_seen < ?"), append(args, f.Until.UnixNano())
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Value != "" {
		where = append(where, `instr(value, ?) > 0`)
		args = append(args, normalizeKey(f.Value))
	}
	q := selectCampaignSQL
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultCampaignListLimit
	}
	q += " ORDER BY last_seen DESC, id DESC LIMIT ? OFFSET ?"
	args = append(args, min(limit, MaxCampaignListLimit), max(f.Offset, 0))

	rows, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: campaigns: %w", err)
	}
	defer rows.Close()
	var out []Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, fmt.Errorf("store: campaigns: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: campaigns: %w", err)
	}
	return out, nil
}

// CampaignByID returns one campaign, or ErrCampaignNotFound.
func (s *Store) CampaignByID(ctx context.Context, id int64) (Campaign, error) {
	c, err := scanCampaign(s.reader.QueryRowContext(ctx, selectCampaignSQL+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, fmt.Errorf("%w: %d", ErrCampaignNotFound, id)
	}
	if err != nil {
		return Campaign{}, fmt.Errorf("store: campaign %d: %w", id, err)
	}
	return c, nil
}

// CampaignMembers returns the messages of a campaign, oldest first, at
// most MaxCampaignMembersListed. An unknown id yields no members.
func (s *Store) CampaignMembers(ctx context.Context, id int64) ([]CampaignMember, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT m.id, m.at, m.message_id, m.queue_id, m.sender,
	m.recipients, m.verdict, coalesce(m.entry_id, 0)
FROM campaign_members cm JOIN campaign_messages m ON m.id = cm.message
WHERE cm.campaign = ? ORDER BY m.at, m.id LIMIT ?`, id, MaxCampaignMembersListed)
	if err != nil {
		return nil, fmt.Errorf("store: campaign members: %w", err)
	}
	defer rows.Close()
	var out []CampaignMember
	for rows.Next() {
		var m CampaignMember
		var at int64
		err := rows.Scan(&m.Message, &at, &m.MessageID, &m.QueueID, &m.Sender,
			&m.Recipients, &m.Verdict, &m.EntryID)
		if err != nil {
			return nil, fmt.Errorf("store: campaign members: %w", err)
		}
		m.Time = fromNanos(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: campaign members: %w", err)
	}
	return out, nil
}

// CampaignMemberEntries returns the quarantine entry ids of the campaign's
// held members, in ascending order, so a caller can release or delete the
// whole campaign. The store does not track an entry's later status: the
// quarantine decides what a release or delete does with each id.
func (s *Store) CampaignMemberEntries(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT DISTINCT m.entry_id
FROM campaign_members cm JOIN campaign_messages m ON m.id = cm.message
WHERE cm.campaign = ? AND m.entry_id IS NOT NULL ORDER BY m.entry_id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: campaign entries: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var e int64
		if err := rows.Scan(&e); err != nil {
			return nil, fmt.Errorf("store: campaign entries: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: campaign entries: %w", err)
	}
	return out, nil
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanCampaign(r rowScanner) (Campaign, error) {
	var c Campaign
	var first, last int64
	if err := r.Scan(&c.ID, &c.Key.Kind, &c.Key.Value, &first, &last, &c.Members); err != nil {
		return Campaign{}, err
	}
	c.FirstSeen, c.LastSeen = fromNanos(first), fromNanos(last)
	return c, nil
}
