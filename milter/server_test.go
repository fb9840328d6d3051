package milter

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // "" for valid
	}{
		{"zero is valid", Config{}, ""},
		{"unix listen", Config{Listen: "unix:/run/holdfast/milter.sock"}, ""},
		{"ipv6 listen", Config{Listen: "inet:[::1]:8891"}, ""},
		{"listen without kind", Config{Listen: "127.0.0.1:8891"}, `listen "127.0.0.1:8891" is invalid`},
		{"listen without host", Config{Listen: "inet::8891"}, "inet:HOST:PORT"},
		{"listen bad port", Config{Listen: "inet:127.0.0.1:99999"}, "is invalid"},
		{"unix relative path", Config{Listen: "unix:milter.sock"}, "unix:/absolute/path"},
		{"socket mode not octal", Config{SocketMode: "rw-rw----"}, `socket_mode "rw-rw----" is invalid`},
		{"socket mode too wide", Config{SocketMode: "1777"}, "0777"},
		{"fail mode unknown", Config{FailMode: "reject"}, `fail_mode "reject" is invalid: use "tempfail" or "accept"`},
		{"negative size", Config{MaxMessageBytes: -1}, "max_message_bytes -1 is invalid"},
		{"negative headers", Config{MaxHeaders: -5}, "max_headers -5 is invalid"},
		{"negative duration", Config{JudgeTimeout: Duration(-time.Second)}, "judge_timeout -1s is invalid"},
		{"missing spool dir", Config{SpoolDir: "/nonexistent/holdfast"}, `spool_dir "/nonexistent/holdfast"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("Validate() = nil, want error containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	got := Config{}.WithDefaults()
	if got.Listen != DefaultListen || got.MaxMessageBytes != DefaultMaxMessageBytes ||
		got.FailMode != FailTempFail || got.SpoolDir != os.TempDir() ||
		time.Duration(got.JudgeTimeout) != DefaultJudgeTimeout {
		t.Errorf("WithDefaults() = %+v, want the Default constants", got)
	}
}

func TestDurationUnmarshalText(t *testing.T) {
	var d Duration
	if err := d.UnmarshalText([]byte("90s")); err != nil || time.Duration(d) != 90*time.Second {
		t.Errorf("UnmarshalText(90s) = %v, %v; want 1m30s, nil", time.Duration(d), err)
	}
	if err := d.UnmarshalText([]byte("ninety")); err == nil {
		t.Errorf("UnmarshalText(ninety) = nil error, want an error")
	}
}

func TestUnixSocket(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "milter.sock")

	// A socket left by a crashed server: on disk, with no listener.
	stale, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()

	h := newFakeHandler(nil)
	srv, err := New(Config{Listen: "unix:" + path, SocketMode: "0600", SpoolDir: dir}, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	old := syscall.Umask(0o077)
	ln, err := srv.Listen()
	syscall.Umask(old)
	if err != nil {
		t.Fatalf("Listen with a stale socket: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode = %v, want 0600", fi.Mode().Perm())
	}

	// A second server must not take over a live socket.
	other, _ := New(Config{Listen: "unix:" + path, SpoolDir: dir}, h, nil)
	if ln2, err := other.Listen(); err == nil {
		ln2.Close()
		t.Errorf("Listen on a live socket succeeded, want an error")
	}

	f := dialMTA(t, "unix", path)
	f.negotiate()
	f.send('C', []byte("localhost\x00L\x00"))
	f.mustRead("connect")
	r := f.sendMessage(simpleMessage(1))
	if r.final.code != 'c' {
		t.Errorf("reply over unix socket = %v, want continue", r.final)
	}
	f.quit()

	if err := srv.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v, want ErrServerClosed", err)
	}
	if got := len(h.messages()); got != 1 {
		t.Errorf("Judge called %d times, want 1", got)
	}
}

func TestListenKeepsNonSocket(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "milter.sock")
	if err := os.WriteFile(path, []byte("not a socket"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Listen: "unix:" + path, SpoolDir: dir}, newFakeHandler(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ln, err := srv.Listen(); err == nil {
		ln.Close()
		t.Fatalf("Listen over a regular file succeeded, want an error")
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("regular file at the socket path was removed: %v", err)
	}
}

func TestShutdownDrainsSession(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	h := newFakeHandler(func(context.Context, *Message) (Decision, error) {
		close(started)
		<-release
		return Decision{Action: Hold, Reason: "late verdict"}, nil
	})
	srv, err := New(Config{SpoolDir: t.TempDir()}, h, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	f := dialMTA(t, "tcp", addr)
	f.negotiate()
	f.connect("unknown", "192.0.2.7", 40000)
	f.sendEnvelope(simpleMessage(1))
	f.macros('E', "i", "QID1")
	f.send('E', nil)
	<-started

	shutdown := make(chan error, 1)
	go func() { shutdown <- srv.Shutdown(context.Background()) }()

	// Serve returns once the listener is closed; the session is still open.
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v, want ErrServerClosed", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("dial after Shutdown succeeded, want connection refused")
	}

	close(release)
	q := f.mustRead("eom")
	if q.code != 'q' {
		t.Errorf("reply after release = %v, want quarantine", q)
	}
	if p := f.mustRead("eom"); p.code != 'c' {
		t.Errorf("final reply after release = %v, want continue", p)
	}
	f.quit()
	if err := <-shutdown; err != nil {
		t.Errorf("Shutdown = %v, want nil after the session ended", err)
	}
}

func TestShutdownClosesAfterDeadline(t *testing.T) {
	ts := startServerNoCleanup(t)
	f := dialMTA(t, "tcp", ts.addr)
	f.negotiate()
	f.connect("unknown", "192.0.2.7", 40000)

	// The MTA keeps the session open; the caller's deadline has passed.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := ts.srv.Shutdown(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled", err)
	}
	if p, err := f.read(); err == nil {
		t.Errorf("read after forced shutdown = %v, want connection closed", p)
	}
}

// startServerNoCleanup starts a server whose Shutdown the test calls itself.
func startServerNoCleanup(t *testing.T) *testServer {
	t.Helper()
	srv, err := New(Config{SpoolDir: t.TempDir()}, newFakeHandler(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	return &testServer{srv: srv, addr: ln.Addr().String()}
}
