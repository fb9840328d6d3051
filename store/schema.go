package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations[i] brings the schema from version i to version i+1. Append
// new steps; never edit a released one, because databases in the field
// have already run it.
//
// Times are Unix nanoseconds (UTC). The key tables (addresses, domains,
// link_domains) share one shape: first and last seen, and message counts
// per direction. Display names and domain origins hang off their key and
// are deleted with it.
var migrations = []string{
	`
CREATE TABLE addresses (
	address    TEXT PRIMARY KEY,
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	inbound    INTEGER NOT NULL,
	outbound   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX addresses_last_seen ON addresses (last_seen);

CREATE TABLE domains (
	domain     TEXT PRIMARY KEY,
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	inbound    INTEGER NOT NULL,
	outbound   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX domains_last_seen ON domains (last_seen);

CREATE TABLE link_domains (
	domain     TEXT PRIMARY KEY,
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	inbound    INTEGER NOT NULL,
	outbound   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX link_domains_last_seen ON link_domains (last_seen);

CREATE TABLE display_names (
	address   TEXT NOT NULL REFERENCES addresses (address) ON DELETE CASCADE,
	name      TEXT NOT NULL,
	last_seen INTEGER NOT NULL,
	PRIMARY KEY (address, name)
) WITHOUT ROWID;
CREATE INDEX display_names_last_seen ON display_names (last_seen);

CREATE TABLE domain_origins (
	domain    TEXT NOT NULL REFERENCES domains (domain) ON DELETE CASCADE,
	country   TEXT NOT NULL,
	asn       TEXT NOT NULL,
	count     INTEGER NOT NULL,
	last_seen INTEGER NOT NULL,
	PRIMARY KEY (domain, country, asn)
) WITHOUT ROWID;
CREATE INDEX domain_origins_last_seen ON domain_origins (last_seen);

CREATE TABLE account_origins (
	account   TEXT NOT NULL,
	country   TEXT NOT NULL,
	asn       TEXT NOT NULL,
	count     INTEGER NOT NULL,
	last_seen INTEGER NOT NULL,
	PRIMARY KEY (account, country, asn)
) WITHOUT ROWID;
CREATE INDEX account_origins_last_seen ON account_origins (last_seen);

-- message_days counts messages learnt per UTC day (Unix day number), so
-- Prune can drop the count of days it no longer covers.
CREATE TABLE message_days (
	day      INTEGER PRIMARY KEY,
	messages INTEGER NOT NULL
);

-- history holds one row: since is the oldest time from which the history
-- is complete, NULL while nothing was learnt; domains counts the rows of
-- domains, kept by triggers so Overview needs no table scan.
CREATE TABLE history (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	since   INTEGER,
	domains INTEGER NOT NULL
);
INSERT INTO history (id, since, domains) VALUES (1, NULL, 0);
CREATE TRIGGER domains_insert AFTER INSERT ON domains
BEGIN UPDATE history SET domains = domains + 1; END;
CREATE TRIGGER domains_delete AFTER DELETE ON domains
BEGIN UPDATE history SET domains = domains - 1; END;
`,
	// Version 2: staff accounts and sessions of the review pages.
	usersSchema,
	// Version 3: held messages, their audit trail and the blocklist.
	quarantineSchema,
	// Version 4: campaign key counters, campaigns and their members.
	campaignSchema,
	// Version 5: outbound baselines of local accounts.
	accountSchema,
}

// schemaVersion is the version this build writes and reads.
var schemaVersion = len(migrations)

// migrate creates the schema_version table when missing, checks the
// version and runs the missing migrations, each in its own transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`)
	if err != nil {
		return fmt.Errorf("store: create schema_version: %w", err)
	}
	for {
		done, err := migrateOne(ctx, db)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne runs the next migration, or reports done when the schema is
// current. The version is read inside the write transaction, so two
// processes opening a new file at once do not both run a step.
func migrateOne(ctx context.Context, db *sql.DB) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()

	version, err := readVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	if version > schemaVersion {
		return false, fmt.Errorf("%w: database has version %d, this build knows up to %d: upgrade holdfast",
			ErrSchemaTooNew, version, schemaVersion)
	}
	if version == schemaVersion {
		return true, nil
	}

	if _, err := tx.ExecContext(ctx, migrations[version]); err != nil {
		return false, fmt.Errorf("store: migrate to schema version %d: %w", version+1, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
		return false, fmt.Errorf("store: migrate: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, version+1)
	if err != nil {
		return false, fmt.Errorf("store: migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: migrate to schema version %d: %w", version+1, err)
	}
	return false, nil
}

// readVersion returns the schema version, 0 for a new database.
func readVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var version sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT max(version) FROM schema_version`).Scan(&version)
	if err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	return int(version.Int64), nil
}
