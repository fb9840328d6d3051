package milter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"runtime/debug"
	"strings"

	gomilter "github.com/emersion/go-milter"
)

// maxLoggedValue is how many bytes of a header value or macro a log line
// carries. Arbitrary: enough to recognise a Subject or a Message-ID.
const maxLoggedValue = 120

// session is the handler go-milter calls for one MTA connection. It keeps
// connection state (client, HELO, connect macros) across messages and
// per-message state in msg, which Abort and end of message reset.
type session struct {
	srv *Server

	id         string
	log        *slog.Logger
	clientIP   net.IP
	clientName string
	helo       string
	connMacros map[string]string
	messages   int

	msg *message
}

// message is the state of the message in progress.
type message struct {
	log     *slog.Logger
	queueID string
	macros  map[string]string

	mailFrom    string
	rcpts       []string
	rcptCount   int64
	headers     []Field
	headerCount int64
	// ownCounts counts received fields named in Config.OwnHeaders, by
	// their configured name, over every field whatever the caps.
	ownCounts   map[string]int
	headerBytes int64
	eohWritten  bool
	spool       *spool

	droppedMacros int64
}

var _ gomilter.Milter = (*session)(nil)

func newSession(srv *Server) *session {
	return &session{srv: srv, connMacros: make(map[string]string)}
}

// ensureID mints the conn_id. go-milter may start a fresh session in the
// middle of a connection without a CONNECT, so every stage calls this.
func (s *session) ensureID() {
	if s.id != "" {
		return
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	s.id = hex.EncodeToString(b[:])
	s.log = s.srv.log.With("conn_id", s.id)
}

// message returns the message in progress, starting one if needed.
func (s *session) message() *message {
	s.ensureID()
	if s.msg == nil {
		s.msg = &message{
			log:    s.log,
			macros: make(map[string]string),
			spool:  newSpool(s.srv.cfg),
		}
	}
	return s.msg
}

// resetMessage drops the message in progress and its spool.
func (s *session) resetMessage() {
	if s.msg == nil {
		return
	}
	if err := s.msg.spool.Close(); err != nil {
		s.msg.log.Error("discard spool failed", "err", err)
	}
	s.msg = nil
}

// guard turns a panic in a stage into an error that ends the session, so
// the MTA applies its milter_default_action, and logs it as our fault.
func (s *session) guard(stage string, err *error) {
	v := recover()
	if v == nil {
		return
	}
	log := s.srv.log
	if s.msg != nil {
		log = s.msg.log
	} else if s.log != nil {
		log = s.log
	}
	log.Error("panic in milter session",
		"stage", stage,
		"panic", fmt.Sprint(v),
		"stack", string(debug.Stack()))
	*err = fmt.Errorf("milter: panic in %s: %v", stage, v)
}

// Connect records the client. Postfix sends "unknown" as the host name
// when it did not look the client up.
func (s *session) Connect(host, family string, port uint16, addr net.IP, m *gomilter.Modifier) (
	_ gomilter.Response, err error) {
	defer s.guard("connect", &err)
	s.ensureID()

	s.clientIP = addr
	s.clientName = host
	s.mergeConnMacros(m.Macros)
	if s.log.Enabled(context.Background(), slog.LevelDebug) {
		s.log.Debug("connect",
			"client_ip", addr.String(),
			"client_name", quoteCut(host),
			"family", family,
			"port", port)
	}
	return gomilter.RespContinue, nil
}

// Helo records the HELO/EHLO argument, which lasts for the connection.
func (s *session) Helo(name string, m *gomilter.Modifier) (_ gomilter.Response, err error) {
	defer s.guard("helo", &err)
	s.ensureID()

	s.helo = name
	s.mergeConnMacros(m.Macros)
	s.log.Debug("helo", "helo", quoteCut(name))
	return gomilter.RespContinue, nil
}

// MailFrom starts a message. A MAIL while a message is open means the MTA
// skipped ABORT; the old message is dropped.
func (s *session) MailFrom(from string, m *gomilter.Modifier) (_ gomilter.Response, err error) {
	defer s.guard("mail", &err)
	if s.msg != nil && s.msg.spool.total > 0 {
		s.msg.log.Warn("MAIL while a message is open, dropping it")
		s.resetMessage()
	}

	msg := s.message()
	s.mergeMacros(m.Macros)
	msg.mailFrom = from
	msg.log.Debug("mail", "mail_from", quoteCut(from))
	return gomilter.RespContinue, nil
}

// RcptTo adds a recipient, up to max_recipients.
func (s *session) RcptTo(rcpt string, m *gomilter.Modifier) (_ gomilter.Response, err error) {
	defer s.guard("rcpt", &err)
	msg := s.message()
	s.mergeMacros(m.Macros)

	msg.rcptCount++
	if msg.rcptCount > int64(s.srv.cfg.MaxRecipients) {
		if msg.rcptCount == int64(s.srv.cfg.MaxRecipients)+1 {
			msg.log.Warn("recipient count exceeds max_recipients, dropping the rest",
				"limit", s.srv.cfg.MaxRecipients)
		}
		return gomilter.RespContinue, nil
	}
	msg.rcpts = append(msg.rcpts, rcpt)
	msg.log.Debug("rcpt", "rcpt", quoteCut(rcpt))
	return gomilter.RespContinue, nil
}

// Header stores one field and appends it to the raw message.
func (s *session) Header(name, value string, m *gomilter.Modifier) (_ gomilter.Response, err error) {
	defer s.guard("header", &err)
	msg := s.message()
	s.mergeMacros(m.Macros)

	// Without SMFIP_HDR_LEADSPC the MTA drops the space after the colon;
	// with it, one space is ours to drop. Either way Raw gets ": ".
	value = strings.TrimPrefix(value, " ")
	msg.spool.WriteString(name + ": " + crlfLines(value) + "\r\n")

	msg.headerCount++
	msg.headerBytes += int64(len(name) + len(value))
	cfg := s.srv.cfg
	for _, own := range cfg.OwnHeaders {
		if strings.EqualFold(name, own) {
			if msg.ownCounts == nil {
				msg.ownCounts = make(map[string]int, len(cfg.OwnHeaders))
			}
			msg.ownCounts[own]++
		}
	}
	switch {
	case msg.headerCount > int64(cfg.MaxHeaders):
		if msg.headerCount == int64(cfg.MaxHeaders)+1 {
			msg.log.Warn("header count exceeds max_headers, keeping the rest in Raw only",
				"limit", cfg.MaxHeaders)
		}
	case msg.headerBytes > cfg.MaxHeaderBytes:
		msg.log.Warn("header bytes exceed max_header_bytes, keeping this field in Raw only",
			"observed", msg.headerBytes,
			"limit", cfg.MaxHeaderBytes)
	default:
		msg.headers = append(msg.headers, Field{Name: name, Value: value})
	}
	if msg.log.Enabled(context.Background(), slog.LevelDebug) {
		msg.log.Debug("header", "name", quoteCut(name), "value", quoteCut(value))
	}
	return gomilter.RespContinue, nil
}

// Headers marks the end of the header block (EOH).
func (s *session) Headers(_ textproto.MIMEHeader, m *gomilter.Modifier) (_ gomilter.Response, err error) {
	defer s.guard("eoh", &err)
	msg := s.message()
	s.mergeMacros(m.Macros)
	msg.endHeaders()
	return gomilter.RespContinue, nil
}

// BodyChunk appends a body chunk; past max_message_bytes it is counted and
// dropped.
func (s *session) BodyChunk(chunk []byte, m *gomilter.Modifier) (_ gomilter.Response, err error) {
	defer s.guard("body", &err)
	msg := s.message()
	s.mergeMacros(m.Macros)
	msg.endHeaders()
	spilled := msg.spool.Spilled()
	msg.spool.Write(chunk)
	if !spilled && msg.spool.Spilled() {
		msg.log.Debug("message spilled to file",
			"spool_memory_bytes", s.srv.cfg.SpoolMemoryBytes,
			"spool_dir", s.srv.cfg.SpoolDir)
	}
	return gomilter.RespContinue, nil
}

// Abort drops the message in progress and keeps the connection state.
func (s *session) Abort(_ *gomilter.Modifier) (err error) {
	defer s.guard("abort", &err)
	s.ensureID()
	if s.msg != nil {
		s.msg.log.Debug("abort")
	}
	s.resetMessage()
	return nil
}

// Body is end of message: judge, reply, and reset for the next message.
func (s *session) Body(m *gomilter.Modifier) (_ gomilter.Response, err error) {
	defer s.guard("eom", &err)
	msg := s.message()
	s.mergeMacros(m.Macros)
	msg.endHeaders()
	s.messages++

	// The Handler may outlive its deadline; it then owns the spool, which
	// it releases when Judge returns, and this session starts afresh.
	s.msg = nil
	decision, judgeErr := s.judge(msg)
	if judgeErr != nil {
		return s.failReply(m, msg.log)
	}
	return s.reply(m, msg.log, decision, msg.ownCounts)
}

// endHeaders writes the blank line between header and body once.
func (msg *message) endHeaders() {
	if !msg.eohWritten {
		msg.spool.WriteString("\r\n")
		msg.eohWritten = true
	}
}

// mergeConnMacros keeps connect and HELO stage macros for the whole
// connection: go-milter replaces Modifier.Macros at every macro packet.
func (s *session) mergeConnMacros(macros map[string]string) {
	for k, v := range macros {
		if _, ok := s.connMacros[k]; !ok && len(s.connMacros) >= s.srv.cfg.MaxMacros {
			s.log.Warn("macro count exceeds max_macros, dropping macro",
				"macro", quoteCut(k),
				"limit", s.srv.cfg.MaxMacros)
			continue
		}
		s.connMacros[k] = v
	}
}

// mergeMacros adds one stage's macros to the message, later values
// winning, and picks up the queue id from macro i.
func (s *session) mergeMacros(macros map[string]string) {
	msg := s.msg
	for k, v := range macros {
		_, inMsg := msg.macros[k]
		_, inConn := s.connMacros[k]
		if !inMsg && !inConn && len(msg.macros)+len(s.connMacros) >= s.srv.cfg.MaxMacros {
			msg.droppedMacros++
			if msg.droppedMacros == 1 {
				msg.log.Warn("macro count exceeds max_macros, dropping the rest",
					"macro", quoteCut(k),
					"limit", s.srv.cfg.MaxMacros)
			}
			continue
		}
		msg.macros[k] = v
	}

	if id := macros["i"]; id != "" && id != msg.queueID {
		msg.queueID = id
		msg.log = s.log.With("queue_id", id)
	}
}

// quoteCut quotes s for a log line, cut to maxLoggedValue bytes.
func quoteCut(s string) string {
	if len(s) <= maxLoggedValue {
		return fmt.Sprintf("%q", s)
	}
	cut := s[:maxLoggedValue]
	for len(cut) > 0 && !validUTF8Tail(cut) {
		cut = cut[:len(cut)-1]
	}
	return fmt.Sprintf("%q…", cut)
}

// validUTF8Tail reports whether s does not end inside a multi-byte rune.
func validUTF8Tail(s string) bool {
	for i := len(s) - 1; i >= 0 && i >= len(s)-4; i-- {
		c := s[i]
		if c < 0x80 {
			return true
		}
		if c >= 0xC0 {
			need := 2
			if c >= 0xE0 {
				need = 3
			}
			if c >= 0xF0 {
				need = 4
			}
			return len(s)-i >= need
		}
	}
	return true
}

// crlfLines rewrites the line breaks of a folded header value as CRLF.
// Postfix sends folded values with bare LF.
func crlfLines(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	v = strings.ReplaceAll(v, "\r\n", "\n")
	v = strings.ReplaceAll(v, "\r", "\n")
	return strings.ReplaceAll(v, "\n", "\r\n")
}
