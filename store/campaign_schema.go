package store

// campaignSchema holds the sliding-window counters of campaign keys and the
// campaigns found with them. Times are Unix nanoseconds (UTC).
//
// campaign_messages has one row per observed message. A row is pruned once
// it is older than the window, unless a campaign lists it as a member.
// The per-key tables keep one row per distinct recipient and sender, so
// a distinct count is a range count on the (key_id, last_seen) index.
// campaign_key_senders.new_seen is the latest time the sender was new to
// the organisation, 0 when it never was.
const campaignSchema = `
CREATE TABLE campaign_messages (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	message_id TEXT NOT NULL,
	queue_id   TEXT NOT NULL,
	sender     TEXT NOT NULL,
	recipients INTEGER NOT NULL,
	verdict    TEXT NOT NULL DEFAULT '',
	entry_id   INTEGER
);
CREATE INDEX campaign_messages_at ON campaign_messages (at);

CREATE TABLE campaign_keys (
	id        INTEGER PRIMARY KEY,
	kind      TEXT NOT NULL,
	value     TEXT NOT NULL,
	last_seen INTEGER NOT NULL,
	UNIQUE (kind, value)
);
CREATE INDEX campaign_keys_last_seen ON campaign_keys (last_seen);

CREATE TABLE campaign_key_messages (
	key_id  INTEGER NOT NULL REFERENCES campaign_keys (id) ON DELETE CASCADE,
	at      INTEGER NOT NULL,
	message INTEGER NOT NULL,
	PRIMARY KEY (key_id, at, message)
) WITHOUT ROWID;

CREATE TABLE campaign_key_recipients (
	key_id    INTEGER NOT NULL REFERENCES campaign_keys (id) ON DELETE CASCADE,
	recipient TEXT NOT NULL,
	last_seen INTEGER NOT NULL,
	PRIMARY KEY (key_id, recipient)
) WITHOUT ROWID;
CREATE INDEX campaign_key_recipients_seen ON campaign_key_recipients (key_id, last_seen);

CREATE TABLE campaign_key_senders (
	key_id    INTEGER NOT NULL REFERENCES campaign_keys (id) ON DELETE CASCADE,
	sender    TEXT NOT NULL,
	last_seen INTEGER NOT NULL,
	new_seen  INTEGER NOT NULL,
	PRIMARY KEY (key_id, sender)
) WITHOUT ROWID;
CREATE INDEX campaign_key_senders_seen ON campaign_key_senders (key_id, last_seen, new_seen);

CREATE TABLE campaigns (
	id         INTEGER PRIMARY KEY,
	kind       TEXT NOT NULL,
	value      TEXT NOT NULL,
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	members    INTEGER NOT NULL
);
CREATE INDEX campaigns_key ON campaigns (kind, value, last_seen);
CREATE INDEX campaigns_last_seen ON campaigns (last_seen);

CREATE TABLE campaign_members (
	campaign INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
	message  INTEGER NOT NULL REFERENCES campaign_messages (id),
	PRIMARY KEY (campaign, message)
) WITHOUT ROWID;
CREATE INDEX campaign_members_message ON campaign_members (message);
`
