package trace

import (
	"net/netip"
	"testing"
	"time"
)

func TestParseReceived(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Received
	}{
		{
			name: "postfix relay",
			body: "from mail.example.org (mail.example.org [192.0.2.1])\r\n\tby mx.example.net (Postfix) with ESMTPS id 4Q1x2Y\r\n\tfor <bob@example.net>; Tue, 3 Dec 2024 10:00:00 +0000",
			want: Received{From: "mail.example.org", FromIP: netip.MustParseAddr("192.0.2.1"),
				By: "mx.example.net", With: "ESMTPS", ID: "4Q1x2Y", For: "bob@example.net",
				Date: time.Date(2024, 12, 3, 10, 0, 0, 0, time.UTC)},
		},
		{
			name: "postfix submission",
			body: "from [10.0.0.5] (unknown [198.51.100.9]) (Authenticated sender: alice@example.org) by smtp.example.org (Postfix) with ESMTPSA id 9AB",
			want: Received{From: "[10.0.0.5]", FromIP: netip.MustParseAddr("198.51.100.9"),
				By: "smtp.example.org", With: "ESMTPSA", ID: "9AB",
				Authenticated: true, AuthSender: "alice@example.org"},
		},
		{
			name: "tls comment with semicolon",
			body: "from a.example (a.example [192.0.2.7]) (using TLSv1.3 with cipher X; 256 bits) by mx.example with ESMTPS id 1; Wed, 4 Dec 2024 08:00:00 +0100",
			want: Received{From: "a.example", FromIP: netip.MustParseAddr("192.0.2.7"),
				By: "mx.example", With: "ESMTPS", ID: "1",
				Date: time.Date(2024, 12, 4, 7, 0, 0, 0, time.UTC)},
		},
		{
			name: "exim without reverse name",
			body: "from [198.51.100.20] (port=51234 helo=laptop) by mail.example.org with esmtpsa (TLS1.3) (Exim 4.96) (envelope-from <a@example.org>) id 1tAbC-000",
			want: Received{From: "[198.51.100.20]", FromIP: netip.MustParseAddr("198.51.100.20"),
				By: "mail.example.org", With: "esmtpsa", ID: "1tAbC-000", Authenticated: true},
		},
		{
			name: "exim address with port",
			body: "from host.example ([203.0.113.4]:40000 helo=laptop) by mail.example.org with esmtp",
			want: Received{From: "host.example", FromIP: netip.MustParseAddr("203.0.113.4"),
				By: "mail.example.org", With: "esmtp"},
		},
		{
			name: "sendmail authenticated",
			body: "from laptop (host.example [203.0.113.5]) (authenticated bits=0) by mail.example.org (8.15.2/8.15.2) with ESMTP id 4B3",
			want: Received{From: "laptop", FromIP: netip.MustParseAddr("203.0.113.5"),
				By: "mail.example.org", With: "ESMTP", ID: "4B3", Authenticated: true},
		},
		{
			name: "ipv6 tag",
			body: "from relay.example (relay.example [IPv6:2001:db8::25]) by mx.example with ESMTP",
			want: Received{From: "relay.example", FromIP: netip.MustParseAddr("2001:db8::25"),
				By: "mx.example", With: "ESMTP"},
		},
		{
			name: "bare ipv6 comment",
			body: "from AB1PR01MB.prod.example.com (2001:db8:1::21) by CD2PR02MB.prod.example.com with Microsoft SMTP Server id 15.20.1 via Frontend Transport",
			want: Received{From: "AB1PR01MB.prod.example.com", FromIP: netip.MustParseAddr("2001:db8:1::21"),
				By: "CD2PR02MB.prod.example.com", With: "Microsoft", ID: "15.20.1", Via: "Frontend"},
		},
		{
			name: "qmail login",
			body: "from unknown (HELO laptop) (alice@example.org@198.51.100.30) by mail.example.org with ESMTPA; 3 Dec 2024 10:00:00 -0000",
			want: Received{From: "unknown", FromIP: netip.MustParseAddr("198.51.100.30"),
				By: "mail.example.org", With: "ESMTPA", Authenticated: true,
				Date: time.Date(2024, 12, 3, 10, 0, 0, 0, time.UTC)},
		},
		{
			name: "authenticated as",
			body: "from [192.0.2.44] (authenticated as bob) by webmail.example.org with HTTP",
			want: Received{From: "[192.0.2.44]", FromIP: netip.MustParseAddr("192.0.2.44"),
				By: "webmail.example.org", With: "HTTP", Authenticated: true, AuthSender: "bob"},
		},
		{
			name: "no from",
			body: "by 2002:a05:6000::1 with SMTP id x1; Tue, 3 Dec 2024 10:00:00 -0800 (PST)",
			want: Received{By: "2002:a05:6000::1", With: "SMTP", ID: "x1",
				Date: time.Date(2024, 12, 3, 18, 0, 0, 0, time.UTC)},
		},
		{
			name: "unclosed comment",
			body: "from a.example (a.example [192.0.2.9] by",
			want: Received{From: "a.example", FromIP: netip.MustParseAddr("192.0.2.9")},
		},
		{
			name: "garbage",
			body: ";;;(((",
			want: Received{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseReceived(tt.body)
			if !got.Date.Equal(tt.want.Date) {
				t.Errorf("Date = %v, want %v", got.Date, tt.want.Date)
			}
			got.Date, tt.want.Date = time.Time{}, time.Time{}
			if got != tt.want {
				t.Errorf("ParseReceived(%q)\n got %+v\nwant %+v", tt.body, got, tt.want)
			}
		})
	}
}

func TestParseAuthResults(t *testing.T) {
	tests := []struct {
		name string
		body string
		want AuthResults
	}{
		{
			name: "typical",
			body: "mx.example.net;\r\n dkim=pass header.d=example.org header.s=s1;\r\n spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.org;\r\n dmarc=pass (p=REJECT) header.from=example.org",
			want: AuthResults{AuthservID: "mx.example.net", Results: []AuthResult{
				{Method: "dkim", Value: "pass", Props: map[string]string{"header.d": "example.org", "header.s": "s1"}},
				{Method: "spf", Value: "pass", Props: map[string]string{"smtp.mailfrom": "example.org"}},
				{Method: "dmarc", Value: "pass", Props: map[string]string{"header.from": "example.org"}},
			}},
		},
		{
			name: "version and spaces around equals",
			body: "MX.Example.NET 1; spf = fail reason=\"mechanism -all; matched\" smtp.mailfrom = a@b.example",
			want: AuthResults{AuthservID: "mx.example.net", Results: []AuthResult{
				{Method: "spf", Value: "fail", Reason: "mechanism -all; matched",
					Props: map[string]string{"smtp.mailfrom": "a@b.example"}},
			}},
		},
		{
			name: "none",
			body: "mx.example.net; none",
			want: AuthResults{AuthservID: "mx.example.net"},
		},
		{
			name: "bad clause skipped",
			body: "mx.example.net; garbage here; auth=pass smtp.auth=alice; dkim/1=FAIL header.d=x.example",
			want: AuthResults{AuthservID: "mx.example.net", Results: []AuthResult{
				{Method: "auth", Value: "pass", Props: map[string]string{"smtp.auth": "alice"}},
				{Method: "dkim", Value: "fail", Props: map[string]string{"header.d": "x.example"}},
			}},
		},
		{
			name: "comment before id",
			body: "(checked) mx.example.net (v1) ; spf=none",
			want: AuthResults{AuthservID: "mx.example.net", Results: []AuthResult{{Method: "spf", Value: "none"}}},
		},
		{
			name: "empty",
			body: "",
			want: AuthResults{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseAuthResults(tt.body)
			if got.AuthservID != tt.want.AuthservID {
				t.Errorf("AuthservID = %q, want %q", got.AuthservID, tt.want.AuthservID)
			}
			if len(got.Results) != len(tt.want.Results) {
				t.Fatalf("Results = %+v, want %+v", got.Results, tt.want.Results)
			}
			for i, w := range tt.want.Results {
				g := got.Results[i]
				if g.Method != w.Method || g.Value != w.Value || g.Reason != w.Reason {
					t.Errorf("Results[%d] = %+v, want %+v", i, g, w)
				}
				for k, v := range w.Props {
					if g.Props[k] != v {
						t.Errorf("Results[%d].Props[%q] = %q, want %q", i, k, g.Props[k], v)
					}
				}
				if len(g.Props) != len(w.Props) {
					t.Errorf("Results[%d].Props = %v, want %v", i, g.Props, w.Props)
				}
			}
		})
	}
}

func TestParseReceivedSPF(t *testing.T) {
	tests := []struct {
		name         string
		body         string
		wantResult   string
		wantReceiver string
		wantIP       string
		wantFrom     string
	}{
		{
			name:         "full",
			body:         `Pass (mx.example.net: domain of alice@example.org designates 192.0.2.1 as permitted sender) receiver=mx.example.net; client-ip=192.0.2.1; envelope-from="alice@example.org"; helo=mail.example.org;`,
			wantResult:   "pass",
			wantReceiver: "mx.example.net",
			wantIP:       "192.0.2.1",
			wantFrom:     "alice@example.org",
		},
		{
			name:         "receiver from comment",
			body:         `softfail (gw.example.net: transitioning domain of b.example does not designate 203.0.113.9 as permitted sender) client-ip=203.0.113.9 envelope-from=x@b.example`,
			wantResult:   "softfail",
			wantReceiver: "gw.example.net",
			wantIP:       "203.0.113.9",
			wantFrom:     "x@b.example",
		},
		{
			name:       "bare result",
			body:       "none",
			wantResult: "none",
		},
		{
			name:       "mapped ipv6 address",
			body:       "fail client-ip=::ffff:198.51.100.3",
			wantResult: "fail",
			wantIP:     "198.51.100.3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseReceivedSPF(tt.body)
			if got.Result != tt.wantResult {
				t.Errorf("Result = %q, want %q", got.Result, tt.wantResult)
			}
			if got.Receiver() != tt.wantReceiver {
				t.Errorf("Receiver() = %q, want %q", got.Receiver(), tt.wantReceiver)
			}
			ip := ""
			if got.ClientIP().IsValid() {
				ip = got.ClientIP().String()
			}
			if ip != tt.wantIP {
				t.Errorf("ClientIP() = %q, want %q", ip, tt.wantIP)
			}
			if got.Params["envelope-from"] != tt.wantFrom {
				t.Errorf("envelope-from = %q, want %q", got.Params["envelope-from"], tt.wantFrom)
			}
		})
	}
}
