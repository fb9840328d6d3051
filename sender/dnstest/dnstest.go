// Package dnstest runs an authoritative DNS server on 127.0.0.1 for tests:
// it serves records from a map and can drop or fail the queries for chosen
// names, so that resolvers are tested without the machine's
// resolver or the network.
package dnstest

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Server is a running test server.
type Server struct {
	// Addr is the server's "127.0.0.1:port" UDP and TCP address.
	Addr string

	mu      sync.Mutex
	records map[key][]dns.RR
	names   map[string]bool
	drop    map[string]bool
	rcode   map[string]int
	queries []string
}

type key struct {
	name  string
	qtype uint16
}

// Start serves zone, a map from owner name to records in zone-file syntax
// without the owner ("TXT \"v=spf1 -all\"", "MX 10 mx.example.org."),
// until the test ends.
func Start(t testing.TB, zone map[string][]string) *Server {
	t.Helper()
	s := &Server{
		records: map[key][]dns.RR{},
		names:   map[string]bool{},
		drop:    map[string]bool{},
		rcode:   map[string]int{},
	}
	for name, lines := range zone {
		for _, line := range lines {
			s.Add(t, name, line)
		}
	}

	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dnstest: listen udp: %v", err)
	}
	s.Addr = pc.LocalAddr().String()
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		pc.Close()
		t.Fatalf("dnstest: listen tcp %s: %v", s.Addr, err)
	}
	udp := &dns.Server{PacketConn: pc, Handler: s}
	tcp := &dns.Server{Listener: ln, Handler: s}
	for _, srv := range []*dns.Server{udp, tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go srv.ActivateAndServe()
		<-started
	}
	t.Cleanup(func() {
		udp.Shutdown()
		tcp.Shutdown()
	})
	return s
}

// Add adds one record, given without its owner, to name.
func (s *Server) Add(t testing.TB, name, record string) {
	t.Helper()
	owner := dns.Fqdn(strings.ToLower(name))
	rr, err := dns.NewRR(owner + " 300 IN " + record)
	if err != nil {
		t.Fatalf("dnstest: record %q for %s: %v", record, name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{owner, rr.Header().Rrtype}
	s.records[k] = append(s.records[k], rr)
	s.names[owner] = true
}

// Drop makes the server ignore every query for name, so clients time out.
func (s *Server) Drop(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop[dns.Fqdn(strings.ToLower(name))] = true
}

// Fail makes the server answer every query for name with rcode, such as
// dns.RcodeServerFailure.
func (s *Server) Fail(name string, rcode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcode[dns.Fqdn(strings.ToLower(name))] = rcode
}

// Queries returns the queries received so far as "TYPE name." strings.
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

// ServeDNS answers from the records: the records of the type, else a CNAME
// for the name, else NOERROR with no answer when the name has other
// records, else NXDOMAIN.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	if len(req.Question) != 1 {
		dns.HandleFailed(w, req)
		return
	}
	q := req.Question[0]
	name := strings.ToLower(q.Name)

	s.mu.Lock()
	s.queries = append(s.queries, dns.TypeToString[q.Qtype]+" "+name)
	dropped := s.drop[name]
	rcode, failed := s.rcode[name]
	rrs := s.records[key{name, q.Qtype}]
	if len(rrs) == 0 {
		rrs = s.records[key{name, dns.TypeCNAME}]
	}
	exists := s.names[name]
	s.mu.Unlock()

	if dropped {
		return
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	switch {
	case failed:
		m.Rcode = rcode
	case len(rrs) > 0:
		m.Answer = rrs
	case !exists:
		m.Rcode = dns.RcodeNameError
	}
	w.WriteMsg(m)
}
