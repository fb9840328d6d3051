package policy

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/store"
)

// start is the time of the first message in these tests.
var start = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// openStore opens a SQLite store in a fresh temporary directory.
func openStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Config{DSN: filepath.Join(t.TempDir(), "holdfast.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var _ CampaignStore = (*store.Store)(nil)
var _ AccountStore = (*store.Store)(nil)

func TestNameShape(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"digit runs fold", "Invoice_2024-118.PDF", "invoice_#-#.pdf"},
		{"one digit run", "invoice_7.pdf", "invoice_#.pdf"},
		{"spaces trimmed", "  Scan 0001.pdf ", "scan #.pdf"},
		{"Arabic-Indic digits fold", "Überweisung_٣٤.docx", "überweisung_#.docx"},
		{"no letter in the stem", "20240101.pdf", ""},
		{"empty", "", ""},
		{"no extension", "README", "readme"},

		// Lookalike letters from other scripts.
		{"Cyrillic і о е", "\u0456nv\u043Ei\u0441\u0435_7.pdf", "invoice_#.pdf"},
		{"Cyrillic capitals", "\u0406NV\u041E\u0406\u0421\u0415_7.PDF", "invoice_#.pdf"},
		{"Cyrillic small capitals", "\u0432\u0430\u043D\u043A_\u043C\u0435\u043C\u043E_1.pdf", "bahk_memo_#.pdf"},
		{"Cyrillic ԁ ԛ ԝ ѕ ј һ ӏ", "\u0501\u051B\u051D\u0455\u0458\u04BB\u04CF_1.pdf", "dqwsjhl_#.pdf"},
		{"Greek ι ο ν", "\u03B9n\u03BD\u03BF\u03B9ce_7.pdf", "invoice_#.pdf"},
		{"Greek capitals", "\u0399\u039DV\u039F\u0399C\u0395_7.pdf", "invoice_#.pdf"},
		{"Greek α ρ τ υ κ", "\u03C1\u03B1\u03C5\u03BA\u03C4_1.pdf", "paukt_#.pdf"},

		// Compatibility forms.
		{"fullwidth letters", "\uFF49\uFF4Ev\uFF4Fice_7.pdf", "invoice_#.pdf"},
		{"fullwidth capitals and digits", "\uFF29\uFF2E\uFF36\uFF2F\uFF29\uFF23\uFF25_\uFF17\uFF18.pdf", "invoice_#.pdf"},
		{"ligature", "\uFB01le_3.pdf", "file_#.pdf"},
		{"Kelvin sign", "\u212Aontoauszug_3.pdf", "kontoauszug_#.pdf"},
		{"ideographic space trimmed", "\u3000invoice_7.pdf", "invoice_#.pdf"},
		{"full case folding", "STRASSE_1.pdf", "strasse_#.pdf"},
		{"sharp s folds", "Stra\u00DFe_1.pdf", "strasse_#.pdf"},

		// Characters that render as nothing.
		{"zero-width space", "in\u200Bvoice_7.pdf", "invoice_#.pdf"},
		{"soft hyphen", "in\u00ADvoice_7.pdf", "invoice_#.pdf"},
		{"byte order mark", "\uFEFFinvoice_7.pdf", "invoice_#.pdf"},
		{"right-to-left override", "invoice_7\u202E.pdf", "invoice_#.pdf"},
		{"variation selector", "invoice\uFE0F_7.pdf", "invoice_#.pdf"},
		{"Hangul filler", "invoice\uFFA0_7.pdf", "invoice_#.pdf"},
		{"digit run split", "invoice_12\u200B34.pdf", "invoice_#.pdf"},
		{"mark kept apart", "U\u200B\u0308berweisung_1.docx", "\u00FCberweisung_#.docx"},
		{"digits and ignorables only", "\u200B2024\u200D.pdf", ""},

		// Names in Cyrillic still group among themselves.
		{"Russian word", "\u0421\u0447\u0451\u0442_12.pdf", "c\u0447\u0451t_#.pdf"},
		{"letters with marks stay", "inv\u00F3ice_7.pdf", "inv\u00F3ice_#.pdf"},
	}
	for _, tt := range tests {
		if got := NameShape(tt.in); got != tt.want {
			t.Errorf("%s: NameShape(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestCampaignKeys(t *testing.T) {
	now := start
	report := &scanner.Report{
		Links: []scanner.Link{
			{URL: "https://a.evil.example/x", Domain: "evil.example", Via: "qr"},
			{URL: "https://shop.sender.example/", Domain: "sender.example", Via: "href"},
			{URL: "https://intranet.org.example/", Domain: "org.example", Via: "href"},
			{URL: "https://linkedin.example/in/x", Domain: "linkedin.example", Via: "href"},
			{URL: "https://fresh.example/p", Domain: "fresh.example", Via: "text"},
			{URL: "https://cdn.example/logo.png", Domain: "cdn.example", Via: "src"},
		},
		Attachments: []scanner.Attachment{
			{Filename: "Invoice_118.pdf", Sniffed: scanner.KindPDF, SHA256: "AB12"},
			{Filename: "image001.png", Sniffed: scanner.KindPNG, SHA256: "cd34"},
		},
	}
	in := CampaignInput{
		Time: now, Report: report, SenderAddress: "a@sender.example", SenderDomain: "sender.example",
		LocalDomains:     []string{"org.example"},
		DomainsFirstSeen: map[string]time.Time{"linkedin.example": now.Add(-30 * 24 * time.Hour)},
	}
	got := CampaignKeys(in, 6*time.Hour)
	want := []store.CampaignKey{
		{Kind: store.KeyQRDomain, Value: "evil.example"},
		{Kind: store.KeyAttachmentSHA256, Value: "ab12"},
		{Kind: store.KeyAttachmentSHA256, Value: "cd34"},
		{Kind: store.KeySenderDomain, Value: "sender.example"},
		{Kind: store.KeyAttachmentName, Value: "invoice_#.pdf"},
		{Kind: store.KeyLinkDomain, Value: "fresh.example"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("CampaignKeys =\n%v\nwant\n%v", got, want)
	}

	// A sender domain the organisation knew before the window is no key.
	in.DomainsFirstSeen["sender.example"] = now.Add(-7 * time.Hour)
	got = CampaignKeys(in, 6*time.Hour)
	if slices.Contains(got, store.CampaignKey{Kind: store.KeySenderDomain, Value: "sender.example"}) {
		t.Errorf("CampaignKeys keeps the established sender domain: %v", got)
	}
}

func TestCampaignKeysPlatform(t *testing.T) {
	now := start
	established := now.Add(-30 * 24 * time.Hour)
	link := func(host, via string) scanner.Link {
		return scanner.Link{URL: "https://" + host + "/x", Host: host, Domain: registrable(host), Via: via}
	}
	linkDomain := func(v string) store.CampaignKey { return store.CampaignKey{Kind: store.KeyLinkDomain, Value: v} }
	linkPlatform := func(v string) store.CampaignKey {
		return store.CampaignKey{Kind: store.KeyLinkPlatform, Value: v}
	}
	tests := []struct {
		name      string
		links     []scanner.Link
		firstSeen map[string]time.Time
		want      []store.CampaignKey
	}{
		{"Cloudflare Pages site", []scanner.Link{link("evil1.pages.dev", "href")}, nil,
			[]store.CampaignKey{linkDomain("evil1.pages.dev"), linkPlatform("pages.dev")}},
		{"S3 bucket", []scanner.Link{link("evil1.s3.amazonaws.com", "text")}, nil,
			[]store.CampaignKey{linkDomain("evil1.s3.amazonaws.com"), linkPlatform("s3.amazonaws.com")}},
		{"deeper host on a platform", []scanner.Link{link("login.evil1.github.io", "href")}, nil,
			[]store.CampaignKey{linkDomain("evil1.github.io"), linkPlatform("github.io")}},
		{"QR target on a platform", []scanner.Link{link("evil1.pages.dev", "qr")}, nil,
			[]store.CampaignKey{{Kind: store.KeyQRDomain, Value: "evil1.pages.dev"},
				{Kind: store.KeyQRPlatform, Value: "pages.dev"}}},
		{"two sites share one platform key",
			[]scanner.Link{link("a.pages.dev", "href"), link("b.pages.dev", "href")}, nil,
			[]store.CampaignKey{linkDomain("a.pages.dev"), linkDomain("b.pages.dev"), linkPlatform("pages.dev")}},
		{"ICANN suffix", []scanner.Link{link("evil.co.uk", "href")}, nil,
			[]store.CampaignKey{linkDomain("evil.co.uk")}},
		{"no listed suffix", []scanner.Link{link("a.evil.example", "href")}, nil,
			[]store.CampaignKey{linkDomain("evil.example")}},
		{"IP address", []scanner.Link{link("192.0.2.7", "href")}, nil,
			[]store.CampaignKey{linkDomain("192.0.2.7")}},
		{"the platform itself", []scanner.Link{link("github.io", "href")}, nil,
			[]store.CampaignKey{linkDomain("github.io")}},
		{"platform known before the window", []scanner.Link{link("evil1.pages.dev", "href")},
			map[string]time.Time{"pages.dev": established},
			[]store.CampaignKey{linkDomain("evil1.pages.dev")}},
		{"platform first seen within the window", []scanner.Link{link("evil1.pages.dev", "href")},
			map[string]time.Time{"pages.dev": now.Add(-time.Hour)},
			[]store.CampaignKey{linkDomain("evil1.pages.dev"), linkPlatform("pages.dev")}},
		{"site known before the window", []scanner.Link{link("docs.github.io", "href")},
			map[string]time.Time{"docs.github.io": established}, nil},
		{"sender's own site", []scanner.Link{link("sender.github.io", "href")}, nil, nil},
		{"image on a platform", []scanner.Link{link("cdn1.s3.amazonaws.com", "src")}, nil, nil},
	}
	for _, tt := range tests {
		in := CampaignInput{
			Time: now, Report: &scanner.Report{Links: tt.links},
			SenderAddress: "a@sender.github.io", SenderDomain: "sender.github.io",
			LocalDomains: []string{"org.example"}, DomainsFirstSeen: tt.firstSeen,
		}
		// The sender domain is new in every row, so it is a key in each.
		senderKey := store.CampaignKey{Kind: store.KeySenderDomain, Value: "sender.github.io"}
		got := CampaignKeys(in, 6*time.Hour)
		if !slices.Contains(got, senderKey) {
			t.Errorf("%s: CampaignKeys = %v, want the sender domain among them", tt.name, got)
		}
		got = slices.DeleteFunc(got, func(k store.CampaignKey) bool { return k == senderKey })
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: CampaignKeys without the sender domain =\n%v\nwant\n%v", tt.name, got, tt.want)
		}
	}
}

// TestCampaignPlatformWave sends 20 messages, each to its own recipient,
// with one link per message, and checks from which message on CAMPAIGN is
// raised and on which key. Wave senders rotate through six new addresses
// at six domains, as in TestCampaignReplay.
func TestCampaignPlatformWave(t *testing.T) {
	established := start.Add(-90 * 24 * time.Hour)
	wave := func(i int) (address, domain string, isNew bool) {
		n := i % 6
		return fmt.Sprintf("wave%d@sender%d.example", n, n), fmt.Sprintf("sender%d.example", n), i < 6
	}
	newsletter := func(int) (string, string, bool) { return "letter@news.example", "news.example", true }
	tests := []struct {
		name      string
		host      func(i int) string
		via       string
		sender    func(i int) (address, domain string, isNew bool)
		firstSeen map[string]time.Time
		// from is the first message raising CAMPAIGN, -1 for none.
		from     int
		key      store.CampaignKey
		scale    float64
		evidence string
	}{
		{name: "site per message on pages.dev", via: "href", sender: wave, from: 9,
			host:     func(i int) string { return fmt.Sprintf("evil%d.pages.dev", i) },
			key:      store.CampaignKey{Kind: store.KeyLinkPlatform, Value: "pages.dev"},
			scale:    0.5,
			evidence: "link platform pages[.]dev: 10 recipients from 6 new senders in 6h"},
		{name: "bucket per message on S3", via: "text", sender: wave, from: 9,
			host:  func(i int) string { return fmt.Sprintf("evil%d.s3.amazonaws.com", i) },
			key:   store.CampaignKey{Kind: store.KeyLinkPlatform, Value: "s3.amazonaws.com"},
			scale: 0.5},
		{name: "QR target per message on pages.dev", via: "qr", sender: wave, from: 9,
			host:  func(i int) string { return fmt.Sprintf("evil%d.pages.dev", i) },
			key:   store.CampaignKey{Kind: store.KeyQRPlatform, Value: "pages.dev"},
			scale: 0.75},
		{name: "control: subdomains of one domain", via: "href", sender: wave, from: 9,
			host:  func(i int) string { return fmt.Sprintf("a%d.evil.example", i) },
			key:   store.CampaignKey{Kind: store.KeyLinkDomain, Value: "evil.example"},
			scale: 0.75},
		{name: "platform known before the window", via: "href", sender: wave, from: -1,
			host:      func(i int) string { return fmt.Sprintf("evil%d.pages.dev", i) },
			firstSeen: map[string]time.Time{"pages.dev": established}},
		{name: "newsletter linking to github.io pages", via: "href", sender: newsletter, from: -1,
			host:      func(i int) string { return fmt.Sprintf("project%d.github.io", i) },
			firstSeen: map[string]time.Time{"news.example": established}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			det, err := NewCampaigns(CampaignConfig{}, openStore(t))
			if err != nil {
				t.Fatal(err)
			}
			for i := range 20 {
				host := tt.host(i)
				address, domain, isNew := tt.sender(i)
				res, err := det.Observe(ctx, CampaignInput{
					Time: start.Add(time.Duration(i) * 2 * time.Minute), MessageID: fmt.Sprintf("<m%d@example>", i),
					SenderAddress: address, SenderDomain: domain, NewSender: isNew,
					Recipients:   []string{fmt.Sprintf("staff%d@org.example", i)},
					LocalDomains: []string{"org.example"}, DomainsFirstSeen: tt.firstSeen,
					Report: &scanner.Report{Links: []scanner.Link{{URL: "https://" + host + "/x", Host: host,
						Domain: registrable(host), Via: tt.via}}},
				})
				if err != nil {
					t.Fatalf("message %d: Observe: %v", i, err)
				}
				want := tt.from >= 0 && i >= tt.from
				if got := len(res.Signals) > 0; got != want {
					t.Fatalf("message %d: CAMPAIGN raised %v, want %v (campaigns %v)", i, got, want, res.Campaigns)
				}
				if !want {
					continue
				}
				if got := res.Campaigns[0].Key; got != tt.key {
					t.Errorf("message %d: campaign key = %v, want %v", i, got, tt.key)
				}
				if got := res.Signals[0].Scale; got != tt.scale {
					t.Errorf("message %d: CAMPAIGN scale = %v, want %v", i, got, tt.scale)
				}
				if ev := res.Signals[0].Evidence; i == tt.from && !strings.HasPrefix(ev, tt.evidence) {
					t.Errorf("message %d: evidence = %q, want it to start %q", i, ev, tt.evidence)
				}
			}
		})
	}
}

func TestCampaignConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     CampaignConfig
		wantErr bool
	}{
		{"zero takes defaults", CampaignConfig{}, false},
		{"new senders off", CampaignConfig{RequireNewSenders: -1}, false},
		{"negative window", CampaignConfig{Window: -1}, true},
		{"negative recipients", CampaignConfig{MinRecipients: -3}, true},
		{"new senders below -1", CampaignConfig{RequireNewSenders: -2}, true},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: Validate() = %v, want error %v", tt.name, err, tt.wantErr)
		}
	}
	var c CampaignConfig
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.Window) != DefaultCampaignWindow || c.MinRecipients != DefaultCampaignMinRecipients ||
		c.MinSenders != DefaultCampaignMinSenders || c.RequireNewSenders != DefaultCampaignNewSenders {
		t.Errorf("defaults = %+v", c)
	}
}

// replayed is one message of the replay and what the pipeline did with it.
type replayed struct {
	campaign bool
	signaled bool
	verdict  Verdict
}

// TestCampaignReplay replays a morning of inbound mail: ordinary traffic
// from known and new senders, a newsletter, and a QR phishing wave from
// six new senders to different recipients. The campaign signal must
// appear from the tenth wave message (ten recipients, six new senders)
// on, never on ordinary mail, and the campaign must list every wave
// message, the early accepted ones included.
func TestCampaignReplay(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	det, err := NewCampaigns(CampaignConfig{}, st)
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	established := start.Add(-90 * 24 * time.Hour)
	firstSeen := map[string]time.Time{
		"partner.example": established, "linkedin.example": established,
		"news.example": established, "bank.example": established,
	}

	const waveSize = 36
	var log []replayed
	var entries []int64
	nextEntry := int64(100)
	at := start
	for i := range waveSize * 3 {
		at = at.Add(2 * time.Minute)
		in, sender := replayMessage(i, at, firstSeen)
		res, err := det.Observe(ctx, in)
		if err != nil {
			t.Fatalf("message %d: Observe: %v", i, err)
		}
		v := Decide(Input{Report: in.Report, Sender: append(sender, res.Signals...)}, cfg)
		var entry int64
		if v.Enforced == Hold {
			nextEntry++
			entry = nextEntry
			entries = append(entries, entry)
		}
		if v.Enforced == Hold && i%3 != 0 {
			t.Errorf("ordinary message %d held: %s", i, v.Reason())
		}
		if err := det.Record(ctx, res, v, entry); err != nil {
			t.Fatalf("message %d: Record: %v", i, err)
		}
		log = append(log, replayed{campaign: i%3 == 0, signaled: len(res.Signals) > 0, verdict: v})
	}

	wave := 0
	for i, m := range log {
		if !m.campaign {
			if m.signaled {
				t.Errorf("ordinary message %d got CAMPAIGN: %v", i, m.verdict.Signals)
			}
			continue
		}
		if want := wave >= 9; m.signaled != want {
			t.Errorf("wave message %d (message %d): CAMPAIGN raised %v, want %v", wave, i, m.signaled, want)
		}
		if wave < 9 && m.verdict.Action == Hold {
			t.Errorf("wave message %d held before the campaign was known: %s", wave, m.verdict.Reason())
		}
		if wave >= 9 && m.verdict.Action != Hold {
			t.Errorf("wave message %d: verdict %s, want hold once the campaign is known", wave, m.verdict.Action)
		}
		wave++
	}
	ev := log[27].verdict.Signals[0].Evidence
	if want := "QR target evil[.]example: 10 recipients from 6 new senders in 6h; "; !strings.HasPrefix(ev, want) {
		t.Errorf("evidence at the tenth wave message = %q, want it to start %q", ev, want)
	}

	// The wave's attachment names ("scan_#.pdf") form a second campaign
	// with the same members.
	all, err := st.Campaigns(ctx, store.CampaignFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Errorf("Campaigns = %+v, want the QR target and the name shape", all)
	}
	camps, err := st.Campaigns(ctx, store.CampaignFilter{Kind: store.KeyQRDomain})
	if err != nil {
		t.Fatal(err)
	}
	if len(camps) != 1 {
		t.Fatalf("QR campaigns = %+v, want one", camps)
	}
	c := camps[0]
	if c.Key != (store.CampaignKey{Kind: store.KeyQRDomain, Value: "evil.example"}) || c.Members != waveSize {
		t.Errorf("campaign = %+v, want QR target evil.example with %d members", c, waveSize)
	}
	members, err := st.CampaignMembers(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != waveSize {
		t.Fatalf("CampaignMembers returned %d, want %d", len(members), waveSize)
	}
	if got, want := members[0].Verdict, log[0].verdict.Enforced.String(); got != want {
		t.Errorf("first member's verdict = %q, want %q (recorded before the campaign was known)", got, want)
	}
	for i, m := range members {
		if !strings.HasPrefix(m.Sender, "wave") {
			t.Errorf("member %d is %s, not a wave sender", i, m.Sender)
		}
	}
	held, err := st.CampaignMemberEntries(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(held, entries) {
		t.Errorf("CampaignMemberEntries = %v, want %v", held, entries)
	}
}

// replayMessage returns message i of the replay and the signals the
// sender checks would raise for it. Every third message belongs to the
// wave; the others rotate through ordinary kinds of mail.
func replayMessage(i int, at time.Time, firstSeen map[string]time.Time) (CampaignInput, []Signal) {
	in := CampaignInput{
		Time: at, MessageID: fmt.Sprintf("<m%d@example>", i), QueueID: fmt.Sprintf("Q%d", i),
		LocalDomains: []string{"org.example"}, DomainsFirstSeen: firstSeen,
		Recipients: []string{fmt.Sprintf("staff%d@org.example", i)},
	}
	firstContact := []Signal{{Name: SenderFirstContact, Evidence: "no mail from the sender before"}}
	signature := scanner.Link{URL: "https://linkedin.example/in/someone", Domain: "linkedin.example", Via: "href"}

	switch i % 3 {
	case 0: // the wave: one QR target, a new sender domain per sender
		n := i / 3 % 6
		in.SenderAddress = fmt.Sprintf("wave%d@sender%d.example", n, n)
		in.SenderDomain = fmt.Sprintf("sender%d.example", n)
		in.NewSender = i/3 < 6
		in.Report = &scanner.Report{
			Links: []scanner.Link{{URL: "https://login.evil.example/a?u=" + fmt.Sprint(i),
				Domain: "evil.example", Via: "qr", Source: "scan.pdf (page 1)"}},
			Attachments: []scanner.Attachment{{Filename: fmt.Sprintf("scan_%d.pdf", i), Sniffed: scanner.KindPDF,
				SHA256: fmt.Sprintf("%064x", i)}},
		}
		return in, firstContact
	case 1: // a known partner, each time to several colleagues
		in.SenderAddress, in.SenderDomain = "anna@partner.example", "partner.example"
		in.Recipients = append(in.Recipients, "team@org.example", "boss@org.example")
		in.Report = &scanner.Report{Links: []scanner.Link{signature},
			Attachments: []scanner.Attachment{{Filename: "Report_Q1.xlsx", SHA256: fmt.Sprintf("%064x", 1000+i)}}}
		return in, nil
	}
	if i%2 == 0 { // a newsletter from an established domain
		in.SenderAddress, in.SenderDomain = "letter@news.example", "news.example"
		in.Report = &scanner.Report{Links: []scanner.Link{
			{URL: "https://news.example/read", Domain: "news.example", Via: "href"}, signature}}
		return in, nil
	}
	// A new sender writing once, with a signature link and a new site.
	in.SenderAddress = fmt.Sprintf("person%d@mail%d.example", i, i)
	in.SenderDomain = fmt.Sprintf("mail%d.example", i)
	in.NewSender = true
	in.Report = &scanner.Report{Links: []scanner.Link{signature,
		{URL: fmt.Sprintf("https://site%d.example/", i), Domain: fmt.Sprintf("site%d.example", i), Via: "href"}}}
	return in, firstContact
}
