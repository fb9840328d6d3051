package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildHoldfast compiles ./cmd/holdfast of this module into dir.
func buildHoldfast(t *testing.T, dir string) string {
	t.Helper()
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" {
		t.Fatalf("find the module root with go env GOMOD: %v", err)
	}
	bin := filepath.Join(dir, "holdfast")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/holdfast")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/holdfast: %v\n%s", err, out)
	}
	return bin
}

// writeHoldfastConfig writes a config that listens on milterAddr, releases
// held messages through the Postfix instance configured in postfixEtc and
// logs JSON to stderr.
func writeHoldfastConfig(t *testing.T, dir, milterAddr, postfixEtc string) string {
	t.Helper()
	spool := filepath.Join(dir, "spool")
	if err := os.MkdirAll(spool, 0o700); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`[milter]
listen = "inet:%s"
spool_dir = %q

[org]
local_domains = ["example.test"]

[store]
dsn = %q

# Port 1 on loopback is closed: every lookup fails at once, and no query
# leaves the machine.
[dns]
servers = ["127.0.0.1:1"]

[quarantine]
release_method = "postsuper"
postfix_config_dir = %q

# The review pages are tested elsewhere; leaving them off keeps this test
# from competing for their port with other tests running at once.
[web]
listen = ""

[log]
format = "json"
level = "info"
`, milterAddr, spool, filepath.Join(dir, "holdfast.db"), postfixEtc)
	path := filepath.Join(dir, "holdfast.toml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// lockedBuffer collects a process's stderr while tests read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// holdfastProcess is one running "holdfast serve".
type holdfastProcess struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan struct{}
	err    error // set when exited is closed
}

// startHoldfast runs "holdfast serve --config FILE" and waits for its
// "milter listening" log line. The process is stopped at cleanup.
func startHoldfast(t *testing.T, bin, config string) *holdfastProcess {
	t.Helper()
	p := &holdfastProcess{stderr: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve", "--config", config)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start holdfast: %v", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() { p.stop(t) })

	waitFor(t, "holdfast to listen", func() (bool, error) {
		select {
		case <-p.exited:
			t.Fatalf("holdfast exited at start: %v\nstderr:\n%s", p.err, p.stderr)
		default:
		}
		return strings.Contains(p.stderr.String(), `"msg":"milter listening"`), nil
	})
	return p
}

// stop sends SIGTERM and waits for the process, killing it after
// waitLimit.
func (p *holdfastProcess) stop(t *testing.T) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(waitLimit):
		_ = p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("holdfast did not stop on SIGTERM within %s; killed", waitLimit)
	}
}

// logLines parses the JSON log lines with the given msg.
func (p *holdfastProcess) logLines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("holdfast log line %q is not JSON: %v", line, err)
			continue
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// verdictFor returns the verdict line for the message from mailFrom,
// waiting for it to be logged.
func (p *holdfastProcess) verdictFor(t *testing.T, mailFrom string) map[string]any {
	t.Helper()
	var found map[string]any
	waitFor(t, "verdict line for "+mailFrom, func() (bool, error) {
		for _, rec := range p.logLines(t, "verdict") {
			if rec["mail_from"] == mailFrom {
				found = rec
				return true, nil
			}
		}
		return false, nil
	})
	return found
}
