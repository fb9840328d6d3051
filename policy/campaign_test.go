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
	tests := []struct{ name, want string }{
		{"Invoice_2024-118.PDF", "invoice_#-#.pdf"},
		{"invoice_7.pdf", "invoice_#.pdf"},
		{"  Scan 0001.pdf ", "scan #.pdf"},
		{"Überweisung_٣٤.docx", "überweisung_#.docx"}, // Arabic-Indic digits fold too
		{"20240101.pdf", ""},                          // no letter in the stem
		{"", ""},
		{"README", "readme"},
	}
	for i, tt := range tests {
		if got := NameShape(tt.name); got != tt.want {
			t.Errorf("%d. NameShape(%q) = %q, want %q", i, tt.name, got, tt.want)
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
