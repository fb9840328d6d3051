package sender

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/policy"
	"github.com/holdfast/holdfast/sender/dnstest"
)

const testMessage = "From: Li Example <li@example.cn>\r\n" +
	"To: staff@org.example\r\n" +
	"Subject: Invoice\r\n" +
	"Date: Sat, 1 Mar 2025 10:00:00 +0800\r\n" +
	"Message-ID: <1@example.cn>\r\n" +
	"\r\n" +
	"Please see the invoice.\r\n"

func TestAuthenticationEndToEnd(t *testing.T) {
	key := newTestKey(t)
	srv := dnstest.Start(t, testZone(key))
	srv.Drop("slow.example")
	signed := key.sign(t, "example.cn", testMessage)
	tampered := strings.Replace(signed, "Please see", "Please pay", 1)
	otherSigner := key.sign(t, "example.net", testMessage)

	tests := []struct {
		name      string
		client    string
		helo      string
		mailFrom  string
		raw       string
		wantSPF   string
		wantDKIM  string
		wantDMARC string
		want      []string
		wantNot   []string
	}{
		{"all pass", "203.0.113.7", "mx.example.cn", "li@example.cn", signed,
			"pass", "pass", "pass", []string{policy.SPFPass, policy.DKIMPass}, []string{policy.DMARCFail}},
		{"spf fail dkim aligned", "192.0.2.50", "relay.example", "li@example.cn", signed,
			"fail", "pass", "pass", []string{policy.SPFFail, policy.DKIMPass}, []string{policy.DMARCFail}},
		{"tampered body", "192.0.2.50", "relay.example", "li@example.cn", tampered,
			"fail", "fail", "fail", []string{policy.SPFFail, policy.DKIMFail, policy.DMARCFail}, []string{policy.DKIMPass}},
		{"unaligned signer", "192.0.2.50", "relay.example", "li@example.cn", otherSigner,
			"fail", "pass", "fail", []string{policy.DMARCFail, policy.DKIMPass}, nil},
		{"unsigned", "203.0.113.7", "mx.example.cn", "li@example.cn", testMessage,
			"pass", "", "pass", []string{policy.SPFPass}, []string{policy.DKIMFail, policy.DKIMPass}},
		{"null sender uses helo", "192.0.2.80", "helo.example.net", "", testMessage,
			"pass", "", "fail", []string{policy.SPFPass, policy.DMARCFail}, nil},
		{"no spf record", "192.0.2.9", "a.example", "x@example.org", testMessage,
			"none", "", "fail", []string{policy.SPFNone}, nil},
		{"dns timeout", "203.0.113.7", "a.example", "x@slow.example", testMessage,
			"temperror", "", "fail", []string{policy.SPFTempError}, []string{policy.SPFPass}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestChecker(t, Config{}, nil, srv)
			in := parseMessage(tt.raw)
			in.ClientIP = netip.MustParseAddr(tt.client)
			in.Helo, in.MailFrom = tt.helo, tt.mailFrom

			start := time.Now()
			a := c.Assess(context.Background(), in)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("Assess took %s, want the DNS budget to bound it", took)
			}
			if a.SPF.Result != tt.wantSPF {
				t.Errorf("SPF = %+v, want %s", a.SPF, tt.wantSPF)
			}
			gotDKIM := ""
			if len(a.DKIM) > 0 {
				gotDKIM = a.DKIM[0].Result
			}
			if gotDKIM != tt.wantDKIM {
				t.Errorf("DKIM = %+v, want %q", a.DKIM, tt.wantDKIM)
			}
			if a.DMARC.Result != tt.wantDMARC {
				t.Errorf("DMARC = %+v, want %s", a.DMARC, tt.wantDMARC)
			}
			for _, name := range tt.want {
				if _, ok := signal(a, name); !ok {
					t.Errorf("signals %v lack %s", signalNames(a), name)
				}
			}
			for _, name := range tt.wantNot {
				if _, ok := signal(a, name); ok {
					t.Errorf("signals %v contain %s", signalNames(a), name)
				}
			}
		})
	}
}

func TestDMARCFailEvidence(t *testing.T) {
	key := newTestKey(t)
	srv := dnstest.Start(t, testZone(key))
	c := newTestChecker(t, Config{}, nil, srv)
	in := parseMessage(testMessage)
	in.ClientIP = netip.MustParseAddr("192.0.2.50")
	in.MailFrom = "bounce@example.net"

	a := c.Assess(context.Background(), in)
	s, ok := signal(a, policy.DMARCFail)
	if !ok {
		t.Fatalf("no DMARC_FAIL in %v", signalNames(a))
	}
	for _, want := range []string{"p=reject", "example[.]cn", "SPF pass for example[.]net (not aligned)", "no DKIM signature"} {
		if !strings.Contains(s.Evidence, want) {
			t.Errorf("evidence %q lacks %q", s.Evidence, want)
		}
	}
	if s.Scale != 1 {
		t.Errorf("Scale = %v, want 1 for p=reject", s.Scale)
	}
}

func TestSPFTempErrorEvidence(t *testing.T) {
	srv := dnstest.Start(t, nil)
	srv.Drop("slow.example")
	c := newTestChecker(t, Config{}, nil, srv)
	in := parseMessage(testMessage)
	in.ClientIP = netip.MustParseAddr("203.0.113.7")
	in.MailFrom = "x@slow.example"

	a := c.Assess(context.Background(), in)
	s, ok := signal(a, policy.SPFTempError)
	if !ok {
		t.Fatalf("no SPF_TEMPERROR in %v", signalNames(a))
	}
	if !strings.Contains(s.Evidence, "TXT slow.example: i/o timeout") {
		t.Errorf("evidence %q does not name the timed-out lookup", s.Evidence)
	}
	if len(a.DNSFailures) == 0 {
		t.Errorf("DNSFailures is empty")
	}
}

func TestTrustedAuthenticationResults(t *testing.T) {
	// The client is the organisation's relay, so its check is believed;
	// a forged field lower down and one by an unknown host are not.
	raw := "Authentication-Results: mx.org.example; spf=fail smtp.mailfrom=li@example.cn; dkim=pass header.d=example.cn; dmarc=fail policy.dmarc=reject header.from=example.cn\r\n" +
		"Received-SPF: pass (mx.org.example: forged) client-ip=203.0.113.7\r\n" +
		"Authentication-Results: mx.org.example; spf=pass smtp.mailfrom=li@example.cn\r\n" +
		"Authentication-Results: other.example; spf=pass smtp.mailfrom=li@example.cn\r\n" +
		testMessage
	cfg := Config{AuthservIDs: []string{"MX.org.example"}, TrustedRelays: []string{"192.0.2.0/28"}}
	c := newTestChecker(t, cfg, nil, nil)
	in := parseMessage(raw)
	in.ClientIP = netip.MustParseAddr("192.0.2.1")
	in.MailFrom = "li@example.cn"

	a := c.Assess(context.Background(), in)
	if a.SPF.Result != "fail" || !strings.Contains(a.SPF.Source, "mx.org.example") {
		t.Errorf("SPF = %+v, want fail from the topmost trusted field", a.SPF)
	}
	if len(a.DKIM) != 1 || a.DKIM[0].Result != "pass" {
		t.Errorf("DKIM = %+v, want one pass", a.DKIM)
	}
	if a.DMARC.Result != "fail" || a.DMARC.Policy != "reject" {
		t.Errorf("DMARC = %+v, want fail with policy reject", a.DMARC)
	}
	if _, ok := signal(a, policy.SPFFail); !ok {
		t.Errorf("signals %v lack SPF_FAIL", signalNames(a))
	}
}

func TestUntrustedAuthenticationResults(t *testing.T) {
	raw := "Authentication-Results: mx.org.example; spf=pass smtp.mailfrom=li@example.cn\r\n" + testMessage
	c := newTestChecker(t, Config{}, nil, nil)
	in := parseMessage(raw)
	in.ClientIP = netip.MustParseAddr("203.0.113.7")

	a := c.Assess(context.Background(), in)
	if a.SPF.Result != "" {
		t.Errorf("SPF = %+v, want unchecked: the field's authserv-id is not configured", a.SPF)
	}
	if _, ok := signal(a, policy.SPFPass); ok {
		t.Errorf("SPF_PASS raised from an untrusted field")
	}
}

func TestSPFCheckedAtEdge(t *testing.T) {
	// Behind a trusted relay, SPF is checked for the address the relay
	// received the message from.
	key := newTestKey(t)
	srv := dnstest.Start(t, testZone(key))
	raw := "Received: from relay.org.example (relay.org.example [192.0.2.2]) by gw.org.example with ESMTP id A\r\n" +
		"Received: from mx.example.cn (mx.example.cn [203.0.113.25]) by relay.org.example with ESMTPS id B\r\n" +
		testMessage
	c := newTestChecker(t, Config{TrustedRelays: []string{"192.0.2.2"}}, nil, srv)
	in := parseMessage(raw)
	in.ClientIP = netip.MustParseAddr("192.0.2.2")
	in.MailFrom = "li@example.cn"

	a := c.Assess(context.Background(), in)
	if a.SPF.IP != netip.MustParseAddr("203.0.113.25") {
		t.Errorf("SPF checked %s, want the edge address 203.0.113.25", a.SPF.IP)
	}
	if a.SPF.Result != "pass" {
		t.Errorf("SPF = %+v, want pass", a.SPF)
	}
}

func TestSPFSkipsLoopbackClient(t *testing.T) {
	srv := dnstest.Start(t, nil)
	c := newTestChecker(t, Config{}, nil, srv)
	in := parseMessage(testMessage)
	in.ClientIP = netip.MustParseAddr("127.0.0.1")
	in.MailFrom = "li@example.cn"

	a := c.Assess(context.Background(), in)
	if a.SPF.Result != "" || !strings.Contains(a.SPF.Detail, "loopback") {
		t.Errorf("SPF = %+v, want unchecked for a loopback client", a.SPF)
	}
	if n := len(srv.Queries()); n != 1 {
		t.Errorf("server saw %d queries %v, want only the DMARC lookup", n, srv.Queries())
	}
}
