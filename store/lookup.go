package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// readStmts are the statements prepared on the read pool.
type readStmts struct {
	seen           map[keyTable]*sql.Stmt
	displayNames   *sql.Stmt
	domainOrigins  *sql.Stmt
	accountOrigins *sql.Stmt
	overview       *sql.Stmt
}

func (k keyTable) selectSQL() string {
	return fmt.Sprintf(`SELECT first_seen, last_seen, inbound, outbound FROM %s WHERE %s = ?`,
		k.table, k.column)
}

var readSQL = map[string]string{
	"displayNames": `SELECT name FROM display_names WHERE address = ?
ORDER BY last_seen DESC, name`,
	"domainOrigins": `SELECT country, asn, count, last_seen FROM domain_origins WHERE domain = ?
ORDER BY last_seen DESC, country, asn`,
	"accountOrigins": `SELECT country, asn, count, last_seen FROM account_origins WHERE account = ?
ORDER BY last_seen DESC, country, asn`,
	"overview": `SELECT (SELECT coalesce(sum(messages), 0) FROM message_days),
	(SELECT count(*) FROM message_days WHERE day BETWEEN ?1 AND ?2), since, domains
FROM history`,
}

// prepareRead prepares readStmts on the read pool.
func (s *Store) prepareRead(ctx context.Context) error {
	r := &s.read
	r.seen = make(map[keyTable]*sql.Stmt)
	for _, k := range keyTables {
		stmt, err := s.reader.PrepareContext(ctx, k.selectSQL())
		if err != nil {
			return fmt.Errorf("store: prepare select %s: %w", k.table, err)
		}
		r.seen[k] = stmt
	}
	targets := map[string]**sql.Stmt{
		"displayNames":   &r.displayNames,
		"domainOrigins":  &r.domainOrigins,
		"accountOrigins": &r.accountOrigins,
		"overview":       &r.overview,
	}
	for name, target := range targets {
		stmt, err := s.reader.PrepareContext(ctx, readSQL[name])
		if err != nil {
			return fmt.Errorf("store: prepare %s: %w", name, err)
		}
		*target = stmt
	}
	return nil
}

// prepare prepares every statement of both pools.
func (s *Store) prepare(ctx context.Context) error {
	if err := s.prepareWrite(ctx); err != nil {
		return err
	}
	return s.prepareRead(ctx)
}

// Sender returns what is known of an address and its domain, read from
// one snapshot so the two agree. Either may be "" to skip it. The keys
// are matched case-insensitively.
func (s *Store) Sender(ctx context.Context, address, domain string) (SenderHistory, error) {
	address, domain = normalizeKey(address), normalizeKey(domain)
	var h SenderHistory

	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return h, fmt.Errorf("store: sender: %w", err)
	}
	defer tx.Rollback()

	if address != "" {
		if h.Address, err = s.seen(ctx, tx, addressTable, address); err != nil {
			return h, err
		}
		if h.Address.Known() {
			h.DisplayNames, err = queryStrings(ctx, tx.StmtContext(ctx, s.read.displayNames), address)
			if err != nil {
				return h, fmt.Errorf("store: display names: %w", err)
			}
		}
	}
	if domain != "" {
		if h.Domain, err = s.seen(ctx, tx, domainTable, domain); err != nil {
			return h, err
		}
		if h.Domain.Known() {
			h.DomainOrigins, err = queryOrigins(ctx, tx.StmtContext(ctx, s.read.domainOrigins), domain)
			if err != nil {
				return h, fmt.Errorf("store: domain origins: %w", err)
			}
		}
	}
	return h, tx.Commit()
}

// LinkDomains returns the history of each given domain, matched
// case-insensitively and keyed in lower case; domains never seen are
// absent from the map.
func (s *Store) LinkDomains(ctx context.Context, domains []string) (map[string]Seen, error) {
	keys := normalizeKeys(domains)
	out := make(map[string]Seen, len(keys))
	if len(keys) == 0 {
		return out, nil
	}

	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: link domains: %w", err)
	}
	defer tx.Rollback()

	for _, d := range keys {
		seen, err := s.seen(ctx, tx, linkDomainTable, d)
		if err != nil {
			return nil, err
		}
		if seen.Known() {
			out[d] = seen
		}
	}
	return out, tx.Commit()
}

// AccountOrigins returns the login origins seen for a local account, most
// recent first, at most Config.MaxOrigins.
func (s *Store) AccountOrigins(ctx context.Context, account string) ([]Origin, error) {
	origins, err := queryOrigins(ctx, s.read.accountOrigins, normalizeKey(account))
	if err != nil {
		return nil, fmt.Errorf("store: account origins: %w", err)
	}
	return origins, nil
}

// Overview returns the size and age of the history. Messages counts the
// messages learnt on the days Prune has kept, and Since is the time from
// which the history is complete: the oldest message learnt, moved forward
// when Prune drops keys. Days counts the days with mail within the
// retention period before now.
func (s *Store) Overview(ctx context.Context) (Overview, error) {
	return s.overviewAt(ctx, time.Now())
}

// overviewAt is Overview as of now.
func (s *Store) overviewAt(ctx context.Context, now time.Time) (Overview, error) {
	var o Overview
	var since sql.NullInt64
	first := unixDay(now.Add(-time.Duration(s.cfg.HistoryRetention)).UnixNano())
	today := unixDay(now.UnixNano())
	err := s.read.overview.QueryRowContext(ctx, first, today).
		Scan(&o.Messages, &o.Days, &since, &o.SenderDomains)
	if err != nil {
		return o, fmt.Errorf("store: overview: %w", err)
	}
	if since.Valid {
		o.Since = fromNanos(since.Int64)
	}
	return o, nil
}

// seen reads one key row; a missing row is the zero Seen.
func (s *Store) seen(ctx context.Context, tx *sql.Tx, k keyTable, key string) (Seen, error) {
	var v Seen
	var first, last int64
	err := tx.StmtContext(ctx, s.read.seen[k]).QueryRowContext(ctx, key).
		Scan(&first, &last, &v.Inbound, &v.Outbound)
	if errors.Is(err, sql.ErrNoRows) {
		return Seen{}, nil
	}
	if err != nil {
		return Seen{}, fmt.Errorf("store: read %s: %w", k.table, err)
	}
	v.FirstSeen, v.LastSeen = fromNanos(first), fromNanos(last)
	return v, nil
}

// queryStrings returns the first column of every row.
func queryStrings(ctx context.Context, stmt *sql.Stmt, args ...any) ([]string, error) {
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// queryOrigins scans rows of (country, asn, count, last_seen).
func queryOrigins(ctx context.Context, stmt *sql.Stmt, args ...any) ([]Origin, error) {
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Origin
	for rows.Next() {
		var o Origin
		var last int64
		if err := rows.Scan(&o.Country, &o.ASN, &o.Count, &last); err != nil {
			return nil, err
		}
		o.LastSeen = fromNanos(last)
		out = append(out, o)
	}
	return out, rows.Err()
}

// fromNanos converts stored Unix nanoseconds to a UTC time.
func fromNanos(n int64) time.Time {
	return time.Unix(0, n).UTC()
}
