package harness

import (
	"bytes"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	milterlib "github.com/emersion/go-milter"
)

// Envelope is what an MTA tells a milter about one message.
type Envelope struct {
	// ClientIP is the connecting client's address, such as "203.0.113.7".
	ClientIP string
	Helo     string
	MailFrom string
	Rcpts    []string
	// AuthUser is the SASL login ({auth_authen}), "" when none.
	AuthUser string
}

// Result is the milter's answer to one message.
type Result struct {
	// Action is "accept", "hold", "reject", "tempfail" or "discard".
	Action string
	// Headers holds the fields the milter added, by name; a name added
	// several times keeps every value in order.
	Headers map[string][]string
	// Reason is the quarantine reason of a hold.
	Reason string
}

// Header returns the first value the milter added for name.
func (r Result) Header(name string) string {
	if v := r.Headers[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// clientTimeout bounds every milter command of the test client. A scan
// with QR decoding of a few images finishes far inside it.
const clientTimeout = 60 * time.Second

// Send delivers raw (a whole message) to the milter at addr with env, on a
// connection of its own, as Postfix does for one SMTP session.
func Send(addr string, env Envelope, raw []byte) (Result, error) {
	client := milterlib.NewClientWithOptions("tcp", addr, milterlib.ClientOptions{
		Dialer:       &net.Dialer{Timeout: 5 * time.Second},
		ReadTimeout:  clientTimeout,
		WriteTimeout: clientTimeout,
		ActionMask:   milterlib.OptAddHeader | milterlib.OptChangeHeader | milterlib.OptQuarantine,
	})
	defer client.Close()
	s, err := client.Session()
	if err != nil {
		return Result{}, err
	}
	defer s.Close()

	res := Result{Headers: map[string][]string{}}
	steps := []func() (*milterlib.Action, error){
		func() (*milterlib.Action, error) {
			return s.Conn("client.example", milterlib.FamilyInet, 40000, env.ClientIP)
		},
		func() (*milterlib.Action, error) { return s.Helo(env.Helo) },
		func() (*milterlib.Action, error) {
			if env.AuthUser != "" {
				if err := s.Macros(milterlib.CodeMail, "{auth_authen}", env.AuthUser, "{auth_type}", "PLAIN"); err != nil {
					return nil, err
				}
			}
			return s.Mail("<"+env.MailFrom+">", nil)
		},
	}
	for _, r := range env.Rcpts {
		steps = append(steps, func() (*milterlib.Action, error) { return s.Rcpt("<"+r+">", nil) })
	}
	for _, step := range steps {
		act, err := step()
		if err != nil {
			return res, err
		}
		if act.Code != milterlib.ActContinue {
			res.Action = actionName(act)
			return res, nil
		}
	}

	header, body := splitMessage(raw)
	for _, f := range header {
		if act, err := s.HeaderField(f[0], f[1]); err != nil {
			return res, err
		} else if act.Code != milterlib.ActContinue {
			res.Action = actionName(act)
			return res, nil
		}
	}
	if _, err := s.HeaderEnd(); err != nil {
		return res, err
	}
	mods, act, err := s.BodyReadFrom(bytes.NewReader(body))
	if err != nil {
		return res, err
	}
	res.Action = actionName(act)
	for _, m := range mods {
		switch m.Code {
		case milterlib.ActAddHeader, milterlib.ActInsertHeader, milterlib.ActChangeHeader:
			res.Headers[m.HeaderName] = append(res.Headers[m.HeaderName], m.HeaderValue)
		case milterlib.ActQuarantine:
			res.Reason = m.Reason
			if res.Action == "accept" {
				res.Action = "hold"
			}
		}
	}
	return res, nil
}

func actionName(a *milterlib.Action) string {
	switch a.Code {
	case milterlib.ActAccept, milterlib.ActContinue:
		return "accept"
	case milterlib.ActReject:
		return "reject"
	case milterlib.ActTempFail:
		return "tempfail"
	case milterlib.ActDiscard:
		return "discard"
	case milterlib.ActReplyCode:
		if a.SMTPCode >= 400 && a.SMTPCode < 500 {
			return "tempfail"
		}
		return "reject (" + strconv.Itoa(a.SMTPCode) + ")"
	}
	return "unknown " + string(rune(a.Code))
}

// splitMessage returns raw's unfolded header fields in order and its body.
func splitMessage(raw []byte) ([][2]string, []byte) {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	head, body, _ := bytes.Cut(raw, []byte("\n\n"))
	var fields [][2]string
	for _, line := range strings.Split(string(head), "\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(fields) > 0 {
			fields[len(fields)-1][1] += "\r\n" + line
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		fields = append(fields, [2]string{textproto.TrimString(name), strings.TrimPrefix(value, " ")})
	}
	return fields, bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n"))
}
