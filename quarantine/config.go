package quarantine

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/holdfast/holdfast/internal/duration"
)

// Release methods accepted in Config.ReleaseMethod.
const (
	// MethodPostsuper releases and deletes the MTA's own held copy with
	// Postfix's postsuper and postqueue.
	MethodPostsuper = "postsuper"
	// MethodSMTP sends the stored copy to a relay that bypasses the
	// milter; the MTA's held copy is left alone.
	MethodSMTP = "smtp"
)

// Defaults for Config. A zero value in Config selects the default.
const (
	// DefaultReleaseMethod releases the copy Postfix holds, which carries
	// the headers the milter added and the MTA's own trace headers.
	DefaultReleaseMethod = MethodPostsuper

	// DefaultPostfixConfigDir is Debian's and Postfix's default
	// config_directory.
	DefaultPostfixConfigDir = "/etc/postfix"

	// DefaultPostsuperPath and DefaultPostqueuePath are where Debian's
	// postfix package installs the commands.
	DefaultPostsuperPath = "/usr/sbin/postsuper"
	DefaultPostqueuePath = "/usr/sbin/postqueue"

	// DefaultCommandTimeout bounds one postsuper or postqueue run, and
	// one SMTP re-injection. Arbitrary: each takes well under a second
	// on an idle host, and a staff member waits for the result.
	DefaultCommandTimeout = 30 * time.Second

	// DefaultSMTPHelo is the EHLO name used towards the release relay.
	DefaultSMTPHelo = "localhost"

	// DefaultRetention is 30 days: a message held over a holiday is still
	// there when its recipient returns and asks for it, and after a month
	// the sender has usually sent it again another way. Keeping held
	// phishing longer only keeps personal data longer.
	DefaultRetention = 30 * 24 * time.Hour

	// DefaultMaxBytes bounds the stored (compressed) messages at 5 GiB.
	// Arbitrary: chosen so that the quarantine cannot fill a typical
	// gateway's disk. At the retention above it allows about 170 MiB of
	// compressed held mail per day.
	DefaultMaxBytes = 5 << 30

	// DefaultRecordRetention is how long an entry's metadata and audit
	// trail outlive its message: 400 days, so an audit a year later can
	// still see who released what, with a month of slack.
	DefaultRecordRetention = 400 * 24 * time.Hour

	// DefaultPurgeInterval is how often serve runs Purge. An hour keeps
	// the overshoot past retention small and costs one indexed query.
	DefaultPurgeInterval = time.Hour
)

// Duration is a config time span: Go syntax ("90s", "36h") or whole days
// ("30d").
type Duration = duration.Duration

// Config is the [quarantine] section of the configuration. A zero value in
// any field selects the default named in its comment.
type Config struct {
	// ReleaseMethod is "postsuper" or "smtp". With "postsuper", holdfast
	// must run as root (postsuper refuses other users) or PostsuperPath
	// must name a wrapper that gains root. With "smtp" the MTA's own held
	// copy stays where the MTA keeps it. Default DefaultReleaseMethod.
	ReleaseMethod string `toml:"release_method"`

	// PostfixConfigDir is the Postfix instance's config directory, passed
	// to every command as -c. Default DefaultPostfixConfigDir.
	PostfixConfigDir string `toml:"postfix_config_dir"`

	// PostsuperPath and PostqueuePath are absolute paths of the commands.
	// They are run directly, never through a shell. Defaults
	// DefaultPostsuperPath and DefaultPostqueuePath.
	PostsuperPath string `toml:"postsuper_path"`
	PostqueuePath string `toml:"postqueue_path"`

	// CommandTimeout bounds one command run or one SMTP re-injection.
	// Default DefaultCommandTimeout.
	CommandTimeout Duration `toml:"command_timeout"`

	// SMTPRelay is the "HOST:PORT" a release with the smtp method sends
	// to, for example a Postfix listener with "-o smtpd_milters=". It is
	// required with that method. The connection is plain SMTP, so keep
	// the relay on loopback or a trusted network.
	SMTPRelay string `toml:"smtp_relay"`

	// SMTPHelo is the EHLO name sent to the relay. Default
	// DefaultSMTPHelo.
	SMTPHelo string `toml:"smtp_helo"`

	// Retention is how long a stored message is kept. When Purge finds an
	// older one, it deletes the MTA's held copy (postsuper method), drops
	// the stored message and marks a held entry deleted. Written as "30d"
	// or "720h". Default DefaultRetention.
	Retention Duration `toml:"retention"`

	// MaxBytes bounds the compressed messages stored. When Purge finds
	// more, it drops released and deleted messages first, then held ones,
	// oldest first, until the total fits. The database file does not
	// shrink: SQLite reuses the freed pages. Default DefaultMaxBytes.
	MaxBytes int64 `toml:"max_bytes"`

	// RecordRetention is how long an entry's metadata and audit trail
	// remain after it was received. Purge deletes them once their message
	// is gone and they are older. It must not be shorter than Retention.
	// Default DefaultRecordRetention.
	RecordRetention Duration `toml:"record_retention"`

	// PurgeInterval is how often serve runs Purge. Default
	// DefaultPurgeInterval.
	PurgeInterval Duration `toml:"purge_interval"`

	// NeverBlock lists domains that MarkPhish never puts on the
	// blocklist, with their subdomains, even when a marked message links
	// to them: shared hosting, document and login services that phishing
	// abuses but legitimate mail also uses. It is added to
	// DefaultNeverBlock. MarkSafe also skips these domains and teaches
	// only the sender address. Default: none.
	NeverBlock []string `toml:"never_block"`

	// NeverBlockDefaults merges DefaultNeverBlock, the freemail and
	// shared platform domains, into NeverBlock. Set it to false to use
	// only the configured list. Default true.
	NeverBlockDefaults *bool `toml:"never_block_defaults"`

	// LocalDomains are the organisation's own domains, set by the caller
	// from [org] local_domains rather than read from this section.
	// MarkPhish never blocks them.
	LocalDomains []string `toml:"-"`
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.ReleaseMethod == "" {
		c.ReleaseMethod = DefaultReleaseMethod
	}
	if c.PostfixConfigDir == "" {
		c.PostfixConfigDir = DefaultPostfixConfigDir
	}
	if c.PostsuperPath == "" {
		c.PostsuperPath = DefaultPostsuperPath
	}
	if c.PostqueuePath == "" {
		c.PostqueuePath = DefaultPostqueuePath
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = Duration(DefaultCommandTimeout)
	}
	if c.SMTPHelo == "" {
		c.SMTPHelo = DefaultSMTPHelo
	}
	if c.Retention == 0 {
		c.Retention = Duration(DefaultRetention)
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.RecordRetention == 0 {
		c.RecordRetention = Duration(DefaultRecordRetention)
	}
	if c.PurgeInterval == 0 {
		c.PurgeInterval = Duration(DefaultPurgeInterval)
	}
	if c.NeverBlockDefaults == nil {
		on := true
		c.NeverBlockDefaults = &on
	}
	return c
}

// Validate checks c after WithDefaults and returns every problem found,
// each naming the config key, the value and what is valid.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("quarantine: "+format, args...))
	}

	switch c.ReleaseMethod {
	case MethodPostsuper:
		paths := []struct{ key, value string }{
			{"postfix_config_dir", c.PostfixConfigDir},
			{"postsuper_path", c.PostsuperPath},
			{"postqueue_path", c.PostqueuePath},
		}
		for _, p := range paths {
			if !filepath.IsAbs(p.value) {
				add("%s %q is invalid: use an absolute path", p.key, p.value)
			}
		}
	case MethodSMTP:
		if c.SMTPRelay == "" {
			add("smtp_relay is missing: release_method %q needs a relay such as \"127.0.0.1:10025\"",
				MethodSMTP)
		}
	default:
		add("release_method %q is invalid: use %q or %q", c.ReleaseMethod, MethodPostsuper, MethodSMTP)
	}
	if strings.ContainsAny(c.SMTPHelo, " \r\n") {
		add("smtp_helo %q is invalid: use a host name", c.SMTPHelo)
	}
	if c.MaxBytes < 0 {
		add("max_bytes %d is invalid: use a positive number, or 0 for the default", c.MaxBytes)
	}

	durations := []struct {
		key   string
		value Duration
	}{
		{"command_timeout", c.CommandTimeout},
		{"retention", c.Retention},
		{"record_retention", c.RecordRetention},
		{"purge_interval", c.PurgeInterval},
	}
	for _, d := range durations {
		if d.value < 0 {
			add("%s %s is invalid: use a positive duration such as \"30d\" or \"1h\", "+
				"or omit it for the default", d.key, time.Duration(d.value))
		}
	}
	if c.RecordRetention < c.Retention {
		add("record_retention %s is shorter than retention %s: an entry's record must outlive its message",
			time.Duration(c.RecordRetention), time.Duration(c.Retention))
	}
	return errors.Join(errs...)
}

// LogValue lists the effective settings for the startup log line.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("release_method", c.ReleaseMethod),
		slog.String("postfix_config_dir", c.PostfixConfigDir),
		slog.String("smtp_relay", c.SMTPRelay),
		slog.Duration("retention", time.Duration(c.Retention)),
		slog.Int64("max_bytes", c.MaxBytes),
		slog.Duration("record_retention", time.Duration(c.RecordRetention)),
		slog.Duration("purge_interval", time.Duration(c.PurgeInterval)),
		slog.Any("never_block", c.NeverBlock),
		slog.Bool("never_block_defaults", c.NeverBlockDefaults == nil || *c.NeverBlockDefaults),
	)
}
