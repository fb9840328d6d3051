package dnsclient

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/holdfast/holdfast/internal/duration"

	"github.com/miekg/dns"
)

// Defaults of the [dns] section.
const (
	// DefaultTimeout bounds one query to one server. Two seconds is far
	// above a healthy recursive resolver's answer time and short enough
	// that a dead server costs little of the message's budget.
	DefaultTimeout = 2 * time.Second
	// DefaultMessageTimeout bounds all lookups made for one message. SPF
	// alone may need 10 DNS-querying terms (RFC 7208 §4.6.4), DKIM one key
	// per signature and DMARC up to two records; 10 seconds lets them run
	// on a slow resolver and stays well inside the milter's judge timeout.
	DefaultMessageTimeout = 10 * time.Second
	// DefaultMaxQueries caps the queries sent for one message. Arbitrary:
	// chosen so that SPF's 10 lookups, each expanding MX into up to 10
	// address lookups (RFC 7208 §4.6.4), plus DKIM and DMARC fit.
	DefaultMaxQueries = 150
	// DefaultResolvConf is where the default servers are read from.
	DefaultResolvConf = "/etc/resolv.conf"
)

// Duration is a config time span: Go syntax ("90s", "36h") or whole days
// ("30d").
type Duration = duration.Duration

// Config is the [dns] section: the servers holdfast asks and how long it
// waits for them.
type Config struct {
	// Servers lists the recursive resolvers to query, as "IP:port", in
	// order of preference; IPv6 addresses go in brackets. Default: the
	// nameserver lines of /etc/resolv.conf, port 53, read once by
	// Validate. holdfast sends queries to no other address.
	Servers []string `toml:"servers"`
	// Timeout bounds one query to one server. Default DefaultTimeout.
	Timeout Duration `toml:"timeout"`
	// MessageTimeout bounds all lookups made for one message; lookups
	// past it fail as timeouts (SPF temperror, DKIM temperror). Default
	// DefaultMessageTimeout.
	MessageTimeout Duration `toml:"message_timeout"`
	// MaxQueries caps the queries sent for one message; lookups past it
	// fail as temporary errors. Default DefaultMaxQueries.
	MaxQueries int `toml:"max_queries"`
}

// Validate fills defaults and checks values, naming the key at fault. With
// no servers configured it reads DefaultResolvConf.
func (c *Config) Validate() error {
	return c.validate(DefaultResolvConf)
}

func (c *Config) validate(resolvConf string) error {
	if len(c.Servers) == 0 {
		servers, err := ServersFromFile(resolvConf)
		if err != nil {
			return fmt.Errorf("dns: servers is empty and %w", err)
		}
		c.Servers = servers
	}
	for _, s := range c.Servers {
		if _, err := netip.ParseAddrPort(s); err != nil {
			return fmt.Errorf("dns: servers: %q is invalid: use IP:port, such as \"127.0.0.1:53\" or \"[::1]:53\"", s)
		}
	}
	if c.Timeout < 0 {
		return fmt.Errorf("dns: timeout %s is negative", time.Duration(c.Timeout))
	}
	if c.Timeout == 0 {
		c.Timeout = Duration(DefaultTimeout)
	}
	if c.MessageTimeout < 0 {
		return fmt.Errorf("dns: message_timeout %s is negative", time.Duration(c.MessageTimeout))
	}
	if c.MessageTimeout == 0 {
		c.MessageTimeout = Duration(DefaultMessageTimeout)
	}
	if c.MaxQueries < 0 {
		return fmt.Errorf("dns: max_queries %d is negative", c.MaxQueries)
	}
	if c.MaxQueries == 0 {
		c.MaxQueries = DefaultMaxQueries
	}
	return nil
}

// ServersFromFile returns the nameservers of a resolv.conf file as
// "IP:port" strings.
func ServersFromFile(path string) ([]string, error) {
	cc, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s failed: %w", path, err)
	}
	var servers []string
	for _, s := range cc.Servers {
		addr, err := netip.ParseAddr(s)
		if err != nil {
			continue
		}
		servers = append(servers, netip.AddrPortFrom(addr, 53).String())
	}
	if len(servers) == 0 {
		return nil, fmt.Errorf("%s lists no nameserver", path)
	}
	return servers, nil
}
