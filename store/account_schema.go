package store

// accountSchema holds the outbound baseline of each local account, next
// to account_origins (the origins of its accepted mail, kept by Learn).
// Times are Unix nanoseconds (UTC), days Unix day numbers.
//
// account_days counts an account's messages, recipients and first-contact
// recipients per UTC day. account_sends has one row per message within
// the burst window. account_logins records every login origin at the
// time a message was observed, held or not, with when it was first used.
const accountSchema = `
CREATE TABLE account_days (
	account       TEXT NOT NULL,
	day           INTEGER NOT NULL,
	messages      INTEGER NOT NULL,
	recipients    INTEGER NOT NULL,
	first_contact INTEGER NOT NULL,
	PRIMARY KEY (account, day)
) WITHOUT ROWID;
CREATE INDEX account_days_day ON account_days (day);

CREATE TABLE account_sends (
	id            INTEGER PRIMARY KEY,
	account       TEXT NOT NULL,
	at            INTEGER NOT NULL,
	recipients    INTEGER NOT NULL,
	first_contact INTEGER NOT NULL
);
CREATE INDEX account_sends_account_at ON account_sends (account, at);
CREATE INDEX account_sends_at ON account_sends (at);

CREATE TABLE account_logins (
	account    TEXT NOT NULL,
	country    TEXT NOT NULL,
	asn        TEXT NOT NULL,
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	messages   INTEGER NOT NULL,
	PRIMARY KEY (account, country, asn)
) WITHOUT ROWID;
CREATE INDEX account_logins_last_seen ON account_logins (last_seen);
`
