package sender

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/policy"
	"github.com/holdfast/holdfast/sender/dnstest"
	"github.com/holdfast/holdfast/store"
)

// inbound returns an Input from example.cn's mail server, with a login
// from Singapore recorded in X-Originating-IP.
func inbound(from string, links ...Link) Input {
	in := parseMessage("X-Originating-IP: [198.51.100.9]\r\nFrom: " + from + "\r\n\r\nbody\r\n")
	in.ClientIP = netip.MustParseAddr("203.0.113.7")
	in.Helo = "mx.example.cn"
	in.MailFrom = "li@example.cn"
	in.LocalDomains = []string{"org.example"}
	in.Links = links
	return in
}

func TestNoveltySignals(t *testing.T) {
	tests := []struct {
		name         string
		in           Input
		want         string
		wantEvidence []string
		wantScale    float64
		wantNot      []string
	}{
		{
			name:         "new domain",
			in:           inbound("Li <li@example.cn>"),
			want:         policy.SenderFirstContact,
			wantEvidence: []string{"no mail from example[.]cn in 203 days of history (602 messages)"},
			wantNot:      []string{policy.AddressFirstContact, policy.KnownCorrespondent},
		},
		{
			name:         "new address at known domain",
			in:           inbound("Max <max@example.de>"),
			want:         policy.AddressFirstContact,
			wantEvidence: []string{"no mail from max@example[.]de before", "600 messages from example[.]de since 2024-08-01"},
			wantNot:      []string{policy.SenderFirstContact},
		},
		{
			name:         "known correspondent",
			in:           inbound("Pat Partner <partner@example.net>"),
			want:         policy.KnownCorrespondent,
			wantEvidence: []string{"wrote 1 message to partner@example[.]net; last seen on 2025-02-24"},
			wantNot:      []string{policy.SenderFirstContact, policy.AddressFirstContact, policy.DisplayNameNew},
		},
		{
			name:         "new display name",
			in:           inbound("Chief Executive <anna@example.de>"),
			want:         policy.DisplayNameNew,
			wantEvidence: []string{`display name "Chief Executive" never seen with anna@example[.]de (seen: "Anna Example")`},
		},
		{
			name:    "same display name other spacing",
			in:      inbound("anna  EXAMPLE <anna@example.de>"),
			wantNot: []string{policy.DisplayNameNew, policy.AddressFirstContact},
		},
		{
			name: "new link domain",
			in: inbound("Anna Example <anna@example.de>",
				Link{Domain: "www.example.de", Source: "body"},
				Link{Domain: "login.evil.example", Source: "body (text/html) href"},
				Link{Domain: "portal.org.example", Source: "body"}),
			want:         policy.LinkDomainNew,
			wantEvidence: []string{"link to evil[.]example in body (text/html) href, never seen in 203 days"},
			wantNot:      []string{policy.QRLinkDomainNew},
		},
		{
			name: "new qr domain",
			in: inbound("Anna Example <anna@example.de>",
				Link{Domain: "sssafjeuihiolsw.bond", QR: true, Source: "invoice.docx (word/media/image1.png)"}),
			want:         policy.QRLinkDomainNew,
			wantEvidence: []string{"QR code link to sssafjeuihiolsw[.]bond in invoice.docx (word/media/image1.png)"},
			wantNot:      []string{policy.LinkDomainNew},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestChecker(t, Config{}, matureHistory(t), nil)
			a := c.Assess(context.Background(), tt.in)
			if tt.want != "" {
				s, ok := signal(a, tt.want)
				if !ok {
					t.Fatalf("signals %v lack %s", signalNames(a), tt.want)
				}
				for _, w := range tt.wantEvidence {
					if !strings.Contains(s.Evidence, w) {
						t.Errorf("%s evidence %q lacks %q", tt.want, s.Evidence, w)
					}
				}
				if s.Scale != 1 && s.Scale != 0 {
					t.Errorf("%s Scale = %v on a mature history, want full weight", tt.want, s.Scale)
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

func TestNoveltyOnYoungHistory(t *testing.T) {
	ctx := context.Background()
	empty := newFakeHistory()
	young := newFakeHistory()
	for i := 0; i < 50; i++ {
		young.Learn(ctx, store.Observation{Time: testNow.AddDate(0, 0, -1-i%3), Direction: store.Inbound,
			SenderAddress: "anna@example.de", SenderDomain: "example.de"})
	}
	// One message with a forged old date adds a day, not years.
	young.Learn(ctx, store.Observation{Time: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC),
		Direction: store.Inbound, SenderAddress: "old@example.de", SenderDomain: "example.de"})

	t.Run("empty", func(t *testing.T) {
		c := newTestChecker(t, Config{}, empty, nil)
		a := c.Assess(ctx, inbound("li@example.cn", Link{Domain: "new.example", QR: true}))
		for _, name := range []string{policy.SenderFirstContact, policy.QRLinkDomainNew} {
			if _, ok := signal(a, name); ok {
				t.Errorf("%s raised on an empty history", name)
			}
		}
	})
	t.Run("young", func(t *testing.T) {
		c := newTestChecker(t, Config{}, young, nil)
		a := c.Assess(ctx, inbound("li@example.cn"))
		s, ok := signal(a, policy.SenderFirstContact)
		if !ok {
			t.Fatalf("signals %v lack SENDER_FIRST_CONTACT", signalNames(a))
		}
		// 4 of 30 days and 51 of 500 messages: a tenth of the weight.
		if s.Scale != 0.1 {
			t.Errorf("Scale = %v, want 0.1", s.Scale)
		}
		if !strings.Contains(s.Evidence, "weight scaled to 10% because the history is young") {
			t.Errorf("evidence %q does not explain the scale", s.Evidence)
		}
	})
}

func TestHistoryErrorSkipsNovelty(t *testing.T) {
	h := matureHistory(t)
	h.err = errors.New("database is locked")
	c := newTestChecker(t, Config{}, h, nil)
	a := c.Assess(context.Background(), inbound("li@example.cn"))
	if a.History != nil {
		t.Errorf("History = %+v, want nil after an error", a.History)
	}
	if len(a.Errors) != 1 || !strings.Contains(a.Errors[0], "database is locked") {
		t.Errorf("Errors = %q, want the store's error", a.Errors)
	}
	if _, ok := signal(a, policy.SenderFirstContact); ok {
		t.Errorf("SENDER_FIRST_CONTACT raised without a history")
	}
}

func TestOriginSignals(t *testing.T) {
	key := newTestKey(t)
	srv := dnstest.Start(t, testZone(key))

	tests := []struct {
		name         string
		origin       string
		history      func(*fakeHistory)
		want         string
		wantEvidence []string
		wantNot      []string
	}{
		{
			name:   "abroad",
			origin: "198.51.100.9",
			want:   policy.SPFPassOriginAbroad,
			wantEvidence: []string{
				"SPF pass for 203.0.113.7 (CN)",
				"client logged in from 198.51.100.9 (SG) per X-Originating-IP, a field written outside the trusted relays",
				"example[.]cn implies CN",
				"no earlier login origin recorded for example[.]cn",
			},
			wantNot: []string{policy.OriginHostingNetwork},
		},
		{
			name:   "abroad but seen before",
			origin: "198.51.100.9",
			history: func(h *fakeHistory) {
				h.origins["example.cn"] = []store.Origin{{Country: "SG", Count: 4}}
			},
			wantNot: []string{policy.SPFPassOriginAbroad},
		},
		{
			name:   "abroad with earlier origins",
			origin: "198.51.100.9",
			history: func(h *fakeHistory) {
				h.origins["example.cn"] = []store.Origin{{Country: "CN", Count: 9}, {Country: "HK", Count: 1}}
			},
			want:         policy.SPFPassOriginAbroad,
			wantEvidence: []string{"SG not among earlier origins of example[.]cn (CN, HK)"},
		},
		{
			name:    "same country as server",
			origin:  "203.0.113.99",
			wantNot: []string{policy.SPFPassOriginAbroad},
		},
		{
			name:   "hosting network",
			origin: "198.51.100.200",
			want:   policy.OriginHostingNetwork,
			wantEvidence: []string{
				"client logged in from 198.51.100.200 (NL, AS64500 Example VPS Hosting BV) per X-Originating-IP",
				"AS64500 is listed (hosting_asns)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := matureHistory(t)
			if tt.history != nil {
				tt.history(h)
			}
			c := newTestChecker(t, Config{}, h, srv)
			in := inbound("Li <li@example.cn>")
			in.Headers[0].Value = tt.origin

			a := c.Assess(context.Background(), in)
			if a.SPF.Result != "pass" {
				t.Fatalf("SPF = %+v, want pass", a.SPF)
			}
			if tt.want != "" {
				s, ok := signal(a, tt.want)
				if !ok {
					t.Fatalf("signals %v lack %s", signalNames(a), tt.want)
				}
				for _, w := range tt.wantEvidence {
					if !strings.Contains(s.Evidence, w) {
						t.Errorf("evidence %q lacks %q", s.Evidence, w)
					}
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

func TestLoginCountryNew(t *testing.T) {
	h := matureHistory(t)
	c := newTestChecker(t, Config{}, h, nil)
	in := Input{
		From: "Staff <staff@org.example>", MailFrom: "staff@org.example", SASLLogin: "staff",
		ClientIP: netip.MustParseAddr("198.51.100.200"), LocalDomains: []string{"org.example"},
		Recipients: []string{"someone@example.net"},
	}
	a := c.Assess(context.Background(), in)
	if a.Direction != Outbound {
		t.Fatalf("Direction = %q, want outbound", a.Direction)
	}
	s, ok := signal(a, policy.LoginCountryNew)
	if !ok {
		t.Fatalf("signals %v lack LOGIN_COUNTRY_NEW", signalNames(a))
	}
	want := "staff logged in from 198.51.100.200 (NL, AS64500 Example VPS Hosting BV) per SASL login staff; earlier origins of the account: DE"
	if s.Evidence != want {
		t.Errorf("evidence = %q, want %q", s.Evidence, want)
	}
	if _, ok := signal(a, policy.OriginHostingNetwork); !ok {
		t.Errorf("signals %v lack ORIGIN_HOSTING_NETWORK", signalNames(a))
	}
	if a.SPF.Result != "" {
		t.Errorf("SPF = %+v, want no check on outbound mail", a.SPF)
	}
}

// TestPhishingScenarioHolds runs the case the sender checks exist for: a
// real account at a new domain passes SPF, but its user logged in from
// another country and sends a QR code to a never-seen domain.
func TestPhishingScenarioHolds(t *testing.T) {
	key := newTestKey(t)
	srv := dnstest.Start(t, testZone(key))
	c := newTestChecker(t, Config{}, matureHistory(t), srv)
	in := inbound("Li <li@example.cn>",
		Link{Domain: "sssafjeuihiolsw.bond", QR: true, Source: "通知文件.docx (word/media/image1.png)"})

	a := c.Assess(context.Background(), in)
	v := policy.Decide(policy.Input{Sender: a.Signals}, policy.Config{})
	if v.Action != policy.Hold {
		t.Errorf("verdict %s score %.1f (%v), want hold", v.Action, v.Score, v.SignalNames())
	}
}

func TestObservation(t *testing.T) {
	c := newTestChecker(t, Config{}, nil, nil)

	t.Run("inbound", func(t *testing.T) {
		in := inbound(`"Li Example" <Li@Example.CN>`, Link{Domain: "www.example.de"}, Link{Domain: "a.example.de"})
		a := c.Assess(context.Background(), in)
		obs := c.Observation(in, a)
		if obs.Direction != store.Inbound || obs.SenderAddress != "li@example.cn" || obs.SenderDomain != "example.cn" {
			t.Errorf("observation = %+v", obs)
		}
		if obs.DisplayName != "Li Example" {
			t.Errorf("DisplayName = %q", obs.DisplayName)
		}
		if strings.Join(obs.LinkDomains, ",") != "example.de" {
			t.Errorf("LinkDomains = %q, want [example.de]", obs.LinkDomains)
		}
		if obs.OriginCountry != "SG" || obs.OriginASN != "AS64497" {
			t.Errorf("origin = %s %s, want SG AS64497", obs.OriginCountry, obs.OriginASN)
		}
		if !obs.Time.Equal(testNow) {
			t.Errorf("Time = %v, want %v", obs.Time, testNow)
		}
	})
	t.Run("outbound", func(t *testing.T) {
		in := Input{From: "staff@org.example", SASLLogin: "Staff", ClientIP: netip.MustParseAddr("192.0.2.40"),
			LocalDomains: []string{"org.example"},
			Recipients:   []string{"<Partner@Example.NET>", "colleague@org.example"}}
		a := c.Assess(context.Background(), in)
		obs := c.Observation(in, a)
		if obs.Direction != store.Outbound || obs.LocalAccount != "staff" {
			t.Errorf("observation = %+v, want outbound for account staff", obs)
		}
		if strings.Join(obs.Recipients, ",") != "partner@example.net" {
			t.Errorf("Recipients = %q, want only the external one", obs.Recipients)
		}
		if obs.OriginCountry != "DE" {
			t.Errorf("OriginCountry = %q, want DE", obs.OriginCountry)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"zero", Config{}, ""},
		{"relays", Config{TrustedRelays: []string{"192.0.2.0/24", "2001:db8::1"}}, ""},
		{"bad relay", Config{TrustedRelays: []string{"192.0.2.0/33"}}, "trusted_relays"},
		{"empty authserv id", Config{AuthservIDs: []string{" "}}, "authserv_ids"},
		{"negative days", Config{HistoryFullDays: -1}, "history_full_days"},
		{"negative signatures", Config{MaxDKIMSignatures: -2}, "max_dkim_signatures"},
	}
	for _, tt := range tests {
		cfg := tt.cfg
		err := cfg.Validate()
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: Validate() = %v", tt.name, err)
			}
			if cfg.HistoryFullDays != DefaultHistoryFullDays || cfg.MaxReceived != DefaultMaxReceived {
				t.Errorf("%s: defaults not filled: %+v", tt.name, cfg)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: Validate() = %v, want an error naming %s", tt.name, err, tt.wantErr)
		}
	}
}

func TestAssessmentJSON(t *testing.T) {
	c := newTestChecker(t, Config{}, matureHistory(t), nil)
	a := c.Assess(context.Background(), inbound("Li <li@example.cn>"))
	data, err := jsonMarshal(a)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	for _, want := range []string{`"direction":"inbound"`, `"origin":{"ip":"198.51.100.9","country":"SG"`, `"name":"SENDER_FIRST_CONTACT"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON lacks %s:\n%s", want, data)
		}
	}
}
