package store

// quarantineSchema is migration 3: held messages, their audit trail and
// the blocklist.
//
// quarantine keeps one row per held message. The Entry travels whole as
// JSON in entry; the columns beside it exist for List's filters and for
// retention. senders and rcpts hold the lower-case MAIL FROM and From,
// and the recipients, one per line, for the substring filters. raw is
// the message compressed with gzip, NULL once purged; raw_bytes is its
// stored size and raw_size its size decompressed. AUTOINCREMENT keeps a
// deleted entry's id from naming another message later, in an audit
// record or a review page link.
//
// quarantine_signals lists each entry's signal names for the signal
// filter. blocklist has no foreign key to quarantine, because a block
// outlives the entry that caused it.
const quarantineSchema = `
CREATE TABLE quarantine (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	queue_id    TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('held', 'released', 'deleted')),
	status_at   INTEGER NOT NULL,
	senders     TEXT NOT NULL,
	rcpts       TEXT NOT NULL,
	campaign    TEXT NOT NULL,
	entry       TEXT NOT NULL,
	raw         BLOB,
	raw_bytes   INTEGER NOT NULL,
	raw_size    INTEGER NOT NULL
);
CREATE INDEX quarantine_received ON quarantine (received_at);
CREATE INDEX quarantine_status ON quarantine (status, received_at);
CREATE INDEX quarantine_campaign ON quarantine (campaign, received_at) WHERE campaign != '';
CREATE INDEX quarantine_queue_id ON quarantine (queue_id);

CREATE TABLE quarantine_signals (
	name     TEXT NOT NULL,
	entry_id INTEGER NOT NULL REFERENCES quarantine (id) ON DELETE CASCADE,
	PRIMARY KEY (name, entry_id)
) WITHOUT ROWID;
CREATE INDEX quarantine_signals_entry ON quarantine_signals (entry_id);

CREATE TABLE quarantine_audit (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	entry_id INTEGER NOT NULL REFERENCES quarantine (id) ON DELETE CASCADE,
	at       INTEGER NOT NULL,
	actor    TEXT NOT NULL,
	remote   TEXT NOT NULL,
	name     TEXT NOT NULL,
	detail   TEXT NOT NULL
);
CREATE INDEX quarantine_audit_entry ON quarantine_audit (entry_id, id);

CREATE TABLE blocklist (
	kind     TEXT NOT NULL CHECK (kind IN ('domain', 'sender')),
	value    TEXT NOT NULL,
	added_at INTEGER NOT NULL,
	actor    TEXT NOT NULL,
	entry_id INTEGER,
	PRIMARY KEY (kind, value)
) WITHOUT ROWID;
`
