package web

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// Defaults for Config. A zero value in Config selects the default.
const (
	// DefaultListen serves the review pages on loopback only, so a new
	// install exposes nothing. Reach it through an SSH tunnel or a TLS
	// proxy.
	DefaultListen = "127.0.0.1:8025"

	// DefaultSessionTimeout is a working day: a login lasts a shift, and a
	// stolen cookie stops working by the next morning.
	DefaultSessionTimeout = 8 * time.Hour

	// DefaultLoginMaxFailures is the number of failed logins allowed per
	// remote address in DefaultLoginFailureWindow. Arbitrary: enough for
	// a person who mistypes, far too few to guess a 12-byte password.
	DefaultLoginMaxFailures = 5

	// DefaultLoginFailureWindow is how long failed logins count against
	// an address.
	DefaultLoginFailureWindow = 15 * time.Minute
)

// Config is the [web] section of the configuration. A zero value in any
// field selects the default named in its comment.
type Config struct {
	// Listen is the TCP address of the review pages, "host:port". When
	// the key is absent it is DefaultListen. Set it to "" to turn the
	// review pages off.
	Listen *string `toml:"listen"`

	// SessionTimeout is how long a login lasts from the moment it was
	// made, written as "8h". Default DefaultSessionTimeout.
	SessionTimeout time.Duration `toml:"session_timeout"`

	// CookieSecure sets the Secure attribute of the session cookie, so
	// the browser sends it only over HTTPS. When the key is absent it is
	// true, unless Listen is a loopback address: then it is false, because
	// plain HTTP on loopback (an SSH tunnel, a test) is the way to reach it.
	// Set it to true behind a TLS proxy on loopback.
	CookieSecure *bool `toml:"cookie_secure"`

	// LoginMaxFailures is how many failed logins one remote address may
	// make within LoginFailureWindow. Further attempts get 429 without a
	// password check until the window passes. Default
	// DefaultLoginMaxFailures.
	LoginMaxFailures int `toml:"login_max_failures"`

	// LoginFailureWindow is how long a failed login counts. Default
	// DefaultLoginFailureWindow.
	LoginFailureWindow time.Duration `toml:"login_failure_window"`
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Listen == nil {
		listen := DefaultListen
		c.Listen = &listen
	}
	if c.SessionTimeout == 0 {
		c.SessionTimeout = DefaultSessionTimeout
	}
	if c.CookieSecure == nil {
		secure := !isLoopback(*c.Listen)
		c.CookieSecure = &secure
	}
	if c.LoginMaxFailures == 0 {
		c.LoginMaxFailures = DefaultLoginMaxFailures
	}
	if c.LoginFailureWindow == 0 {
		c.LoginFailureWindow = DefaultLoginFailureWindow
	}
	return c
}

// Enabled reports whether the review pages should be served.
func (c Config) Enabled() bool {
	return c.Addr() != ""
}

// Addr returns the listen address, "" when the review pages are off.
func (c Config) Addr() string {
	if c.Listen == nil {
		return DefaultListen
	}
	return *c.Listen
}

// Validate checks c after WithDefaults and returns every problem found,
// each naming the key, the value and what is valid.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("web: "+format, args...))
	}
	if addr := *c.Listen; addr != "" {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			add("listen %q is invalid: use host:port such as %q, or \"\" to turn the review pages off",
				addr, DefaultListen)
		}
	}
	if c.SessionTimeout < time.Minute {
		add("session_timeout %s is invalid: use at least 1m", c.SessionTimeout)
	}
	if c.LoginMaxFailures < 1 {
		add("login_max_failures %d is invalid: use a positive number", c.LoginMaxFailures)
	}
	if c.LoginFailureWindow < time.Second {
		add("login_failure_window %s is invalid: use at least 1s", c.LoginFailureWindow)
	}
	return errors.Join(errs...)
}

// isLoopback reports whether addr's host is a loopback IP or "localhost".
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
