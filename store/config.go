package store

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/holdfast/holdfast/internal/duration"
)

// Drivers accepted in Config.Driver.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Defaults for Config. A zero value in Config selects the default.
const (
	// DefaultDriver keeps one node self-contained: an embedded database
	// file and no server to run.
	DefaultDriver = DriverSQLite

	// DefaultDSN is a file name relative to the working directory of the
	// holdfast process. Set an absolute path in production.
	DefaultDSN = "holdfast.db"

	// DefaultHistoryRetention is 400 days: longer than a year, so a
	// correspondent who writes once a year (an annual invoice, a yearly
	// audit) is still known when the next message arrives, with a month
	// of slack for late senders.
	DefaultHistoryRetention = 400 * 24 * time.Hour

	// DefaultMaxKeys bounds each key table (addresses, domains, link
	// domains, account origins). Arbitrary: chosen so that a full address
	// table stays near 250 MB, at the 249 bytes per sender (address,
	// display name, a share of a domain and its origin, with indexes)
	// measured in the benchmark file, while a million correspondents is
	// far more than a large organisation meets in a retention period.
	DefaultMaxKeys = 1_000_000

	// DefaultMaxDisplayNames is how many display names are kept per
	// address, most recent first. Arbitrary: a person uses one or two
	// forms of their name; eight leaves room for a shared mailbox while
	// keeping the lookup result small.
	DefaultMaxDisplayNames = 8

	// DefaultMaxOrigins is how many login origins (country and ASN) are
	// kept per sender domain or local account, most recent first.
	// Arbitrary: a travelling user or a small provider stays well under
	// it, while a large provider's domain cannot make every lookup return
	// thousands of rows.
	DefaultMaxOrigins = 64

	// DefaultBusyTimeout is how long a statement waits for a lock held by
	// another connection or process (for example "holdfast learn"
	// importing mail while the milter runs). It is longer than one Prune
	// batch takes and far shorter than the milter's judge timeout.
	DefaultBusyTimeout = 5 * time.Second
)

// MaxKeyBytes is the longest address, domain or account Learn stores: a
// 64-byte local part, "@" and a 255-byte domain (RFC 5321 §4.5.3.1).
// No valid address or domain is longer.
const MaxKeyBytes = 320

// MaxDisplayNameBytes is the longest display name Learn stores; a longer
// one is cut at a UTF-8 boundary. Arbitrary: chosen so that a hostile
// header cannot fill the table, while real names fit whole.
const MaxDisplayNameBytes = 256

// Duration is a config time span: Go syntax ("90s", "36h") or whole days
// ("30d").
type Duration = duration.Duration

// Config is the [store] section of the configuration. A zero value in any
// field selects the default named in its comment.
type Config struct {
	// Driver is "sqlite" or "postgres". PostgreSQL is accepted by the
	// config parser but Open rejects it until it is implemented.
	// Default DefaultDriver.
	Driver string `toml:"driver"`

	// DSN is the SQLite database file path, created when missing. A
	// relative path is relative to the working directory of the holdfast
	// process. It must not carry "file:" URI parameters, because Open
	// sets its own. Default DefaultDSN.
	DSN string `toml:"dsn"`

	// HistoryRetention drops a key (address, domain, link domain, origin)
	// not seen for this long when Prune runs. Written as "400d" or "9600h".
	// Default DefaultHistoryRetention.
	HistoryRetention Duration `toml:"history_retention"`

	// MaxKeys bounds the rows of each key table. When Prune finds more,
	// it drops the least recently seen keys, and Overview.Since moves
	// forward so novelty claims stay true. Default DefaultMaxKeys.
	MaxKeys int64 `toml:"max_keys"`

	// MaxDisplayNames bounds the display names kept per address; Learn
	// drops the least recently seen beyond it. Default
	// DefaultMaxDisplayNames.
	MaxDisplayNames int `toml:"max_display_names"`

	// MaxOrigins bounds the login origins kept per sender domain or local
	// account; Learn drops the least recently seen beyond it. Default
	// DefaultMaxOrigins.
	MaxOrigins int `toml:"max_origins"`

	// BusyTimeout is how long a statement waits for a database lock
	// before failing with SQLITE_BUSY. Default DefaultBusyTimeout.
	BusyTimeout Duration `toml:"busy_timeout"`
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Driver == "" {
		c.Driver = DefaultDriver
	}
	if c.DSN == "" && c.Driver == DriverSQLite {
		c.DSN = DefaultDSN
	}
	if c.HistoryRetention == 0 {
		c.HistoryRetention = Duration(DefaultHistoryRetention)
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = DefaultMaxKeys
	}
	if c.MaxDisplayNames == 0 {
		c.MaxDisplayNames = DefaultMaxDisplayNames
	}
	if c.MaxOrigins == 0 {
		c.MaxOrigins = DefaultMaxOrigins
	}
	if c.BusyTimeout == 0 {
		c.BusyTimeout = Duration(DefaultBusyTimeout)
	}
	return c
}

// Validate checks c after WithDefaults and returns every problem found,
// each naming the config key, the value and what is valid.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("store: "+format, args...))
	}

	switch c.Driver {
	case DriverSQLite:
		if strings.HasPrefix(c.DSN, "file:") || strings.Contains(c.DSN, "?") {
			add("dsn %q is invalid: use a plain file path, without \"file:\" or \"?\" parameters", c.DSN)
		}
	case DriverPostgres:
		if c.DSN == "" {
			add("dsn is missing: driver %q needs a connection string", c.Driver)
		}
	default:
		add("driver %q is invalid: use %q or %q", c.Driver, DriverSQLite, DriverPostgres)
	}

	counts := []struct {
		key   string
		value int64
	}{
		{"max_keys", c.MaxKeys},
		{"max_display_names", int64(c.MaxDisplayNames)},
		{"max_origins", int64(c.MaxOrigins)},
	}
	for _, n := range counts {
		if n.value < 0 {
			add("%s %d is invalid: use a positive number, or 0 for the default", n.key, n.value)
		}
	}

	durations := []struct {
		key   string
		value Duration
	}{
		{"history_retention", c.HistoryRetention},
		{"busy_timeout", c.BusyTimeout},
	}
	for _, d := range durations {
		if d.value < 0 {
			add("%s %s is invalid: use a positive duration such as \"400d\" or \"5s\", "+
				"or omit it for the default", d.key, time.Duration(d.value))
		}
	}
	return errors.Join(errs...)
}

// LogValue lists the effective settings for the startup log line. A
// PostgreSQL DSN may carry a password, so only the SQLite path is shown.
func (c Config) LogValue() slog.Value {
	dsn := c.DSN
	if c.Driver != DriverSQLite && dsn != "" {
		dsn = "(masked)"
	}
	return slog.GroupValue(
		slog.String("driver", c.Driver),
		slog.String("dsn", dsn),
		slog.Duration("history_retention", time.Duration(c.HistoryRetention)),
		slog.Int64("max_keys", c.MaxKeys),
		slog.Int("max_display_names", c.MaxDisplayNames),
		slog.Int("max_origins", c.MaxOrigins),
		slog.Duration("busy_timeout", time.Duration(c.BusyTimeout)),
	)
}
