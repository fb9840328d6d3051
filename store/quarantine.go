package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/holdfast/holdfast/quarantine"
)

// Quarantine is the SQLite quarantine.Store, sharing the Store's
// connections and file. It also implements quarantine.Expirer. Errors
// wrap quarantine.ErrNotFound, quarantine.ErrNotHeld and
// quarantine.ErrPurged where those apply.
//
// Messages are compressed with gzip rather than zlib: both detect a
// damaged copy (CRC-32 against Adler-32), but a gzip blob also records
// its decompressed length, and an operator can read a copy exported from
// the database with zcat and other standard tools.
type Quarantine struct {
	s *Store
}

var (
	_ quarantine.Store   = (*Quarantine)(nil)
	_ quarantine.Expirer = (*Quarantine)(nil)
)

// Quarantine returns the quarantine store backed by s.
func (s *Store) Quarantine() *Quarantine { return &Quarantine{s: s} }

// Put stores a new held entry with its raw message, compressed, and
// records a "hold" action by "system" in the same transaction. It
// ignores e.ID and e.Status, and stores e.ReceivedAt, or now when zero.
func (q *Quarantine) Put(ctx context.Context, e *quarantine.Entry, raw []byte) (int64, error) {
	blob, err := compress(raw)
	if err != nil {
		return 0, err
	}
	rec := *e
	rec.ID, rec.Status, rec.Purged = 0, quarantine.Held, false
	if rec.ReceivedAt.IsZero() {
		rec.ReceivedAt = time.Now()
	}
	doc, err := json.Marshal(rec)
	if err != nil {
		return 0, fmt.Errorf("store: quarantine put: %w", err)
	}
	at := rec.ReceivedAt.UnixNano()

	tx, err := q.s.writer.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: quarantine put: %w", err)
	}
	defer tx.Rollback()

	res, err := tx.ExecContext(ctx, `INSERT INTO quarantine
(queue_id, received_at, status, status_at, senders, rcpts, campaign, entry, raw, raw_bytes, raw_size)
VALUES (?, ?, 'held', ?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.QueueID, at, at, searchText(rec.MailFrom, rec.From), searchText(rec.Rcpts...),
		rec.Campaign, string(doc), blob, len(blob), len(raw))
	if err != nil {
		return 0, fmt.Errorf("store: quarantine put: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: quarantine put: %w", err)
	}
	for _, name := range signalNames(rec.Signals) {
		_, err := tx.ExecContext(ctx, `INSERT INTO quarantine_signals (name, entry_id) VALUES (?, ?)`, name, id)
		if err != nil {
			return 0, fmt.Errorf("store: quarantine put: %w", err)
		}
	}
	hold := quarantine.Action{EntryID: id, At: rec.ReceivedAt, Actor: "system", Name: "hold",
		Detail: fmt.Sprintf("queue id %s, verdict %s, score %.1f", rec.QueueID, rec.Verdict, rec.Score)}
	if err := insertAction(ctx, tx, hold); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: quarantine put: commit: %w", err)
	}
	return id, nil
}

// entryColumns are the columns scanEntry reads, in its order.
const entryColumns = `id, status, entry, raw IS NULL`

// scanEntry decodes one row selected with entryColumns. The columns win
// over the JSON document for the id, the status and Purged.
func scanEntry(row interface{ Scan(...any) error }) (quarantine.Entry, error) {
	var (
		e      quarantine.Entry
		id     int64
		status string
		doc    string
		purged bool
	)
	if err := row.Scan(&id, &status, &doc, &purged); err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(doc), &e); err != nil {
		return e, fmt.Errorf("store: quarantine entry %d: stored JSON is invalid: %w", id, err)
	}
	e.ID, e.Status, e.Purged = id, quarantine.Status(status), purged
	return e, nil
}

// Get returns one entry, or an error wrapping quarantine.ErrNotFound.
func (q *Quarantine) Get(ctx context.Context, id int64) (*quarantine.Entry, error) {
	row := q.s.reader.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM quarantine WHERE id = ?`, id)
	e, err := scanEntry(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: id %d", quarantine.ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: quarantine get %d: %w", id, err)
	}
	return &e, nil
}

// Raw returns the stored message, decompressed, or an error wrapping
// quarantine.ErrNotFound or quarantine.ErrPurged.
func (q *Quarantine) Raw(ctx context.Context, id int64) ([]byte, error) {
	var (
		blob []byte
		size int64
	)
	err := q.s.reader.QueryRowContext(ctx, `SELECT raw, raw_size FROM quarantine WHERE id = ?`, id).
		Scan(&blob, &size)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: id %d", quarantine.ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: quarantine raw %d: %w", id, err)
	}
	if blob == nil {
		return nil, fmt.Errorf("%w: id %d", quarantine.ErrPurged, id)
	}
	raw, err := decompress(blob, size)
	if err != nil {
		return nil, fmt.Errorf("store: quarantine raw %d: %w", id, err)
	}
	return raw, nil
}

// SetStatus moves a held entry to Released or Deleted and records a, in
// one transaction. Only held entries change: any other returns an error
// wrapping quarantine.ErrNotHeld, and an unknown id one wrapping
// quarantine.ErrNotFound.
func (q *Quarantine) SetStatus(ctx context.Context, id int64, s quarantine.Status, a quarantine.Action) error {
	if s != quarantine.Released && s != quarantine.Deleted {
		return fmt.Errorf("store: quarantine status %q is invalid: use %q or %q",
			s, quarantine.Released, quarantine.Deleted)
	}
	a.EntryID = id
	if a.At.IsZero() {
		a.At = time.Now()
	}
	return q.s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE quarantine SET status = ?, status_at = ?
WHERE id = ? AND status = 'held'`, string(s), a.At.UnixNano(), id)
		if err != nil {
			return fmt.Errorf("store: quarantine set status %d: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: quarantine set status %d: %w", id, err)
		}
		if n == 0 {
			return whyNotHeld(ctx, tx, id)
		}
		return insertAction(ctx, tx, a)
	})
}

// whyNotHeld returns the error for an UPDATE ... WHERE status = 'held'
// that changed no row.
func whyNotHeld(ctx context.Context, tx *sql.Tx, id int64) error {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM quarantine WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: id %d", quarantine.ErrNotFound, id)
	}
	if err != nil {
		return fmt.Errorf("store: quarantine status of %d: %w", id, err)
	}
	return fmt.Errorf("%w: entry %d is %s", quarantine.ErrNotHeld, id, status)
}

// Record adds an audit record to an existing entry, or returns an error
// wrapping quarantine.ErrNotFound.
func (q *Quarantine) Record(ctx context.Context, a quarantine.Action) error {
	if a.At.IsZero() {
		a.At = time.Now()
	}
	return q.s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM quarantine WHERE id = ?`, a.EntryID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: id %d", quarantine.ErrNotFound, a.EntryID)
		}
		if err != nil {
			return fmt.Errorf("store: quarantine record: %w", err)
		}
		return insertAction(ctx, tx, a)
	})
}

// Audit returns the entry's audit records, oldest first. An unknown id
// returns an error wrapping quarantine.ErrNotFound.
func (q *Quarantine) Audit(ctx context.Context, id int64) ([]quarantine.Action, error) {
	tx, err := q.s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: quarantine audit %d: %w", id, err)
	}
	defer tx.Rollback()

	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM quarantine WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: id %d", quarantine.ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: quarantine audit %d: %w", id, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, at, actor, remote, name, detail
FROM quarantine_audit WHERE entry_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: quarantine audit %d: %w", id, err)
	}
	defer rows.Close()
	var out []quarantine.Action
	for rows.Next() {
		a := quarantine.Action{EntryID: id}
		var at int64
		if err := rows.Scan(&a.ID, &at, &a.Actor, &a.Remote, &a.Name, &a.Detail); err != nil {
			return nil, fmt.Errorf("store: quarantine audit %d: %w", id, err)
		}
		a.At = fromNanos(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: quarantine audit %d: %w", id, err)
	}
	return out, nil
}

func insertAction(ctx context.Context, tx *sql.Tx, a quarantine.Action) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO quarantine_audit (entry_id, at, actor, remote, name, detail)
VALUES (?, ?, ?, ?, ?, ?)`, a.EntryID, a.At.UnixNano(), a.Actor, a.Remote, a.Name, a.Detail)
	if err != nil {
		return fmt.Errorf("store: quarantine audit record: %w", err)
	}
	return nil
}

// searchText joins lower-case values one per line, for the substring
// filters.
func searchText(values ...string) string {
	var b strings.Builder
	for _, v := range values {
		if v == "" {
			continue
		}
		b.WriteString(strings.ToLower(v))
		b.WriteByte('\n')
	}
	return b.String()
}

// signalNames returns the distinct signal names.
func signalNames(signals []quarantine.Signal) []string {
	seen := make(map[string]bool, len(signals))
	var out []string
	for _, s := range signals {
		if s.Name != "" && !seen[s.Name] {
			seen[s.Name] = true
			out = append(out, s.Name)
		}
	}
	return out
}

func compress(raw []byte) ([]byte, error) {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(raw); err != nil {
		return nil, fmt.Errorf("store: compress message: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("store: compress message: %w", err)
	}
	return b.Bytes(), nil
}

// decompress inflates blob, which must hold exactly size bytes. It reads
// at most size+1 bytes, so a damaged or altered row cannot make it
// allocate more than the message it claims to be.
func decompress(blob []byte, size int64) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, fmt.Errorf("stored message is damaged: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(r, size+1))
	if err != nil {
		return nil, fmt.Errorf("stored message is damaged: %w", err)
	}
	if int64(len(raw)) != size {
		return nil, fmt.Errorf("stored message is damaged: %d bytes, want %d", len(raw), size)
	}
	return raw, nil
}
