package milter

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast/holdfast/internal/duration"
)

// Defaults for Config. A zero value in Config selects the default.
const (
	// DefaultListen is the loopback port OpenDKIM-style milters commonly
	// use, so nothing outside the host can reach the milter by default.
	DefaultListen = "inet:127.0.0.1:8891"

	// DefaultSocketMode lets the owner and group (the MTA's group, for
	// example postfix) connect, and no other user.
	DefaultSocketMode = "0660"

	// DefaultMaxMessageBytes is Postfix's default message_size_limit
	// (10240000 bytes): a message the MTA accepts by default is never
	// truncated.
	DefaultMaxMessageBytes = 10240000

	// DefaultSpoolMemoryBytes keeps typical mail (well under 1 MiB) in
	// memory. Arbitrary: chosen so that 100 concurrent sessions hold at
	// most about 100 MiB of message data on the heap.
	DefaultSpoolMemoryBytes = 1 << 20

	// DefaultJudgeTimeout leaves a wide margin under the MTA's own wait at
	// end of message (Postfix milter_content_timeout defaults to 300 s), so
	// our fail mode decides the reply, not the MTA's timeout.
	DefaultJudgeTimeout = 60 * time.Second

	// DefaultDrainTimeout is longer than DefaultJudgeTimeout, so a message
	// being judged at shutdown still gets its verdict, and shorter than
	// systemd's default TimeoutStopSec (90 s), so we close sessions
	// ourselves before being killed.
	DefaultDrainTimeout = 75 * time.Second

	// DefaultIdleTimeout is twice Postfix's default smtpd_timeout (300 s),
	// the longest the MTA waits on its SMTP client between two milter
	// packets. A peer silent for longer is gone.
	DefaultIdleTimeout = 600 * time.Second

	// DefaultFailMode replies with a temporary error when a message cannot
	// be judged, so the sender retries and no mail is lost or delivered
	// unscanned.
	DefaultFailMode = FailTempFail

	// DefaultMaxHeaders is arbitrary: real messages carry 20 to 100 fields
	// and Postfix's hopcount_limit (50) bounds the Received chain, so 1000
	// leaves ample room while bounding the field list.
	DefaultMaxHeaders = 1000

	// DefaultMaxHeaderBytes is ten times Postfix's header_size_limit
	// (102400 bytes for one logical header line). Arbitrary beyond that.
	DefaultMaxHeaderBytes = 1024000

	// DefaultMaxMacros is arbitrary: Postfix sends about 40 distinct
	// macros even with every macro list extended.
	DefaultMaxMacros = 256

	// DefaultMaxRecipients is Postfix's default smtpd_recipient_limit.
	DefaultMaxRecipients = 1000
)

// Fail modes: the reply sent to the MTA when a message cannot be judged.
const (
	FailTempFail = "tempfail"
	FailAccept   = "accept"
)

// Duration is a config time span: Go syntax ("90s", "36h") or whole days
// ("30d").
type Duration = duration.Duration

// Config is the [milter] section of the configuration. A zero value in any
// field selects the default named in its comment.
type Config struct {
	// Listen is the address the MTA connects to: "inet:HOST:PORT" (HOST may be an
	// IPv6 address in brackets) or "unix:/absolute/path".
	// Default DefaultListen.
	Listen string `toml:"listen"`

	// SocketMode is the octal permission set on a unix socket, for example
	// "0660". Ignored for inet. Default DefaultSocketMode.
	SocketMode string `toml:"socket_mode"`

	// MaxMessageBytes caps Message.Raw (headers, blank line and body).
	// Past it the rest of the message is read and discarded, so the
	// session stays in step with the MTA, and Message.Truncated is set.
	// Default DefaultMaxMessageBytes.
	MaxMessageBytes int64 `toml:"max_message_bytes"`

	// SpoolMemoryBytes is how much of a message is kept on the heap. A
	// larger message is written to a temporary file in SpoolDir and
	// mapped into memory read-only for the Handler. Default
	// DefaultSpoolMemoryBytes.
	SpoolMemoryBytes int64 `toml:"spool_memory_bytes"`

	// SpoolDir holds the temporary files of spilled messages, which are
	// deleted once the Handler returns. Default os.TempDir().
	SpoolDir string `toml:"spool_dir"`

	// JudgeTimeout is the deadline of the context passed to Handler.Judge.
	// When it passes, the MTA gets the fail mode. Default
	// DefaultJudgeTimeout.
	JudgeTimeout Duration `toml:"judge_timeout"`

	// FailMode is the reply when Judge fails, panics or times out:
	// "tempfail" (4xx, the sender retries) or "accept" (deliver
	// unscanned). Default DefaultFailMode.
	FailMode string `toml:"fail_mode"`

	// DrainTimeout bounds Shutdown: sessions still open after it are
	// closed, and the MTA applies its milter_default_action to them.
	// Default DefaultDrainTimeout.
	DrainTimeout Duration `toml:"drain_timeout"`

	// IdleTimeout closes a session whose MTA sends nothing for this long.
	// Default DefaultIdleTimeout.
	IdleTimeout Duration `toml:"idle_timeout"`

	// MaxHeaders caps the number of fields in Message.Headers. Fields past
	// it still reach Message.Raw. Default DefaultMaxHeaders.
	MaxHeaders int `toml:"max_headers"`

	// MaxHeaderBytes caps the bytes of names and values kept in
	// Message.Headers. Fields past it still reach Message.Raw. Default
	// DefaultMaxHeaderBytes.
	MaxHeaderBytes int64 `toml:"max_header_bytes"`

	// MaxMacros caps the distinct macros kept per message. Later new
	// names are dropped. Default DefaultMaxMacros.
	MaxMacros int `toml:"max_macros"`

	// OwnHeaders names the fields the Handler adds, such as a verdict
	// header. Every received field of these names is counted whatever
	// the header caps and deleted before the reply, so a sender cannot
	// forge them. Set by the program, not the config file.
	OwnHeaders []string `toml:"-"`

	// MaxRecipients caps Message.Rcpts. Later recipients are counted but
	// not kept. Default DefaultMaxRecipients.
	MaxRecipients int `toml:"max_recipients"`
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.SocketMode == "" {
		c.SocketMode = DefaultSocketMode
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.SpoolMemoryBytes == 0 {
		c.SpoolMemoryBytes = DefaultSpoolMemoryBytes
	}
	if c.SpoolDir == "" {
		c.SpoolDir = os.TempDir()
	}
	if c.JudgeTimeout == 0 {
		c.JudgeTimeout = Duration(DefaultJudgeTimeout)
	}
	if c.FailMode == "" {
		c.FailMode = DefaultFailMode
	}
	if c.DrainTimeout == 0 {
		c.DrainTimeout = Duration(DefaultDrainTimeout)
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = Duration(DefaultIdleTimeout)
	}
	if c.MaxHeaders == 0 {
		c.MaxHeaders = DefaultMaxHeaders
	}
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.MaxMacros == 0 {
		c.MaxMacros = DefaultMaxMacros
	}
	if c.MaxRecipients == 0 {
		c.MaxRecipients = DefaultMaxRecipients
	}
	return c
}

// Validate checks c after WithDefaults and returns every problem found,
// each naming the config key, the value and what is valid.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("milter: "+format, args...))
	}

	if _, _, err := parseListen(c.Listen); err != nil {
		errs = append(errs, err)
	}
	if _, err := parseSocketMode(c.SocketMode); err != nil {
		errs = append(errs, err)
	}
	if c.FailMode != FailTempFail && c.FailMode != FailAccept {
		add("fail_mode %q is invalid: use %q or %q", c.FailMode, FailTempFail, FailAccept)
	}

	sizes := []struct {
		key   string
		value int64
	}{
		{"max_message_bytes", c.MaxMessageBytes},
		{"spool_memory_bytes", c.SpoolMemoryBytes},
		{"max_header_bytes", c.MaxHeaderBytes},
		{"max_headers", int64(c.MaxHeaders)},
		{"max_macros", int64(c.MaxMacros)},
		{"max_recipients", int64(c.MaxRecipients)},
	}
	for _, s := range sizes {
		if s.value < 0 {
			add("%s %d is invalid: use a positive number, or 0 for the default", s.key, s.value)
		}
	}

	durations := []struct {
		key   string
		value Duration
	}{
		{"judge_timeout", c.JudgeTimeout},
		{"drain_timeout", c.DrainTimeout},
		{"idle_timeout", c.IdleTimeout},
	}
	for _, d := range durations {
		if d.value < 0 {
			add("%s %s is invalid: use a positive duration such as \"30s\", or omit it for the default",
				d.key, time.Duration(d.value))
		}
	}

	if fi, err := os.Stat(c.SpoolDir); err != nil {
		add("spool_dir %q: %w", c.SpoolDir, err)
	} else if !fi.IsDir() {
		add("spool_dir %q is not a directory", c.SpoolDir)
	}
	return errors.Join(errs...)
}

// LogValue lists the effective settings, for the startup log line.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("listen", c.Listen),
		slog.String("socket_mode", c.SocketMode),
		slog.Int64("max_message_bytes", c.MaxMessageBytes),
		slog.Int64("spool_memory_bytes", c.SpoolMemoryBytes),
		slog.String("spool_dir", c.SpoolDir),
		slog.Duration("judge_timeout", time.Duration(c.JudgeTimeout)),
		slog.String("fail_mode", c.FailMode),
		slog.Duration("drain_timeout", time.Duration(c.DrainTimeout)),
		slog.Duration("idle_timeout", time.Duration(c.IdleTimeout)),
		slog.Int("max_headers", c.MaxHeaders),
		slog.Int64("max_header_bytes", c.MaxHeaderBytes),
		slog.Int("max_macros", c.MaxMacros),
		slog.Int("max_recipients", c.MaxRecipients),
	)
}

// parseListen splits a listen address into a net.Listen network and
// address.
func parseListen(listen string) (network, address string, err error) {
	kind, rest, ok := strings.Cut(listen, ":")
	switch {
	case ok && kind == "unix" && strings.HasPrefix(rest, "/"):
		return "unix", rest, nil
	case ok && kind == "inet":
		host, port, splitErr := net.SplitHostPort(rest)
		if splitErr != nil || host == "" {
			break
		}
		if n, convErr := strconv.Atoi(port); convErr != nil || n < 0 || n > 65535 {
			break
		}
		return "tcp", rest, nil
	}
	return "", "", fmt.Errorf(
		"milter: listen %q is invalid: use \"inet:HOST:PORT\" (for example %q) or \"unix:/absolute/path\"",
		listen, DefaultListen)
}

// parseSocketMode parses an octal permission string such as "0660".
func parseSocketMode(mode string) (os.FileMode, error) {
	v, err := strconv.ParseUint(mode, 8, 32)
	if err != nil || v > 0o777 {
		return 0, fmt.Errorf(
			"milter: socket_mode %q is invalid: use octal permissions from \"0000\" to \"0777\", for example %q",
			mode, DefaultSocketMode)
	}
	return os.FileMode(v), nil
}
