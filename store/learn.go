package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
)

// ErrInvalidObservation is returned by Learn for an observation it cannot
// record; nothing of it is stored.
var ErrInvalidObservation = errors.New("store: invalid observation")

// MinObservationTime and MaxObservationTime bound Observation.Time. No
// mail is dated before the Unix epoch, so an earlier time is a broken
// clock or a forged Date. The upper bound is arbitrary: chosen far inside
// the range of int64 Unix nanoseconds, which ends in April 2262.
var (
	MinObservationTime = time.Unix(0, 0).UTC()
	MaxObservationTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// keyTable names a table with the key shape (key, first_seen, last_seen,
// inbound, outbound) and its key column.
type keyTable struct{ table, column string }

var (
	addressTable    = keyTable{"addresses", "address"}
	domainTable     = keyTable{"domains", "domain"}
	linkDomainTable = keyTable{"link_domains", "domain"}
	keyTables       = []keyTable{addressTable, domainTable, linkDomainTable}
)

// upsertSQL adds one message to a key: the counts grow by ?3 and ?4, and
// the seen interval widens to include ?2, so mail imported out of order
// still yields the true first and last times.
func (k keyTable) upsertSQL() string {
	return fmt.Sprintf(`INSERT INTO %[1]s (%[2]s, first_seen, last_seen, inbound, outbound)
VALUES (?1, ?2, ?2, ?3, ?4)
ON CONFLICT (%[2]s) DO UPDATE SET
	first_seen = min(first_seen, excluded.first_seen),
	last_seen = max(last_seen, excluded.last_seen),
	inbound = inbound + excluded.inbound,
	outbound = outbound + excluded.outbound`, k.table, k.column)
}

// writeStmts are the statements prepared on the writer connection.
type writeStmts struct {
	upsertKey         map[keyTable]*sql.Stmt
	upsertDisplayName *sql.Stmt
	trimDisplayNames  *sql.Stmt
	upsertDomainOrig  *sql.Stmt
	trimDomainOrigins *sql.Stmt
	upsertAccountOrig *sql.Stmt
	trimAccountOrigin *sql.Stmt
	countMessage      *sql.Stmt
	widenSince        *sql.Stmt
}

// originUpsertSQL and originTrimSQL serve domain_origins and
// account_origins, whose owner columns differ only in name.
func originUpsertSQL(table, owner string) string {
	return fmt.Sprintf(`INSERT INTO %[1]s (%[2]s, country, asn, count, last_seen)
VALUES (?1, ?2, ?3, 1, ?4)
ON CONFLICT (%[2]s, country, asn) DO UPDATE SET
	count = count + 1,
	last_seen = max(last_seen, excluded.last_seen)`, table, owner)
}

func originTrimSQL(table, owner string) string {
	return fmt.Sprintf(`DELETE FROM %[1]s WHERE %[2]s = ?1 AND (country, asn) NOT IN (
	SELECT country, asn FROM %[1]s WHERE %[2]s = ?1
	ORDER BY last_seen DESC, country, asn LIMIT ?2)`, table, owner)
}

var writeSQL = map[string]string{
	"upsertDisplayName": `INSERT INTO display_names (address, name, last_seen) VALUES (?1, ?2, ?3)
ON CONFLICT (address, name) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)`,
	"trimDisplayNames": `DELETE FROM display_names WHERE address = ?1 AND name NOT IN (
	SELECT name FROM display_names WHERE address = ?1
	ORDER BY last_seen DESC, name LIMIT ?2)`,
	"upsertDomainOrig":  originUpsertSQL("domain_origins", "domain"),
	"trimDomainOrigins": originTrimSQL("domain_origins", "domain"),
	"upsertAccountOrig": originUpsertSQL("account_origins", "account"),
	"trimAccountOrigin": originTrimSQL("account_origins", "account"),
	"countMessage": `INSERT INTO message_days (day, messages) VALUES (?1, 1)
ON CONFLICT (day) DO UPDATE SET messages = messages + 1`,
	"widenSince": `UPDATE history SET since = min(coalesce(since, ?1), ?1)`,
}

// prepareWrite prepares writeStmts on the writer.
func (s *Store) prepareWrite(ctx context.Context) error {
	w := &s.write
	w.upsertKey = make(map[keyTable]*sql.Stmt)
	for _, k := range keyTables {
		stmt, err := s.writer.PrepareContext(ctx, k.upsertSQL())
		if err != nil {
			return fmt.Errorf("store: prepare upsert %s: %w", k.table, err)
		}
		w.upsertKey[k] = stmt
	}
	targets := map[string]**sql.Stmt{
		"upsertDisplayName": &w.upsertDisplayName,
		"trimDisplayNames":  &w.trimDisplayNames,
		"upsertDomainOrig":  &w.upsertDomainOrig,
		"trimDomainOrigins": &w.trimDomainOrigins,
		"upsertAccountOrig": &w.upsertAccountOrig,
		"trimAccountOrigin": &w.trimAccountOrigin,
		"countMessage":      &w.countMessage,
		"widenSince":        &w.widenSince,
	}
	for name, target := range targets {
		stmt, err := s.writer.PrepareContext(ctx, writeSQL[name])
		if err != nil {
			return fmt.Errorf("store: prepare %s: %w", name, err)
		}
		*target = stmt
	}
	return nil
}

// lesson is an Observation normalised for storage: keys lower-case,
// lists without duplicates or empty entries, the time in Unix
// nanoseconds.
type lesson struct {
	direction        Direction
	at               int64
	senderAddress    string
	senderDomain     string
	displayName      string
	account          string
	recipients       []string
	recipientDomains []string
	linkDomains      []string
	country, asn     string
}

// Learn records one accepted message in one transaction: either all of it
// is stored or none. A zero obs.Time means now.
//
// Inbound mail adds one to the sender address and domain, their display
// name and the sender domain's login origin. Outbound mail adds one to
// every recipient address and recipient domain, which makes them known
// correspondents, and to the local account's login origin. The local
// sender's own address is not a correspondent, so it is not counted.
// Both directions add the link domains and count the message for
// Overview.
//
// Learn returns ErrInvalidObservation when the direction is unknown, the
// time lies outside [MinObservationTime, MaxObservationTime) or a sender
// key is longer than MaxKeyBytes. A recipient or link domain
// longer than MaxKeyBytes cannot be a valid address or domain, so it is
// skipped and the rest is learnt.
func (s *Store) Learn(ctx context.Context, obs Observation) error {
	l, err := newLesson(obs)
	if err != nil {
		return err
	}

	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: learn: %w", err)
	}
	defer tx.Rollback()

	if err := s.learn(ctx, tx, l); err != nil {
		return fmt.Errorf("store: learn: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: learn: commit: %w", err)
	}
	return nil
}

// learn runs the statements of one lesson inside tx.
func (s *Store) learn(ctx context.Context, tx *sql.Tx, l lesson) error {
	var in, out int64 = 1, 0
	if l.direction == Outbound {
		in, out = 0, 1
	}
	ex := execer{ctx: ctx, tx: tx}

	if l.direction == Inbound {
		ex.upsertKey(s.write.upsertKey[addressTable], l.senderAddress, l.at, in, out)
		ex.upsertKey(s.write.upsertKey[domainTable], l.senderDomain, l.at, in, out)
		if l.senderAddress != "" && l.displayName != "" {
			ex.exec(s.write.upsertDisplayName, l.senderAddress, l.displayName, l.at)
			ex.exec(s.write.trimDisplayNames, l.senderAddress, s.cfg.MaxDisplayNames)
		}
		if l.senderDomain != "" && (l.country != "" || l.asn != "") {
			ex.exec(s.write.upsertDomainOrig, l.senderDomain, l.country, l.asn, l.at)
			ex.exec(s.write.trimDomainOrigins, l.senderDomain, s.cfg.MaxOrigins)
		}
	}

	if l.direction == Outbound {
		for _, r := range l.recipients {
			ex.upsertKey(s.write.upsertKey[addressTable], r, l.at, in, out)
		}
		for _, d := range l.recipientDomains {
			ex.upsertKey(s.write.upsertKey[domainTable], d, l.at, in, out)
		}
		if l.account != "" && (l.country != "" || l.asn != "") {
			ex.exec(s.write.upsertAccountOrig, l.account, l.country, l.asn, l.at)
			ex.exec(s.write.trimAccountOrigin, l.account, s.cfg.MaxOrigins)
		}
	}

	for _, d := range l.linkDomains {
		ex.upsertKey(s.write.upsertKey[linkDomainTable], d, l.at, in, out)
	}
	ex.exec(s.write.countMessage, unixDay(l.at))
	ex.exec(s.write.widenSince, l.at)
	return ex.err
}

// execer runs statements in a transaction until the first error, which
// it keeps, so a sequence of writes reads as a list of steps.
type execer struct {
	ctx context.Context
	tx  *sql.Tx
	err error
}

func (e *execer) exec(stmt *sql.Stmt, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = e.tx.StmtContext(e.ctx, stmt).ExecContext(e.ctx, args...)
}

// upsertKey skips an empty key, so a message without a sender address
// (a bounce) still teaches its other keys.
func (e *execer) upsertKey(stmt *sql.Stmt, key string, at, in, out int64) {
	if key != "" {
		e.exec(stmt, key, at, in, out)
	}
}

// newLesson validates and normalises obs.
func newLesson(obs Observation) (lesson, error) {
	if obs.Direction != Inbound && obs.Direction != Outbound {
		return lesson{}, fmt.Errorf("%w: direction %d: use Inbound or Outbound",
			ErrInvalidObservation, obs.Direction)
	}
	at := obs.Time
	if at.IsZero() {
		at = time.Now()
	}
	if at.Before(MinObservationTime) || !at.Before(MaxObservationTime) {
		return lesson{}, fmt.Errorf("%w: time %s outside %s to %s", ErrInvalidObservation,
			at.UTC().Format(time.RFC3339), MinObservationTime.Format(time.DateOnly),
			MaxObservationTime.Format(time.DateOnly))
	}
	account := obs.LocalAccount
	if account == "" {
		account = obs.SenderAddress
	}
	l := lesson{
		direction:     obs.Direction,
		at:            at.UnixNano(),
		senderAddress: normalizeKey(obs.SenderAddress),
		senderDomain:  normalizeKey(obs.SenderDomain),
		displayName:   cutUTF8(strings.TrimSpace(obs.DisplayName), MaxDisplayNameBytes),
		account:       normalizeKey(account),
		linkDomains:   normalizeKeys(obs.LinkDomains),
		country:       strings.ToUpper(strings.TrimSpace(obs.OriginCountry)),
		asn:           strings.ToUpper(strings.TrimSpace(obs.OriginASN)),
	}
	for _, key := range []string{l.senderAddress, l.senderDomain, l.account} {
		if len(key) > MaxKeyBytes {
			return lesson{}, fmt.Errorf("%w: key of %d bytes > %d", ErrInvalidObservation, len(key), MaxKeyBytes)
		}
	}
	if len(l.country) > MaxKeyBytes || len(l.asn) > MaxKeyBytes {
		return lesson{}, fmt.Errorf("%w: origin longer than %d bytes", ErrInvalidObservation, MaxKeyBytes)
	}

	if obs.Direction == Outbound {
		l.recipients = normalizeKeys(obs.Recipients)
		if obs.RecipientDomains != nil {
			l.recipientDomains = normalizeKeys(obs.RecipientDomains)
		} else {
			l.recipientDomains = normalizeKeys(domainsOf(l.recipients))
		}
	}
	return l, nil
}

// normalizeKey lower-cases a key and drops surrounding space and a
// domain's trailing dot.
func normalizeKey(key string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(key)), ".")
}

// normalizeKeys normalises keys, dropping empty ones, duplicates and any
// longer than MaxKeyBytes.
func normalizeKeys(keys []string) []string {
	out := make([]string, 0, len(keys))
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		k = normalizeKey(k)
		if k == "" || len(k) > MaxKeyBytes || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
	}
	return out
}

// domainsOf returns the registrable domain of each address (per the
// public suffix list), or its whole domain when it has none, such as an
// IP literal or a bare suffix.
func domainsOf(addresses []string) []string {
	out := make([]string, 0, len(addresses))
	for _, a := range addresses {
		at := strings.LastIndexByte(a, '@')
		if at < 0 {
			continue
		}
		host := a[at+1:]
		if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
			host = d
		}
		out = append(out, host)
	}
	return out
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

const nanosPerDay = int64(24 * time.Hour)

// unixDay returns the UTC day number of a Unix nanosecond time.
func unixDay(at int64) int64 {
	day := at / nanosPerDay
	if at < 0 && at%nanosPerDay != 0 {
		day--
	}
	return day
}
