package sender

import (
	"fmt"
	"net/netip"
	"strings"
)

// Defaults of the [sender] section.
const (
	// DefaultHistoryFullDays and DefaultHistoryFullMessages set when the
	// history is mature enough for novelty signals to count in full.
	// Arbitrary: chosen so that a month of a small organisation's mail
	// has seen its regular correspondents at least once.
	DefaultHistoryFullDays     = 30
	DefaultHistoryFullMessages = 500
	// DefaultMaxDKIMSignatures caps the signatures verified per message.
	// Legitimate mail carries one to three (author, ESP, list); each
	// costs a DNS lookup and an RSA verification.
	DefaultMaxDKIMSignatures = 5
	// DefaultMaxReceived caps the Received fields examined per message.
	// Arbitrary: real paths have fewer than 15 hops, and RFC 5321 §6.3
	// suggests a loop limit of 100 hops.
	DefaultMaxReceived = 50
)

// Config is the [sender] section.
type Config struct {
	// AuthservIDs lists the authserv-ids (RFC 8601) of hosts whose
	// Authentication-Results and Received-SPF fields holdfast believes,
	// such as the organisation's edge MX when holdfast runs behind it.
	// Default: none, so holdfast checks SPF, DKIM and DMARC itself.
	AuthservIDs []string `toml:"authserv_ids"`
	// TrustedRelays lists the organisation's own relays as CIDR prefixes
	// ("192.0.2.0/24") or addresses. Received fields they wrote are
	// trusted, SPF is checked for the first address outside them, and
	// client headers such as X-Originating-IP count as trusted only when
	// the connecting client is one of them. Default: none.
	TrustedRelays []string `toml:"trusted_relays"`
	// HistoryFullDays is the number of distinct days with mail from which
	// the history counts as mature. Before, novelty signals are scaled
	// down. Default DefaultHistoryFullDays.
	HistoryFullDays int `toml:"history_full_days"`
	// HistoryFullMessages is the number of learnt messages from which the
	// history counts as mature. Default DefaultHistoryFullMessages.
	HistoryFullMessages int `toml:"history_full_messages"`
	// MaxDKIMSignatures caps the DKIM signatures verified per message;
	// the rest are ignored and noted. Default DefaultMaxDKIMSignatures.
	MaxDKIMSignatures int `toml:"max_dkim_signatures"`
	// MaxReceived caps the Received fields examined per message, from
	// the top. Default DefaultMaxReceived.
	MaxReceived int `toml:"max_received"`

	relays []netip.Prefix
}

// Validate fills defaults and checks values, naming the key at fault.
func (c *Config) Validate() error {
	c.relays = c.relays[:0]
	for _, s := range c.TrustedRelays {
		p, err := parsePrefix(s)
		if err != nil {
			return fmt.Errorf("sender: trusted_relays: %q is invalid: use a CIDR prefix such as \"192.0.2.0/24\" or an address", s)
		}
		c.relays = append(c.relays, p)
	}
	for i, id := range c.AuthservIDs {
		id = strings.ToLower(strings.TrimSpace(id))
		if id == "" {
			return fmt.Errorf("sender: authserv_ids: entry %d is empty", i+1)
		}
		c.AuthservIDs[i] = id
	}
	ints := []struct {
		key   string
		value *int
		def   int
	}{
		{"history_full_days", &c.HistoryFullDays, DefaultHistoryFullDays},
		{"history_full_messages", &c.HistoryFullMessages, DefaultHistoryFullMessages},
		{"max_dkim_signatures", &c.MaxDKIMSignatures, DefaultMaxDKIMSignatures},
		{"max_received", &c.MaxReceived, DefaultMaxReceived},
	}
	for _, f := range ints {
		if *f.value < 0 {
			return fmt.Errorf("sender: %s %d is negative", f.key, *f.value)
		}
		if *f.value == 0 {
			*f.value = f.def
		}
	}
	return nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()), nil
}

// trustedRelay reports whether ip is one of the organisation's relays.
func (c *Config) trustedRelay(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range c.relays {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// trustedAuthserv reports whether id is in AuthservIDs.
func (c *Config) trustedAuthserv(id string) bool {
	id = strings.ToLower(id)
	for _, a := range c.AuthservIDs {
		if a == id {
			return true
		}
	}
	return false
}
