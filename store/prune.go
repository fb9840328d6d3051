package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// pruneBatchRows is how many rows one Prune transaction deletes. Each
// batch holds the write lock, so Learn calls wait at most one batch.
// Arbitrary: chosen so that a batch takes about 15 ms (5000 rows with
// their cascades took 70 ms on the 2-core machine in BENCH.md).
const pruneBatchRows = 1000

// PruneStats counts the rows one Prune call deleted per table. Display
// names and domain origins deleted with their address or domain are not
// counted; those dropped for age are.
type PruneStats struct {
	Addresses      int64
	Domains        int64
	LinkDomains    int64
	AccountOrigins int64
	DomainOrigins  int64
	DisplayNames   int64
	// Since is Overview.Since after the prune, zero when nothing was
	// ever learnt.
	Since time.Time
}

// prunable is a table Prune bounds: its primary key columns and whether
// MaxKeys applies to it.
type prunable struct {
	table   string
	pk      string
	bounded bool
	count   func(*PruneStats) *int64
}

var prunables = []prunable{
	{"addresses", "address", true, func(p *PruneStats) *int64 { return &p.Addresses }},
	{"domains", "domain", true, func(p *PruneStats) *int64 { return &p.Domains }},
	{"link_domains", "domain", true, func(p *PruneStats) *int64 { return &p.LinkDomains }},
	{"account_origins", "account, country, asn", true,
		func(p *PruneStats) *int64 { return &p.AccountOrigins }},
	{"domain_origins", "domain, country, asn", false,
		func(p *PruneStats) *int64 { return &p.DomainOrigins }},
	{"display_names", "address, name", false,
		func(p *PruneStats) *int64 { return &p.DisplayNames }},
}

// Prune enforces Config.HistoryRetention and Config.MaxKeys as of now:
// it deletes every row last seen before now minus the retention, then the
// least recently seen keys of any table holding more than MaxKeys rows.
// Overview.Since moves forward to the oldest time from which the history
// is still complete, so "never seen since Since" stays true.
//
// Prune deletes in batches of pruneBatchRows, each its own transaction,
// so a Learn call waits for at most one batch. The caller runs it periodically
// (hourly is ample). On error the batches already committed stay deleted
// and the returned stats count them.
func (s *Store) Prune(ctx context.Context, now time.Time) (PruneStats, error) {
	var stats PruneStats
	horizon := now.Add(-time.Duration(s.cfg.HistoryRetention)).UnixNano()
	floor := horizon

	for _, p := range prunables {
		where := fmt.Sprintf("SELECT %s FROM %s WHERE last_seen < ?1 LIMIT ?2", p.pk, p.table)
		n, err := s.deleteBatches(ctx, p, where, horizon)
		*p.count(&stats) += n
		if err != nil {
			return stats, err
		}
	}

	for _, p := range prunables {
		if !p.bounded {
			continue
		}
		n, last, err := s.evictOldest(ctx, p)
		*p.count(&stats) += n
		if err != nil {
			return stats, err
		}
		floor = max(floor, last)
	}

	since, err := s.raiseSince(ctx, floor)
	stats.Since = since
	return stats, err
}

// deleteBatches deletes the rows whose primary key the query selects
// (with ?1 = arg and ?2 = the batch size) until none is left.
func (s *Store) deleteBatches(ctx context.Context, p prunable, selectKeys string, arg int64) (int64, error) {
	del := fmt.Sprintf("DELETE FROM %s WHERE (%s) IN (%s)", p.table, p.pk, selectKeys)
	var total int64
	for {
		res, err := s.writer.ExecContext(ctx, del, arg, pruneBatchRows)
		if err != nil {
			return total, fmt.Errorf("store: prune %s: %w", p.table, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("store: prune %s: %w", p.table, err)
		}
		total += n
		if n < pruneBatchRows {
			return total, nil
		}
	}
}

// evictOldest deletes the least recently seen rows of p beyond MaxKeys.
// It returns how many it deleted and the newest last_seen among them
// (0 when none), before which the history is no longer complete.
func (s *Store) evictOldest(ctx context.Context, p prunable) (int64, int64, error) {
	var rows int64
	err := s.writer.QueryRowContext(ctx, "SELECT count(*) FROM "+p.table).Scan(&rows)
	if err != nil {
		return 0, 0, fmt.Errorf("store: prune %s: count: %w", p.table, err)
	}
	excess := rows - s.cfg.MaxKeys
	if excess <= 0 {
		return 0, 0, nil
	}

	// The cut-off is read first, then every row at or before it is
	// deleted. A row that Learn adds meanwhile with an older time is
	// deleted too, which keeps the history complete after the cut-off.
	var cutoff sql.NullInt64
	q := fmt.Sprintf("SELECT max(last_seen) FROM (SELECT last_seen FROM %s ORDER BY last_seen LIMIT ?)",
		p.table)
	if err := s.writer.QueryRowContext(ctx, q, excess).Scan(&cutoff); err != nil {
		return 0, 0, fmt.Errorf("store: prune %s: cut-off: %w", p.table, err)
	}

	// Rows sharing the cut-off time are deleted too, so a few more than
	// the excess may go; the history stays complete after the cut-off.
	sel := fmt.Sprintf("SELECT %s FROM %s WHERE last_seen <= ?1 LIMIT ?2", p.pk, p.table)
	n, err := s.deleteBatches(ctx, p, sel, cutoff.Int64)
	return n, cutoff.Int64 + 1, err
}

// raiseSince moves history.since forward to floor and drops the message
// counts of days before it. It returns the new since.
func (s *Store) raiseSince(ctx context.Context, floor int64) (time.Time, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: prune: %w", err)
	}
	defer tx.Rollback()

	var since sql.NullInt64
	err = tx.QueryRowContext(ctx,
		`UPDATE history SET since = max(since, ?) WHERE since IS NOT NULL RETURNING since`, floor).
		Scan(&since)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, tx.Commit()
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: prune: since: %w", err)
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM message_days WHERE day < ?`, unixDay(since.Int64))
	if err != nil {
		return time.Time{}, fmt.Errorf("store: prune: message days: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return time.Time{}, fmt.Errorf("store: prune: %w", err)
	}
	return fromNanos(since.Int64), nil
}
