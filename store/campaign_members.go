package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrUnknownMessage is returned by JoinCampaign and RecordCampaignVerdict
// for a message id that ObserveCampaign did not return or that was pruned.
var ErrUnknownMessage = errors.New("store: unknown campaign message")

// JoinCampaign adds an observed message to the active campaign of key:
// the newest campaign of that key with a member within window before the
// message. When there is none it starts one, and every earlier message
// recorded under the key within the window joins it too, so the campaign
// lists the members accepted before it was recognised.
func (s *Store) JoinCampaign(ctx context.Context, message int64, key CampaignKey,
	window time.Duration) (Campaign, error) {
	key.Value = normalizeKey(key.Value)
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return Campaign{}, fmt.Errorf("store: join campaign: %w", err)
	}
	defer tx.Rollback()

	var at int64
	err = tx.QueryRowContext(ctx, `SELECT at FROM campaign_messages WHERE id = ?`, message).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, fmt.Errorf("%w: %d", ErrUnknownMessage, message)
	}
	if err != nil {
		return Campaign{}, fmt.Errorf("store: join campaign: %w", err)
	}
	start := at - int64(window)

	var id int64
	err = tx.QueryRowContext(ctx, campaignSQL.activeCampaign, key.Kind, key.Value, start).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		id, err = startCampaign(ctx, tx, key, at, start)
	case err == nil:
		err = addMember(ctx, tx, id, message, at)
	}
	if err != nil {
		return Campaign{}, fmt.Errorf("store: join campaign: %w", err)
	}

	c, err := scanCampaign(tx.QueryRowContext(ctx, selectCampaignSQL+` WHERE id = ?`, id))
	if err != nil {
		return Campaign{}, fmt.Errorf("store: join campaign: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Campaign{}, fmt.Errorf("store: join campaign: commit: %w", err)
	}
	return c, nil
}

// startCampaign creates a campaign for key with every message recorded
// under the key since start as its members.
func startCampaign(ctx context.Context, tx *sql.Tx, key CampaignKey, at, start int64) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO campaigns (kind, value, first_seen, last_seen, members)
VALUES (?, ?, ?, ?, 0) RETURNING id`, key.Kind, key.Value, at, at).Scan(&id)
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO campaign_members (campaign, message)
SELECT ?1, km.message FROM campaign_key_messages km
JOIN campaign_keys k ON k.id = km.key_id
JOIN campaign_messages m ON m.id = km.message
WHERE k.kind = ?2 AND k.value = ?3 AND km.at >= ?4`, id, key.Kind, key.Value, start)
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE campaigns SET
	members = (SELECT count(*) FROM campaign_members WHERE campaign = ?1),
	first_seen = coalesce((SELECT min(m.at) FROM campaign_members cm
		JOIN campaign_messages m ON m.id = cm.message WHERE cm.campaign = ?1), first_seen)
WHERE id = ?1`, id)
	return id, err
}

// addMember adds one message to a campaign and widens its seen interval.
func addMember(ctx context.Context, tx *sql.Tx, campaign, message, at int64) error {
	res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO campaign_members (campaign, message)
VALUES (?, ?)`, campaign, message)
	if err != nil {
		return err
	}
	added, err := res.RowsAffected()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE campaigns SET members = members + ?2,
	first_seen = min(first_seen, ?3), last_seen = max(last_seen, ?3) WHERE id = ?1`,
		campaign, added, at)
	return err
}

// RecordCampaignVerdict stores the verdict given to an observed message
// ("accept", "tag", "hold", "reject") and, when it was held, its
// quarantine entry id; entryID 0 means none. Review pages show both for
// every campaign member.
func (s *Store) RecordCampaignVerdict(ctx context.Context, message int64, verdict string, entryID int64) error {
	var entry sql.NullInt64
	if entryID != 0 {
		entry = sql.NullInt64{Int64: entryID, Valid: true}
	}
	res, err := s.writer.ExecContext(ctx, `UPDATE campaign_messages SET verdict = ?, entry_id = ?
WHERE id = ?`, cutUTF8(verdict, MaxKeyBytes), entry, message)
	if err != nil {
		return fmt.Errorf("store: record campaign verdict: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("%w: %d", ErrUnknownMessage, message)
	}
	return nil
}
