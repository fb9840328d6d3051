package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/holdfast/holdfast/quarantine"
)

// Kinds of blocklist entries.
const (
	BlockDomain = quarantine.BlockDomain
	BlockSender = quarantine.BlockSender
)

// Block is one blocklist entry.
type Block = quarantine.Block

// Block puts domains and a sender address on the blocklist, lower-cased;
// either may be empty. A value already there keeps its first actor and
// time. Values longer than MaxKeyBytes are skipped, because no valid
// domain or address is longer.
func (s *Store) Block(ctx context.Context, domains []string, sender, actor string, entryID int64) error {
	at := time.Now().UnixNano()
	var entry sql.NullInt64
	if entryID != 0 {
		entry = sql.NullInt64{Int64: entryID, Valid: true}
	}
	add := func(tx *sql.Tx, kind string, values []string) error {
		for _, v := range normalizeKeys(values) {
			_, err := tx.ExecContext(ctx, `INSERT INTO blocklist (kind, value, added_at, actor, entry_id)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, value) DO NOTHING`, kind, v, at, actor, entry)
			if err != nil {
				return fmt.Errorf("store: block %s %q: %w", kind, v, err)
			}
		}
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := add(tx, BlockDomain, domains); err != nil {
			return err
		}
		return add(tx, BlockSender, []string{sender})
	})
}

// Unblock removes a value of the given kind and reports whether it was
// on the blocklist.
func (s *Store) Unblock(ctx context.Context, kind, value string) (bool, error) {
	_, found, err := s.RemoveBlock(ctx, kind, value)
	return found, err
}

// RemoveBlock removes a value of the given kind and returns the removed
// entry, with found false when the value was not on the blocklist.
func (s *Store) RemoveBlock(ctx context.Context, kind, value string) (Block, bool, error) {
	b := Block{Kind: kind, Value: normalizeKey(value)}
	var at int64
	err := s.writer.QueryRowContext(ctx, `DELETE FROM blocklist WHERE kind = ? AND value = ?
RETURNING added_at, actor, coalesce(entry_id, 0)`, kind, b.Value).Scan(&at, &b.Actor, &b.EntryID)
	if errors.Is(err, sql.ErrNoRows) {
		return Block{}, false, nil
	}
	if err != nil {
		return Block{}, false, fmt.Errorf("store: unblock %s %q: %w", kind, value, err)
	}
	b.AddedAt = fromNanos(at)
	return b, true, nil
}

// Blocklisted returns those of the given domains, and the sender address,
// that are on the blocklist, lower-cased, domains first in the order
// given. Domains are matched against domain entries and the sender
// against sender entries only: pass the sender's domain among domains to
// check it too. Matching is exact, so a blocked domain does not cover
// its subdomains.
func (s *Store) Blocklisted(ctx context.Context, domains []string, sender string) ([]string, error) {
	var out []string
	check := func(kind string, values []string) error {
		for _, v := range normalizeKeys(values) {
			var one int
			err := s.reader.QueryRowContext(ctx, `SELECT 1 FROM blocklist WHERE kind = ? AND value = ?`,
				kind, v).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("store: blocklisted %s %q: %w", kind, v, err)
			}
			out = append(out, v)
		}
		return nil
	}
	if err := check(BlockDomain, domains); err != nil {
		return nil, err
	}
	if err := check(BlockSender, []string{sender}); err != nil {
		return nil, err
	}
	return out, nil
}

// Blocklist returns every blocklist entry, newest first.
func (s *Store) Blocklist(ctx context.Context) ([]Block, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT kind, value, added_at, actor, coalesce(entry_id, 0)
FROM blocklist ORDER BY added_at DESC, kind, value`)
	if err != nil {
		return nil, fmt.Errorf("store: blocklist: %w", err)
	}
	defer rows.Close()
	var out []Block
	for rows.Next() {
		var b Block
		var at int64
		if err := rows.Scan(&b.Kind, &b.Value, &at, &b.Actor, &b.EntryID); err != nil {
			return nil, fmt.Errorf("store: blocklist: %w", err)
		}
		b.AddedAt = fromNanos(at)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: blocklist: %w", err)
	}
	return out, nil
}
