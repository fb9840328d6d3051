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

	"github.com/holdfast/holdfast/store"
)

// learnMessage builds a small message of the test's own.
func learnMessage(from, to, date, subject string) string {
	return fmt.Sprintf("From: %s\r\nTo: %s\r\nDate: %s\r\nSubject: %s\r\nMessage-ID: <%s@test>\r\n\r\n"+
		"From the desk of the sender: see https://docs.partner.example/x\r\n", from, to, date, subject, subject)
}

func writeLearnConfig(t testing.TB, dir string) string {
	t.Helper()
	cfg := fmt.Sprintf("[org]\nlocal_domains = [\"example.test\"]\n[store]\ndsn = %q\n[dns]\nservers = [\"127.0.0.1:1\"]\n",
		filepath.Join(dir, "history.db"))
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

func TestLearnMboxAndMaildir(t *testing.T) {
	dir := t.TempDir()
	cfgPath := writeLearnConfig(t, dir)

	// An mbox with two inbound messages, one outbound, and a body line
	// that mboxrd quotes.
	mbox := "From partner Mon Jan  8 10:00:00 2024\n" +
		learnMessage("Pat <pat@partner.example>", "alice@example.test", "Mon, 08 Jan 2024 10:00:00 +0000", "m1") +
		">From here on\n\n" +
		"From partner Tue Jan  9 10:00:00 2024\n" +
		learnMessage("Pat <pat@partner.example>", "alice@example.test", "Tue, 09 Jan 2024 10:00:00 +0000", "m2") + "\n" +
		"From alice Wed Jan 10 10:00:00 2024\n" +
		learnMessage("Alice <alice@example.test>", "Bob <bob@client.example>", "Wed, 10 Jan 2024 10:00:00 +0000", "m3")
	if err := os.WriteFile(filepath.Join(dir, "archive.mbox"), []byte(mbox), 0o600); err != nil {
		t.Fatal(err)
	}

	// A Maildir with one message in new and one in cur.
	md := filepath.Join(dir, "Maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(md, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"new/1.host":     learnMessage("Chen <chen@supplier.example.cn>", "alice@example.test", "Thu, 11 Jan 2024 10:00:00 +0000", "m4"),
		"cur/2.host:2,S": learnMessage("Alice <alice@example.test>", "chen@supplier.example.cn", "Fri, 12 Jan 2024 10:00:00 +0000", "m5"),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(md, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	var out bytes.Buffer
	if err := runLearn([]string{"--config", cfgPath, filepath.Join(dir, "archive.mbox"), md}, &out); err != nil {
		t.Fatalf("learn: %v", err)
	}
	if !strings.Contains(out.String(), "learnt 5 messages (3 inbound, 2 outbound)") {
		t.Errorf("output = %q, want 5 messages, 3 inbound, 2 outbound", out.String())
	}

	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DSN: filepath.Join(dir, "history.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	o, err := st.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o.Messages != 5 {
		t.Errorf("history messages = %d, want 5", o.Messages)
	}
	if got := o.Since.UTC().Format("2006-01-02"); got != "2024-01-08" {
		t.Errorf("history since = %s, want 2024-01-08 (the oldest Date header)", got)
	}
	bob, err := st.Sender(ctx, "bob@client.example", "client.example")
	if err != nil {
		t.Fatal(err)
	}
	if bob.Address.Outbound != 1 {
		t.Errorf("bob@client.example outbound = %d, want 1 (alice wrote to him)", bob.Address.Outbound)
	}
	pat, err := st.Sender(ctx, "pat@partner.example", "partner.example")
	if err != nil {
		t.Fatal(err)
	}
	if pat.Address.Inbound != 2 {
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
			learnMessage(fmt.Sprintf("S%d <s%d@sender%d.example>", i, i, i%50), "alice@example.test",
				"Mon, 08 Jan 2024 10:00:00 +0000", fmt.Sprintf("b%d", i)))
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
