package quarantine

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// ReleasedByHeader is the header field an SMTP release adds to the stored
// copy: the actor and the time of the release.
const ReleasedByHeader = "X-Holdfast-Released-By"

// SMTPRelay releases a message by sending its stored copy to a relay that
// does not run the milter again, such as a Postfix smtpd listener with
// "-o smtpd_milters=". The envelope is the original MAIL FROM and
// recipients. The connection is plain SMTP without authentication.
//
// Delete only marks the entry: the MTA's held copy is not touched.
type SMTPRelay struct {
	// Addr is the relay's "HOST:PORT".
	Addr string
	// Helo is the EHLO name.
	Helo string
	// Timeout bounds the whole SMTP transaction.
	Timeout time.Duration
}

// Release sends raw with an added ReleasedByHeader field. It returns an
// error wrapping ErrTruncated for a message the milter stored only in
// part.
func (r *SMTPRelay) Release(ctx context.Context, e *Entry, raw []byte, actor string, at time.Time) (string, error) {
	if e.Truncated {
		return "", fmt.Errorf("%w: entry %d stored only %d of %d bytes", ErrTruncated, e.ID, len(raw), e.Size)
	}
	if len(e.Rcpts) == 0 {
		return "", fmt.Errorf("quarantine: entry %d has no recipients to send to", e.ID)
	}
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", r.Addr)
	if err != nil {
		return "", fmt.Errorf("quarantine: smtp relay: %w", err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return "", fmt.Errorf("quarantine: smtp relay: %w", err)
	}

	header := ReleasedByHeader + ": " + headerText(actor) + " " + at.UTC().Format(time.RFC3339) + "\r\n"
	if err := r.send(conn, e, header, raw); err != nil {
		return "", fmt.Errorf("quarantine: smtp relay %s: %w", r.Addr, err)
	}
	return fmt.Sprintf("sent to relay %s for %d recipients", r.Addr, len(e.Rcpts)), nil
}

// send runs one SMTP transaction on conn.
func (r *SMTPRelay) send(conn net.Conn, e *Entry, header string, raw []byte) error {
	host, _, _ := net.SplitHostPort(r.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(r.Helo); err != nil {
		return err
	}
	if err := c.Mail(e.MailFrom); err != nil {
		return err
	}
	for _, rcpt := range e.Rcpts {
		if err := c.Rcpt(rcpt); err != nil {
			return fmt.Errorf("recipient %q: %w", cut(rcpt), err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(header)); err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// Delete marks nothing in the MTA: with SMTP release the MTA's copy is
// left where it is.
func (r *SMTPRelay) Delete(context.Context, *Entry) (string, error) {
	return "stored copy marked deleted; the MTA's copy is not touched", nil
}

// headerText replaces control characters, which could end the header
// field, and cuts the value.
func headerText(s string) string {
	s = strings.Map(func(c rune) rune {
		if c < 0x20 || c == 0x7f {
			return ' '
		}
		return c
	}, s)
	return cut(s)
}
