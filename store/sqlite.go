package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Sentinel errors returned by Open.
var (
	// ErrUnsupportedDriver is returned for a driver that is valid in the
	// config but not implemented yet.
	ErrUnsupportedDriver = errors.New("store: driver not implemented")

	// ErrSchemaTooNew is returned when the database was written by a newer
	// holdfast whose schema this version does not know.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this holdfast")
)

// readConns is the size of the read pool. Arbitrary: lookups run in
// parallel under WAL, and more connections than busy cores add no
// throughput, while each connection keeps its own page cache (about
// 2 MiB with SQLite's default cache_size).
const readConns = 8

// Store is the SQLite history. It implements History and is safe for
// concurrent use.
//
// All writes go through one connection, so Learn calls queue in Go rather
// than failing with SQLITE_BUSY; lookups use a separate pool of read-only
// connections, which WAL lets run while a write is in progress.
type Store struct {
	cfg    Config
	writer *sql.DB
	reader *sql.DB
	write  writeStmts
	read   readStmts
}

var _ History = (*Store)(nil)

// Open validates cfg, opens (creating when missing) the database, brings
// its schema to the current version and prepares every statement. The
// caller must Close the Store.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	if cfg.Driver != DriverSQLite {
		return nil, fmt.Errorf("%w: %q: use driver %q", ErrUnsupportedDriver, cfg.Driver, DriverSQLite)
	}

	s := &Store{cfg: cfg}
	var err error
	s.writer, err = openDB(cfg, false)
	if err != nil {
		return nil, err
	}

	// The schema must exist before the read-only pool prepares statements
	// against it.
	if err := migrate(ctx, s.writer); err != nil {
		s.writer.Close()
		return nil, err
	}
	s.reader, err = openDB(cfg, true)
	if err != nil {
		s.writer.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openDB opens the writer (one connection) or the read-only pool. The
// pragmas apply to every connection the pool opens:
//   - WAL lets readers run while the writer commits.
//   - synchronous=NORMAL syncs at checkpoints, not at each commit: a power
//     loss may drop the last commits but never corrupts the file, which is
//     a fair price for history that is relearnt from the next messages.
//   - foreign_keys makes deleting a key delete its display names and
//     origins.
//   - _txlock=immediate takes the write lock at BEGIN, where busy_timeout
//     applies, so a transaction that has started writing cannot fail
//     with SQLITE_BUSY because another process writes too.
func openDB(cfg Config, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", time.Duration(cfg.BusyTimeout).Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	if readOnly {
		q.Add("_pragma", "query_only(ON)")
	} else {
		q.Add("_txlock", "immediate")
	}
	dsn := "file:" + (&url.URL{Path: cfg.DSN}).EscapedPath() + "?" + q.Encode()

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %q: %w", cfg.DSN, err)
	}
	if readOnly {
		db.SetMaxOpenConns(readConns)
		db.SetMaxIdleConns(readConns)
	} else {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
	}
	db.SetConnMaxLifetime(0)
	return db, nil
}

// Close closes both connection pools. Calls in progress may fail.
func (s *Store) Close() error {
	var errs []error
	if s.reader != nil {
		errs = append(errs, s.reader.Close())
	}
	if s.writer != nil {
		errs = append(errs, s.writer.Close())
	}
	return errors.Join(errs...)
}
