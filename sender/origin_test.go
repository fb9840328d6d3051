package sender

import (
	"context"
	"net/netip"
	"strings"
	"testing"
)

func TestFindOrigin(t *testing.T) {
	tests := []struct {
		name        string
		headers     string
		client      string
		sasl        string
		relays      []string
		wantIP      string
		wantSource  string
		wantTrusted bool
		wantSkipped string
	}{
		{
			name:       "originating ip header",
			headers:    "X-Originating-IP: [198.51.100.9]\r\n",
			client:     "203.0.113.7",
			wantIP:     "198.51.100.9",
			wantSource: "X-Originating-IP",
		},
		{
			name:       "forwarded for list",
			headers:    "X-Forwarded-For: 198.51.100.10, 10.0.0.1\r\n",
			client:     "203.0.113.7",
			wantIP:     "198.51.100.10",
			wantSource: "X-Forwarded-For",
		},
		{
			name: "earliest authenticated hop",
			headers: "Received: from mx.example.cn (mx.example.cn [203.0.113.7]) by mx.org.example with ESMTPS id 1\r\n" +
				"Received: from [198.51.100.11] (unknown [198.51.100.11]) (Authenticated sender: li) by mx.example.cn with ESMTPSA id 2\r\n",
			client:     "203.0.113.7",
			wantIP:     "198.51.100.11",
			wantSource: "Received hop 2 (authenticated submission to mx.example.cn)",
		},
		{
			name: "private hop skipped",
			headers: "X-Originating-IP: 198.51.100.12\r\n" +
				"Received: from mx.example.cn (mx.example.cn [203.0.113.7]) by mx.org.example with ESMTPS id 1\r\n" +
				"Received: from webmail (localhost [127.0.0.1]) by mx.example.cn with ESMTPA id 2\r\n",
			client:      "203.0.113.7",
			wantIP:      "198.51.100.12",
			wantSource:  "X-Originating-IP",
			wantSkipped: "127.0.0.1 per Received hop 2 (authenticated submission to mx.example.cn): loopback (RFC 1122) address",
		},
		{
			name:        "outbound sasl login",
			headers:     "Received: from laptop (unknown [198.51.100.140]) by mx.org.example with ESMTPSA id 1\r\n",
			client:      "198.51.100.140",
			sasl:        "staff",
			wantIP:      "198.51.100.140",
			wantSource:  "SASL login staff",
			wantTrusted: true,
		},
		{
			name:        "header from trusted relay",
			headers:     "X-Originating-IP: 198.51.100.13\r\n",
			client:      "192.0.2.2",
			relays:      []string{"192.0.2.0/28"},
			wantIP:      "198.51.100.13",
			wantSource:  "X-Originating-IP",
			wantTrusted: true,
		},
		{
			name:        "private only",
			headers:     "X-Originating-IP: 10.1.2.3\r\n",
			client:      "203.0.113.7",
			wantSkipped: "10.1.2.3 per X-Originating-IP: private (RFC 1918) address",
		},
		{
			name:        "unplaced documentation address",
			headers:     "X-Originating-IP: 2001:db8::5\r\n",
			client:      "203.0.113.7",
			wantSkipped: "2001:db8::5 per X-Originating-IP: documentation (RFC 3849) address",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestChecker(t, Config{TrustedRelays: tt.relays}, nil, nil)
			in := parseMessage(tt.headers + "From: li@example.cn\r\n\r\nbody\r\n")
			in.ClientIP = netip.MustParseAddr(tt.client)
			in.SASLLogin = tt.sasl
			in.LocalDomains = []string{"org.example"}

			a := c.Assess(context.Background(), in)
			gotIP := ""
			if a.Origin != nil {
				gotIP = a.Origin.IP.String()
			}
			if gotIP != tt.wantIP {
				t.Fatalf("origin = %+v, want %q", a.Origin, tt.wantIP)
			}
			if a.Origin != nil && a.Origin.Source != tt.wantSource {
				t.Errorf("Source = %q, want %q", a.Origin.Source, tt.wantSource)
			}
			if a.Origin != nil && a.Origin.Trusted != tt.wantTrusted {
				t.Errorf("Trusted = %v, want %v", a.Origin.Trusted, tt.wantTrusted)
			}
			skipped := strings.Join(a.OriginSkipped, "; ")
			if tt.wantSkipped != "" && !strings.Contains(skipped, tt.wantSkipped) {
				t.Errorf("OriginSkipped = %q, want %q", skipped, tt.wantSkipped)
			}
		})
	}
}

func TestReceivedTrustChain(t *testing.T) {
	headers := "Received: from relay.org.example (relay.org.example [192.0.2.2]) by gw.org.example with ESMTP id A\r\n" +
		"Received: from mx.example.cn (mx.example.cn [203.0.113.25]) by relay.org.example with ESMTPS id B\r\n" +
		"Received: from laptop ([198.51.100.20]) by mx.example.cn with ESMTPSA id C\r\n"
	c := newTestChecker(t, Config{TrustedRelays: []string{"192.0.2.2"}}, nil, nil)
	in := parseMessage(headers + "\r\n")
	in.ClientIP = netip.MustParseAddr("192.0.2.2")

	p := c.tracePath(in)
	wantTrusted := []bool{true, true, false}
	for i, h := range p.hops {
		if h.Trusted != wantTrusted[i] {
			t.Errorf("hop %d Trusted = %v, want %v", h.Index, h.Trusted, wantTrusted[i])
		}
	}
	if p.edge != netip.MustParseAddr("203.0.113.25") {
		t.Errorf("edge = %s, want 203.0.113.25", p.edge)
	}
}

func TestDirection(t *testing.T) {
	tests := []struct {
		name   string
		from   string
		client string
		sasl   string
		want   string
	}{
		{"external", "li@example.cn", "203.0.113.7", "", Inbound},
		{"sasl login", "staff@org.example", "198.51.100.9", "staff", Outbound},
		{"local domain from trusted relay", "staff@org.example", "192.0.2.2", "", Outbound},
		{"spoofed local domain", "ceo@org.example", "203.0.113.7", "", Inbound},
	}
	for _, tt := range tests {
		c := newTestChecker(t, Config{TrustedRelays: []string{"192.0.2.2"}}, nil, nil)
		in := Input{From: tt.from, ClientIP: netip.MustParseAddr(tt.client), SASLLogin: tt.sasl,
			LocalDomains: []string{"org.example"}}
		if got := c.Assess(context.Background(), in).Direction; got != tt.want {
			t.Errorf("%s: Direction = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSenderIdentity(t *testing.T) {
	tests := []struct {
		from, mailFrom     string
		wantAddr, wantName string
	}{
		{`"Li Example" <Li@Example.CN>`, "", "li@example.cn", "Li Example"},
		{`=?UTF-8?B?5p2O?= <li@example.cn>`, "", "li@example.cn", "李"},
		{`Büro "Nord <buero@example.de>`, "", "buero@example.de", "Büro \"Nord"},
		{`li@example.cn`, "", "li@example.cn", ""},
		{``, "bounce@example.net", "bounce@example.net", ""},
	}
	for _, tt := range tests {
		addr, name := senderIdentity(Input{From: tt.from, MailFrom: tt.mailFrom})
		if addr != tt.wantAddr || name != tt.wantName {
			t.Errorf("senderIdentity(%q) = %q, %q; want %q, %q", tt.from, addr, name, tt.wantAddr, tt.wantName)
		}
	}
}
