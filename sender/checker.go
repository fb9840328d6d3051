package sender

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/holdfast/holdfast/policy"
	"github.com/holdfast/holdfast/sender/dnsclient"
	"github.com/holdfast/holdfast/sender/geo"
	"github.com/holdfast/holdfast/store"
)

// Input is the message Assess judges: the envelope the MTA reported, the
// header fields, the raw message, and the link domains the scanner found.
type Input struct {
	// ClientIP is the connecting client's address; invalid when unknown
	// (a file scanned without --client-ip).
	ClientIP netip.Addr
	// ClientName is the client's verified reverse DNS name as the MTA
	// reports it, "unknown" or "" when there is none.
	ClientName string
	// Helo is the HELO or EHLO argument.
	Helo string
	// MailFrom is the envelope sender without angle brackets, "" for the
	// null sender.
	MailFrom string
	// Recipients lists the envelope recipients.
	Recipients []string
	// SASLLogin is the login name of an authenticated SMTP session (the
	// milter macro {auth_authen}), "" when the session was not
	// authenticated.
	SASLLogin string
	// Headers lists the header fields in message order, topmost first.
	Headers []Header
	// Raw is the whole message as received, for DKIM; nil skips DKIM.
	Raw []byte
	// From is the decoded From header as written, such as
	// `"Alice Example" <alice@example.org>`.
	From string
	// LocalDomains lists the organisation's mail domains ([org]
	// local_domains).
	LocalDomains []string
	// Links lists the domains of the message's links and QR targets.
	Links []Link
}

// Header is one header field. Value may still be folded.
type Header struct {
	Name  string
	Value string
}

// Link is one link domain and where it was found.
type Link struct {
	// Domain is the link's host or registrable domain.
	Domain string
	// QR reports that the link came from a decoded QR code.
	QR bool
	// Source is a provenance a person can follow, such as
	// "invoice.docx (word/media/image1.png)".
	Source string
}

// Direction values of Assessment.Direction.
const (
	Inbound  = "inbound"
	Outbound = "outbound"
)

// Assessment is the facts and signals Assess found. Empty fields were not
// determined.
type Assessment struct {
	// Direction is Inbound or Outbound.
	Direction string `json:"direction"`
	// SenderAddress is the lower-case From address, else the envelope
	// sender; SenderDomain is its registrable domain.
	SenderAddress string `json:"sender_address,omitempty"`
	SenderDomain  string `json:"sender_domain,omitempty"`
	// DisplayName is the From display name.
	DisplayName string `json:"display_name,omitempty"`

	SPF   SPFResult    `json:"spf"`
	DKIM  []DKIMResult `json:"dkim,omitempty"`
	DMARC DMARCResult  `json:"dmarc"`

	// Client is the connecting client's address and its place.
	Client Place `json:"client"`
	// Origin is the address the sender's client logged in from; nil when
	// no usable origin was found.
	Origin *Origin `json:"origin,omitempty"`
	// OriginSkipped lists candidate origins that were not used, with
	// the reason.
	OriginSkipped []string `json:"origin_skipped,omitempty"`
	// DomainCountry is the country the sender domain's ccTLD implies.
	DomainCountry string `json:"domain_country,omitempty"`

	// History is the history's record of the sender and links when the
	// message was judged; nil when no history was consulted.
	History *HistoryFacts `json:"history,omitempty"`
	// DNSFailures lists the DNS lookups that failed or timed out.
	DNSFailures []string `json:"dns_failures,omitempty"`
	// Errors lists the internal failures that left facts out.
	Errors []string `json:"errors,omitempty"`

	Signals []policy.Signal `json:"signals"`
}

// Place is an IP address with its country and network.
type Place struct {
	IP netip.Addr `json:"ip,omitzero"`
	geo.Info
	// Hosting is the reason the network counts as a hosting, VPS or VPN
	// network, "" when it does not.
	Hosting string `json:"hosting,omitempty"`
}

// Origin is the address the sender's client logged in from.
type Origin struct {
	Place
	// Source names where the address was found: "SASL login alice",
	// "X-Originating-IP", "Received hop 3 (authenticated submission)".
	Source string `json:"source"`
	// Trusted reports that the field was written by the organisation's
	// MTA or a trusted relay, not by a host outside them.
	Trusted bool `json:"trusted"`
}

// Deps are the Checker's collaborators.
type Deps struct {
	// Resolver serves the SPF, DKIM and DMARC lookups; nil skips them.
	Resolver *dnsclient.Resolver
	// History is the correspondence history; nil skips novelty signals.
	History store.History
	// Geo places addresses; nil uses the embedded country data.
	Geo geo.Source
	// Hosting recognises hosting networks; nil uses the embedded list.
	Hosting *geo.Hosting
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
}

// Checker assesses senders. It is safe for concurrent use.
type Checker struct {
	cfg  Config
	deps Deps
}

// New returns a Checker for cfg, which it validates.
func New(cfg Config, deps Deps) (*Checker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Geo == nil {
		db, err := geo.Open(geo.Config{})
		if err != nil {
			return nil, err
		}
		deps.Geo = db
	}
	if deps.Hosting == nil {
		h, err := geo.NewHosting(geo.Config{})
		if err != nil {
			return nil, err
		}
		deps.Hosting = h
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Checker{cfg: cfg, deps: deps}, nil
}

// Assess judges the sender of one message. It never fails: what it cannot
// determine stays empty, with the reason in DNSFailures or Errors.
func (c *Checker) Assess(ctx context.Context, in Input) Assessment {
	a := Assessment{Signals: []policy.Signal{}}
	a.SenderAddress, a.DisplayName = senderIdentity(in)
	a.SenderDomain = registrableDomain(domainOf(a.SenderAddress))
	a.Direction = c.direction(in, a.SenderAddress)
	a.DomainCountry = geo.DomainCountry(a.SenderDomain)

	path := c.tracePath(in)
	a.Client = c.place(in.ClientIP)
	// Outbound mail comes from the user's own machine, which no SPF
	// record lists, so authentication is checked for inbound mail only.
	if a.Direction == Inbound {
		c.authenticate(ctx, in, path, &a)
	}
	c.findOrigin(in, path, &a)

	c.consultHistory(ctx, in, &a)
	c.raiseSignals(in, &a)
	return a
}

// direction returns Outbound for a SASL-authenticated session, or for
// mail from a local domain relayed by a trusted relay, else Inbound.
func (c *Checker) direction(in Input, sender string) string {
	if in.SASLLogin != "" {
		return Outbound
	}
	local := isLocal(domainOf(sender), in.LocalDomains) || isLocal(domainOf(in.MailFrom), in.LocalDomains)
	if local && in.ClientIP.IsValid() && c.cfg.trustedRelay(in.ClientIP) {
		return Outbound
	}
	return Inbound
}

// place looks up ip's country, network and hosting status. Special
// addresses are left unplaced unless the geo source places them (a test
// table for documentation ranges).
func (c *Checker) place(ip netip.Addr) Place {
	p := Place{IP: ip}
	if !ip.IsValid() {
		return p
	}
	if name, doc := geo.Special(ip); name != "" && !doc {
		return p
	}
	p.Info = c.deps.Geo.Lookup(ip)
	if reason, ok := c.deps.Hosting.Match(p.Info); ok {
		p.Hosting = reason
	}
	return p
}

// Observation returns what an accepted message teaches the history.
func (c *Checker) Observation(in Input, a Assessment) store.Observation {
	obs := store.Observation{
		Time:          c.deps.Now(),
		SenderAddress: a.SenderAddress,
		SenderDomain:  a.SenderDomain,
		DisplayName:   a.DisplayName,
		LinkDomains:   linkDomains(in.Links),
	}
	if a.Origin != nil {
		obs.OriginCountry = a.Origin.Country
		obs.OriginASN = a.Origin.ASN
	}
	if a.Direction != Outbound {
		obs.Direction = store.Inbound
		return obs
	}
	obs.Direction = store.Outbound
	obs.LocalAccount = observationAccount(in, &a)
	for _, r := range in.Recipients {
		r = strings.ToLower(strings.Trim(r, "<> "))
		if r != "" && !isLocal(domainOf(r), in.LocalDomains) {
			obs.Recipients = append(obs.Recipients, r)
		}
	}
	return obs
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// errString returns err's text, or a fixed text for a context error so
// that repeated timeouts read alike.
func errString(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return err.Error()
}
