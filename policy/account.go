package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/store"
)

// Account watching looks for a compromised local account: a login from a
// country, network or hosting provider the account never used, followed
// by mail to many people nobody in the organisation ever wrote to. It is
// configured by the [account] section (AccountConfig) and keeps each
// account's baseline in an AccountStore.

// Defaults of AccountConfig. A zero value selects the default.
const (
	// DefaultBurstWindow is how far back a burst is counted: an hour
	// catches a scripted mass mailing while it runs.
	DefaultBurstWindow = time.Hour

	// DefaultBurstMinRecipients is the fewest first-contact recipients
	// within the window that make a burst. Arbitrary: chosen so that a
	// person answering a few new contacts never counts, and so that the
	// first messages of a mass mailing pass while the rest does not.
	DefaultBurstMinRecipients = 10

	// DefaultBurstFactor is how many times the account's median daily
	// count of first-contact recipients the window must reach. Comparing
	// one hour with a whole day is already lenient, so an account that
	// often writes to new people (sales, recruiting) needs a clear jump.
	DefaultBurstFactor = 4.0

	// DefaultBaselineDays is how many days of mail form the baseline: four
	// weeks cover weekly rhythms and a short holiday.
	DefaultBaselineDays = 28

	// DefaultNewOriginPeriod is how long a login origin stays new after
	// the account first used it. The first messages from an attacker's
	// login may be accepted and learnt, so the origin would otherwise be
	// familiar by the second message.
	DefaultNewOriginPeriod = 72 * time.Hour
)

// networkOnlyScale scales ACCOUNT_LOGIN_NEW_COUNTRY when only the
// network is new: a new provider in a familiar country is common (mobile
// data, a hotel), so it counts for less.
const networkOnlyScale = 0.4

// AccountConfig is the [account] section.
type AccountConfig struct {
	// BurstWindow is how far back a burst is counted, as "1h". Default
	// DefaultBurstWindow.
	BurstWindow store.Duration `toml:"burst_window"`
	// BurstMinRecipients is the fewest first-contact recipients within
	// the window that make a burst. Default DefaultBurstMinRecipients.
	BurstMinRecipients int `toml:"burst_min_recipients"`
	// BurstFactor is how many times the account's median daily count of
	// first-contact recipients the window must also reach. Default
	// DefaultBurstFactor.
	BurstFactor float64 `toml:"burst_factor"`
	// BaselineDays is how many days before today form the baseline.
	// Default DefaultBaselineDays.
	BaselineDays int `toml:"baseline_days"`
	// NewOriginPeriod is how long a login origin stays new after its
	// first message. Default DefaultNewOriginPeriod.
	NewOriginPeriod store.Duration `toml:"new_origin_period"`
}

// Validate fills defaults and checks values, naming the key at fault.
func (c *AccountConfig) Validate() error {
	if c.BurstWindow == 0 {
		c.BurstWindow = store.Duration(DefaultBurstWindow)
	}
	if c.BurstMinRecipients == 0 {
		c.BurstMinRecipients = DefaultBurstMinRecipients
	}
	if c.BurstFactor == 0 {
		c.BurstFactor = DefaultBurstFactor
	}
	if c.BaselineDays == 0 {
		c.BaselineDays = DefaultBaselineDays
	}
	if c.NewOriginPeriod == 0 {
		c.NewOriginPeriod = store.Duration(DefaultNewOriginPeriod)
	}
	switch {
	case c.BurstWindow < 0 || c.NewOriginPeriod < 0:
		return fmt.Errorf("policy: account burst_window %s and new_origin_period %s must be positive durations such as \"1h\"",
			time.Duration(c.BurstWindow), time.Duration(c.NewOriginPeriod))
	case c.BurstMinRecipients < 0 || c.BaselineDays < 0 || c.BurstFactor < 0:
		return fmt.Errorf("policy: account burst_min_recipients, burst_factor and baseline_days must be positive, or 0 for the default")
	}
	return nil
}

// Limits returns the bounds for store.PruneAccounts.
func (c AccountConfig) Limits() store.AccountLimits {
	return store.AccountLimits{BurstWindow: time.Duration(c.BurstWindow), BaselineDays: c.BaselineDays}
}

// AccountStore keeps the accounts' baselines. *store.Store implements it.
type AccountStore interface {
	// ObserveAccount records an outbound message and returns the
	// account's baseline and recent activity.
	ObserveAccount(ctx context.Context, obs store.AccountObservation) (store.AccountActivity, error)
}

// AccountInput is the part of one outbound message submitted with a SASL
// login that account watching reads.
type AccountInput struct {
	// Time is when the message arrived; zero means now.
	Time time.Time
	// Account is the SASL login.
	Account string
	// Recipients lists the envelope recipients. Those at LocalDomains
	// are internal and never first contacts.
	Recipients   []string
	LocalDomains []string
	// LoginIP, LoginCountry and LoginASN describe where the account's
	// client logged in from; "" when unknown.
	LoginIP      string
	LoginCountry string
	LoginASN     string
	// LoginHosting is the reason the login network counts as a hosting,
	// VPS or VPN network (sender.Place.Hosting), "" when it does not.
	LoginHosting string
	// Report is the scanner's report, for the content a burst makes
	// risky; nil means no content was scanned.
	Report *scanner.Report
	// KnownLinkDomains lists the registrable link domains found in the
	// history. Nil means unknown, so links are not judged; an empty
	// non-nil map means none is known.
	KnownLinkDomains map[string]bool
	// Raised lists the signals already raised for the message by the
	// sender checks; an account signal they cover is not raised twice.
	Raised []Signal
}

// AccountResult is the outcome of Accounts.Observe for one message.
type AccountResult struct {
	// Signals lists the account signals; append them to Input.Sender
	// before Decide.
	Signals []Signal
	// Activity is the account's baseline and recent activity.
	Activity store.AccountActivity
}

// Accounts watches local accounts' outbound mail. It is safe for
// concurrent use when its store is.
type Accounts struct {
	cfg   AccountConfig
	store AccountStore
}

// NewAccounts validates cfg and returns a watcher using st.
func NewAccounts(cfg AccountConfig, st AccountStore) (*Accounts, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Accounts{cfg: cfg, store: st}, nil
}

// Config returns the effective configuration, defaults filled.
func (a *Accounts) Config() AccountConfig { return a.cfg }

// Observe records an outbound message of a local account and raises the
// account signals. Call it for every message submitted with a SASL login,
// before Decide; held messages count too, so a burst stays visible while
// it is being held. On error the result is empty: the caller logs the
// error and judges the message without account signals.
func (a *Accounts) Observe(ctx context.Context, in AccountInput) (AccountResult, error) {
	if in.Time.IsZero() {
		in.Time = time.Now()
	}
	var external []string
	for _, r := range in.Recipients {
		if at := strings.LastIndexByte(r, '@'); at < 0 || !isLocalDomain(registrable(r[at+1:]), in.LocalDomains) {
			external = append(external, r)
		}
	}
	act, err := a.store.ObserveAccount(ctx, store.AccountObservation{
		Time: in.Time, Account: in.Account, Recipients: external,
		Country: in.LoginCountry, ASN: in.LoginASN,
		BurstWindow: time.Duration(a.cfg.BurstWindow), BaselineDays: a.cfg.BaselineDays,
	})
	if err != nil {
		return AccountResult{}, fmt.Errorf("policy: account: %w", err)
	}

	res := AccountResult{Activity: act}
	res.Signals = append(res.Signals, a.loginSignals(in, act)...)
	res.Signals = append(res.Signals, a.burstSignals(in, act)...)
	return res, nil
}

// raised reports whether the sender checks raised a signal of that name.
func raised(signals []Signal, name string) bool {
	return slices.ContainsFunc(signals, func(s Signal) bool { return s.Name == name })
}
