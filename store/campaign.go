package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Campaign key kinds. A key is a fact that does not depend on the
// message's language, shared by the messages of one campaign.
const (
	KeyAttachmentSHA256 = "attachment-sha256"
	KeyQRDomain         = "qr-domain"
	KeyLinkDomain       = "link-domain"
	KeyAttachmentName   = "attachment-name"
	KeySenderDomain     = "sender-domain"

	// KeyQRPlatform and KeyLinkPlatform are the private public suffix
	// (a hosting platform such as "pages.dev") that a QR target's or a
	// link's registrable domain lies under.
	KeyQRPlatform   = "qr-platform"
	KeyLinkPlatform = "link-platform"
)

// MaxCampaignKeys is how many keys ObserveCampaign records per message;
// it ignores the rest. Arbitrary: chosen so that a message with many
// attachments or links cannot make one observation write thousands of
// rows, while a phishing message (one attachment, one QR target, a
// few links) fits whole.
const MaxCampaignKeys = 16

// MaxCampaignRecipients is how many recipients of one message
// ObserveCampaign counts per key; it ignores the rest. It is the number
// of recipients RFC 5321 §4.5.3.1.8 requires a server to accept per
// message. A campaign reaches many recipients through many messages, so
// the count still grows.
const MaxCampaignRecipients = 100

// MaxCampaignCount is where the counts of one key stop: each count reads
// at most this many index entries, so a key that every message shares
// (a common name shape) costs the same as a rare one. Arbitrary: chosen
// far above any useful threshold, so a count at the cap reads as "at
// least" in evidence.
const MaxCampaignCount = 1000

// CampaignKey is one key of a message.
type CampaignKey struct {
	// Kind is one of the Key constants.
	Kind string
	// Value is the key's lower-case value: a hex SHA-256, a registrable
	// domain or an attachment name shape such as "invoice_#.pdf".
	Value string
}

// CampaignObservation is one inbound message to count under its keys.
type CampaignObservation struct {
	// Time is when the message arrived; zero means now.
	Time time.Time
	// Window is the sliding window the counts cover; it must be positive.
	Window    time.Duration
	MessageID string
	QueueID   string
	// Sender is the lower-case sender address, "" for the null sender.
	Sender string
	// NewSender reports that the organisation's history never saw Sender
	// before this message.
	NewSender bool
	// Recipients lists the envelope recipients; at most
	// MaxCampaignRecipients are counted.
	Recipients []string
	// Keys lists the message's keys; at most MaxCampaignKeys are counted.
	Keys []CampaignKey
}

// KeyCounts is what the window holds for one key, this message included.
type KeyCounts struct {
	Key CampaignKey
	// Messages, Recipients and Senders count the distinct messages,
	// recipients and senders within the window. NewSenders counts the
	// senders that were new to the organisation at a message within it.
	// Each count stops at MaxCampaignCount.
	Messages   int64
	Recipients int64
	Senders    int64
	NewSenders int64
	// FirstSeen is the time of the key's oldest message in the window.
	FirstSeen time.Time
	// Campaign is the id of the key's active campaign (one with a member
	// within the window), 0 when none.
	Campaign int64
}

// CampaignObserved is the result of ObserveCampaign.
type CampaignObserved struct {
	// Message identifies the observed message for JoinCampaign and
	// RecordCampaignVerdict.
	Message int64
	Keys    []KeyCounts
}

// Campaign is one campaign: messages sharing a key that crossed the
// thresholds.
type Campaign struct {
	ID        int64
	Key       CampaignKey
	FirstSeen time.Time
	LastSeen  time.Time
	// Members counts the messages of the campaign.
	Members int64
}

// ObserveCampaign records one message under each of its keys and returns
// the window's counts per key, in the order of obs.Keys. In the same
// transaction it deletes the key's rows older than the window, so a busy
// key keeps at most one window of rows; PruneCampaigns deletes what idle
// keys left behind.
func (s *Store) ObserveCampaign(ctx context.Context, obs CampaignObservation) (CampaignObserved, error) {
	if obs.Window <= 0 {
		return CampaignObserved{}, fmt.Errorf("%w: campaign window %s is not positive",
			ErrInvalidObservation, obs.Window)
	}
	at := obs.Time
	if at.IsZero() {
		at = time.Now()
	}
	now := at.UnixNano()
	start := now - int64(obs.Window)
	keys := normalizeCampaignKeys(obs.Keys)
	recipients := normalizeKeys(obs.Recipients)
	if len(recipients) > MaxCampaignRecipients {
		recipients = recipients[:MaxCampaignRecipients]
	}
	sender := normalizeKey(obs.Sender)

	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return CampaignObserved{}, fmt.Errorf("store: observe campaign: %w", err)
	}
	defer tx.Rollback()

	var out CampaignObserved
	err = tx.QueryRowContext(ctx, `INSERT INTO campaign_messages
(at, message_id, queue_id, sender, recipients) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		now, cutUTF8(obs.MessageID, MaxKeyBytes), cutUTF8(obs.QueueID, MaxKeyBytes), sender,
		len(obs.Recipients)).Scan(&out.Message)
	if err != nil {
		return CampaignObserved{}, fmt.Errorf("store: observe campaign: %w", err)
	}

	w, err := prepareCampaignWrite(ctx, tx)
	if err != nil {
		return CampaignObserved{}, err
	}
	defer w.close()
	var newAt int64
	if obs.NewSender {
		newAt = now
	}
	for _, k := range keys {
		c, err := w.observeKey(ctx, k, out.Message, now, start, sender, newAt, recipients)
		if err != nil {
			return CampaignObserved{}, fmt.Errorf("store: observe campaign key %s: %w", k.Kind, err)
		}
		out.Keys = append(out.Keys, c)
	}
	if err := tx.Commit(); err != nil {
		return CampaignObserved{}, fmt.Errorf("store: observe campaign: commit: %w", err)
	}
	return out, nil
}

// normalizeCampaignKeys lower-cases the keys and drops empty ones,
// duplicates, values longer than MaxKeyBytes and keys beyond
// MaxCampaignKeys.
func normalizeCampaignKeys(keys []CampaignKey) []CampaignKey {
	out := make([]CampaignKey, 0, min(len(keys), MaxCampaignKeys))
	seen := make(map[CampaignKey]bool, len(keys))
	for _, k := range keys {
		k.Value = normalizeKey(k.Value)
		if k.Kind == "" || k.Value == "" || len(k.Value) > MaxKeyBytes || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
		if len(out) == MaxCampaignKeys {
			break
		}
	}
	return out
}

// campaignSQL are the statements ObserveCampaign runs once per key. They
// are prepared once per transaction: the Store's prepared statements
// are built in sqlite.go, which lists only the history's statements.
var campaignSQL = struct {
	upsertKey, addMessage, addRecipient, addSender  string
	expireMessages, expireRecipients, expireSenders string
	countMessages, countRecipients, countSenders    string
	activeCampaign                                  string
}{
	upsertKey: `INSERT INTO campaign_keys (kind, value, last_seen) VALUES (?1, ?2, ?3)
ON CONFLICT (kind, value) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)
RETURNING id`,
	addMessage: `INSERT OR IGNORE INTO campaign_key_messages (key_id, at, message) VALUES (?, ?, ?)`,
	addRecipient: `INSERT INTO campaign_key_recipients (key_id, recipient, last_seen) VALUES (?1, ?2, ?3)
ON CONFLICT (key_id, recipient) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)`,
	addSender: `INSERT INTO campaign_key_senders (key_id, sender, last_seen, new_seen)
VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (key_id, sender) DO UPDATE SET
	last_seen = max(last_seen, excluded.last_seen),
	new_seen = max(new_seen, excluded.new_seen)`,
	expireMessages:   `DELETE FROM campaign_key_messages WHERE key_id = ? AND at < ?`,
	expireRecipients: `DELETE FROM campaign_key_recipients WHERE key_id = ? AND last_seen < ?`,
	expireSenders:    `DELETE FROM campaign_key_senders WHERE key_id = ? AND last_seen < ?`,
	countMessages: `SELECT
	(SELECT count(*) FROM (SELECT 1 FROM campaign_key_messages
		WHERE key_id = ?1 AND at >= ?2 LIMIT ?3)),
	(SELECT coalesce(min(at), 0) FROM campaign_key_messages WHERE key_id = ?1 AND at >= ?2)`,
	countRecipients: `SELECT count(*) FROM (SELECT 1 FROM campaign_key_recipients
WHERE key_id = ?1 AND last_seen >= ?2 LIMIT ?3)`,
	countSenders: `SELECT count(*), coalesce(sum(new), 0) FROM (SELECT new_seen >= ?2 AS new
FROM campaign_key_senders WHERE key_id = ?1 AND last_seen >= ?2 LIMIT ?3)`,
	activeCampaign: `SELECT id FROM campaigns WHERE kind = ? AND value = ? AND last_seen >= ?
ORDER BY last_seen DESC LIMIT 1`,
}

// campaignWrite holds campaignSQL prepared on one transaction.
type campaignWrite struct {
	upsertKey, addMessage, addRecipient, addSender  *sql.Stmt
	expireMessages, expireRecipients, expireSenders *sql.Stmt
	countMessages, countRecipients, countSenders    *sql.Stmt
	activeCampaign                                  *sql.Stmt
	all                                             []*sql.Stmt
}

func prepareCampaignWrite(ctx context.Context, tx *sql.Tx) (*campaignWrite, error) {
	w := &campaignWrite{}
	targets := []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&w.upsertKey, campaignSQL.upsertKey},
		{&w.addMessage, campaignSQL.addMessage},
		{&w.addRecipient, campaignSQL.addRecipient},
		{&w.addSender, campaignSQL.addSender},
		{&w.expireMessages, campaignSQL.expireMessages},
		{&w.expireRecipients, campaignSQL.expireRecipients},
		{&w.expireSenders, campaignSQL.expireSenders},
		{&w.countMessages, campaignSQL.countMessages},
		{&w.countRecipients, campaignSQL.countRecipients},
		{&w.countSenders, campaignSQL.countSenders},
		{&w.activeCampaign, campaignSQL.activeCampaign},
	}
	for _, t := range targets {
		stmt, err := tx.PrepareContext(ctx, t.sql)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("store: prepare campaign statement: %w", err)
		}
		*t.stmt = stmt
		w.all = append(w.all, stmt)
	}
	return w, nil
}

func (w *campaignWrite) close() {
	for _, stmt := range w.all {
		stmt.Close()
	}
}

// observeKey records the message under one key, expires the key's rows
// older than start and counts what remains.
func (w *campaignWrite) observeKey(ctx context.Context, k CampaignKey, message, now, start int64,
	sender string, newAt int64, recipients []string) (KeyCounts, error) {
	c := KeyCounts{Key: k}
	var id int64
	if err := w.upsertKey.QueryRowContext(ctx, k.Kind, k.Value, now).Scan(&id); err != nil {
		return c, err
	}

	// Record the message, its recipients and its sender under the key.
	if _, err := w.addMessage.ExecContext(ctx, id, now, message); err != nil {
		return c, err
	}
	for _, r := range recipients {
		if _, err := w.addRecipient.ExecContext(ctx, id, r, now); err != nil {
			return c, err
		}
	}
	if sender != "" {
		if _, err := w.addSender.ExecContext(ctx, id, sender, now, newAt); err != nil {
			return c, err
		}
	}

	// Rows older than the window no longer count; dropping them here
	// bounds a busy key that PruneCampaigns would never find idle.
	for _, expire := range []*sql.Stmt{w.expireMessages, w.expireRecipients, w.expireSenders} {
		if _, err := expire.ExecContext(ctx, id, start); err != nil {
			return c, err
		}
	}

	var first int64
	if err := w.countMessages.QueryRowContext(ctx, id, start, MaxCampaignCount).Scan(&c.Messages, &first); err != nil {
		return c, err
	}
	c.FirstSeen = fromNanos(first)
	if err := w.countRecipients.QueryRowContext(ctx, id, start, MaxCampaignCount).Scan(&c.Recipients); err != nil {
		return c, err
	}
	if err := w.countSenders.QueryRowContext(ctx, id, start, MaxCampaignCount).Scan(&c.Senders, &c.NewSenders); err != nil {
		return c, err
	}
	err := w.activeCampaign.QueryRowContext(ctx, k.Kind, k.Value, start).Scan(&c.Campaign)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return c, err
	}
	return c, nil
}
