package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/holdfast/holdfast/milter"
	"github.com/holdfast/holdfast/policy"
	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/scanner/mimetree"
	"github.com/holdfast/holdfast/sender"
	"github.com/holdfast/holdfast/sender/dnsclient"
	"github.com/holdfast/holdfast/sender/geo"
	"github.com/holdfast/holdfast/store"
	"github.com/holdfast/holdfast/web"
)

// Config is the whole configuration file. Each section's type documents its
// keys; a zero value selects the default named there. Unknown keys are
// errors.
type Config struct {
	Milter  milter.Config    `toml:"milter"`
	Org     OrgConfig        `toml:"org"`
	Scanner ScannerConfig    `toml:"scanner"`
	Policy  policy.Config    `toml:"policy"`
	Sender  sender.Config    `toml:"sender"`
	DNS     dnsclient.Config `toml:"dns"`
	Geo     geo.Config       `toml:"geo"`
	Store   store.Config     `toml:"store"`
	// Quarantine is the [quarantine] section: release method, retention.
	Quarantine quarantine.Config `toml:"quarantine"`
	Web        web.Config        `toml:"web"`
	// Campaign is the [campaign] section: the window and thresholds of
	// campaign detection.
	Campaign policy.CampaignConfig `toml:"campaign"`
	// Account is the [account] section: the baselines and burst
	// thresholds of outbound account watching.
	Account policy.AccountConfig `toml:"account"`
	Metrics MetricsConfig        `toml:"metrics"`
	Log     LogConfig            `toml:"log"`
}

// OrgConfig is the [org] section: who the organisation is.
type OrgConfig struct {
	// LocalDomains lists the organisation's own mail domains. Mail from
	// them submitted with a SASL login is outbound; mail to them is
	// inbound. Default: none.
	LocalDomains []string `toml:"local_domains"`
}

// ScannerConfig is the [scanner] section: the bounds of one message's scan.
type ScannerConfig struct {
	// MaxDepth caps MIME nesting (multipart and message/rfc822). Default 30.
	MaxDepth int `toml:"max_depth"`
	// MaxParts caps the MIME parts walked per message. Default 1000.
	MaxParts int `toml:"max_parts"`
	// MaxPartHeaderBytes caps one part's header block. Default 64 KiB.
	MaxPartHeaderBytes int `toml:"max_part_header_bytes"`
	// MaxDecodedBytes caps the decoded bytes of all parts of a message.
	// Default 64 MiB.
	MaxDecodedBytes int64 `toml:"max_decoded_bytes"`
	// ScanTimeout bounds the scan of one message; past it the scan stops
	// between parts and records SCAN_TIMEOUT. Default 20s, well inside
	// Postfix's milter_content_timeout of 300s.
	ScanTimeout milter.Duration `toml:"scan_timeout"`
}

// DefaultScanTimeout is ScannerConfig.ScanTimeout's default.
const DefaultScanTimeout = 20 * time.Second

// LogConfig is the [log] section.
type LogConfig struct {
	// Level is "debug", "info" (default), "warn" or "error".
	Level string `toml:"level"`
	// Format is "text" (default) or "json", written to standard error.
	Format string `toml:"format"`
}

// validate fills the defaults, so the effective configuration shows them,
// and rejects negative limits: the readers take a negative limit as
// "unlimited", which a config file must not be able to ask for.
func (s *ScannerConfig) validate() error {
	var errs []error
	check := func(key string, v int64) {
		if v < 0 {
			errs = append(errs, fmt.Errorf("scanner: %s = %d is invalid: use a positive value, or 0 for the default",
				key, v))
		}
	}
	check("max_depth", int64(s.MaxDepth))
	check("max_parts", int64(s.MaxParts))
	check("max_part_header_bytes", int64(s.MaxPartHeaderBytes))
	check("max_decoded_bytes", s.MaxDecodedBytes)
	check("scan_timeout", int64(s.ScanTimeout))
	if s.MaxDepth == 0 {
		s.MaxDepth = mimetree.DefaultMaxDepth
	}
	if s.MaxParts == 0 {
		s.MaxParts = mimetree.DefaultMaxParts
	}
	if s.MaxPartHeaderBytes == 0 {
		s.MaxPartHeaderBytes = mimetree.DefaultMaxPartHeaderBytes
	}
	if s.MaxDecodedBytes == 0 {
		s.MaxDecodedBytes = mimetree.DefaultMaxDecodedBytes
	}
	if s.ScanTimeout == 0 {
		s.ScanTimeout = milter.Duration(DefaultScanTimeout)
	}
	return errors.Join(errs...)
}

// limits converts the section to the scanner's limits.
func (s ScannerConfig) limits() scanner.Limits {
	return scanner.Limits{MIME: mimetree.Limits{
		MaxDepth:           s.MaxDepth,
		MaxParts:           s.MaxParts,
		MaxPartHeaderBytes: s.MaxPartHeaderBytes,
		MaxDecodedBytes:    s.MaxDecodedBytes,
	}}
}

func (s ScannerConfig) timeout() time.Duration {
	if s.ScanTimeout <= 0 {
		return DefaultScanTimeout
	}
	return time.Duration(s.ScanTimeout)
}

// loadConfig reads path, or returns the defaults when path is "". It fails
// on unknown keys, naming each.
func loadConfig(path string) (*Config, error) {
	cfg := &Config{}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		md, err := toml.Decode(string(data), cfg)
		if err != nil {
			return nil, fmt.Errorf("config: %s: %w", path, err)
		}
		if undecoded := md.Undecoded(); len(undecoded) > 0 {
			keys := make([]string, len(undecoded))
			for i, k := range undecoded {
				keys[i] = k.String()
			}
			return nil, fmt.Errorf("config: %s: unknown keys: %s", path, strings.Join(keys, ", "))
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// validate fills defaults and returns every problem found.
func (c *Config) validate() error {
	c.Milter = c.Milter.WithDefaults()
	c.Store = c.Store.WithDefaults()
	c.Quarantine = c.Quarantine.WithDefaults()
	c.Web = c.Web.WithDefaults()
	errs := []error{c.Milter.Validate(), c.Policy.Validate(), c.Sender.Validate(),
		c.DNS.Validate(), c.Geo.Validate(), c.Store.Validate()}
	errs = append(errs, c.Quarantine.Validate())
	errs = append(errs, c.Web.Validate(), c.Campaign.Validate(), c.Account.Validate())
	switch c.Log.Level {
	case "":
		c.Log.Level = "info"
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log: level %q is invalid: use debug, info, warn or error", c.Log.Level))
	}
	switch c.Log.Format {
	case "":
		c.Log.Format = "text"
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log: format %q is invalid: use text or json", c.Log.Format))
	}
	errs = append(errs, c.Scanner.validate())
	for i, d := range c.Org.LocalDomains {
		c.Org.LocalDomains[i] = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		if !domainName.MatchString(c.Org.LocalDomains[i]) {
			errs = append(errs, fmt.Errorf("org: local_domains: %q is not a domain name such as \"example.org\"", d))
		}
	}
	errs = append(errs, c.checkPaths()...)
	return errors.Join(errs...)
}

// domainName matches a lower-case DNS domain name with at least two labels.
var domainName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$`)

// checkPaths reports files and folders the config names that do not
// exist, so check-config finds them before serve fails at start.
func (c *Config) checkPaths() []error {
	var errs []error
	mustExist := func(key, path string) {
		if path == "" {
			return
		}
		if _, err := os.Stat(path); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q cannot be used: %v", key, path, err))
		}
	}
	mustExist("geo: country_db", c.Geo.CountryDB)
	mustExist("geo: asn_db", c.Geo.ASNDB)
	if c.Store.Driver == "" || c.Store.Driver == "sqlite" {
		mustExist("store: dsn: folder", filepath.Dir(c.Store.DSN))
	}
	if socket, ok := strings.CutPrefix(c.Milter.Listen, "unix:"); ok {
		mustExist("milter: listen: folder", filepath.Dir(socket))
	}
	return errs
}

// effective renders the configuration as TOML, for check-config and the
// start-up log. It holds no secrets yet; a secret key added later must be
// masked here.
func (c *Config) effective() string {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(c); err != nil {
		return fmt.Sprintf("config: cannot render: %v", err)
	}
	return b.String()
}

// newLogger builds the process logger from the [log] section.
func newLogger(c LogConfig) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
