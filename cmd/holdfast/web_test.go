package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/store"
)

// startWebForTest starts the review pages on listen over a fresh store
// and returns the stop function and the JSON log.
func startWebForTest(t *testing.T, listen string) (stop func(), logs *bytes.Buffer) {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{DSN: filepath.Join(t.TempDir(), "h.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs = &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	q := quarantine.NewService(st.Quarantine(), nil, nil, nil, quarantine.Config{}, log)
	cfg := &Config{}
	cfg.Web.Listen = &listen
	return startWeb(cfg, q, st, log), logs
}

func TestStartWebServesLogin(t *testing.T) {
	stop, logs := startWebForTest(t, "127.0.0.1:0")
	defer stop()
	var addr string
	for _, line := range strings.Split(logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "web: review pages listening" {
			addr, _ = rec["listen"].(string)
		}
	}
	if addr == "" {
		t.Fatalf("no listening line in the log:\n%s", logs)
	}
	resp, err := http.Get("http://" + addr + "/login")
	if err != nil {
		t.Fatalf("GET /login: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("GET /login: status %d, CSP %q, want 200 with a CSP",
			resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
}

func TestStartWebOff(t *testing.T) {
	stop, logs := startWebForTest(t, "")
	stop()
	if !strings.Contains(logs.String(), "review pages off") {
		t.Errorf("listen = \"\": log lacks the off line:\n%s", logs)
	}
}

func TestStartWebPortTakenKeepsGoing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	stop, logs := startWebForTest(t, ln.Addr().String())
	stop()
	if !strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), "not started") {
		t.Errorf("port taken: log lacks the error line:\n%s", logs)
	}
}
