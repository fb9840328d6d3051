package milter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	gomilter "github.com/emersion/go-milter"
)

// Replies used when the Decision gives no code or text of its own. The text
// stays generic so it reveals nothing about the policy.
const (
	defaultRejectCode     = 550
	defaultRejectEnhanced = "5.7.1"
	defaultRejectText     = "Message rejected by policy"

	defaultTempFailCode     = 451
	defaultTempFailEnhanced = "4.7.1"
	defaultTempFailText     = "Message cannot be checked now, try again later"

	// defaultHoldReason is sent when the Decision has none: libmilter's
	// smfi_quarantine rejects an empty reason.
	defaultHoldReason = "held for review"
)

// maxReplyText is the longest reply text or quarantine reason sent. An SMTP
// reply line may be 512 bytes with its CRLF (RFC 5321 §4.5.3.1.5); the code
// and enhanced code take at most 14 of them.
const maxReplyText = 480

var (
	errJudgeTimeout = errors.New("milter: judge timed out")
	errJudgePanic   = errors.New("milter: judge panicked")
	errBadAction    = errors.New("milter: decision has an unknown action")

	// enhancedCodePattern is RFC 3463's class.subject.detail.
	enhancedCodePattern = regexp.MustCompile(`^[245]\.[0-9]{1,3}\.[0-9]{1,3}$`)
	// headerNamePattern is RFC 5322's ftext: printable ASCII except colon.
	headerNamePattern = regexp.MustCompile(`^[!-9;-~]+$`)
)

// judgeResult is the return value of one Handler.Judge call.
type judgeResult struct {
	decision Decision
	err      error
}

// judge builds the Message and calls the Handler under judge_timeout.
// Every failure is logged here at Error and returned, so the caller only
// picks the fail mode.
func (s *session) judge(msg *message) (Decision, error) {
	m, buildErr := s.buildMessage(msg)
	if buildErr != nil {
		msg.log.Error("build message failed", "err", buildErr)
		s.releaseSpool(msg)
		return Decision{}, buildErr
	}

	timeout := time.Duration(s.srv.cfg.JudgeTimeout)
	ctx, cancel := context.WithTimeout(s.srv.baseCtx, timeout)
	done := make(chan judgeResult, 1)
	s.srv.track(1)
	go func() {
		defer s.srv.track(-1)
		defer cancel()
		r := s.callJudge(ctx, msg.log, m)

		// Raw may map the spool file: unmap only once Judge is done with it.
		s.releaseSpool(msg)
		done <- r
	}()

	var r judgeResult
	select {
	case r = <-done:
	case <-ctx.Done():
		// Judge's own deferred cancel also closes ctx.Done, after its
		// result is in done.
		select {
		case r = <-done:
		default:
			return Decision{}, s.judgeTimedOut(msg.log, timeout)
		}
	}
	if r.err != nil {
		if !errors.Is(r.err, errJudgePanic) {
			msg.log.Error("judge failed, replying with fail_mode",
				"err", r.err,
				"fail_mode", s.srv.cfg.FailMode)
		}
		return Decision{}, r.err
	}
	return r.decision, nil
}

func (s *session) judgeTimedOut(log *slog.Logger, timeout time.Duration) error {
	log.Error("judge timed out, replying with fail_mode",
		"judge_timeout", timeout,
		"fail_mode", s.srv.cfg.FailMode)
	return errJudgeTimeout
}

// callJudge calls the Handler and turns a panic into an error.
func (s *session) callJudge(ctx context.Context, log *slog.Logger, m *Message) (r judgeResult) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		log.Error("judge panicked, replying with fail_mode",
			"panic", fmt.Sprint(v),
			"fail_mode", s.srv.cfg.FailMode,
			"stack", string(debug.Stack()))
		r = judgeResult{err: fmt.Errorf("%w: %v", errJudgePanic, v)}
	}()
	d, err := s.srv.handler.Judge(ctx, m)
	return judgeResult{decision: d, err: err}
}

func (s *session) releaseSpool(msg *message) {
	if err := msg.spool.Close(); err != nil {
		msg.log.Error("release spool failed", "err", err)
	}
}

// buildMessage assembles the Message for the Handler. The client address
// falls back to the end-of-message macros when CONNECT was not seen by this
// session.
func (s *session) buildMessage(msg *message) (*Message, error) {
	raw, err := msg.spool.Bytes()
	if err != nil {
		return nil, err
	}

	macros := make(map[string]string, len(s.connMacros)+len(msg.macros))
	maps.Copy(macros, s.connMacros)
	maps.Copy(macros, msg.macros)

	m := &Message{
		ConnID:     s.id,
		QueueID:    msg.queueID,
		ClientIP:   s.clientIP,
		ClientName: s.clientName,
		Helo:       s.helo,
		MailFrom:   msg.mailFrom,
		Rcpts:      msg.rcpts,
		AuthUser:   macros["{auth_authen}"],
		DaemonName: s.connMacros["{daemon_name}"],
		Macros:     macros,
		Headers:    msg.headers,
		Raw:        raw,
		Size:       msg.spool.total,
		Truncated:  msg.spool.Truncated(),
		Exceeded:   s.exceeded(msg),
	}
	if m.ClientIP == nil {
		m.ClientIP = net.ParseIP(macros["{client_addr}"])
	}
	if m.ClientName == "" {
		m.ClientName = macros["{client_name}"]
	}
	if m.DaemonName == "" {
		m.DaemonName = macros["{daemon_name}"]
	}
	return m, nil
}

// exceeded lists the caps msg hit and logs the size cap at Warn.
func (s *session) exceeded(msg *message) []LimitExceeded {
	cfg := s.srv.cfg
	checks := []LimitExceeded{
		{"max_message_bytes", msg.spool.total, cfg.MaxMessageBytes},
		{"max_headers", msg.headerCount, int64(cfg.MaxHeaders)},
		{"max_header_bytes", msg.headerBytes, cfg.MaxHeaderBytes},
		{"max_macros", int64(len(msg.macros)+len(s.connMacros)) + msg.droppedMacros, int64(cfg.MaxMacros)},
		{"max_recipients", msg.rcptCount, int64(cfg.MaxRecipients)},
	}
	var out []LimitExceeded
	for _, c := range checks {
		if c.Observed > c.Limit {
			out = append(out, c)
		}
	}
	if msg.spool.Truncated() {
		msg.log.Warn("message exceeds max_message_bytes, judging its first part",
			"observed", msg.spool.total,
			"limit", cfg.MaxMessageBytes)
	}
	return out
}

// reply sends the Decision's headers and final reply to the MTA.
// forged counts the received fields named in Config.OwnHeaders, which are
// deleted before the Decision's headers are added.
func (s *session) reply(m *gomilter.Modifier, log *slog.Logger, d Decision,
	forged map[string]int) (gomilter.Response, error) {
	if d.Action < Accept || d.Action > TempFail {
		log.Error("judge returned an invalid decision, replying with fail_mode",
			"err", errBadAction,
			"action", int(d.Action),
			"fail_mode", s.srv.cfg.FailMode)
		return s.failReply(m, log)
	}

	if err := removeHeaders(m, forged); err != nil {
		return nil, err
	}
	for _, f := range d.Headers {
		if !headerNamePattern.MatchString(f.Name) {
			log.Error("judge returned an invalid header name, skipping it",
				"name", quoteCut(f.Name))
			continue
		}
		if err := m.AddHeader(f.Name, foldValue(f.Value)); err != nil {
			return nil, fmt.Errorf("milter: send added header: %w", err)
		}
	}

	switch d.Action {
	case Hold:
		reason := cleanText(d.Reason, defaultHoldReason)
		if err := m.Quarantine(reason); err != nil {
			return nil, fmt.Errorf("milter: send quarantine: %w", err)
		}
		log.Debug("reply", "action", "hold", "reason", quoteCut(reason))
		return gomilter.RespContinue, nil
	case Reject:
		return replyCode(log, "reject", d, defaultRejectCode, defaultRejectEnhanced, defaultRejectText), nil
	case TempFail:
		return replyCode(log, "tempfail", d, defaultTempFailCode, defaultTempFailEnhanced, defaultTempFailText), nil
	}
	log.Debug("reply", "action", "accept")

	// CONTINUE at end of message is accept for Postfix, and go-milter
	// keeps this session for the next message (see the package comment).
	return gomilter.RespContinue, nil
}

// failReply replies with fail_mode and adds no headers.
func (s *session) failReply(m *gomilter.Modifier, log *slog.Logger) (gomilter.Response, error) {
	if s.srv.cfg.FailMode == FailAccept {
		log.Debug("reply", "action", "accept", "fail_mode", FailAccept)
		return gomilter.RespContinue, nil
	}
	return replyCode(log, "tempfail", Decision{}, defaultTempFailCode, defaultTempFailEnhanced,
		defaultTempFailText), nil
}

// replyCode builds an SMFIR_REPLYCODE response. A code or enhanced code of
// the wrong class for the action is replaced by the default, so a Reject
// can never turn into a 4xx or a 2xx.
func replyCode(log *slog.Logger, action string, d Decision, code int, enhanced, text string) gomilter.Response {
	class := code / 100
	if d.SMTPCode/100 == class {
		code = d.SMTPCode
	} else if d.SMTPCode != 0 {
		log.Error("judge returned an SMTP code of the wrong class, using the default",
			"code", d.SMTPCode,
			"action", action)
	}
	if enhancedCodePattern.MatchString(d.EnhancedCode) && int(d.EnhancedCode[0]-'0') == class {
		enhanced = d.EnhancedCode
	}
	text = cleanText(d.Text, text)

	line := strconv.Itoa(code) + " " + enhanced + " " + text
	log.Debug("reply", "action", action, "reply", quoteCut(line))
	return gomilter.NewResponseStr(byte(gomilter.ActReplyCode), line)
}

// cleanText makes text safe for a reply line or quarantine reason: printable
// ASCII only, '%' replaced because the MTA may treat it as a format
// directive, cut to maxReplyText. Empty results give def.
func cleanText(text, def string) string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == '%':
			b.WriteByte(' ')
		case r >= ' ' && r <= '~':
			b.WriteRune(r)
		case r == '\t' || r == '\r' || r == '\n':
			b.WriteByte(' ')
		}
		if b.Len() >= maxReplyText {
			break
		}
	}
	out := strings.TrimSpace(b.String())
	if out == "" {
		return def
	}
	return out
}

// foldValue drops NUL bytes and makes every line after the first a
// continuation line, so a value cannot start a header field of its own.
func foldValue(v string) string {
	v = strings.ReplaceAll(v, "\x00", "")
	v = strings.ReplaceAll(v, "\r\n", "\n")
	v = strings.ReplaceAll(v, "\r", "\n")
	lines := strings.Split(v, "\n")
	out := lines[:1]
	for _, l := range lines[1:] {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if l[0] != ' ' && l[0] != '\t' {
			l = "\t" + l
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// removeHeaders deletes every occurrence of the counted fields, the last
// first, so the per-name indices of the earlier ones stay valid.
func removeHeaders(m *gomilter.Modifier, counts map[string]int) error {
	for name, count := range counts {
		for idx := count; idx >= 1; idx-- {
			if err := m.ChangeHeader(idx, name, ""); err != nil {
				return fmt.Errorf("milter: send header deletion: %w", err)
			}
		}
	}
	return nil
}
