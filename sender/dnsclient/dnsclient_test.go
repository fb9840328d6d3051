package dnsclient

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/holdfast/holdfast/sender/dnstest"
)

func newSession(t *testing.T, cfg Config) *Session {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	s, cancel := r.Session(context.Background())
	t.Cleanup(cancel)
	return s
}

func TestLookups(t *testing.T) {
	srv := dnstest.Start(t, map[string][]string{
		"example.org": {
			`TXT "v=spf1 " "ip4:192.0.2.0/24 -all"`,
			`MX 20 mx2.example.org.`,
			`MX 10 mx1.example.org.`,
		},
		"mx1.example.org":         {`A 192.0.2.10`, `AAAA 2001:db8::10`},
		"alias.example.org":       {`CNAME mx1.example.org.`},
		"10.2.0.192.in-addr.arpa": {`PTR mx1.example.org.`},
		"v6only.example.org":      {`AAAA 2001:db8::6`},
	})
	s := newSession(t, Config{Servers: []string{srv.Addr}})
	ctx := context.Background()

	txt, err := s.LookupTXT(ctx, "Example.ORG")
	if err != nil || len(txt) != 1 || txt[0] != "v=spf1 ip4:192.0.2.0/24 -all" {
		t.Errorf("LookupTXT(example.org) = %q, %v; want the joined SPF record", txt, err)
	}
	mx, err := s.LookupMX(ctx, "example.org")
	if err != nil || len(mx) != 2 || mx[0].Host != "mx1.example.org." {
		t.Errorf("LookupMX(example.org) = %v, %v; want mx1 first", mx, err)
	}
	ips, err := s.LookupIPAddr(ctx, "mx1.example.org")
	if err != nil || len(ips) != 2 {
		t.Errorf("LookupIPAddr(mx1) = %v, %v; want one A and one AAAA", ips, err)
	}
	ips, err = s.LookupIPAddr(ctx, "v6only.example.org")
	if err != nil || len(ips) != 1 {
		t.Errorf("LookupIPAddr(v6only) = %v, %v; want the AAAA alone", ips, err)
	}
	names, err := s.LookupAddr(ctx, "192.0.2.10")
	if err != nil || len(names) != 1 || names[0] != "mx1.example.org." {
		t.Errorf("LookupAddr(192.0.2.10) = %v, %v", names, err)
	}

	// A second lookup of the same name is answered from the cache.
	before := len(srv.Queries())
	if _, err := s.LookupTXT(ctx, "example.org"); err != nil {
		t.Errorf("cached LookupTXT: %v", err)
	}
	if after := len(srv.Queries()); after != before {
		t.Errorf("cached LookupTXT sent %d queries, want 0", after-before)
	}
}

func TestLookupErrors(t *testing.T) {
	srv := dnstest.Start(t, map[string][]string{
		"nodata.example.org": {`A 192.0.2.1`},
	})
	srv.Drop("slow.example.org")
	srv.Fail("broken.example.org", dns.RcodeServerFailure)
	cfg := Config{Servers: []string{srv.Addr}, Timeout: Duration(200 * time.Millisecond)}

	tests := []struct {
		name          string
		host          string
		wantNotFound  bool
		wantTimeout   bool
		wantTemporary bool
	}{
		{"nxdomain", "missing.example.org", true, false, false},
		{"no record of type", "nodata.example.org", true, false, false},
		{"dropped query", "slow.example.org", false, true, true},
		{"servfail", "broken.example.org", false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t, cfg)
			_, err := s.LookupTXT(context.Background(), tt.host)
			derr, ok := err.(*net.DNSError)
			if !ok {
				t.Fatalf("LookupTXT(%s) error = %T %v, want *net.DNSError", tt.host, err, err)
			}
			if derr.IsNotFound != tt.wantNotFound {
				t.Errorf("IsNotFound = %v, want %v", derr.IsNotFound, tt.wantNotFound)
			}
			if derr.IsTimeout != tt.wantTimeout {
				t.Errorf("IsTimeout = %v, want %v", derr.IsTimeout, tt.wantTimeout)
			}
			if derr.Temporary() != tt.wantTemporary {
				t.Errorf("Temporary() = %v, want %v", derr.Temporary(), tt.wantTemporary)
			}
			failed := len(s.Failures()) > 0
			if failed == tt.wantNotFound {
				t.Errorf("Failures() = %q; want a failure recorded only for errors other than not found", s.Failures())
			}
		})
	}
}

func TestMessageBudget(t *testing.T) {
	srv := dnstest.Start(t, map[string][]string{"a.example.org": {`TXT "x"`}})
	srv.Drop("slow.example.org")

	t.Run("queries", func(t *testing.T) {
		s := newSession(t, Config{Servers: []string{srv.Addr}, MaxQueries: 2})
		ctx := context.Background()
		s.LookupTXT(ctx, "a.example.org")
		s.LookupTXT(ctx, "b.example.org")
		_, err := s.LookupTXT(ctx, "c.example.org")
		derr, ok := err.(*net.DNSError)
		if !ok || !derr.Temporary() || !strings.Contains(derr.Err, "budget") {
			t.Errorf("third lookup error = %v, want a temporary budget error", err)
		}
		if n := len(srv.Queries()); n != 2 {
			t.Errorf("server saw %d queries, want 2", n)
		}
	})

	t.Run("time", func(t *testing.T) {
		s := newSession(t, Config{
			Servers:        []string{srv.Addr},
			Timeout:        Duration(5 * time.Second),
			MessageTimeout: Duration(300 * time.Millisecond),
		})
		start := time.Now()
		_, err := s.LookupTXT(context.Background(), "slow.example.org")
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("lookup took %s, want the 300ms message budget to end it", took)
		}
		if derr, ok := err.(*net.DNSError); !ok || !derr.IsTimeout {
			t.Errorf("error = %v, want a timeout", err)
		}
	})
}

func TestSecondServer(t *testing.T) {
	bad := dnstest.Start(t, nil)
	bad.Fail("example.org", dns.RcodeRefused)
	good := dnstest.Start(t, map[string][]string{"example.org": {`TXT "ok"`}})

	s := newSession(t, Config{Servers: []string{bad.Addr, good.Addr}})
	txt, err := s.LookupTXT(context.Background(), "example.org")
	if err != nil || len(txt) != 1 || txt[0] != "ok" {
		t.Errorf("LookupTXT = %q, %v; want the second server's answer", txt, err)
	}
}

func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "resolv.conf")
	os.WriteFile(conf, []byte("search example.org\nnameserver 127.0.0.53\nnameserver ::1\n"), 0o600)
	empty := filepath.Join(dir, "empty.conf")
	os.WriteFile(empty, []byte("search example.org\n"), 0o600)

	tests := []struct {
		name    string
		cfg     Config
		file    string
		want    []string
		wantErr string
	}{
		{"from resolv.conf", Config{}, conf, []string{"127.0.0.53:53", "[::1]:53"}, ""},
		{"explicit", Config{Servers: []string{"127.0.0.1:5353"}}, empty, []string{"127.0.0.1:5353"}, ""},
		{"no nameserver", Config{}, empty, nil, "servers is empty"},
		{"missing port", Config{Servers: []string{"127.0.0.1"}}, conf, nil, "servers: \"127.0.0.1\" is invalid"},
		{"host name", Config{Servers: []string{"dns.example:53"}}, conf, nil, "is invalid"},
		{"negative timeout", Config{Servers: []string{"127.0.0.1:53"}, Timeout: -1}, conf, nil, "dns: timeout"},
		{"negative budget", Config{Servers: []string{"127.0.0.1:53"}, MaxQueries: -1}, conf, nil, "dns: max_queries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			err := cfg.validate(tt.file)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("validate() error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("validate(): %v", err)
			}
			if strings.Join(cfg.Servers, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Servers = %q, want %q", cfg.Servers, tt.want)
			}
			if cfg.Timeout != Duration(DefaultTimeout) || cfg.MaxQueries != DefaultMaxQueries {
				t.Errorf("defaults not filled: %+v", cfg)
			}
		})
	}
}
