package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// MaxAccountRecipients is how many recipients of one message
// ObserveAccount looks up in the history. Recipients beyond it count as
// first contact without a lookup: a message to more people than that is
// unusual for a person, and the lookups would hold the write lock. It is
// Postfix's default smtpd_recipient_limit.
const MaxAccountRecipients = 1000

// AccountObservation is one outbound message a local account submitted.
type AccountObservation struct {
	// Time is when the message arrived; zero means now.
	Time time.Time
	// Account is the SASL login.
	Account string
	// Recipients lists the external envelope recipients. A recipient the
	// history never saw (no row in addresses) is a first contact.
	Recipients []string
	// Country and ASN are the login origin, "" when unknown.
	Country string
	ASN     string
	// BurstWindow is how far back AccountActivity.Recent reaches; it must
	// be positive.
	BurstWindow time.Duration
	// BaselineDays is how many days before the message's day
	// AccountActivity.Days covers; it must be positive.
	BaselineDays int
}

// AccountWindow counts an account's messages within the burst window,
// the observed message included.
type AccountWindow struct {
	Messages int64
	// FirstContactMessages counts the messages with at least one
	// first-contact recipient.
	FirstContactMessages   int64
	Recipients             int64
	FirstContactRecipients int64
}

// AccountDay is one UTC day of an account's outbound mail.
type AccountDay struct {
	Day          time.Time
	Messages     int64
	Recipients   int64
	FirstContact int64
}

// Login is one origin an account logged in from when it sent mail, held
// or not.
type Login struct {
	Country   string
	ASN       string
	FirstSeen time.Time
	LastSeen  time.Time
	Messages  int64
}

// AccountActivity is the account's baseline
// and its recent activity, the observed message included.
type AccountActivity struct {
	// Recipients counts the message's distinct recipients, and
	// FirstContact lists those the history never saw.
	Recipients   int
	FirstContact []string
	// Recent counts the messages within the burst window.
	Recent AccountWindow
	// Days lists the days with mail within BaselineDays before the
	// message's day, newest first; days without mail are absent.
	Days []AccountDay
	// Origins lists the origins of the account's accepted mail
	// (account_origins, kept by Learn), most recent first.
	Origins []Origin
	// Logins lists the origins of every message ObserveAccount saw,
	// most recent first, at most Config.MaxOrigins.
	Logins []Login
}

// ObserveAccount records one outbound message of a local account and
// returns the account's baseline and recent activity. In the same
// transaction it deletes the account's rows older than the burst window
// and the baseline days; PruneAccounts deletes what idle accounts left.
func (s *Store) ObserveAccount(ctx context.Context, obs AccountObservation) (AccountActivity, error) {
	if obs.BurstWindow <= 0 || obs.BaselineDays <= 0 {
		return AccountActivity{}, fmt.Errorf("%w: burst window %s and baseline days %d must be positive",
			ErrInvalidObservation, obs.BurstWindow, obs.BaselineDays)
	}
	account := normalizeKey(obs.Account)
	if account == "" || len(account) > MaxKeyBytes {
		return AccountActivity{}, fmt.Errorf("%w: account of %d bytes: use 1 to %d",
			ErrInvalidObservation, len(account), MaxKeyBytes)
	}
	at := obs.Time
	if at.IsZero() {
		at = time.Now()
	}
	now := at.UnixNano()
	country := cutUTF8(strings.ToUpper(strings.TrimSpace(obs.Country)), MaxKeyBytes)
	asn := cutUTF8(strings.ToUpper(strings.TrimSpace(obs.ASN)), MaxKeyBytes)

	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return AccountActivity{}, fmt.Errorf("store: observe account: %w", err)
	}
	defer tx.Rollback()

	var act AccountActivity
	recipients := normalizeKeys(obs.Recipients)
	act.Recipients = len(recipients)
	if act.FirstContact, err = firstContacts(ctx, tx, recipients); err != nil {
		return AccountActivity{}, fmt.Errorf("store: observe account: %w", err)
	}
	w := accountWrite{ctx: ctx, tx: tx, account: account, now: now}
	w.record(len(recipients), len(act.FirstContact), country, asn, s.cfg.MaxOrigins)
	w.expire(now-int64(obs.BurstWindow), unixDay(now)-int64(obs.BaselineDays))
	if w.err != nil {
		return AccountActivity{}, fmt.Errorf("store: observe account: %w", w.err)
	}

	if err := readActivity(ctx, tx, account, now, obs, &act); err != nil {
		return AccountActivity{}, fmt.Errorf("store: observe account: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return AccountActivity{}, fmt.Errorf("store: observe account: commit: %w", err)
	}
	return act, nil
}

// firstContacts returns the recipients with no row in addresses. Those
// beyond MaxAccountRecipients are returned without a lookup.
func firstContacts(ctx context.Context, tx *sql.Tx, recipients []string) ([]string, error) {
	var out []string
	if len(recipients) > MaxAccountRecipients {
		out = append(out, recipients[MaxAccountRecipients:]...)
		recipients = recipients[:MaxAccountRecipients]
	}
	if len(recipients) == 0 {
		return out, nil
	}
	stmt, err := tx.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM addresses WHERE address = ?)`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	for _, r := range recipients {
		var known bool
		if err := stmt.QueryRowContext(ctx, r).Scan(&known); err != nil {
			return nil, err
		}
		if !known {
			out = append(out, r)
		}
	}
	return out, nil
}

// accountWrite runs an account's writes until the first error, which it
// keeps.
type accountWrite struct {
	ctx     context.Context
	tx      *sql.Tx
	account string
	now     int64
	err     error
}

func (w *accountWrite) exec(query string, args ...any) {
	if w.err == nil {
		_, w.err = w.tx.ExecContext(w.ctx, query, args...)
	}
}

// record adds the message to the account's day, its sends and the login
// origin, keeping at most maxLogins origins.
func (w *accountWrite) record(recipients, firstContact int, country, asn string, maxLogins int) {
	w.exec(`INSERT INTO account_days (account, day, messages, recipients, first_contact)
VALUES (?1, ?2, 1, ?3, ?4)
ON CONFLICT (account, day) DO UPDATE SET messages = messages + 1,
	recipients = recipients + excluded.recipients, first_contact = first_contact + excluded.first_contact`,
		w.account, unixDay(w.now), recipients, firstContact)
	w.exec(`INSERT INTO account_sends (account, at, recipients, first_contact) VALUES (?, ?, ?, ?)`,
		w.account, w.now, recipients, firstContact)
	if country == "" && asn == "" {
		return
	}
	w.exec(`INSERT INTO account_logins (account, country, asn, first_seen, last_seen, messages)
VALUES (?1, ?2, ?3, ?4, ?4, 1)
ON CONFLICT (account, country, asn) DO UPDATE SET messages = messages + 1,
	first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
		w.account, country, asn, w.now)
	w.exec(`DELETE FROM account_logins WHERE account = ?1 AND (country, asn) NOT IN (
	SELECT country, asn FROM account_logins WHERE account = ?1
	ORDER BY last_seen DESC, country, asn LIMIT ?2)`, w.account, maxLogins)
}

// expire deletes the account's sends before start and days before
// firstDay.
func (w *accountWrite) expire(start, firstDay int64) {
	w.exec(`DELETE FROM account_sends WHERE account = ? AND at < ?`, w.account, start)
	w.exec(`DELETE FROM account_days WHERE account = ? AND day < ?`, w.account, firstDay)
}

// readActivity fills the recent counts, baseline days and origins of act.
func readActivity(ctx context.Context, tx *sql.Tx, account string, now int64,
	obs AccountObservation, act *AccountActivity) error {
	err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(first_contact > 0), 0),
	coalesce(sum(recipients), 0), coalesce(sum(first_contact), 0)
FROM account_sends WHERE account = ? AND at >= ?`, account, now-int64(obs.BurstWindow)).
		Scan(&act.Recent.Messages, &act.Recent.FirstContactMessages,
			&act.Recent.Recipients, &act.Recent.FirstContactRecipients)
	if err != nil {
		return fmt.Errorf("recent sends: %w", err)
	}

	today := unixDay(now)
	rows, err := tx.QueryContext(ctx, `SELECT day, messages, recipients, first_contact FROM account_days
WHERE account = ? AND day >= ? AND day < ? ORDER BY day DESC`,
		account, today-int64(obs.BaselineDays), today)
	if err != nil {
		return fmt.Errorf("account days: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d AccountDay
		var day int64
		if err := rows.Scan(&day, &d.Messages, &d.Recipients, &d.FirstContact); err != nil {
			return fmt.Errorf("account days: %w", err)
		}
		d.Day = fromNanos(day * nanosPerDay)
		act.Days = append(act.Days, d)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("account days: %w", err)
	}

	if act.Origins, err = queryOriginsTx(ctx, tx, account); err != nil {
		return fmt.Errorf("account origins: %w", err)
	}
	if act.Logins, err = queryLogins(ctx, tx, account); err != nil {
		return fmt.Errorf("account logins: %w", err)
	}
	return nil
}

func queryOriginsTx(ctx context.Context, tx *sql.Tx, account string) ([]Origin, error) {
	stmt, err := tx.PrepareContext(ctx, readSQL["accountOrigins"])
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	return queryOrigins(ctx, stmt, account)
}

func queryLogins(ctx context.Context, tx *sql.Tx, account string) ([]Login, error) {
	rows, err := tx.QueryContext(ctx, `SELECT country, asn, first_seen, last_seen, messages
FROM account_logins WHERE account = ? ORDER BY last_seen DESC, country, asn`, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Login
	for rows.Next() {
		var l Login
		var first, last int64
		if err := rows.Scan(&l.Country, &l.ASN, &first, &last, &l.Messages); err != nil {
			return nil, err
		}
		l.FirstSeen, l.LastSeen = fromNanos(first), fromNanos(last)
		out = append(out, l)
	}
	return out, rows.Err()
}
