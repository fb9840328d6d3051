package quarantine_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/holdfast/holdfast/quarantine"
)

// gmailPhish is a phishing message from a freemail address that links a
// new hostile domain, its own freemail domain, a domain the organisation
// knows, and shared hosting.
func gmailPhish() *quarantine.Entry {
	return &quarantine.Entry{
		QueueID:  "4G1M2A3L",
		MailFrom: "Attacker@Gmail.com",
		Rcpts:    []string{"bob@example.test"},
		Verdict:  "hold",
		Links: []quarantine.Link{
			{URL: "https://www.gmail.com/", Domain: "gmail.com", New: true},
			{URL: "https://login.evil.test/a", Domain: "evil.test", New: true},
			{URL: "https://EVIL.test/b", Domain: "EVIL.test.", New: true},
			{URL: "https://partner.test/", Domain: "partner.test", New: false},
			{URL: "https://s3.amazonaws.com/bucket/x", Domain: "s3.amazonaws.com", New: true},
			{URL: "https://bucket.s3.amazonaws.com/x", Domain: "bucket.s3.amazonaws.com", New: true},
			{URL: "https://contoso.sharepoint.com/x", Domain: "sharepoint.com", New: true},
			{URL: "https://intranet.example.test/", Domain: "example.test", New: true},
			{URL: "https://cdn.vendor.test/", Domain: "vendor.test", New: true},
			{URL: "http://198.51.100.7/", Domain: "198.51.100.7", New: true},
		},
	}
}

func TestPhishBlockPlan(t *testing.T) {
	off := false
	tests := []struct {
		name        string
		cfg         quarantine.Config
		entry       func() *quarantine.Entry
		wantSender  string
		wantDomains []string
	}{
		{
			// The starter list spares gmail.com and sharepoint.com, the
			// local domain is spared, and so are a known domain and a
			// public suffix. A bucket host belongs to one owner.
			name:        "defaults",
			cfg:         quarantine.Config{NeverBlock: []string{"vendor.test"}, LocalDomains: []string{"example.test"}},
			entry:       gmailPhish,
			wantSender:  "attacker@gmail.com",
			wantDomains: []string{"evil.test", "bucket.s3.amazonaws.com", "198.51.100.7"},
		},
		{
			// Without the starter list a new freemail link domain is
			// still the sender's domain, so it stays off the list.
			name:        "starter list off",
			cfg:         quarantine.Config{NeverBlockDefaults: &off},
			entry:       gmailPhish,
			wantSender:  "attacker@gmail.com",
			wantDomains: []string{"evil.test", "bucket.s3.amazonaws.com", "sharepoint.com", "example.test", "vendor.test", "198.51.100.7"},
		},
		{
			// A compromised company mailbox: its own domain is not blocked.
			name: "sender domain spared",
			cfg:  quarantine.Config{},
			entry: func() *quarantine.Entry {
				return &quarantine.Entry{MailFrom: "ap@mail.supplier.test", Links: []quarantine.Link{
					{Domain: "supplier.test", New: true},
					{Domain: "evil.test", New: true},
				}}
			},
			wantSender:  "ap@mail.supplier.test",
			wantDomains: []string{"evil.test"},
		},
		{
			// Without history every link reads as seen, so only the
			// sender address is blocked.
			name: "no history",
			cfg:  quarantine.Config{},
			entry: func() *quarantine.Entry {
				return &quarantine.Entry{From: "X <x@evil.test>", Links: []quarantine.Link{{Domain: "evil.test"}}}
			},
			wantSender: "x@evil.test",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.cfg)
			e := tt.entry()
			p := f.svc.PhishBlockPlan(e)
			if p.Sender != tt.wantSender {
				t.Errorf("PhishBlockPlan sender = %q, want %q", p.Sender, tt.wantSender)
			}
			if !slices.Equal(p.Domains, tt.wantDomains) {
				t.Errorf("PhishBlockPlan domains = %v, want %v", p.Domains, tt.wantDomains)
			}
			// Every distinct link domain is either blocked or skipped.
			distinct := map[string]bool{}
			for _, l := range e.Links {
				distinct[strings.TrimSuffix(strings.ToLower(l.Domain), ".")] = true
			}
			if got := len(p.Domains) + len(p.Skipped); got != len(distinct) {
				t.Errorf("blocked %d + skipped %d domains, want %d distinct", len(p.Domains), len(p.Skipped), len(distinct))
			}
		})
	}
}

func TestPhishBlockPlanReasons(t *testing.T) {
	f := newFixture(t, quarantine.Config{LocalDomains: []string{"example.test"}})
	p := f.svc.PhishBlockPlan(gmailPhish())
	want := map[string]string{
		"gmail.com":        quarantine.SkipNeverBlock,
		"partner.test":     quarantine.SkipSeenBefore,
		"s3.amazonaws.com": quarantine.SkipPublicSuffix,
		"sharepoint.com":   quarantine.SkipNeverBlock,
		"example.test":     quarantine.SkipLocal,
	}
	for _, s := range p.Skipped {
		if want[s.Domain] != s.Reason {
			t.Errorf("skipped %s because %q, want %q", s.Domain, s.Reason, want[s.Domain])
		}
		delete(want, s.Domain)
	}
	for d := range want {
		t.Errorf("%s not skipped", d)
	}
}

func TestMarkPhishFreemailSender(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, quarantine.Config{})
	id, err := f.svc.Hold(ctx, gmailPhish(), []byte("Subject: x\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.MarkPhish(ctx, id, "staff2", "192.0.2.9"); err != nil {
		t.Fatalf("MarkPhish: %v", err)
	}

	hits, err := f.store.Blocklisted(ctx, []string{"gmail.com", "sharepoint.com"}, "other@gmail.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 0 {
		t.Errorf("Blocklisted(shared domains, other gmail sender) = %v, want none", hits)
	}
	hits, _ = f.store.Blocklisted(ctx, []string{"evil.test"}, "attacker@gmail.com")
	if !slices.Equal(hits, []string{"evil.test", "attacker@gmail.com"}) {
		t.Errorf("Blocklisted(evil.test, attacker) = %v, want both", hits)
	}
	audit, _ := f.svc.Audit(ctx, id)
	detail := audit[len(audit)-1].Detail
	if !strings.Contains(detail, "not blocked: gmail.com") {
		t.Errorf("mark-phish detail = %q, want the spared domains listed", detail)
	}
}

func TestServiceUnblock(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, quarantine.Config{})
	id := f.hold(t, "4U1N2B3L", now)
	if err := f.svc.MarkPhish(ctx, id, "staff2", ""); err != nil {
		t.Fatalf("MarkPhish: %v", err)
	}

	if err := f.svc.Unblock(ctx, quarantine.BlockDomain, "Evil.test", "staff3", "192.0.2.10"); err != nil {
		t.Fatalf("Unblock: %v", err)
	}
	list, err := f.svc.Blocklist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range list {
		if b.Kind == quarantine.BlockDomain && b.Value == "evil.test" {
			t.Errorf("Blocklist after Unblock still has %+v", b)
		}
	}
	audit, _ := f.svc.Audit(ctx, id)
	last := audit[len(audit)-1]
	if last.Name != "unblock" || last.Actor != "staff3" || last.Remote != "192.0.2.10" {
		t.Errorf("last audit record = %+v, want unblock by staff3 from 192.0.2.10", last)
	}

	err = f.svc.Unblock(ctx, quarantine.BlockDomain, "evil.test", "staff3", "")
	if !errors.Is(err, quarantine.ErrNotBlocked) {
		t.Errorf("Unblock twice error = %v, want ErrNotBlocked", err)
	}
	if err := f.svc.Unblock(ctx, "ip", "192.0.2.1", "staff3", ""); err == nil || !strings.Contains(err.Error(), "invalid") {
		t.Errorf("Unblock(kind ip) error = %v, want invalid kind", err)
	}
}

func TestServiceUnblockWithoutEntry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, quarantine.Config{})
	// A block whose entry was purged since, or that no entry caused.
	if err := f.store.Block(ctx, []string{"gone.test"}, "", "staff1", 999); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Unblock(ctx, quarantine.BlockDomain, "gone.test", "staff3", ""); err != nil {
		t.Errorf("Unblock of a block whose entry is gone: %v", err)
	}
}

func TestConfigNeverBlocked(t *testing.T) {
	off := false
	tests := []struct {
		name   string
		cfg    quarantine.Config
		domain string
		want   bool
	}{
		{"starter freemail", quarantine.Config{}, "gmail.com", true},
		{"starter subdomain", quarantine.Config{}, "mail.Yahoo.com.", true},
		{"starter lookalike", quarantine.Config{}, "evilgmail.com", false},
		{"configured", quarantine.Config{NeverBlock: []string{"Vendor.test"}}, "cdn.vendor.test", true},
		{"starter off", quarantine.Config{NeverBlockDefaults: &off}, "gmail.com", false},
		{"starter off keeps configured", quarantine.Config{NeverBlockDefaults: &off,
			NeverBlock: []string{"gmail.com"}}, "gmail.com", true},
		{"local domain not included", quarantine.Config{LocalDomains: []string{"example.test"}}, "example.test", false},
	}
	for _, tt := range tests {
		if got := tt.cfg.NeverBlocked(tt.domain); got != tt.want {
			t.Errorf("%s: NeverBlocked(%q) = %v, want %v", tt.name, tt.domain, got, tt.want)
		}
	}
}

func TestConfigNeverBlockDefaultsOn(t *testing.T) {
	c := quarantine.Config{}.WithDefaults()
	if c.NeverBlockDefaults == nil || !*c.NeverBlockDefaults {
		t.Errorf("WithDefaults never_block_defaults = %v, want true", c.NeverBlockDefaults)
	}
	off := false
	if c := (quarantine.Config{NeverBlockDefaults: &off}).WithDefaults(); *c.NeverBlockDefaults {
		t.Error("WithDefaults overrode never_block_defaults = false")
	}
}
