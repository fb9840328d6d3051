package milter

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// fuzzSessionDeadline bounds one fuzz input's session. A session still
// open after it counts as a hang. Arbitrary: a valid conversation takes
// well under a millisecond.
const fuzzSessionDeadline = 10 * time.Second

// pipeListener hands out one connection, then blocks until Close.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener(c net.Conn) *pipeListener {
	l := &pipeListener{conns: make(chan net.Conn, 1), closed: make(chan struct{})}
	l.conns <- c
	return l
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr {
	return &net.UnixAddr{Name: "pipe", Net: "unix"}
}

// fuzzDecision varies the reply path with the message size.
func fuzzDecision(_ context.Context, m *Message) (Decision, error) {
	headers := []Field{{"X-Fuzz", "seen"}}
	switch len(m.Raw) % 4 {
	case 0:
		return Decision{Action: Hold, Reason: m.MailFrom, Headers: headers}, nil
	case 1:
		return Decision{Action: Reject, Text: m.QueueID}, nil
	case 2:
		return Decision{Action: TempFail, SMTPCode: len(m.Rcpts)}, nil
	}
	return Decision{Headers: headers}, nil
}

// FuzzSession feeds a packet stream to a session. It must never panic,
// never hang and never leave a spool file behind.
func FuzzSession(f *testing.F) {
	spoolDir := f.TempDir()
	var stdLog bytes.Buffer
	log.SetOutput(&stdLog) // go-milter reports its errors and recovered panics here
	f.Cleanup(func() { log.SetOutput(os.Stderr) })

	f.Fuzz(func(t *testing.T, stream []byte) {
		stdLog.Reset()
		logs := &logBuffer{}
		cfg := Config{
			SpoolDir:         spoolDir,
			MaxMessageBytes:  4096,
			SpoolMemoryBytes: 512,
			MaxHeaders:       8,
			MaxHeaderBytes:   512,
			MaxMacros:        8,
			MaxRecipients:    4,
		}
		srv, err := New(cfg, newFakeHandler(fuzzDecision),
			slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err != nil {
			t.Fatal(err)
		}
		serverEnd, clientEnd := net.Pipe()
		go srv.Serve(newPipeListener(serverEnd))

		_ = clientEnd.SetDeadline(time.Now().Add(fuzzSessionDeadline))
		go io.Copy(io.Discard, clientEnd)
		_, _ = clientEnd.Write(stream)
		clientEnd.Close()

		ctx, cancel := context.WithTimeout(context.Background(), fuzzSessionDeadline)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Fatalf("session did not end after the MTA closed: %v", err)
		}

		if recs := logs.find(t, "panic"); len(recs) > 0 {
			t.Fatalf("session panicked: %v", recs[0])
		}
		if strings.Contains(stdLog.String(), "panic") {
			t.Fatalf("go-milter recovered a panic: %s", stdLog.String())
		}
		if entries, _ := os.ReadDir(spoolDir); len(entries) > 0 {
			t.Fatalf("spool files left behind: %d", len(entries))
		}
	})
}
