package milter

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	gomilter "github.com/emersion/go-milter"
)

func TestNegotiationReply(t *testing.T) {
	ts := startServer(t, Config{}, newFakeHandler(nil))
	f := dialMTA(t, "tcp", ts.addr)
	n := f.negotiate()

	want := uint32(gomilter.OptAddHeader | gomilter.OptChangeHeader | gomilter.OptQuarantine | gomilter.OptSetSymList)
	if n.actions != want {
		t.Errorf("actions = %#x, want %#x", n.actions, want)
	}
	if n.protocol != 0 {
		t.Errorf("protocol flags = %#x, want 0 (no skipped events, no no-reply flags)", n.protocol)
	}
	wantLists := map[uint32]string{
		0: "j {client_addr} {client_name} {client_port} {daemon_name} {daemon_addr}",
		2: "{auth_authen} {auth_type} {mail_addr}",
		3: "{rcpt_addr}",
		5: "i {auth_authen} {client_addr} {client_name} {daemon_name}",
	}
	for stage, list := range wantLists {
		if got := n.symList[stage]; got != list {
			t.Errorf("SETSYMLIST stage %d = %q, want %q", stage, got, list)
		}
	}
	f.quit()
}

func TestDecisionReplies(t *testing.T) {
	verdict := []Field{{"X-Holdfast-Verdict", "accept"}, {"X-Holdfast-Score", "1.5"}}
	tests := []struct {
		name           string
		decision       Decision
		wantAdded      []Field
		wantQuarantine string
		wantCode       byte
		wantReply      string
	}{
		{
			name:      "accept adds headers",
			decision:  Decision{Action: Accept, Headers: verdict},
			wantAdded: verdict,
			wantCode:  'c',
		},
		{
			name:           "hold sends quarantine reason",
			decision:       Decision{Action: Hold, Reason: "holdfast: score 9.0", Headers: verdict},
			wantAdded:      verdict,
			wantQuarantine: "holdfast: score 9.0",
			wantCode:       'c',
		},
		{
			name:           "hold without reason gets default",
			decision:       Decision{Action: Hold},
			wantQuarantine: defaultHoldReason,
			wantCode:       'c',
		},
		{
			name:      "reject default reply",
			decision:  Decision{Action: Reject},
			wantCode:  'y',
			wantReply: "550 5.7.1 " + defaultRejectText,
		},
		{
			name:      "reject custom reply",
			decision:  Decision{Action: Reject, SMTPCode: 554, EnhancedCode: "5.7.0", Text: "no"},
			wantCode:  'y',
			wantReply: "554 5.7.0 no",
		},
		{
			name:      "reject with 4xx code keeps 5xx",
			decision:  Decision{Action: Reject, SMTPCode: 451, EnhancedCode: "4.7.1"},
			wantCode:  'y',
			wantReply: "550 5.7.1 " + defaultRejectText,
		},
		{
			name:      "tempfail default reply",
			decision:  Decision{Action: TempFail, Headers: verdict},
			wantAdded: verdict,
			wantCode:  'y',
			wantReply: "451 4.7.1 " + defaultTempFailText,
		},
		{
			name:      "reply text is cleaned",
			decision:  Decision{Action: TempFail, Text: "busy 100%\r\nX: y"},
			wantCode:  'y',
			wantReply: "451 4.7.1 busy 100   X: y",
		},
		{
			name: "invalid header name skipped",
			decision: Decision{Headers: []Field{
				{"Bad Name", "v"}, {"X-Ok", "line1\nInjected: yes"}}},
			wantAdded: []Field{{"X-Ok", "line1\n\tInjected: yes"}},
			wantCode:  'c',
		},
		{
			name:      "unknown action gets fail mode",
			decision:  Decision{Action: Action(42), Headers: verdict},
			wantCode:  'y',
			wantReply: "451 4.7.1 " + defaultTempFailText,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHandler(func(context.Context, *Message) (Decision, error) {
				return tt.decision, nil
			})
			ts := startServer(t, Config{}, h)
			f := ts.open(t)
			got := f.sendMessage(simpleMessage(1))

			if !slices.Equal(got.added, tt.wantAdded) {
				t.Errorf("added headers = %q, want %q", got.added, tt.wantAdded)
			}
			if got.quarantine != tt.wantQuarantine {
				t.Errorf("quarantine = %q, want %q", got.quarantine, tt.wantQuarantine)
			}
			if got.final.code != tt.wantCode {
				t.Errorf("final reply = %v, want code %c", got.final, tt.wantCode)
			}
			if tt.wantReply != "" && replyText(got.final) != tt.wantReply {
				t.Errorf("reply text = %q, want %q", replyText(got.final), tt.wantReply)
			}
			f.quit()
		})
	}
}

func TestMessageCollected(t *testing.T) {
	h := newFakeHandler(nil)
	ts := startServer(t, Config{}, h)
	f := ts.open(t)
	m := testMessage{
		queueID: "4QX1",
		from:    "alice@remote.test",
		rcpts:   []string{"bob@example.test", "carol@example.test"},
		headers: []Field{
			{"Subject", " one space kept off"},
			{"X-Two", "  two spaces"},
			{"Received", "from a\n\tby b"},
			{"Subject", "second subject"},
			{"X-Empty", ""},
		},
		body:      [][]byte{[]byte("line 1\r\n"), []byte("line 2\r\n")},
		eomMacros: []string{"{auth_authen}", "alice", "{client_name}", "ignored.example"},
	}
	f.sendMessage(m)
	f.quit()

	msgs := h.messages()
	if len(msgs) != 1 {
		t.Fatalf("Judge called %d times, want 1", len(msgs))
	}
	got := msgs[0]
	wantHeaders := []Field{
		{"Subject", "one space kept off"},
		{"X-Two", " two spaces"},
		{"Received", "from a\n\tby b"},
		{"Subject", "second subject"},
		{"X-Empty", ""},
	}
	if !slices.Equal(got.Headers, wantHeaders) {
		t.Errorf("Headers = %q, want %q", got.Headers, wantHeaders)
	}
	wantRaw := "Subject: one space kept off\r\nX-Two:  two spaces\r\n" +
		"Received: from a\r\n\tby b\r\nSubject: second subject\r\nX-Empty: \r\n" +
		"\r\nline 1\r\nline 2\r\n"
	if string(got.Raw) != wantRaw {
		t.Errorf("Raw = %q, want %q", got.Raw, wantRaw)
	}
	if got.Size != int64(len(wantRaw)) {
		t.Errorf("Size = %d, want %d", got.Size, len(wantRaw))
	}
	if got.Truncated {
		t.Errorf("Truncated = true, want false")
	}
	checks := []struct{ field, got, want string }{
		{"QueueID", got.QueueID, "4QX1"},
		{"MailFrom", got.MailFrom, "alice@remote.test"},
		{"ClientIP", got.ClientIP.String(), "192.0.2.7"},
		{"ClientName", got.ClientName, "unknown"},
		{"Helo", got.Helo, "client.example"},
		{"AuthUser", got.AuthUser, "alice"},
		{"DaemonName", got.DaemonName, "smtpd-in"},
		{"Macros[j]", got.Macros["j"], "mx.test"},
		{"Macros[{mail_addr}]", got.Macros["{mail_addr}"], "alice@remote.test"},
		{"Macros[{rcpt_addr}]", got.Macros["{rcpt_addr}"], "carol@example.test"},
		{"ConnID set", map[bool]string{true: "yes", false: "no"}[got.ConnID != ""], "yes"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if !slices.Equal(got.Rcpts, m.rcpts) {
		t.Errorf("Rcpts = %q, want %q", got.Rcpts, m.rcpts)
	}
	if got.Exceeded != nil {
		t.Errorf("Exceeded = %+v, want none", got.Exceeded)
	}

	// Every line about the message carries both ids.
	for _, rec := range ts.logs.find(t, "header") {
		if rec["conn_id"] != got.ConnID || rec["queue_id"] != "4QX1" {
			t.Errorf("header log line %v lacks conn_id %s or queue_id 4QX1", rec, got.ConnID)
		}
	}
}

func TestTwoMessagesOneConnection(t *testing.T) {
	h := newFakeHandler(func(_ context.Context, m *Message) (Decision, error) {
		if m.QueueID == "QID1" {
			return Decision{Action: Hold, Reason: "first held"}, nil
		}
		return Decision{Headers: []Field{{"X-Verdict", "accept"}}}, nil
	})
	ts := startServer(t, Config{}, h)
	f := ts.open(t)

	first := f.sendMessage(simpleMessage(1))
	if first.quarantine != "first held" {
		t.Errorf("first message quarantine = %q, want %q", first.quarantine, "first held")
	}
	f.abort()
	second := f.sendMessage(simpleMessage(2))
	if second.final.code != 'c' || len(second.added) != 1 {
		t.Errorf("second message replies = %+v, want one header and continue", second)
	}
	f.quit()

	msgs := h.messages()
	if len(msgs) != 2 {
		t.Fatalf("Judge called %d times, want 2", len(msgs))
	}
	for i, m := range msgs {
		if m.ClientIP.String() != "192.0.2.7" {
			t.Errorf("message %d ClientIP = %v, want 192.0.2.7", i+1, m.ClientIP)
		}
		if m.Helo != "client.example" {
			t.Errorf("message %d Helo = %q, want client.example", i+1, m.Helo)
		}
	}
	if msgs[0].ConnID != msgs[1].ConnID {
		t.Errorf("ConnID differs between messages: %q, %q", msgs[0].ConnID, msgs[1].ConnID)
	}
	if msgs[1].MailFrom != "sender2@remote.test" || len(msgs[1].Headers) != 3 {
		t.Errorf("second message = from %q with %d headers, want sender2@remote.test with 3",
			msgs[1].MailFrom, len(msgs[1].Headers))
	}
	h.checkNoLeaks(t)
}

func TestAbortBetweenMessages(t *testing.T) {
	h := newFakeHandler(nil)
	ts := startServer(t, Config{}, h)
	f := ts.open(t)

	// The first message is aborted after its body, before EOM.
	f.sendEnvelope(simpleMessage(1))
	f.abort()
	f.sendMessage(simpleMessage(2))
	f.abort()
	f.quit()

	msgs := h.messages()
	if len(msgs) != 1 {
		t.Fatalf("Judge called %d times, want 1", len(msgs))
	}
	m := msgs[0]
	if m.QueueID != "QID2" || !slices.Equal(m.Rcpts, []string{"rcpt2@example.test"}) {
		t.Errorf("judged message = %s to %q, want QID2 to rcpt2@example.test", m.QueueID, m.Rcpts)
	}
	if bytes.Contains(m.Raw, []byte("message 1")) {
		t.Errorf("Raw contains the aborted message: %q", m.Raw)
	}
	if m.ClientIP.String() != "192.0.2.7" {
		t.Errorf("ClientIP after abort = %v, want 192.0.2.7", m.ClientIP)
	}
	h.checkNoLeaks(t)
}

func TestMissingConnectUsesEOMMacros(t *testing.T) {
	h := newFakeHandler(nil)
	ts := startServer(t, Config{}, h)
	f := dialMTA(t, "tcp", ts.addr)
	f.negotiate()
	m := simpleMessage(1)
	m.eomMacros = []string{"{client_addr}", "198.51.100.4", "{client_name}", "mail.example"}
	f.sendMessage(m)
	f.quit()

	msgs := h.messages()
	if len(msgs) != 1 {
		t.Fatalf("Judge called %d times, want 1", len(msgs))
	}
	if got := msgs[0].ClientIP.String(); got != "198.51.100.4" {
		t.Errorf("ClientIP = %s, want 198.51.100.4 from {client_addr}", got)
	}
	if got := msgs[0].ClientName; got != "mail.example" {
		t.Errorf("ClientName = %q, want mail.example from {client_name}", got)
	}
}

func TestOversizeMessage(t *testing.T) {
	h := newFakeHandler(nil)
	ts := startServer(t, Config{MaxMessageBytes: 1000}, h)
	f := ts.open(t)

	big := simpleMessage(1)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 256) // 4 KiB
	big.body = [][]byte{chunk, chunk, chunk}
	if r := f.sendMessage(big); r.final.code != 'c' {
		t.Errorf("oversize message reply = %v, want continue", r.final)
	}

	// The session stays in step: a second message works.
	f.abort()
	if r := f.sendMessage(simpleMessage(2)); r.final.code != 'c' {
		t.Errorf("message after oversize reply = %v, want continue", r.final)
	}
	f.quit()

	msgs := h.messages()
	if len(msgs) != 2 {
		t.Fatalf("Judge called %d times, want 2", len(msgs))
	}
	m := msgs[0]
	if !m.Truncated {
		t.Errorf("Truncated = false, want true")
	}
	if len(m.Raw) != 1000 {
		t.Errorf("len(Raw) = %d, want 1000", len(m.Raw))
	}
	wantSize := int64(len("From: sender1@remote.test\r\nSubject: message 1\r\n"+
		"Message-ID: <msg1@remote.test>\r\n\r\n")) + 3*4096
	if m.Size != wantSize {
		t.Errorf("Size = %d, want %d", m.Size, wantSize)
	}
	want := LimitExceeded{Key: "max_message_bytes", Observed: wantSize, Limit: 1000}
	if !slices.Contains(m.Exceeded, want) {
		t.Errorf("Exceeded = %+v, want it to contain %+v", m.Exceeded, want)
	}
	if msgs[1].Truncated {
		t.Errorf("second message Truncated = true, want false")
	}
	if len(ts.logs.find(t, "exceeds max_message_bytes")) != 1 {
		t.Errorf("want one Warn line about max_message_bytes")
	}
	h.checkNoLeaks(t)
}

func TestHeaderCaps(t *testing.T) {
	h := newFakeHandler(nil)
	ts := startServer(t, Config{MaxHeaders: 2}, h)
	f := ts.open(t)
	f.sendMessage(simpleMessage(1)) // three headers
	f.quit()

	m := h.messages()[0]
	if len(m.Headers) != 2 {
		t.Errorf("len(Headers) = %d, want 2", len(m.Headers))
	}
	if !bytes.Contains(m.Raw, []byte("Message-ID: <msg1@remote.test>\r\n")) {
		t.Errorf("Raw lacks the field past max_headers: %q", m.Raw)
	}
	want := LimitExceeded{Key: "max_headers", Observed: 3, Limit: 2}
	if !slices.Contains(m.Exceeded, want) {
		t.Errorf("Exceeded = %+v, want it to contain %+v", m.Exceeded, want)
	}
}

func TestSpillToFile(t *testing.T) {
	spoolDir := t.TempDir()
	h := newFakeHandler(nil)
	ts := startServer(t, Config{SpoolMemoryBytes: 1024, SpoolDir: spoolDir}, h)
	f := ts.open(t)

	m := simpleMessage(1)
	m.body = nil
	var body []byte
	for i := range 40 {
		chunk := bytes.Repeat([]byte{'a' + byte(i%26)}, 4094)
		chunk = append(chunk, '\r', '\n')
		m.body = append(m.body, chunk)
		body = append(body, chunk...)
	}
	f.sendMessage(m)
	f.quit()

	if n := len(ts.logs.find(t, "message spilled to file")); n != 1 {
		t.Errorf("log lines about spilling = %d, want 1", n)
	}
	entries, err := os.ReadDir(spoolDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("spool files on disk = %d, want 0 (unlinked at creation)", len(entries))
	}
	got := h.messages()[0]
	wantRaw := "From: sender1@remote.test\r\nSubject: message 1\r\nMessage-ID: <msg1@remote.test>\r\n\r\n" +
		string(body)
	if string(got.Raw) != wantRaw {
		i := 0
		for i < len(got.Raw) && i < len(wantRaw) && got.Raw[i] == wantRaw[i] {
			i++
		}
		t.Errorf("spilled Raw differs at byte %d: len %d, want %d; got %q", i, len(got.Raw), len(wantRaw), got.Raw[max(i-10, 0):min(i+30, len(got.Raw))])
	}
	if got.Truncated {
		t.Errorf("Truncated = true, want false")
	}
}

func TestJudgeFailures(t *testing.T) {
	// release lets the hanging Judge return once its subtest is done, so
	// Shutdown in the subtest's cleanup does not wait for it.
	var release chan struct{}
	panicking := func(context.Context, *Message) (Decision, error) { panic("boom") }
	failing := func(context.Context, *Message) (Decision, error) {
		return Decision{Action: Reject}, errors.New("store unavailable")
	}
	hanging := func(context.Context, *Message) (Decision, error) {
		<-release // ignores its context on purpose
		return Decision{Action: Reject}, nil
	}
	tests := []struct {
		name     string
		decide   func(context.Context, *Message) (Decision, error)
		failMode string
		wantCode byte
		wantLog  string
	}{
		{"panic tempfail", panicking, FailTempFail, 'y', "judge panicked"},
		{"panic accept", panicking, FailAccept, 'c', "judge panicked"},
		{"error tempfail", failing, FailTempFail, 'y', "judge failed"},
		{"error accept", failing, FailAccept, 'c', "judge failed"},
		{"timeout tempfail", hanging, FailTempFail, 'y', "judge timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{FailMode: tt.failMode}
			if strings.HasPrefix(tt.name, "timeout") {
				cfg.JudgeTimeout = Duration(50 * time.Millisecond)
			}
			ts := startServer(t, cfg, newFakeHandler(tt.decide))
			release = make(chan struct{})
			t.Cleanup(func() { close(release) })
			f := ts.open(t)
			got := f.sendMessage(simpleMessage(1))
			if got.final.code != tt.wantCode {
				t.Errorf("reply = %v, want code %c", got.final, tt.wantCode)
			}
			if tt.wantCode == 'y' && replyText(got.final) != "451 4.7.1 "+defaultTempFailText {
				t.Errorf("reply text = %q, want the default tempfail", replyText(got.final))
			}
			if len(got.added) != 0 {
				t.Errorf("added headers = %q, want none", got.added)
			}

			// The session survives for the next message.
			f.abort()
			f.sendEnvelope(simpleMessage(2))
			f.abort()
			f.quit()

			recs := ts.logs.find(t, tt.wantLog)
			if len(recs) != 1 {
				t.Fatalf("log lines with %q = %d, want 1", tt.wantLog, len(recs))
			}
			rec := recs[0]
			if rec["level"] != "ERROR" || rec["queue_id"] != "QID1" || rec["conn_id"] == nil {
				t.Errorf("log line = %v, want level ERROR with conn_id and queue_id QID1", rec)
			}
			if strings.HasPrefix(tt.name, "panic") {
				if stack, _ := rec["stack"].(string); !strings.Contains(stack, "goroutine") {
					t.Errorf("panic log line lacks a stack: %v", rec)
				}
			}
		})
	}
}

func TestFoldValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\r\n b", "a\n b"},
		{"a\nB: c", "a\n\tB: c"},
		{"a\n\nb", "a\n\tb"},
		{"nul\x00byte", "nulbyte"},
	}
	for i, tt := range tests {
		if got := foldValue(tt.in); got != tt.want {
			t.Errorf("%d: foldValue(%q) = %q, want %q", i, tt.in, got, tt.want)
		}
	}
}

func TestQuoteCut(t *testing.T) {
	long := strings.Repeat("é", maxLoggedValue) // 2 bytes each
	got := quoteCut(long)
	if !strings.HasSuffix(got, "…") || len(got) > maxLoggedValue+8 {
		t.Errorf("quoteCut(long) = %q, want at most %d bytes and an ellipsis", got, maxLoggedValue)
	}
	if strings.Contains(got, `\x`) {
		t.Errorf("quoteCut(long) = %q splits a rune", got)
	}
	if got := quoteCut("a\nb"); got != `"a\nb"` {
		t.Errorf(`quoteCut("a\nb") = %s, want "a\nb" quoted`, got)
	}
}

func TestOwnHeadersDeletedPastCaps(t *testing.T) {
	h := newFakeHandler(func(_ context.Context, m *Message) (Decision, error) {
		return Decision{Headers: []Field{{"X-Holdfast-Verdict", "hold"}}}, nil
	})
	ts := startServer(t, Config{MaxHeaders: 5, OwnHeaders: []string{"X-Holdfast-Verdict"}}, h)
	f := ts.open(t)
	m := simpleMessage(1)
	m.headers = append(m.headers, Field{"X-Holdfast-Verdict", "accept"})
	for i := 0; i < 10; i++ {
		m.headers = append(m.headers, Field{"X-Pad", "v"})
	}
	// This one arrives after max_headers: it is not kept, but it is
	// still counted and deleted.
	m.headers = append(m.headers, Field{"x-holdfast-verdict", "accept"})
	res := f.sendMessage(m)
	f.quit()

	want := []headerChange{{2, "X-Holdfast-Verdict", ""}, {1, "X-Holdfast-Verdict", ""}}
	if !slices.Equal(res.changed, want) {
		t.Errorf("header changes = %+v, want %+v (last occurrence first)", res.changed, want)
	}
	if len(res.added) != 1 || res.added[0].Value != "hold" {
		t.Errorf("added headers = %+v, want the milter's own verdict", res.added)
	}
}
