package store

import (
	"context"
	"fmt"
	"time"
)

// Defaults of CampaignLimits. A zero field selects its default.
const (
	// DefaultCampaignRetention keeps a campaign and its members for 30
	// days after its last member: long enough for staff to review it and
	// release or delete its held messages after a holiday.
	DefaultCampaignRetention = 30 * 24 * time.Hour

	// DefaultMaxCampaignKeys bounds the keys counted at once. Arbitrary:
	// chosen so that a gateway taking 100,000 messages with five keys
	// each within a six-hour window keeps every key, while the counter
	// tables stay within a few hundred megabytes.
	DefaultMaxCampaignKeys = 1_000_000
)

// CampaignLimits are the bounds PruneCampaigns enforces.
type CampaignLimits struct {
	// Window is the counting window: rows older than it no longer count
	// and are deleted. It must be positive.
	Window time.Duration
	// Retention keeps a campaign for this long after its last member.
	// Default DefaultCampaignRetention.
	Retention time.Duration
	// MaxKeys bounds the campaign_keys rows; the least recently seen keys
	// beyond it are deleted with their counters. Default
	// DefaultMaxCampaignKeys.
	MaxKeys int64
}

// CampaignPruneStats counts the rows one PruneCampaigns call deleted.
type CampaignPruneStats struct {
	Keys      int64
	Messages  int64
	Campaigns int64
}

// PruneCampaigns deletes, as of now, the keys idle for longer than the
// window (with their counters), the least recently seen keys beyond
// MaxKeys, campaigns whose last member is older than the retention, and
// messages that no longer count and belong to no campaign. It deletes in
// batches of pruneBatchRows, each its own transaction, so an observation
// waits for at most one batch. The caller runs it periodically, as it
// runs Prune; ObserveCampaign already expires the old rows of the keys it
// touches.
func (s *Store) PruneCampaigns(ctx context.Context, now time.Time, lim CampaignLimits) (CampaignPruneStats, error) {
	var stats CampaignPruneStats
	if lim.Window <= 0 {
		return stats, fmt.Errorf("store: prune campaigns: window %s is not positive", lim.Window)
	}
	if lim.Retention <= 0 {
		lim.Retention = DefaultCampaignRetention
	}
	if lim.MaxKeys <= 0 {
		lim.MaxKeys = DefaultMaxCampaignKeys
	}
	start := now.Add(-lim.Window).UnixNano()
	kept := now.Add(-lim.Retention).UnixNano()

	steps := []struct {
		count *int64
		sql   string
		arg   int64
	}{
		{&stats.Keys, `DELETE FROM campaign_keys WHERE id IN (
	SELECT id FROM campaign_keys WHERE last_seen < ?1 LIMIT ?2)`, start},
		{&stats.Campaigns, `DELETE FROM campaigns WHERE id IN (
	SELECT id FROM campaigns WHERE last_seen < ?1 LIMIT ?2)`, kept},
		{&stats.Messages, `DELETE FROM campaign_messages WHERE id IN (
	SELECT id FROM campaign_messages m WHERE at < ?1
	AND NOT EXISTS (SELECT 1 FROM campaign_members WHERE message = m.id) LIMIT ?2)`, start},
	}
	for _, step := range steps {
		n, err := s.execBatches(ctx, step.sql, step.arg)
		*step.count += n
		if err != nil {
			return stats, fmt.Errorf("store: prune campaigns: %w", err)
		}
	}

	n, err := s.evictCampaignKeys(ctx, lim.MaxKeys)
	stats.Keys += n
	return stats, err
}

// execBatches runs a DELETE whose ?1 is arg and ?2 the batch size until it
// deletes fewer than a batch.
func (s *Store) execBatches(ctx context.Context, query string, arg int64) (int64, error) {
	var total int64
	for {
		res, err := s.writer.ExecContext(ctx, query, arg, pruneBatchRows)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
		if n < pruneBatchRows {
			return total, nil
		}
	}
}

// evictCampaignKeys deletes the least recently seen keys beyond maxKeys.
func (s *Store) evictCampaignKeys(ctx context.Context, maxKeys int64) (int64, error) {
	var rows int64
	if err := s.writer.QueryRowContext(ctx, `SELECT count(*) FROM campaign_keys`).Scan(&rows); err != nil {
		return 0, fmt.Errorf("store: prune campaigns: count keys: %w", err)
	}
	var total int64
	for excess := rows - maxKeys; excess > 0; {
		batch := min(excess, pruneBatchRows)
		res, err := s.writer.ExecContext(ctx, `DELETE FROM campaign_keys WHERE id IN (
	SELECT id FROM campaign_keys ORDER BY last_seen, id LIMIT ?)`, batch)
		if err != nil {
			return total, fmt.Errorf("store: prune campaigns: evict keys: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return total, err
		}
		total += n
		excess -= n
	}
	return total, nil
}
