package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/holdfast/holdfast/quarantine"
)

// Page sizes of Quarantine.List: DefaultListLimit when Filter.Limit is
// zero or negative, MaxListLimit at most, as quarantine.Filter documents.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)

// List returns one page of entries matching f, newest first (by received
// time, then id), and the number of all matching entries, both read from
// one snapshot. Filter.Since is inclusive and Filter.Until exclusive.
//
// Status, date, signal and campaign filters use indexes. Sender and
// recipient are case-insensitive substring filters, which no B-tree index
// serves, so they scan the rows the other filters leave; retention
// bounds that scan.
func (q *Quarantine) List(ctx context.Context, f quarantine.Filter) ([]quarantine.Entry, int, error) {
	where, args := listWhere(f)
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)
	offset := max(f.Offset, 0)

	tx, err := q.s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("store: quarantine list: %w", err)
	}
	defer tx.Rollback()

	var total int
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM quarantine`+where, args...).Scan(&total)
	if err != nil {
		return nil, 0, fmt.Errorf("store: quarantine list: count: %w", err)
	}

	query := `SELECT ` + entryColumns + ` FROM quarantine` + where +
		` ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?`
	rows, err := tx.QueryContext(ctx, query, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: quarantine list: %w", err)
	}
	defer rows.Close()
	entries := make([]quarantine.Entry, 0, limit)
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: quarantine list: %w", err)
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: quarantine list: %w", err)
	}
	return entries, total, nil
}

// listWhere builds the WHERE clause (with a leading space, or "") and its
// arguments for f.
func listWhere(f quarantine.Filter) (string, []any) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if f.Status != "" {
		add("status = ?", string(f.Status))
	}
	if !f.Since.IsZero() {
		add("received_at >= ?", f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		add("received_at < ?", f.Until.UnixNano())
	}
	if f.Sender != "" {
		add("instr(senders, ?) > 0", strings.ToLower(f.Sender))
	}
	if f.Recipient != "" {
		add("instr(rcpts, ?) > 0", strings.ToLower(f.Recipient))
	}
	if f.Signal != "" {
		add("id IN (SELECT entry_id FROM quarantine_signals WHERE name = ?)", f.Signal)
	}
	if f.Campaign != "" {
		add("campaign = ?", f.Campaign)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}
