package web

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
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
	// remote address and user name in DefaultLoginFailureWindow.
	// Arbitrary: enough for a person who mistypes, far too few to guess a
	// 12-byte password.
	DefaultLoginMaxFailures = 5

	// DefaultLoginIPMaxFailures is the number of failed logins allowed
	// per remote address, whatever the user name, in
	// DefaultLoginFailureWindow. Behind a TLS proxy every member of staff
	// shares the proxy's address, so the ceiling must leave room for ten
	// people each reaching DefaultLoginMaxFailures. It still cuts a
	// password spray from one address to 50 guesses per window, 200 an
	// hour. Arbitrary beyond that.
	DefaultLoginIPMaxFailures = 50

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
	// make for one user name within LoginFailureWindow. Further attempts
	// for that name from that address get 429 without a password check
	// until the window passes; other names and addresses still log in.
	// Default DefaultLoginMaxFailures.
	LoginMaxFailures int `toml:"login_max_failures"`

	// LoginIPMaxFailures is how many failed logins one remote address may
	// make for all user names together within LoginFailureWindow. Past
	// it, every login from the address gets 429 until the window passes.
	// It must not be below LoginMaxFailures. Default
	// DefaultLoginIPMaxFailures.
	LoginIPMaxFailures int `toml:"login_ip_max_failures"`

	// LoginFailureWindow is how long a failed login counts. Default
	// DefaultLoginFailureWindow.
	LoginFailureWindow time.Duration `toml:"login_failure_window"`

	// TrustedProxies lists the addresses or CIDR prefixes of TLS proxies
	// in front of the review pages. On a connection from one of them,
	// the last entry of the last X-Forwarded-For header, the address the
	// proxy itself saw, is taken as the client address for the login
	// limits, the log and the audit trail. Earlier entries are written
	// by the client and ignored, so only one proxy hop is supported. On
	// other connections the header is ignored. Default: none, and the
	// TCP peer is always the client.
	TrustedProxies []string `toml:"trusted_proxies"`
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
	if c.LoginIPMaxFailures == 0 {
		c.LoginIPMaxFailures = max(DefaultLoginIPMaxFailures, c.LoginMaxFailures)
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
	if c.LoginIPMaxFailures < c.LoginMaxFailures {
		add("login_ip_max_failures %d is invalid: use at least login_max_failures (%d)",
			c.LoginIPMaxFailures, c.LoginMaxFailures)
	}
	if _, err := parsePrefixes(c.TrustedProxies); err != nil {
		add("trusted_proxies: %v", err)
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

// parsePrefixes parses addresses ("192.0.2.1") and CIDR prefixes
// ("192.0.2.0/24") into prefixes.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, item := range list {
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("%q is invalid: use an address or a CIDR prefix such as \"127.0.0.1/32\"", item)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
