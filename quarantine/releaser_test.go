package quarantine

import (
	"context"
	"errors"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakePostfix returns a Postsuper running the stand-in commands in
// testdata on a queue holding the given "queue id: queue name" pairs.
func fakePostfix(t *testing.T, queue map[string]string) (*Postsuper, string) {
	t.Helper()
	dir := t.TempDir()
	var lines strings.Builder
	for id, name := range queue {
		lines.WriteString(`{"queue_name": "` + name + `", "queue_id": "` + id + `", "sender": "a@remote.test"}` + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "queue"), []byte(lines.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return &Postsuper{
		ConfigDir:     dir,
		PostsuperPath: filepath.Join(abs, "postsuper"),
		PostqueuePath: filepath.Join(abs, "postqueue"),
		Timeout:       10 * time.Second,
	}, dir
}

// calls returns the command lines the stand-ins logged.
func calls(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "calls"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(strings.ReplaceAll(string(b), dir, "DIR")), "\n")
}

func TestPostsuperRelease(t *testing.T) {
	p, dir := fakePostfix(t, map[string]string{"4A1B2C3D": "hold", "5B000000": "hold"})
	detail, err := p.Release(context.Background(), &Entry{QueueID: "4A1B2C3D"}, nil, "staff1", time.Now())
	if err != nil {
		t.Fatalf("Release: %v", err)
	}
	want := []string{
		"postqueue -c DIR -j",
		"postsuper -c DIR -H 4A1B2C3D",
		"postqueue -c DIR -j",
		"postqueue -c DIR -i 4A1B2C3D",
	}
	if got := calls(t, dir); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands run:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(detail, "postsuper -H 4A1B2C3D") {
		t.Errorf("detail = %q, want the postsuper command", detail)
	}
}

func TestPostsuperNotHeld(t *testing.T) {
	tests := []struct {
		name  string
		queue map[string]string
	}{
		{"gone", map[string]string{"5B000000": "hold"}},
		{"already deferred", map[string]string{"4A1B2C3D": "deferred"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, dir := fakePostfix(t, tt.queue)
			e := &Entry{QueueID: "4A1B2C3D"}
			if _, err := p.Release(context.Background(), e, nil, "staff1", time.Now()); !errors.Is(err, ErrNotInMTA) {
				t.Errorf("Release error = %v, want ErrNotInMTA", err)
			}
			if _, err := p.Delete(context.Background(), e); !errors.Is(err, ErrNotInMTA) {
				t.Errorf("Delete error = %v, want ErrNotInMTA", err)
			}
			for _, c := range calls(t, dir) {
				if strings.HasPrefix(c, "postsuper") {
					t.Errorf("ran %q for a message not in the hold queue", c)
				}
			}
		})
	}
}

func TestPostsuperDelete(t *testing.T) {
	p, dir := fakePostfix(t, map[string]string{"4A1B2C3D": "hold"})
	if _, err := p.Delete(context.Background(), &Entry{QueueID: "4A1B2C3D"}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	got := calls(t, dir)
	if len(got) != 3 || got[1] != "postsuper -c DIR -d 4A1B2C3D hold" {
		t.Errorf("commands run = %q, want postsuper -d QID hold between two postqueue -j", got)
	}
}

func TestPostsuperInvalidQueueID(t *testing.T) {
	for _, qid := range []string{"-", "-d", "ALL", "4A1B 2C3D", "4A1B;rm", "../x", strings.Repeat("A", 33)} {
		p, dir := fakePostfix(t, nil)
		_, err := p.Release(context.Background(), &Entry{QueueID: qid}, nil, "staff1", time.Now())
		if !errors.Is(err, ErrInvalidQueueID) {
			t.Errorf("Release(queue id %q) error = %v, want ErrInvalidQueueID", qid, err)
		}
		if got := calls(t, dir); got != nil {
			t.Errorf("queue id %q ran commands %q", qid, got)
		}
	}
	if _, err := (&Postsuper{}).Delete(context.Background(), &Entry{}); !errors.Is(err, ErrNotInMTA) {
		t.Errorf("Delete without queue id error = %v, want ErrNotInMTA", err)
	}
}

func TestPostsuperCommandFailure(t *testing.T) {
	p, _ := fakePostfix(t, nil)
	p.PostqueuePath = "/nonexistent/postqueue"
	_, err := p.Release(context.Background(), &Entry{QueueID: "4A1B2C3D"}, nil, "staff1", time.Now())
	if err == nil || errors.Is(err, ErrNotInMTA) || !strings.Contains(err.Error(), "/nonexistent/postqueue") {
		t.Errorf("Release with a missing postqueue error = %v, want one naming the command", err)
	}
}

// smtpServer accepts one SMTP transaction on loopback and sends what it
// received on the returned channel.
func smtpServer(t *testing.T) (string, <-chan []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan []string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		tp := textproto.NewConn(conn)
		var lines []string
		tp.PrintfLine("220 relay.test ESMTP")
		for {
			line, err := tp.ReadLine()
			if err != nil {
				got <- lines
				return
			}
			lines = append(lines, line)
			switch {
			case strings.HasPrefix(line, "EHLO"):
				tp.PrintfLine("250 relay.test")
			case line == "DATA":
				tp.PrintfLine("354 go ahead")
				body, _ := tp.ReadDotLines()
				lines = append(lines, body...)
				tp.PrintfLine("250 2.0.0 queued")
			case line == "QUIT":
				tp.PrintfLine("221 bye")
				got <- lines
				return
			default:
				tp.PrintfLine("250 ok")
			}
		}
	}()
	return ln.Addr().String(), got
}

func TestSMTPRelayRelease(t *testing.T) {
	addr, got := smtpServer(t)
	r := &SMTPRelay{Addr: addr, Helo: "gw.test", Timeout: 10 * time.Second}
	e := &Entry{ID: 3, MailFrom: "a@remote.test", Rcpts: []string{"bob@example.test", "carol@example.test"}}
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	raw := []byte("Subject: hi\r\n\r\n.leading dot\r\n")

	if _, err := r.Release(context.Background(), e, raw, "staff1\r\nBcc: x@evil.test", at); err != nil {
		t.Fatalf("Release: %v", err)
	}
	lines := <-got
	want := []string{
		"EHLO gw.test",
		"MAIL FROM:<a@remote.test>",
		"RCPT TO:<bob@example.test>",
		"RCPT TO:<carol@example.test>",
		"DATA",
		"X-Holdfast-Released-By: staff1  Bcc: x@evil.test 2026-12-04T10:00:00Z",
		"Subject: hi",
		"",
		".leading dot",
		"QUIT",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("relay received:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestSMTPRelayTruncated(t *testing.T) {
	r := &SMTPRelay{Addr: "127.0.0.1:1", Helo: "gw.test", Timeout: time.Second}
	e := &Entry{ID: 3, MailFrom: "a@remote.test", Rcpts: []string{"bob@example.test"}, Truncated: true}
	if _, err := r.Release(context.Background(), e, []byte("x"), "staff1", time.Now()); !errors.Is(err, ErrTruncated) {
		t.Errorf("Release(truncated) error = %v, want ErrTruncated", err)
	}
	if d, err := r.Delete(context.Background(), e); err != nil || d == "" {
		t.Errorf("Delete = %q, %v; want a detail and no error", d, err)
	}
}
