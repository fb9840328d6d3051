package sender

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/holdfast/holdfast/sender/geo"
)

// clientHeaders lists the fields in which webmail and hosted-mail
// services record the address of the client that submitted the message,
// in order of preference. These names are conventions, not standards.
var clientHeaders = []string{
	// X-Originating-IP: added by hosted mail and webmail services
	// (Outlook.com, Exchange Online and many webmail packages) with the
	// address of the browser or mail client that submitted the message.
	"X-Originating-IP",
	// X-Sender-IP: the same convention under another name, written by
	// some hosted mail services and control panels.
	"X-Sender-IP",
	// X-Forwarded-For: added when webmail runs behind an HTTP proxy or
	// load balancer; the first address is the HTTP client as the first
	// proxy saw it.
	"X-Forwarded-For",
}

// candidate is one possible origin with where it was found.
type candidate struct {
	ip      netip.Addr
	source  string
	trusted bool
}

// findOrigin sets a.Origin to the first usable candidate, in this order:
// the connecting client of an outbound SASL session, the earliest Received
// hop that records an authenticated submission, then the client headers.
// Candidates with special addresses are listed in a.OriginSkipped.
func (c *Checker) findOrigin(in Input, p path, a *Assessment) {
	for _, cand := range c.originCandidates(in, p, a.Direction) {
		name, doc := geo.Special(cand.ip)
		place := Place{}
		if name != "" && doc {
			place = c.place(cand.ip)
		}
		// Documentation addresses are skipped like other special
		// addresses unless the geo source places them, which only a test
		// table does.
		if name != "" && place.Country == "" {
			a.OriginSkipped = append(a.OriginSkipped, fmt.Sprintf("%s per %s: %s address", cand.ip, cand.source, name))
			continue
		}
		if name == "" {
			place = c.place(cand.ip)
		}
		a.Origin = &Origin{Place: place, Source: cand.source, Trusted: cand.trusted}
		return
	}
}

func (c *Checker) originCandidates(in Input, p path, direction string) []candidate {
	var out []candidate
	if direction == Outbound && in.SASLLogin != "" && in.ClientIP.IsValid() && !c.cfg.trustedRelay(in.ClientIP) {
		out = append(out, candidate{in.ClientIP.Unmap(), "SASL login " + in.SASLLogin, true})
	}

	for i := len(p.hops) - 1; i >= 0; i-- {
		h := p.hops[i]
		if !h.Authenticated || !h.FromIP.IsValid() {
			continue
		}
		source := fmt.Sprintf("Received hop %d (authenticated submission", h.Index)
		if h.By != "" {
			source += " to " + h.By
		}
		out = append(out, candidate{h.FromIP, source + ")", h.Trusted})
	}

	// A client header is vouched for only by a trusted relay that
	// handed the message to the MTA: a header from anywhere else may have
	// been written by the sender.
	trusted := in.ClientIP.IsValid() && c.cfg.trustedRelay(in.ClientIP)
	for _, name := range clientHeaders {
		for _, h := range in.Headers {
			if !strings.EqualFold(h.Name, name) {
				continue
			}
			if ip, ok := firstHeaderAddress(h.Value); ok {
				out = append(out, candidate{ip, name, trusted})
			}
			break
		}
	}
	return out
}

// firstHeaderAddress returns the first address in a client header value
// such as "[198.51.100.9]" or "198.51.100.9, 10.0.0.1".
func firstHeaderAddress(v string) (netip.Addr, bool) {
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		f = strings.Trim(f, "[]\"()")
		if ip, err := netip.ParseAddr(f); err == nil {
			return ip.Unmap(), true
		}
		if ap, err := netip.ParseAddrPort(f); err == nil {
			return ap.Addr().Unmap(), true
		}
	}
	return netip.Addr{}, false
}
