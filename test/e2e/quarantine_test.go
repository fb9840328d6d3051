package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// quarantineEntry is the part of a quarantine entry these checks read.
type quarantineEntry struct {
	ID       int64    `json:"id"`
	QueueID  string   `json:"queue_id"`
	Status   string   `json:"status"`
	MailFrom string   `json:"mail_from"`
	Rcpts    []string `json:"rcpts"`
	Verdict  string   `json:"verdict"`
	Signals  []struct {
		Name string `json:"name"`
	} `json:"signals"`
}

// auditAction is one audit record as "quarantine show --json" prints it.
type auditAction struct {
	Actor  string `json:"actor"`
	Name   string `json:"name"`
	Detail string `json:"detail"`
}

// quarantineCLI runs "holdfast quarantine ARGS --config FILE" and returns
// its standard output and standard error.
func (env *e2eEnv) quarantineCLI(args ...string) (string, string, error) {
	cmd := exec.Command(env.bin, append(append([]string{"quarantine"}, args...), "--config", env.config)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// holdPhishing sends a phishing message from the given sender and returns
// its quarantine entry, found by queue id in "quarantine list --json".
func holdPhishing(t *testing.T, env *e2eEnv, from, to string) quarantineEntry {
	t.Helper()
	if err := send(env.postfix.smtpAddr, from, to, phishingMessage(from, to)); err != nil {
		t.Fatalf("send phishing message: %v", err)
	}
	v := env.holdfast.verdictFor(t, from)
	qid, _ := v["queue_id"].(string)
	if v["verdict"] != "hold" || qid == "" {
		t.Fatalf("verdict for %s = %v with queue id %q, want hold with a queue id", from, v["verdict"], qid)
	}

	stdout, stderr, err := env.quarantineCLI("list", "--json", "--status", "held", "--sender", from)
	if err != nil {
		t.Fatalf("quarantine list: %v\nstderr:\n%s", err, stderr)
	}
	var page struct {
		Total   int               `json:"total"`
		Entries []quarantineEntry `json:"entries"`
	}
	if err := json.Unmarshal([]byte(stdout), &page); err != nil {
		t.Fatalf("quarantine list --json output is not JSON: %v\n%s", err, stdout)
	}
	for _, e := range page.Entries {
		if e.QueueID == qid {
			checkEntryFields(t, e, from, to)
			return e
		}
	}
	t.Fatalf("quarantine list --json has no entry with queue id %s (total %d):\n%s", qid, page.Total, stdout)
	return quarantineEntry{}
}

func checkEntryFields(t *testing.T, e quarantineEntry, from, to string) {
	t.Helper()
	if e.Status != "held" {
		t.Errorf("entry %d status = %q, want held", e.ID, e.Status)
	}
	if e.MailFrom != from {
		t.Errorf("entry %d mail_from = %q, want %q", e.ID, e.MailFrom, from)
	}
	if !slices.Equal(e.Rcpts, []string{to}) {
		t.Errorf("entry %d rcpts = %v, want [%s]", e.ID, e.Rcpts, to)
	}
	if e.Verdict != "hold" {
		t.Errorf("entry %d verdict = %q, want hold", e.ID, e.Verdict)
	}
	if len(e.Signals) == 0 {
		t.Errorf("entry %d has no signals", e.ID)
	}
}

// showEntry returns the entry's status and the names of its audit
// records, oldest first.
func showEntry(t *testing.T, env *e2eEnv, id int64) (string, []auditAction) {
	t.Helper()
	stdout, stderr, err := env.quarantineCLI("show", "--json", strconv.FormatInt(id, 10))
	if err != nil {
		t.Fatalf("quarantine show %d: %v\nstderr:\n%s", id, err, stderr)
	}
	var shown struct {
		Entry quarantineEntry `json:"entry"`
		Audit []auditAction   `json:"audit"`
	}
	if err := json.Unmarshal([]byte(stdout), &shown); err != nil {
		t.Fatalf("quarantine show --json output is not JSON: %v\n%s", err, stdout)
	}
	return shown.Entry.Status, shown.Audit
}

func auditNames(audit []auditAction) []string {
	var names []string
	for _, a := range audit {
		names = append(names, a.Name)
	}
	return names
}

// checkAudit checks the entry's status and audit trail, and that the last
// action was taken by the CLI.
func checkAudit(t *testing.T, env *e2eEnv, id int64, wantStatus string, wantNames ...string) {
	t.Helper()
	status, audit := showEntry(t, env, id)
	if status != wantStatus {
		t.Errorf("entry %d status = %q, want %q", id, status, wantStatus)
	}
	if got := auditNames(audit); !slices.Equal(got, wantNames) {
		t.Fatalf("entry %d audit = %v, want %v", id, got, wantNames)
	}
	if last := audit[len(audit)-1]; len(audit) > 1 && !strings.HasPrefix(last.Actor, "cli:") {
		t.Errorf("entry %d %s actor = %q, want cli:USER", id, last.Name, last.Actor)
	}
}

func checkQuarantineRelease(t *testing.T, env *e2eEnv) {
	from := "billing@paypal-release.test"
	e := holdPhishing(t, env, from, "frank@example.test")
	delivered := len(env.postfix.maildirFiles("catchall"))

	if _, stderr, err := env.quarantineCLI("release", strconv.FormatInt(e.ID, 10)); err != nil {
		t.Fatalf("quarantine release %d: %v\nstderr:\n%s", e.ID, err, stderr)
	}
	waitFor(t, "delivery of the released message", func() (bool, error) {
		return len(env.postfix.maildirFiles("catchall")) == delivered+1, nil
	})

	var header string
	for _, path := range env.postfix.maildirFiles("catchall") {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if h, _, _ := strings.Cut(string(b), "\n\n"); strings.Contains(h, "<phish."+from+">") {
			header = h
		}
	}
	if header == "" {
		t.Fatalf("no delivered message has Message-ID <phish.%s>", from)
	}
	wantFields := []string{
		"\nX-Holdfast-Verdict: hold",
		"\nX-Holdfast-Signals: ",
		"\nX-Holdfast-Quarantine-Id: " + strconv.FormatInt(e.ID, 10),
	}
	for _, want := range wantFields {
		if !strings.Contains(header, want) {
			t.Errorf("released message lacks %q; header:\n%s", strings.TrimPrefix(want, "\n"), header)
		}
	}
	if heldQueueIDs(t, env)[e.QueueID] {
		t.Errorf("queue id %s still in the hold queue after release", e.QueueID)
	}
	checkAudit(t, env, e.ID, "released", "hold", "release")
}

func checkQuarantineDelete(t *testing.T, env *e2eEnv) {
	e := holdPhishing(t, env, "notice@paypal-delete.test", "grace@example.test")
	if !heldQueueIDs(t, env)[e.QueueID] {
		t.Fatalf("queue id %s not in the hold queue before delete", e.QueueID)
	}

	if _, stderr, err := env.quarantineCLI("delete", strconv.FormatInt(e.ID, 10)); err != nil {
		t.Fatalf("quarantine delete %d: %v\nstderr:\n%s", e.ID, err, stderr)
	}
	entries, err := env.postfix.queue()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range entries {
		if q.QueueID == e.QueueID {
			t.Errorf("queue id %s still in the %s queue after delete", e.QueueID, q.QueueName)
		}
	}
	checkAudit(t, env, e.ID, "deleted", "hold", "delete")
}

func checkReleaseGoneFromPostfix(t *testing.T, env *e2eEnv) {
	e := holdPhishing(t, env, "alert@paypal-gone.test", "heidi@example.test")

	// An administrator deletes the message in Postfix directly.
	if out, err := env.postfix.run("postsuper", "-c", env.postfix.etc, "-d", e.QueueID, "hold"); err != nil {
		t.Fatalf("postsuper -d %s hold: %v: %s", e.QueueID, err, out)
	}

	_, stderr, err := env.quarantineCLI("release", strconv.FormatInt(e.ID, 10))
	if err == nil {
		t.Fatalf("quarantine release %d of a message Postfix no longer holds succeeded", e.ID)
	}
	if !strings.Contains(stderr, "no longer in the MTA's hold queue") {
		t.Errorf("quarantine release stderr = %q, want the not-in-MTA error", stderr)
	}
	checkAudit(t, env, e.ID, "held", "hold")
}
