// Package e2e runs holdfast behind a real Postfix on loopback: it builds
// cmd/holdfast, starts it and an isolated Postfix instance under /tmp, sends
// mail with net/smtp and checks the Maildirs, the hold queue and the verdict
// log lines.
//
// It needs root and the postfix package, and it installs nothing. It runs
// only when HOLDFAST_E2E=1; otherwise it is skipped. Ports come from
// HOLDFAST_E2E_SMTP_PORT and HOLDFAST_E2E_MILTER_PORT, or are free ports
// chosen at run time.
package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitLimit bounds every wait for Postfix or holdfast to act. It is a
// safety net, not an assertion. Arbitrary: delivery on loopback takes well
// under a second.
const waitLimit = 60 * time.Second

// postfixInstance is one isolated Postfix: config, queue, data, log and
// Maildirs all under root.
type postfixInstance struct {
	root     string
	etc      string
	smtpAddr string
}

// nobodyID is the owner of delivered Maildirs (virtual_uid_maps and
// virtual_gid_maps), Debian's nobody and nogroup.
const nobodyID = 65534

// startPostfix creates and starts an instance whose smtpd on smtpPort
// calls the milter at milterAddr ("127.0.0.1:PORT"). The instance is
// stopped and deleted at cleanup.
func startPostfix(t *testing.T, smtpPort int, milterAddr string) (*postfixInstance, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("postfix needs root: run the test as root")
	}
	if _, err := exec.LookPath("postfix"); err != nil {
		return nil, fmt.Errorf("postfix not installed (Debian package postfix): %w", err)
	}
	pfUser, err := user.Lookup("postfix")
	if err != nil {
		return nil, fmt.Errorf("user postfix missing: %w", err)
	}

	root, err := os.MkdirTemp("/tmp", "holdfast-e2e-")
	if err != nil {
		return nil, err
	}
	p := &postfixInstance{
		root:     root,
		etc:      filepath.Join(root, "etc"),
		smtpAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(smtpPort)),
	}
	t.Cleanup(func() { p.stop(t) })

	if err := p.makeDirs(pfUser); err != nil {
		return nil, err
	}
	if err := p.writeConfig(smtpPort, milterAddr); err != nil {
		return nil, err
	}

	// "postfix start" returns once master has bound its listeners. Its
	// errors go to the maillog when stderr is not a terminal.
	if out, err := p.run("postfix", "-c", p.etc, "start"); err != nil {
		return nil, fmt.Errorf("postfix start: %v: %s\nmaillog:\n%s", err, out, p.maillog())
	}
	return p, nil
}

// makeDirs creates the instance tree with the owners Postfix insists on:
// root for the root and queue, postfix for data, nobody for Maildirs.
func (p *postfixInstance) makeDirs(pfUser *user.User) error {
	uid, _ := strconv.Atoi(pfUser.Uid)
	gid, _ := strconv.Atoi(pfUser.Gid)
	dirs := []struct {
		name     string
		uid, gid int
		mode     os.FileMode
	}{
		{"", 0, 0, 0o755},
		{"etc", 0, 0, 0o755},
		{"spool", 0, 0, 0o755},
		{"log", 0, 0, 0o755},
		{"data", uid, gid, 0o700},
		{"mail", nobodyID, nobodyID, 0o755},
	}
	for _, d := range dirs {
		path := filepath.Join(p.root, d.name)
		if err := os.MkdirAll(path, d.mode); err != nil {
			return err
		}
		if err := os.Chown(path, d.uid, d.gid); err != nil {
			return err
		}
		if err := os.Chmod(path, d.mode); err != nil {
			return err
		}
	}
	return nil
}

// writeConfig writes main.cf, master.cf and the mailbox map. The instance
// never resolves names and never sends mail off the host: no client
// lookups, and every non-local destination goes to the error transport.
func (p *postfixInstance) writeConfig(smtpPort int, milterAddr string) error {
	main := strings.Join([]string{
		"compatibility_level = 3.6",
		"queue_directory = " + p.root + "/spool",
		"data_directory = " + p.root + "/data",
		"myhostname = mx.e2e.test",
		"mydestination =",
		"inet_interfaces = 127.0.0.1",
		"inet_protocols = ipv4",
		"mynetworks = 127.0.0.0/8",
		"maillog_file = " + p.root + "/log/maillog",
		"maillog_file_prefixes = " + p.root + "/log",
		"alias_maps =",
		"alias_database =",
		"smtpd_peername_lookup = no",
		"smtp_dns_support_level = disabled",
		"default_transport = error:5.7.0 no outbound mail from the e2e instance",
		"relay_transport = error:5.7.0 no outbound mail from the e2e instance",
		"virtual_mailbox_domains = example.test",
		"virtual_mailbox_base = " + p.root + "/mail",
		"virtual_mailbox_maps = static:catchall/",
		fmt.Sprintf("virtual_uid_maps = static:%d", nobodyID),
		fmt.Sprintf("virtual_gid_maps = static:%d", nobodyID),
		"smtpd_milters = inet:" + milterAddr,
		"non_smtpd_milters =",
		"milter_protocol = 6",
		"milter_default_action = tempfail",
		"milter_connect_timeout = 5s",
		"milter_command_timeout = 10s",
		"milter_content_timeout = 120s",
	}, "\n") + "\n"

	// Columns: service type private unpriv chroot wakeup maxproc command.
	services := [][]string{
		{fmt.Sprintf("127.0.0.1:%d", smtpPort), "inet", "n", "-", "n", "-", "-", "smtpd"},
		{"pickup", "unix", "n", "-", "n", "60", "1", "pickup"},
		{"cleanup", "unix", "n", "-", "n", "-", "0", "cleanup"},
		{"qmgr", "unix", "n", "-", "n", "300", "1", "qmgr"},
		{"rewrite", "unix", "-", "-", "n", "-", "-", "trivial-rewrite"},
		{"bounce", "unix", "-", "-", "n", "-", "0", "bounce"},
		{"defer", "unix", "-", "-", "n", "-", "0", "bounce"},
		{"trace", "unix", "-", "-", "n", "-", "0", "bounce"},
		{"flush", "unix", "n", "-", "n", "1000?", "0", "flush"},
		{"proxymap", "unix", "-", "-", "n", "-", "-", "proxymap"},
		{"showq", "unix", "n", "-", "n", "-", "-", "showq"},
		{"error", "unix", "-", "-", "n", "-", "-", "error"},
		{"retry", "unix", "-", "-", "n", "-", "-", "error"},
		{"virtual", "unix", "-", "n", "n", "-", "-", "virtual"},
		{"anvil", "unix", "-", "-", "n", "-", "1", "anvil"},
		{"scache", "unix", "-", "-", "n", "-", "1", "scache"},
		{"postlog", "unix-dgram", "n", "-", "n", "-", "1", "postlogd"},
	}
	var master strings.Builder
	for _, s := range services {
		master.WriteString(strings.Join(s, " ") + "\n")
	}

	if err := os.WriteFile(filepath.Join(p.etc, "main.cf"), []byte(main), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(p.etc, "master.cf"), []byte(master.String()), 0o644)
}

func (p *postfixInstance) run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "MAIL_CONFIG="+p.etc)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// maillog returns the instance's log, for failure messages.
func (p *postfixInstance) maillog() string {
	b, err := os.ReadFile(filepath.Join(p.root, "log", "maillog"))
	if err != nil {
		return "(no maillog: " + err.Error() + ")"
	}
	return string(b)
}

// stop stops master, waits for it to exit and deletes the instance.
func (p *postfixInstance) stop(t *testing.T) {
	if _, err := os.Stat(filepath.Join(p.etc, "main.cf")); err == nil {
		pid := p.masterPID()
		if out, err := p.run("postfix", "-c", p.etc, "stop"); err != nil && pid != 0 {
			t.Errorf("postfix stop: %v: %s", err, out)
		}

		// "postfix stop" returns before master exits.
		deadline := time.Now().Add(waitLimit)
		for pid != 0 && syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if pid != 0 && syscall.Kill(pid, 0) == nil {
			t.Errorf("postfix master %d still running after stop", pid)
		}
	}
	if err := os.RemoveAll(p.root); err != nil {
		t.Errorf("remove postfix instance: %v", err)
	}
}

func (p *postfixInstance) masterPID() int {
	b, err := os.ReadFile(filepath.Join(p.root, "spool", "pid", "master.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// queueEntry is one line of "postqueue -j".
type queueEntry struct {
	QueueName  string `json:"queue_name"`
	QueueID    string `json:"queue_id"`
	Sender     string `json:"sender"`
	Recipients []struct {
		Address string `json:"address"`
	} `json:"recipients"`
}

// queue lists every message in the instance's queues.
func (p *postfixInstance) queue() ([]queueEntry, error) {
	out, err := p.run("postqueue", "-c", p.etc, "-j")
	if err != nil {
		return nil, fmt.Errorf("postqueue -j: %v: %s", err, out)
	}
	var entries []queueEntry
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var e queueEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return nil, fmt.Errorf("postqueue -j line %q: %w", line, err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// maildirFiles lists the delivered messages of one mailbox.
func (p *postfixInstance) maildirFiles(mailbox string) []string {
	files, _ := filepath.Glob(filepath.Join(p.root, "mail", mailbox, "new", "*"))
	return files
}

// freePort returns a loopback TCP port that was free a moment ago, or the
// port in the environment variable env when it is set.
func freePort(t *testing.T, env string) int {
	t.Helper()
	if v := os.Getenv(env); v != "" {
		port, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("%s=%q is not a port number", env, v)
		}
		return port
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitFor polls cond until it returns true, failing the test after
// waitLimit.
func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		ok, err := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (last error: %v)", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
