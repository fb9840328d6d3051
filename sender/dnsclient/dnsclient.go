// Package dnsclient is holdfast's stub resolver. It sends DNS queries only
// to the configured [dns] servers, with a timeout per query and a budget of
// time and queries per message. It implements the lookups that SPF
// (blitiri.com.ar/go/spf), DKIM and DMARC (github.com/emersion/go-msgauth)
// need.
//
// Failures come back as *net.DNSError, never wrapped, because both
// libraries classify errors by that concrete type. IsNotFound marks
// NXDOMAIN and a name with no record of the type, as Go's resolver reports
// both. IsTimeout marks a query or budget that timed out. IsTemporary marks
// SERVFAIL, REFUSED from every server and an exhausted query budget. A
// lookup never waits past its context, the query timeout or the message
// budget.
//
// Config keys read (section [dns]): servers, timeout, message_timeout,
// max_queries.
//
// Limitations: no DNSSEC validation (the servers are trusted to
// validate), no search domains, and CNAME chains are trusted as the
// recursive server returns them.
package dnsclient

import (
	"context"
	"errors"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Resolver sends queries to the configured servers. It is safe for
// concurrent use; per-message state lives in Session.
type Resolver struct {
	cfg Config
	udp *dns.Client
	tcp *dns.Client
}

// New returns a resolver for a validated config.
func New(cfg Config) (*Resolver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	timeout := time.Duration(cfg.Timeout)
	return &Resolver{
		cfg: cfg,
		udp: &dns.Client{Net: "udp", Timeout: timeout, UDPSize: dns.DefaultMsgSize},
		tcp: &dns.Client{Net: "tcp", Timeout: timeout},
	}, nil
}

// Session is the lookups of one message: it shares one deadline and one
// query budget, caches answers, and records every failure for evidence.
// It is safe for concurrent use, because DKIM verifies signatures in
// parallel.
type Session struct {
	r      *Resolver
	ctx    context.Context
	mu     sync.Mutex
	sent   int
	cache  map[cacheKey]answer
	errors []string
}

type cacheKey struct {
	name  string
	qtype uint16
}

type answer struct {
	rrs []dns.RR
	err *net.DNSError
}

// Session starts the lookups of one message. The returned cancel function
// releases the message budget's timer.
func (r *Resolver) Session(ctx context.Context) (*Session, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(r.cfg.MessageTimeout))
	return &Session{r: r, ctx: ctx, cache: map[cacheKey]answer{}}, cancel
}

// Failures lists the lookups that failed other than by not finding the
// name, such as "TXT example.org: i/o timeout", in the order they failed.
func (s *Session) Failures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errors...)
}

// Queries returns the number of queries sent so far.
func (s *Session) Queries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

// errBudget is the text of the error returned once MaxQueries is spent.
const errBudget = "query budget of the message spent"

// lookup returns the answer records of type qtype for name.
func (s *Session) lookup(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	fqdn := dns.Fqdn(strings.ToLower(name))
	key := cacheKey{fqdn, qtype}

	s.mu.Lock()
	if a, ok := s.cache[key]; ok {
		s.mu.Unlock()
		return a.rrs, a.errOrNil()
	}
	if s.sent >= s.r.cfg.MaxQueries {
		s.mu.Unlock()
		return nil, s.fail(name, qtype, &net.DNSError{Err: errBudget, Name: name, IsTemporary: true})
	}
	s.sent++
	s.mu.Unlock()

	rrs, derr := s.exchange(ctx, fqdn, qtype)
	if derr != nil && !derr.IsNotFound {
		s.fail(name, qtype, derr)
	}

	s.mu.Lock()
	s.cache[key] = answer{rrs, derr}
	s.mu.Unlock()
	if derr != nil {
		return nil, derr
	}
	return rrs, nil
}

func (a answer) errOrNil() error {
	if a.err == nil {
		return nil
	}
	return a.err
}

func (s *Session) fail(name string, qtype uint16, derr *net.DNSError) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errors = append(s.errors, dns.TypeToString[qtype]+" "+name+": "+derr.Err)
	return derr
}

// exchange asks each server in turn until one gives a usable answer.
// NXDOMAIN and NOERROR are final; SERVFAIL, REFUSED and network errors
// move on to the next server.
func (s *Session) exchange(ctx context.Context, fqdn string, qtype uint16) ([]dns.RR, *net.DNSError) {
	ctx, cancel := mergeDeadline(ctx, s.ctx)
	defer cancel()

	name := strings.TrimSuffix(fqdn, ".")
	last := &net.DNSError{Err: "no server responded", Name: name, IsTemporary: true}
	for _, server := range s.r.cfg.Servers {
		msg, err := s.r.query(ctx, fqdn, qtype, server)
		if err != nil {
			last = networkError(err, name, server)
			if ctx.Err() != nil {
				return nil, last
			}
			continue
		}
		switch msg.Rcode {
		case dns.RcodeSuccess:
			rrs := answersOfType(msg, qtype)
			if len(rrs) == 0 {
				return nil, &net.DNSError{Err: "no such host", Name: name, Server: server, IsNotFound: true}
			}
			return rrs, nil
		case dns.RcodeNameError:
			return nil, &net.DNSError{Err: "no such host", Name: name, Server: server, IsNotFound: true}
		default:
			last = &net.DNSError{Err: "server replied " + dns.RcodeToString[msg.Rcode],
				Name: name, Server: server, IsTemporary: true}
		}
	}
	return nil, last
}

// query sends one query over UDP and repeats it over TCP when the answer
// was truncated.
func (r *Resolver) query(ctx context.Context, fqdn string, qtype uint16, server string) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(fqdn, qtype)
	m.RecursionDesired = true
	m.SetEdns0(dns.DefaultMsgSize, false)

	qctx, cancel := context.WithTimeout(ctx, time.Duration(r.cfg.Timeout))
	defer cancel()
	in, _, err := r.udp.ExchangeContext(qctx, m, server)
	if err != nil {
		return nil, err
	}
	if in.Truncated {
		in, _, err = r.tcp.ExchangeContext(qctx, m, server)
	}
	return in, err
}

// networkError converts a failed exchange into the error both mail
// libraries classify: a timeout when any deadline passed, else temporary.
func networkError(err error, name, server string) *net.DNSError {
	var nerr net.Error
	timeout := errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &nerr) && nerr.Timeout())
	if timeout {
		return &net.DNSError{Err: "i/o timeout", Name: name, Server: server, IsTimeout: true, IsTemporary: true}
	}
	return &net.DNSError{Err: err.Error(), Name: name, Server: server, IsTemporary: true}
}

// mergeDeadline returns ctx bounded also by the session's deadline and
// cancellation.
func mergeDeadline(ctx, session context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithCancel(ctx)
	if d, ok := session.Deadline(); ok {
		var cancelDeadline context.CancelFunc
		ctx, cancelDeadline = context.WithDeadline(ctx, d)
		inner := cancel
		cancel = func() { cancelDeadline(); inner() }
	}
	stop := context.AfterFunc(session, cancel)
	return ctx, func() { stop(); cancel() }
}

// answersOfType keeps the answer records of the queried type. A recursive
// server returns the CNAME chain before the records it leads to.
func answersOfType(msg *dns.Msg, qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range msg.Answer {
		if rr.Header().Rrtype == qtype {
			out = append(out, rr)
		}
	}
	return out
}

// LookupTXT returns the TXT records of name, each record's strings joined
// as net.Resolver does.
func (s *Session) LookupTXT(ctx context.Context, name string) ([]string, error) {
	rrs, err := s.lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, strings.Join(rr.(*dns.TXT).Txt, ""))
	}
	return out, nil
}

// LookupMX returns the MX records of name sorted by preference.
func (s *Session) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	rrs, err := s.lookup(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	out := make([]*net.MX, 0, len(rrs))
	for _, rr := range rrs {
		mx := rr.(*dns.MX)
		out = append(out, &net.MX{Host: mx.Mx, Pref: mx.Preference})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pref < out[j].Pref })
	return out, nil
}

// LookupIPAddr returns the A and AAAA records of host. It fails only when
// neither lookup returned a record: with the A error when that lookup
// failed other than by not finding the name, else with the AAAA error.
func (s *Session) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	var out []net.IPAddr
	v4, err4 := s.lookup(ctx, host, dns.TypeA)
	for _, rr := range v4 {
		out = append(out, net.IPAddr{IP: rr.(*dns.A).A})
	}
	v6, err6 := s.lookup(ctx, host, dns.TypeAAAA)
	for _, rr := range v6 {
		out = append(out, net.IPAddr{IP: rr.(*dns.AAAA).AAAA})
	}
	if len(out) > 0 {
		return out, nil
	}
	// A temporary failure outranks not-found, so that SPF reports
	// temperror rather than a void lookup.
	if d4, ok := err4.(*net.DNSError); ok && !d4.IsNotFound {
		return nil, err4
	}
	return nil, err6
}

// LookupAddr returns the PTR names of an IP address.
func (s *Session) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	arpa, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr}
	}
	rrs, err := s.lookup(ctx, arpa, dns.TypePTR)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, rr.(*dns.PTR).Ptr)
	}
	return out, nil
}

// TXT is LookupTXT bound to the session's context, in the form the
// go-msgauth dkim and dmarc options take.
func (s *Session) TXT(name string) ([]string, error) {
	return s.LookupTXT(s.ctx, name)
}

// Context returns the session's context, which carries the message budget's
// deadline.
func (s *Session) Context() context.Context {
	return s.ctx
}
