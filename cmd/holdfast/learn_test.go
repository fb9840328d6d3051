package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/store"
)

// learnMessage builds a small message of the test's own.
func learnMessage(from, to, date, subject string) string {
	return fmt.Sprintf("From: %s\r\nTo: %s\r\nDate: %s\r\nSubject: %s\r\nMessage-ID: <%s@test>\r\n\r\n"+
		"From the desk of the sender: see https://docs.partner.example/x\r\n", from, to, date, subject, subject)
}

// mboxQuote applies the mboxrd quoting to msg: a ">" before each line
// that starts with any number of ">" and then "From ".
func mboxQuote(msg string) string {
	lines := strings.SplitAfter(msg, "\n")
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimLeft(line, ">"), "From ") {
			lines[i] = ">" + line
		}
	}
	return strings.Join(lines, "")
}

// daysAgo returns the RFC 5322 date of n days before now.
func daysAgo(n int) string {
	return time.Now().AddDate(0, 0, -n).Format(time.RFC1123Z)
}

func writeLearnConfig(t testing.TB, dir string) string {
	t.Helper()
	return writeLearnConfigWith(t, dir, "")
}

// writeLearnConfigWith writes a learn config for example.test with extra
// TOML sections appended.
func writeLearnConfigWith(t testing.TB, dir, extra string) string {
	t.Helper()
	cfg := fmt.Sprintf("[org]\nlocal_domains = [\"example.test\"]\n[store]\ndsn = %q\n[dns]\nservers = [\"127.0.0.1:1\"]\n%s",
		filepath.Join(dir, "history.db"), extra)
	return writeConfigIn(t, dir, cfg)
}

func writeConfigIn(t testing.TB, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, "holdfast.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeFiles writes name → text under dir, creating folders.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// makeMaildir creates the cur, new and tmp folders of a Maildir.
func makeMaildir(t testing.TB, dir string) {
	t.Helper()
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
}

// openHistory opens the history a test's learn run wrote.
func openHistory(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{DSN: filepath.Join(dir, "history.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func senderOf(t testing.TB, st *store.Store, address string) store.SenderHistory {
	t.Helper()
	_, domain, _ := strings.Cut(address, "@")
	h, err := st.Sender(context.Background(), address, domain)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestLearnMboxAndMaildir(t *testing.T) {
	dir := t.TempDir()
	cfgPath := writeLearnConfig(t, dir)

	// An mbox with two inbound messages, one outbound (no Received
	// field: the client's own copy), and a body line that mboxrd quotes.
	// A byte order mark and a blank line come before the first "From ".
	mbox := "\xef\xbb\xbf\n" +
		"From partner Mon Jan  8 10:00:00 2024\n" +
		mboxQuote(learnMessage("Pat <pat@partner.example>", "alice@example.test", daysAgo(9), "m1")) +
		">From here on\n\n" +
		"From partner Tue Jan  9 10:00:00 2024\n" +
		mboxQuote(learnMessage("Pat <pat@partner.example>", "alice@example.test", daysAgo(8), "m2")) + "\n" +
		"From alice Wed Jan 10 10:00:00 2024\n" +
		mboxQuote(learnMessage("Alice <alice@example.test>", "Bob <bob@client.example>", daysAgo(7), "m3"))

	// A Maildir with one message in new, one in cur and one in its
	// Maildir++ folder of sent mail, which a server stamped.
	md := filepath.Join(dir, "Maildir")
	makeMaildir(t, md)
	makeMaildir(t, filepath.Join(md, ".Sent"))
	received := "Received: from [192.0.2.5] by mx.example.test with ESMTPS; " + daysAgo(5) + "\r\n"
	writeFiles(t, dir, map[string]string{
		"archive.mbox":                 mbox,
		"Maildir/new/1.host":           learnMessage("Chen <chen@supplier.example.cn>", "alice@example.test", daysAgo(6), "m4"),
		"Maildir/cur/2.host:2,S":       learnMessage("Alice <alice@example.test>", "chen@supplier.example.cn", daysAgo(5), "m5"),
		"Maildir/.Sent/cur/3.host:2,S": received + learnMessage("Alice <alice@example.test>", "dana@shop.example", daysAgo(5), "m6"),
		"Maildir/dovecot-uidlist":      "3 V1 N4\n",
	})

	var out bytes.Buffer
	if err := runLearn([]string{"--config", cfgPath, filepath.Join(dir, "archive.mbox"), md}, &out); err != nil {
		t.Fatalf("learn: %v", err)
	}
	if !strings.Contains(out.String(), "learnt 6 messages (3 inbound, 3 outbound) from 4 files") {
		t.Errorf("output = %q, want 6 messages (3 inbound, 3 outbound) from 4 files", out.String())
	}
	if !strings.Contains(out.String(), "; 0 skipped\n") {
		t.Errorf("output = %q, want 0 skipped", out.String())
	}

	ctx := context.Background()
	st := openHistory(t, dir)
	o, err := st.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o.Messages != 6 {
		t.Errorf("history messages = %d, want 6", o.Messages)
	}
	want := time.Now().AddDate(0, 0, -9).UTC().Format(time.DateOnly)
	if got := o.Since.UTC().Format(time.DateOnly); got != want {
		t.Errorf("history since = %s, want %s (the oldest Date field)", got, want)
	}
	if o.Days != 5 {
		t.Errorf("history days = %d, want 5 (9, 8, 7, 6 and 5 days ago)", o.Days)
	}
	for _, rcpt := range []string{"bob@client.example", "dana@shop.example"} {
		if h := senderOf(t, st, rcpt); h.Address.Outbound != 1 {
			t.Errorf("%s outbound = %d, want 1 (alice wrote to them)", rcpt, h.Address.Outbound)
		}
	}
	if pat := senderOf(t, st, "pat@partner.example"); pat.Address.Inbound != 2 {
		t.Errorf("pat@partner.example inbound = %d, want 2", pat.Address.Inbound)
	}
	seen, err := st.LinkDomains(ctx, []string{"partner.example"})
	if err != nil {
		t.Fatal(err)
	}
	if !seen["partner.example"].Known() {
		t.Errorf("link domain partner.example not learnt: %+v", seen)
	}
}

func TestLearnDirection(t *testing.T) {
	const (
		inboundStamp  = "Received: from mail.evil.example (mail.evil.example [203.0.113.9]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384) by mx.example.test with ESMTPS id 4Xy; "
		submitStamp   = "Received: from [192.0.2.5] (client.example.test [192.0.2.5]) by mx.example.test with ESMTPSA id 9Qz; "
		spoofedFrom   = "CEO <ceo@example.test>"
		attacker      = "attacker@evil.example"
		partnerFrom   = "Pat <pat@partner.example>"
		localReceiver = "alice@example.test"
	)
	tests := []struct {
		name     string
		file     string // path under the learn root
		flags    []string
		from     string
		received string // "" for none
		want     string // "inbound" or "outbound"
	}{
		{"spoof from outside", "inbox.mbox", nil, spoofedFrom, inboundStamp, "inbound"},
		{"spoof in Maildir inbox", "Maildir/cur/1:2,S", nil, spoofedFrom, inboundStamp, "inbound"},
		{"client copy without Received", "inbox.mbox", nil, spoofedFrom, "", "outbound"},
		{"authenticated submission", "archive.mbox", nil, spoofedFrom, submitStamp, "outbound"},
		{"sent mbox", "Sent", nil, spoofedFrom, inboundStamp, "outbound"},
		{"sent items folder", "Outlook/Sent Items/1.eml", nil, spoofedFrom, inboundStamp, "outbound"},
		{"gesendet mbox", "Gesendet.mbox", nil, spoofedFrom, inboundStamp, "outbound"},
		{"Maildir++ sent", "Maildir/.INBOX.Sent/cur/1:2,S", nil, spoofedFrom, inboundStamp, "outbound"},
		{"Maildir++ envoyés in UTF-7", "Maildir/.Envoy&AOk-s/cur/1:2,S", nil, spoofedFrom, inboundStamp, "outbound"},
		{"Maildir++ 已发送 in UTF-7", "Maildir/.&XfJT0ZAB-/cur/1:2,S", nil, spoofedFrom, inboundStamp, "outbound"},
		{"outbound flag", "inbox.mbox", []string{"--outbound"}, spoofedFrom, inboundStamp, "outbound"},
		{"external From in sent folder", "Sent", nil, partnerFrom, inboundStamp, "inbound"},
		{"external From with flag", "inbox.mbox", []string{"--outbound"}, partnerFrom, "", "inbound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfgPath := writeLearnConfig(t, dir)
			root := filepath.Join(dir, "mail")
			makeMaildir(t, filepath.Join(root, "Maildir"))
			raw := learnMessage(tt.from, localReceiver, daysAgo(2), "d1")
			raw = strings.Replace(raw, "\r\nDate:", "\r\nCc: "+attacker+"\r\nDate:", 1)
			if tt.received != "" {
				raw = tt.received + daysAgo(2) + "\r\n" + raw
			}
			if strings.HasSuffix(tt.file, "mbox") || filepath.Base(tt.file) == "Sent" {
				raw = "From x Mon Jan  8 10:00:00 2024\n" + mboxQuote(raw)
			}
			writeFiles(t, root, map[string]string{tt.file: raw})

			var out bytes.Buffer
			args := append([]string{"--config", cfgPath}, tt.flags...)
			if err := runLearn(append(args, root), &out); err != nil {
				t.Fatalf("learn: %v", err)
			}
			counts := "(1 inbound, 0 outbound)"
			if tt.want == "outbound" {
				counts = "(0 inbound, 1 outbound)"
			}
			if !strings.Contains(out.String(), "learnt 1 messages "+counts) {
				t.Fatalf("output = %q, want 1 message %s", out.String(), counts)
			}

			st := openHistory(t, dir)
			evil := senderOf(t, st, attacker)
			sender := senderOf(t, st, strings.Trim(tt.from[strings.IndexByte(tt.from, '<'):], "<>"))
			switch {
			case tt.want == "inbound" && evil.Address.Known():
				t.Errorf("%s learnt as %+v from inbound mail, want unknown", attacker, evil.Address)
			case tt.want == "outbound" && evil.Address.Outbound != 1:
				t.Errorf("%s outbound = %d, want 1", attacker, evil.Address.Outbound)
			}
			// A local From is never an inbound correspondent, and an
			// external one on inbound mail is.
			wantSender := tt.want == "inbound" && tt.from == partnerFrom
			if sender.Address.Known() != wantSender {
				t.Errorf("sender %q known = %v, want %v", tt.from, sender.Address.Known(), wantSender)
			}
		})
	}
}

func TestMessageTime(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	recent := now.AddDate(0, 0, -3)
	tests := []struct {
		name    string
		date    string // Date field, "" for none
		modTime time.Time
		want    time.Time
		byFile  int
		byNow   int
	}{
		{"plausible Date", recent.Format(time.RFC1123Z), now.AddDate(0, 0, -1), recent, 0, 0},
		{"Date a few hours ahead", now.Add(5 * time.Hour).Format(time.RFC1123Z), recent, now.Add(5 * time.Hour), 0, 0},
		{"Date two days ahead", now.AddDate(0, 0, 2).Format(time.RFC1123Z), recent, recent, 1, 0},
		{"Date in 1990", "Mon, 01 Jan 1990 00:00:00 +0000", recent, recent, 1, 0},
		{"Date in 1829", "Thu, 01 Jan 1829 00:00:00 +0000", recent, recent, 1, 0},
		{"Date in 1600, beyond UnixNano", "Sat, 01 Jan 1600 00:00:00 +0000", recent, recent, 1, 0},
		{"Date in 9999", "Fri, 31 Dec 9999 00:00:00 +0000", recent, recent, 1, 0},
		{"Date older than retention", now.AddDate(0, 0, -31).Format(time.RFC1123Z), recent, recent, 1, 0},
		{"Date missing", "", recent, recent, 1, 0},
		{"Date invalid", "yesterday", recent, recent, 1, 0},
		{"file time old too", "Mon, 01 Jan 1990 00:00:00 +0000", now.AddDate(-2, 0, 0), now, 0, 1},
		{"file time ahead too", "", now.AddDate(0, 0, 3), now, 0, 1},
		{"file time zero", "", time.Time{}, now, 0, 1},
	}
	for _, tt := range tests {
		cfg := &Config{}
		cfg.Store.HistoryRetention = store.Duration(30 * 24 * time.Hour)
		l := &learner{p: &pipeline{cfg: cfg}, now: now}
		r := &scanner.Report{}
		if tt.date != "" {
			r.Headers = []scanner.Header{{Name: "Date", Value: tt.date}}
		}
		got := l.messageTime(r, source{modTime: tt.modTime})
		if !got.Equal(tt.want) {
			t.Errorf("%s: messageTime = %v, want %v", tt.name, got, tt.want)
		}
		if l.stats.DatesByFile != tt.byFile || l.stats.DatesByNow != tt.byNow {
			t.Errorf("%s: replaced by file %d and by now %d, want %d and %d",
				tt.name, l.stats.DatesByFile, l.stats.DatesByNow, tt.byFile, tt.byNow)
		}
	}
}

// TestLearnOutlierDate learns many messages of today and one dated 1990:
// the history stays young.
func TestLearnOutlierDate(t *testing.T) {
	dir := t.TempDir()
	cfgPath := writeLearnConfig(t, dir)
	var mbox strings.Builder
	for i := range 50 {
		fmt.Fprintf(&mbox, "From x Mon Jan  8 10:00:00 2024\n%s\n",
			mboxQuote(learnMessage("Pat <pat@partner.example>", "alice@example.test", daysAgo(0), fmt.Sprintf("t%d", i))))
	}
	fmt.Fprintf(&mbox, "From x Mon Jan  8 10:00:00 1990\n%s\n",
		mboxQuote(learnMessage("Old <old@partner.example>", "alice@example.test", "Mon, 01 Jan 1990 00:00:00 +0000", "old")))
	writeFiles(t, dir, map[string]string{"today.mbox": mbox.String()})

	var out bytes.Buffer
	if err := runLearn([]string{"--config", cfgPath, filepath.Join(dir, "today.mbox")}, &out); err != nil {
		t.Fatalf("learn: %v", err)
	}
	want := "replaced: 1 Date fields missing, invalid, in the future or older than [store] history_retention " +
		"(1 by the file time, 0 by the import time)"
	if !strings.Contains(out.String(), want) {
		t.Errorf("output = %q, want %q", out.String(), want)
	}
	o, err := openHistory(t, dir).Overview(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if age := time.Since(o.Since); age > 48*time.Hour {
		t.Errorf("history since = %v, want within two days of now", o.Since)
	}
	if o.Days > 2 {
		t.Errorf("history days = %d, want at most 2 (today, and the file time at worst yesterday in UTC)", o.Days)
	}
}

func TestLearnSkipReasons(t *testing.T) {
	dir := t.TempDir()
	cfgPath := writeLearnConfigWith(t, dir, "[milter]\nmax_recipients = 2\n")
	// The store rejects a sender address longer than store.MaxKeyBytes.
	long := strings.Repeat("a", store.MaxKeyBytes) + "@partner.example"
	many := learnMessage("Alice <alice@example.test>", "a@one.example, b@two.example, c@three.example, d@four.example",
		daysAgo(1), "many")
	writeFiles(t, dir, map[string]string{
		"mail/no-from.eml":  "To: alice@example.test\r\nSubject: x\r\n\r\nbody\r\n",
		"mail/bad-from.eml": learnMessage("not an address", "alice@example.test", daysAgo(1), "bad"),
		"mail/long.eml":     learnMessage(long, "alice@example.test", daysAgo(1), "long"),
		"mail/many.eml":     many,
		"mail/Junk/1.eml":   learnMessage("Spam <spam@spam.example>", "alice@example.test", daysAgo(1), "spam"),
	})

	var out bytes.Buffer
	if err := runLearn([]string{"--config", cfgPath, filepath.Join(dir, "mail")}, &out); err != nil {
		t.Fatalf("learn: %v", err)
	}
	for _, want := range []string{
		"learnt 1 messages (0 inbound, 1 outbound) from 4 files",
		"; 3 skipped\n",
		"skipped: 2 without a From address\n",
		"skipped: 1 failed to store, the first with: store: invalid observation",
		"limits: 2 recipients in 1 messages beyond [milter] max_recipients = 2 not read\n",
		"folders: 1 junk or spam folders not read\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output = %q, want %q", out.String(), want)
		}
	}

	st := openHistory(t, dir)
	for _, tt := range []struct {
		address string
		want    int64
	}{{"a@one.example", 1}, {"b@two.example", 1}, {"c@three.example", 0}, {"d@four.example", 0}} {
		if got := senderOf(t, st, tt.address).Address.Outbound; got != tt.want {
			t.Errorf("%s outbound = %d, want %d", tt.address, got, tt.want)
		}
	}
	if senderOf(t, st, "spam@spam.example").Address.Known() {
		t.Errorf("spam@spam.example learnt from a junk folder")
	}
}

func TestLearnMaildirFolders(t *testing.T) {
	dir := t.TempDir()
	cfgPath := writeLearnConfig(t, dir)
	md := filepath.Join(dir, "Maildir")
	for _, sub := range []string{"", ".Sent", ".Archive", ".Archive.2025", ".Junk", "Projects"} {
		makeMaildir(t, filepath.Join(md, sub))
	}
	inbound := func(from string) string {
		return "Received: from mx by mx.example.test with ESMTPS; " + daysAgo(3) + "\r\n" +
			learnMessage(from, "alice@example.test", daysAgo(3), "f")
	}
	writeFiles(t, md, map[string]string{
		"cur/1:2,S":               inbound("a@inbox.example"),
		".Archive/cur/1:2,S":      inbound("b@archive.example"),
		".Archive.2025/new/1":     inbound("c@archive2025.example"),
		"Projects/cur/1:2,S":      inbound("d@projects.example"),
		".Sent/cur/1:2,S":         learnMessage("alice@example.test", "e@sent.example", daysAgo(3), "s"),
		".Junk/cur/1:2,S":         inbound("spam@junk.example"),
		"tmp/1":                   inbound("partial@tmp.example"),
		".Archive/maildirfolder":  "",
		".Archive/dovecot.index":  "binary index",
		"subscriptions":           "Sent\nArchive\n",
		".Sent/dovecot-uidlist":   "3 V1 N4\n",
		".Archive.2025/tmp/2.tmp": inbound("partial@tmp.example"),
	})

	var out bytes.Buffer
	if err := runLearn([]string{"--config", cfgPath, md}, &out); err != nil {
		t.Fatalf("learn: %v", err)
	}
	if !strings.Contains(out.String(), "learnt 5 messages (4 inbound, 1 outbound) from 5 files") {
		t.Errorf("output = %q, want 5 messages (4 inbound, 1 outbound) from 5 files", out.String())
	}
	st := openHistory(t, dir)
	for _, tt := range []struct {
		address string
		known   bool
	}{
		{"a@inbox.example", true},
		{"b@archive.example", true},
		{"c@archive2025.example", true},
		{"d@projects.example", true},
		{"e@sent.example", true},
		{"spam@junk.example", false},
		{"partial@tmp.example", false},
	} {
		if got := senderOf(t, st, tt.address).Address.Known(); got != tt.known {
			t.Errorf("%s known = %v, want %v", tt.address, got, tt.known)
		}
	}
}

func TestHasFolderName(t *testing.T) {
	tests := []struct {
		component string
		sent      bool
		junk      bool
	}{
		{"Sent", true, false},
		{"SENT", true, false},
		{".Sent", true, false},
		{".INBOX.Sent", true, false},
		{"Sent Items", true, false},
		{"Sent Messages.mbox", true, false},
		{"sent-mail", true, false},
		{"Gesendete Objekte", true, false},
		{"Envoyés", true, false},
		{"Envoye\u0301s", true, false}, // decomposed, as macOS stores it
		{".Envoy&AOk-s", true, false},
		{"已发送", true, false},
		{".&XfJT0ZAB-", true, false},
		{".Junk", false, true},
		{"Junk E-mail", false, true},
		{"Spam", false, true},
		{"INBOX", false, false},
		{"Sentinel", false, false},
		{"cur", false, false},
		{".Sent&", false, false}, // invalid modified UTF-7 stays as it is
	}
	for _, tt := range tests {
		if got := hasFolderName(tt.component, sentFolderNames); got != tt.sent {
			t.Errorf("hasFolderName(%q, sent) = %v, want %v", tt.component, got, tt.sent)
		}
		if got := hasFolderName(tt.component, junkFolderNames); got != tt.junk {
			t.Errorf("hasFolderName(%q, junk) = %v, want %v", tt.component, got, tt.junk)
		}
	}
}

func TestInSentFolder(t *testing.T) {
	tests := []struct {
		root, path string
		want       bool
	}{
		{"/home/a/Maildir", "/home/a/Maildir/.Sent/cur/1", true},
		{"/home/a/Maildir/.Sent", "/home/a/Maildir/.Sent/cur/1", true},
		{"/home/a/Maildir/.Sent/", "/home/a/Maildir/.Sent/cur/1", true},
		{"/home/a/Maildir", "/home/a/Maildir/cur/1", false},
		// Folders above the root given do not count.
		{"/srv/sent/Maildir", "/srv/sent/Maildir/cur/1", false},
		{"/home/a/mail/Sent", "/home/a/mail/Sent", true},
	}
	for _, tt := range tests {
		if got := inSentFolder(filepath.Clean(tt.root), tt.path); got != tt.want {
			t.Errorf("inSentFolder(%q, %q) = %v, want %v", tt.root, tt.path, got, tt.want)
		}
	}
}

func TestReceivedProtocol(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"postfix submission", "from [192.0.2.5] (unknown [192.0.2.5]) by mx.example.test (Postfix) with ESMTPSA id 4Xy for <a@b.example>; Mon, 8 Jan 2024 10:00:00 +0000", "esmtpsa"},
		{"TLS comment first", "from mail.evil.example (mail.evil.example [203.0.113.9]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example.test (Postfix) with ESMTPS id 4Xy; Mon, 8 Jan 2024 10:00:00 +0000", "esmtps"},
		{"lmtp delivery", "from mx.example.test by store.example.test with LMTP id 7; Mon, 8 Jan 2024 10:00:00 +0000", "lmtp"},
		{"with after the date", "by mx.example.test; Mon, 8 Jan 2024 10:00:00 +0000 with ESMTPA", ""},
		{"no with clause", "by mx.example.test id 1; Mon, 8 Jan 2024 10:00:00 +0000", ""},
		{"escaped parenthesis in comment", `from x (a \) with ESMTPA) by y with SMTP; Mon, 8 Jan 2024 10:00:00 +0000`, "smtp"},
	}
	for _, tt := range tests {
		if got := receivedProtocol(tt.value); got != tt.want {
			t.Errorf("%s: receivedProtocol = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDecodeModifiedUTF7(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Sent", "Sent"},
		{"Envoy&AOk-s", "Envoyés"},
		{"&XfJT0ZAB-", "已发送"},
		{"R&-D", "R&D"},
		{"open&AOk", "open&AOk"},   // unterminated
		{"bad&AO-x", "bad&AO-x"},   // odd byte count
		{"bad&!!!-x", "bad&!!!-x"}, // not base64
	}
	for _, tt := range tests {
		if got := decodeModifiedUTF7(tt.in); got != tt.want {
			t.Errorf("decodeModifiedUTF7(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLearnFileStart(t *testing.T) {
	two := "From a Mon Jan  8 10:00:00 2024\n" +
		mboxQuote(learnMessage("p@one.example", "alice@example.test", daysAgo(1), "s1")) + "\n" +
		"From b Mon Jan  8 10:00:00 2024\n" +
		mboxQuote(learnMessage("q@two.example", "alice@example.test", daysAgo(1), "s2"))
	one := learnMessage("p@one.example", "alice@example.test", daysAgo(1), "s1")
	tests := []struct {
		name, text   string
		wantMessages int
	}{
		{"mbox", two, 2},
		{"mbox after blank line", "\n" + two, 2},
		{"mbox after CRLF and spaces", "\r\n  \r\n" + two, 2},
		{"mbox after byte order mark", "\xef\xbb\xbf" + two, 2},
		{"mbox after both", "\xef\xbb\xbf\n\n" + two, 2},
		{"message after byte order mark", "\xef\xbb\xbf" + one, 1},
		{"message after blank line", "\n" + one, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfgPath := writeLearnConfig(t, dir)
			writeFiles(t, dir, map[string]string{"in": tt.text})
			var out bytes.Buffer
			if err := runLearn([]string{"--config", cfgPath, filepath.Join(dir, "in")}, &out); err != nil {
				t.Fatalf("learn: %v", err)
			}
			want := fmt.Sprintf("learnt %d messages (%d inbound, 0 outbound)", tt.wantMessages, tt.wantMessages)
			if !strings.Contains(out.String(), want) {
				t.Errorf("output = %q, want %q", out.String(), want)
			}
		})
	}
}

func TestSplitMbox(t *testing.T) {
	in := "From a\nX: 1\n\nbody\n>From quoted\n>>From twice\nFrom b\nY: 2\n\nz\n"
	var got []string
	err := splitMbox(bufioReader(in), 1<<20, func(b []byte) { got = append(got, string(b)) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"X: 1\n\nbody\nFrom quoted\n>From twice\n", "Y: 2\n\nz\n"}
	if len(got) != len(want) {
		t.Fatalf("got %d messages %q, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func BenchmarkLearnImport(b *testing.B) {
	dir := b.TempDir()
	var mbox strings.Builder
	const n = 200
	for i := range n {
		fmt.Fprintf(&mbox, "From x Mon Jan  8 10:00:00 2024\n%s\n",
			mboxQuote(learnMessage(fmt.Sprintf("S%d <s%d@sender%d.example>", i, i, i%50), "alice@example.test",
				daysAgo(1), fmt.Sprintf("b%d", i))))
	}
	path := filepath.Join(dir, "bench.mbox")
	if err := os.WriteFile(path, []byte(mbox.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	cfgPath := writeLearnConfig(b, dir)
	b.ResetTimer()
	for b.Loop() {
		if err := runLearn([]string{"--config", cfgPath, path}, &bytes.Buffer{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }
