package store

import (
	"context"
	"fmt"
	"time"
)

// AccountLimits are the bounds PruneAccounts enforces.
type AccountLimits struct {
	// BurstWindow and BaselineDays are those of the observations: sends
	// older than the window and days older than the baseline are deleted.
	// Both must be positive.
	BurstWindow  time.Duration
	BaselineDays int
}

// AccountPruneStats counts the rows one PruneAccounts call deleted.
type AccountPruneStats struct {
	Sends  int64
	Days   int64
	Logins int64
}

// PruneAccounts deletes, as of now, the sends older than the burst
// window, the days older than the baseline, and the login origins not
// used within Config.HistoryRetention. It deletes in batches of
// pruneBatchRows, each its own transaction. The caller runs it
// periodically, as it runs Prune; ObserveAccount already expires the old
// rows of the account it observes.
func (s *Store) PruneAccounts(ctx context.Context, now time.Time, lim AccountLimits) (AccountPruneStats, error) {
	var stats AccountPruneStats
	if lim.BurstWindow <= 0 || lim.BaselineDays <= 0 {
		return stats, fmt.Errorf("store: prune accounts: burst window %s and baseline days %d must be positive",
			lim.BurstWindow, lim.BaselineDays)
	}
	steps := []struct {
		count *int64
		sql   string
		arg   int64
	}{
		{&stats.Sends, `DELETE FROM account_sends WHERE id IN (
	SELECT id FROM account_sends WHERE at < ?1 LIMIT ?2)`, now.Add(-lim.BurstWindow).UnixNano()},
		{&stats.Days, `DELETE FROM account_days WHERE (account, day) IN (
	SELECT account, day FROM account_days WHERE day < ?1 LIMIT ?2)`,
			unixDay(now.UnixNano()) - int64(lim.BaselineDays)},
		{&stats.Logins, `DELETE FROM account_logins WHERE (account, country, asn) IN (
	SELECT account, country, asn FROM account_logins WHERE last_seen < ?1 LIMIT ?2)`,
			now.Add(-time.Duration(s.cfg.HistoryRetention)).UnixNano()},
	}
	for _, step := range steps {
		n, err := s.execBatches(ctx, step.sql, step.arg)
		*step.count += n
		if err != nil {
			return stats, fmt.Errorf("store: prune accounts: %w", err)
		}
	}
	return stats, nil
}
