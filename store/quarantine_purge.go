package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/holdfast/holdfast/quarantine"
)

// Expired returns up to limit entries whose stored message must go:
// every one received before the given time, then, while the stored bytes
// exceed maxBytes, the next ones in order (released and deleted entries
// before held ones, oldest first). Purged entries are never returned.
func (q *Quarantine) Expired(ctx context.Context, before time.Time, maxBytes int64,
	limit int) ([]quarantine.Entry, error) {
	tx, err := q.s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: quarantine expired: %w", err)
	}
	defer tx.Rollback()

	var kept int64
	err = tx.QueryRowContext(ctx, `SELECT coalesce(sum(raw_bytes), 0) FROM quarantine
WHERE raw IS NOT NULL AND received_at >= ?`, before.UnixNano()).Scan(&kept)
	if err != nil {
		return nil, fmt.Errorf("store: quarantine expired: %w", err)
	}

	// The window sum runs over the entries that retention keeps, in the
	// order they are given up; an entry goes while the bytes before it
	// still exceed what must be freed.
	rows, err := tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM quarantine
WHERE raw IS NOT NULL AND received_at < ?1
UNION ALL
SELECT `+entryColumns+` FROM quarantine WHERE id IN (
	SELECT id FROM (
		SELECT id, raw_bytes, sum(raw_bytes) OVER (
			ORDER BY status = 'held', received_at, id) AS running
		FROM quarantine WHERE raw IS NOT NULL AND received_at >= ?1)
	WHERE running - raw_bytes < ?2)
LIMIT ?3`, before.UnixNano(), kept-maxBytes, limit)
	if err != nil {
		return nil, fmt.Errorf("store: quarantine expired: %w", err)
	}
	defer rows.Close()
	var out []quarantine.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("store: quarantine expired: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: quarantine expired: %w", err)
	}
	return out, nil
}

// Purge drops an entry's stored message, marks it deleted when it was
// held and records a, in one transaction. It returns an error wrapping
// quarantine.ErrNotFound for an unknown id and quarantine.ErrPurged for
// an entry purged already.
func (q *Quarantine) Purge(ctx context.Context, id int64, a quarantine.Action) error {
	a.EntryID = id
	if a.At.IsZero() {
		a.At = time.Now()
	}
	return q.s.inTx(ctx, func(tx *sql.Tx) error {
		var purged bool
		err := tx.QueryRowContext(ctx, `SELECT raw IS NULL FROM quarantine WHERE id = ?`, id).Scan(&purged)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: id %d", quarantine.ErrNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("store: quarantine purge %d: %w", id, err)
		}
		if purged {
			return fmt.Errorf("%w: id %d", quarantine.ErrPurged, id)
		}
		_, err = tx.ExecContext(ctx, `UPDATE quarantine SET raw = NULL, raw_bytes = 0,
	status_at = CASE status WHEN 'held' THEN ?1 ELSE status_at END,
	status = CASE status WHEN 'held' THEN 'deleted' ELSE status END
WHERE id = ?2`, a.At.UnixNano(), id)
		if err != nil {
			return fmt.Errorf("store: quarantine purge %d: %w", id, err)
		}
		return insertAction(ctx, tx, a)
	})
}

// DeleteRecords deletes the entries received before the given time whose
// message was purged, with their signals and audit records, and returns
// how many entries it deleted.
func (q *Quarantine) DeleteRecords(ctx context.Context, before time.Time) (int64, error) {
	res, err := q.s.writer.ExecContext(ctx, `DELETE FROM quarantine
WHERE received_at < ? AND raw IS NULL`, before.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("store: quarantine delete records: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: quarantine delete records: %w", err)
	}
	return n, nil
}
