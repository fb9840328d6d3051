package quarantine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// NewReleaser returns the Releaser that cfg.ReleaseMethod names.
func NewReleaser(cfg Config) (Releaser, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	timeout := time.Duration(cfg.CommandTimeout)
	switch cfg.ReleaseMethod {
	case MethodSMTP:
		return &SMTPRelay{Addr: cfg.SMTPRelay, Helo: cfg.SMTPHelo, Timeout: timeout}, nil
	default:
		return &Postsuper{
			ConfigDir:     cfg.PostfixConfigDir,
			PostsuperPath: cfg.PostsuperPath,
			PostqueuePath: cfg.PostqueuePath,
			Timeout:       timeout,
		}, nil
	}
}

// queueIDPattern matches Postfix queue ids: short ids are upper-case hex,
// long ids (enable_long_queue_ids) use letters and digits. The bounds
// are arbitrary but wider than either form. Nothing else reaches a
// command line, so an id cannot pass an option or "-" (read ids from
// standard input) to postsuper.
var queueIDPattern = regexp.MustCompile(`^[0-9A-Za-z]{5,32}$`)

// checkQueueID returns an error wrapping ErrInvalidQueueID unless id
// matches queueIDPattern.
func checkQueueID(id string) error {
	if !queueIDPattern.MatchString(id) {
		return fmt.Errorf("%w %q: want 5 to 32 ASCII letters and digits", ErrInvalidQueueID, cut(id))
	}
	return nil
}

// Postsuper releases and deletes messages in a Postfix instance's hold
// queue by running postsuper and postqueue directly, never through a
// shell. postsuper must run as root.
type Postsuper struct {
	// ConfigDir is passed to each command as -c.
	ConfigDir string
	// PostsuperPath and PostqueuePath are the commands' absolute paths.
	PostsuperPath string
	PostqueuePath string
	// Timeout bounds each command run.
	Timeout time.Duration
}

// Release moves the message from the hold queue with "postsuper -H" and
// asks for its delivery now with "postqueue -i", because otherwise it
// waits in the deferred queue for the next queue run (queue_run_delay,
// 300 s by default). It returns ErrNotInMTA unless "postqueue -j" lists
// the message in the hold queue.
func (p *Postsuper) Release(ctx context.Context, e *Entry, _ []byte, _ string, _ time.Time) (string, error) {
	qid := e.QueueID
	if err := p.requireHeld(ctx, qid); err != nil {
		return "", err
	}
	if _, err := p.run(ctx, p.PostsuperPath, "-c", p.ConfigDir, "-H", qid); err != nil {
		return "", err
	}
	queue, err := p.queueOf(ctx, qid)
	if err != nil {
		return "", err
	}
	if queue == "hold" {
		return "", fmt.Errorf("quarantine: postsuper -H %s left the message in the hold queue", qid)
	}

	detail := "postsuper -H " + qid + "; postqueue -i " + qid
	if _, err := p.run(ctx, p.PostqueuePath, "-c", p.ConfigDir, "-i", qid); err != nil {
		// The message is out of the hold queue: the next queue run
		// delivers it, so this is no reason to report a failed release.
		detail += " failed (" + err.Error() + "); delivery waits for the next queue run"
	}
	return detail, nil
}

// Delete removes the message from the hold queue with
// "postsuper -d QID hold"; naming the queue keeps it from deleting a
// message released meanwhile. It returns ErrNotInMTA unless
// "postqueue -j" lists the message in the hold queue.
func (p *Postsuper) Delete(ctx context.Context, e *Entry) (string, error) {
	qid := e.QueueID
	if err := p.requireHeld(ctx, qid); err != nil {
		return "", err
	}
	if _, err := p.run(ctx, p.PostsuperPath, "-c", p.ConfigDir, "-d", qid, "hold"); err != nil {
		return "", err
	}
	queue, err := p.queueOf(ctx, qid)
	if err != nil {
		return "", err
	}
	if queue != "" {
		return "", fmt.Errorf("quarantine: postsuper -d %s hold left the message in the %s queue", qid, queue)
	}
	return "postsuper -d " + qid + " hold", nil
}

// requireHeld returns an error wrapping ErrNotInMTA unless the message is
// in the hold queue.
func (p *Postsuper) requireHeld(ctx context.Context, qid string) error {
	if qid == "" {
		return fmt.Errorf("%w: the entry has no queue id", ErrNotInMTA)
	}
	if err := checkQueueID(qid); err != nil {
		return err
	}
	queue, err := p.queueOf(ctx, qid)
	if err != nil {
		return err
	}
	switch queue {
	case "hold":
		return nil
	case "":
		return fmt.Errorf("%w: postqueue -j does not list queue id %s", ErrNotInMTA, qid)
	default:
		return fmt.Errorf("%w: queue id %s is in the %s queue, not hold", ErrNotInMTA, qid, queue)
	}
}

// queueOf returns the Postfix queue ("hold", "deferred", "active", ...)
// that holds qid, or "" when no queue does.
func (p *Postsuper) queueOf(ctx context.Context, qid string) (string, error) {
	out, err := p.run(ctx, p.PostqueuePath, "-c", p.ConfigDir, "-j")
	if err != nil {
		return "", err
	}
	// One JSON object per message; a large queue gives many lines, so
	// decode them one at a time.
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var m struct {
			QueueName string `json:"queue_name"`
			QueueID   string `json:"queue_id"`
		}
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("quarantine: postqueue -j output is not JSON lines: %w", err)
		}
		if m.QueueID == qid {
			return m.QueueName, nil
		}
	}
}

// run executes name with args, without a shell, within p.Timeout, and
// returns its standard output. Postfix commands write their errors to
// standard error (or only to the mail log when it is not a terminal), so
// the error includes whatever standard error holds.
func (p *Postsuper) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w after %s", ctx.Err(), p.Timeout)
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = "no output; see the Postfix mail log"
		}
		return nil, fmt.Errorf("quarantine: %s %s: %w: %s", name, strings.Join(args, " "), err, cut(msg))
	}
	return out, nil
}

// maxEchoed is how many bytes of a command's output or of an invalid
// value an error message keeps.
const maxEchoed = 300

func cut(s string) string {
	if len(s) > maxEchoed {
		return strings.ToValidUTF8(s[:maxEchoed], "") + "…"
	}
	return s
}
