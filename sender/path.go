package sender

import (
	"net/netip"
	"strings"

	"github.com/holdfast/holdfast/sender/trace"
)

// hop is one Received field with whether its writer is trusted.
type hop struct {
	trace.Received
	// Index is the field's position among the Received fields, 1 for the
	// topmost.
	Index int
	// Trusted reports that the field was written by the organisation's
	// MTA or a trusted relay, with only trusted writers above it.
	Trusted bool
}

// path is the message's route as its trace fields record it.
type path struct {
	hops []hop
	// edge is the address the organisation's last trusted host received
	// the message from: the first untrusted client down the chain.
	edge netip.Addr
	// authResults and receivedSPF are the topmost fields written by a
	// host in authserv_ids, nil when there is none.
	authResults *trace.AuthResults
	receivedSPF *trace.ReceivedSPF
	// truncated reports that more than max_received Received fields
	// were present.
	truncated bool
}

// tracePath parses the Received chain and finds the trusted
// authentication fields.
//
// The topmost Received field is taken as the receiving MTA's own when it
// records the connecting client's address (Postfix and Sendmail show it
// to milters), or when the client is unknown, as for a scanned file. Each
// field below is written by the client recorded in the field above it, so
// trust runs down the chain while those clients are trusted relays or
// loopback.
func (c *Checker) tracePath(in Input) path {
	var p path
	writerTrusted := true
	for _, h := range in.Headers {
		switch strings.ToLower(h.Name) {
		case "received":
			if len(p.hops) == c.cfg.MaxReceived {
				p.truncated = true
				continue
			}
			r := trace.ParseReceived(h.Value)
			if len(p.hops) == 0 && in.ClientIP.IsValid() && r.FromIP != in.ClientIP.Unmap() {
				writerTrusted = c.relayOrLoopback(in.ClientIP)
			}
			p.hops = append(p.hops, hop{Received: r, Index: len(p.hops) + 1, Trusted: writerTrusted})
			next := r.FromIP.IsValid() && c.relayOrLoopback(r.FromIP)
			if writerTrusted && !next && r.FromIP.IsValid() && !p.edge.IsValid() {
				p.edge = r.FromIP
			}
			writerTrusted = writerTrusted && next
		case "authentication-results":
			if p.authResults == nil {
				ar := trace.ParseAuthResults(h.Value)
				if c.cfg.trustedAuthserv(ar.AuthservID) {
					p.authResults = &ar
				}
			}
		case "received-spf":
			if p.receivedSPF == nil {
				rs := trace.ParseReceivedSPF(h.Value)
				if c.cfg.trustedAuthserv(rs.Receiver()) {
					p.receivedSPF = &rs
				}
			}
		}
	}
	return p
}

func (c *Checker) relayOrLoopback(ip netip.Addr) bool {
	return ip.Unmap().IsLoopback() || c.cfg.trustedRelay(ip)
}

// spfIP returns the address SPF is checked for: the connecting client,
// unless it is a trusted relay or unknown, in which case the edge of the
// Received chain.
func (c *Checker) spfIP(in Input, p path) netip.Addr {
	if in.ClientIP.IsValid() && !c.relayOrLoopback(in.ClientIP) {
		return in.ClientIP.Unmap()
	}
	if p.edge.IsValid() {
		return p.edge
	}
	return in.ClientIP.Unmap()
}
