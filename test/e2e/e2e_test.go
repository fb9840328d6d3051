package e2e

import (
	"encoding/base64"
	"errors"
	"net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"testing"
)

// cleanMessage is ordinary mail that must be delivered.
func cleanMessage(from, to, subject string) string {
	return "From: " + from + "\r\n" +
		"To: " + to + "\r\n" +
		"Subject: " + subject + "\r\n" +
		"Message-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@remote.test>\r\n" +
		"Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"Hi, the meeting notes are in the usual folder.\r\n"
}

// phishingMessage has an anchor whose text shows one domain while its href
// points to a look-alike, and an executable disguised as a PDF.
func phishingMessage(from, to string) string {
	exe := append([]byte("MZ"), make([]byte, 126)...)
	attachment := base64.StdEncoding.EncodeToString(exe)
	return "From: PayPal Service <" + from + ">\r\n" +
		"To: " + to + "\r\n" +
		"Subject: Your account is limited\r\n" +
		"Message-ID: <phish." + from + ">\r\n" +
		"Date: Fri, 04 Dec 2026 10:05:00 +0000\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
		"\r\n" +
		"--b1\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n" +
		"\r\n" +
		"<html><body><p>Please confirm your details:</p>\r\n" +
		"<a href=\"https://paypa1-login.example.net/verify\">https://www.paypal.com/signin</a>\r\n" +
		"</body></html>\r\n" +
		"--b1\r\n" +
		"Content-Type: application/octet-stream; name=\"invoice.pdf.exe\"\r\n" +
		"Content-Disposition: attachment; filename=\"invoice.pdf.exe\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		attachment + "\r\n" +
		"--b1--\r\n"
}

// envelope is one message sent in an SMTP session.
type envelope struct {
	from, to, data string
}

// sendSession sends every message in one SMTP session to addr and returns
// the first error.
func sendSession(addr string, msgs ...envelope) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		return err
	}
	for _, m := range msgs {
		if err := c.Mail(m.from); err != nil {
			return err
		}
		if err := c.Rcpt(m.to); err != nil {
			return err
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(m.data)); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	return c.Quit()
}

func send(addr, from, to, data string) error {
	return sendSession(addr, envelope{from, to, data})
}

// e2eEnv is the running Postfix and holdfast.
type e2eEnv struct {
	postfix  *postfixInstance
	holdfast *holdfastProcess
	bin      string
	config   string
}

// setUp starts holdfast and Postfix, or skips without HOLDFAST_E2E=1.
func setUp(t *testing.T) *e2eEnv {
	if os.Getenv("HOLDFAST_E2E") != "1" {
		t.Skip("end-to-end test with a real Postfix: set HOLDFAST_E2E=1 to run it (needs root and the postfix package)")
	}
	smtpPort := freePort(t, "HOLDFAST_E2E_SMTP_PORT")
	milterAddr := "127.0.0.1:" + strconv.Itoa(freePort(t, "HOLDFAST_E2E_MILTER_PORT"))

	dir := t.TempDir()
	env := &e2eEnv{bin: buildHoldfast(t, dir)}

	// Postfix starts first because holdfast's config names its config
	// directory. Until holdfast listens, Postfix gets no mail to pass on.
	pf, err := startPostfix(t, smtpPort, milterAddr)
	if err != nil {
		t.Fatalf("start postfix: %v", err)
	}
	env.postfix = pf
	env.config = writeHoldfastConfig(t, dir, milterAddr, pf.etc)
	env.holdfast = startHoldfast(t, env.bin, env.config)
	return env
}

func TestPostfix(t *testing.T) {
	env := setUp(t)

	// Each step depends on the ones before it, so a failure stops the rest.
	steps := []struct {
		name string
		run  func(*testing.T, *e2eEnv)
	}{
		{"clean message delivered with headers", checkCleanDelivered},
		{"phishing message held", checkPhishingHeld},
		{"two messages in one session", checkTwoMessagesOneSession},
		{"quarantine release delivers", checkQuarantineRelease},
		{"quarantine delete empties hold queue", checkQuarantineDelete},
		{"release of message gone from Postfix", checkReleaseGoneFromPostfix},
		{"milter down gives 4xx", checkMilterDown},
		{"mail flows after restart", checkRestart},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) { s.run(t, env) }) {
			t.Fatalf("step %q failed; later steps skipped\nmaillog:\n%s", s.name, env.postfix.maillog())
		}
	}
}

func checkCleanDelivered(t *testing.T, env *e2eEnv) {
	from := "colleague1@remote.test"
	if err := send(env.postfix.smtpAddr, from, "alice@example.test",
		cleanMessage(from, "alice@example.test", "notes one")); err != nil {
		t.Fatalf("send clean message: %v", err)
	}
	waitFor(t, "delivery to the catch-all Maildir", func() (bool, error) {
		return len(env.postfix.maildirFiles("catchall")) == 1, nil
	})

	delivered, err := os.ReadFile(env.postfix.maildirFiles("catchall")[0])
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(string(delivered), "\n\n")
	for _, name := range []string{"X-Holdfast-Verdict:", "X-Holdfast-Score:", "X-Holdfast-Signals:"} {
		if !strings.Contains(header, "\n"+name) {
			t.Errorf("delivered message lacks %s; header:\n%s", name, header)
		}
	}
	if v := env.holdfast.verdictFor(t, from); v["verdict"] == "hold" || v["verdict"] == "reject" {
		t.Errorf("clean message verdict = %v, want accept or tag", v["verdict"])
	}
}

// heldQueueIDs returns the queue ids in the hold queue.
func heldQueueIDs(t *testing.T, env *e2eEnv) map[string]bool {
	t.Helper()
	entries, err := env.postfix.queue()
	if err != nil {
		t.Fatal(err)
	}
	held := make(map[string]bool)
	for _, e := range entries {
		if e.QueueName == "hold" {
			held[e.QueueID] = true
		}
	}
	return held
}

func checkPhishingHeld(t *testing.T, env *e2eEnv) {
	from := "service@paypal-alerts.test"
	if err := send(env.postfix.smtpAddr, from, "bob@example.test",
		phishingMessage(from, "bob@example.test")); err != nil {
		t.Fatalf("send phishing message: %v", err)
	}
	v := env.holdfast.verdictFor(t, from)
	if v["verdict"] != "hold" {
		t.Fatalf("phishing verdict = %v (score %v, signals %v), want hold", v["verdict"], v["score"], v["signals"])
	}
	qid, _ := v["queue_id"].(string)
	if qid == "" {
		t.Fatalf("verdict line has no queue_id: %v", v)
	}
	if held := heldQueueIDs(t, env); !held[qid] {
		t.Errorf("queue id %s not in the hold queue (postqueue -j hold entries: %v)", qid, held)
	}
}

func checkTwoMessagesOneSession(t *testing.T, env *e2eEnv) {
	phishFrom := "security@paypal-notice.test"
	cleanFrom := "colleague2@remote.test"
	err := sendSession(env.postfix.smtpAddr,
		envelope{phishFrom, "carol@example.test", phishingMessage(phishFrom, "carol@example.test")},
		envelope{cleanFrom, "carol@example.test", cleanMessage(cleanFrom, "carol@example.test", "notes two")})
	if err != nil {
		t.Fatalf("send two messages in one session: %v", err)
	}

	first := env.holdfast.verdictFor(t, phishFrom)
	second := env.holdfast.verdictFor(t, cleanFrom)
	for _, v := range []map[string]any{first, second} {
		if v["client_ip"] != "127.0.0.1" {
			t.Errorf("verdict for %v: client_ip = %v, want 127.0.0.1", v["mail_from"], v["client_ip"])
		}
		if v["rcpt_count"] != float64(1) {
			t.Errorf("verdict for %v: rcpt_count = %v, want 1", v["mail_from"], v["rcpt_count"])
		}
	}
	if first["conn_id"] != second["conn_id"] {
		t.Errorf("conn_id differs within one SMTP session: %v, %v", first["conn_id"], second["conn_id"])
	}
	if first["queue_id"] == second["queue_id"] {
		t.Errorf("both messages have queue_id %v", first["queue_id"])
	}
	if first["verdict"] != "hold" {
		t.Errorf("first message verdict = %v, want hold", first["verdict"])
	}
	if second["verdict"] == "hold" || second["verdict"] == "reject" {
		t.Errorf("second message verdict = %v, want accept or tag", second["verdict"])
	}
	if qid, _ := first["queue_id"].(string); !heldQueueIDs(t, env)[qid] {
		t.Errorf("first message %s not in the hold queue", qid)
	}
}

func checkMilterDown(t *testing.T, env *e2eEnv) {
	env.holdfast.stop(t)
	before, err := env.postfix.queue()
	if err != nil {
		t.Fatal(err)
	}

	from := "colleague3@remote.test"
	err = send(env.postfix.smtpAddr, from, "dave@example.test",
		cleanMessage(from, "dave@example.test", "notes three"))
	var reply *textproto.Error
	if !errors.As(err, &reply) || reply.Code/100 != 4 {
		t.Fatalf("send with holdfast stopped: %v, want a 4xx reply", err)
	}

	after, err := env.postfix.queue()
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("queue grew from %d to %d messages with the milter down", len(before), len(after))
	}
	for _, e := range after {
		if e.Sender == from {
			t.Errorf("message from %s was queued (%s in %s)", from, e.QueueID, e.QueueName)
		}
	}
}

func checkRestart(t *testing.T, env *e2eEnv) {
	env.holdfast = startHoldfast(t, env.bin, env.config)
	delivered := len(env.postfix.maildirFiles("catchall"))

	from := "colleague4@remote.test"
	if err := send(env.postfix.smtpAddr, from, "erin@example.test",
		cleanMessage(from, "erin@example.test", "notes four")); err != nil {
		t.Fatalf("send after restart: %v", err)
	}
	waitFor(t, "delivery after restart", func() (bool, error) {
		return len(env.postfix.maildirFiles("catchall")) == delivered+1, nil
	})
	env.holdfast.verdictFor(t, from)
}
