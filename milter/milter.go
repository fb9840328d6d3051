// Package milter runs the milter protocol session with the MTA: it collects
// the connection, envelope, headers and body of each message, enforces size
// caps, hands the message to a Handler at end of message, and maps the
// handler's Decision to milter replies.
//
// It never parses MIME and never scores.
//
// One session serves one SMTP connection and any number of messages on it.
// A message that cannot be judged (the Handler returns an error, panics or
// misses its deadline, or the spool fails) gets the configured fail mode,
// and the cause is logged at Error with conn_id and queue_id. A cap that a
// message exceeds is recorded in Message.Exceeded and logged at Warn; the
// session keeps reading, so it stays in step with the MTA.
//
// Config keys (section [milter]): listen, socket_mode, max_message_bytes,
// spool_memory_bytes, spool_dir, judge_timeout, fail_mode, drain_timeout,
// idle_timeout, max_headers, max_header_bytes, max_macros, max_recipients.
//
// The protocol itself comes from github.com/emersion/go-milter v0.5.0,
// which shapes what this package can do.
//
// Limitations:
//   - go-milter negotiates milter protocol version 2, so the MTA sends no
//     DATA or UNKNOWN events and no-reply and skip flags are unavailable.
//   - go-milter caps a packet at 1 MiB and logs its own read errors and
//     recovered panics through the standard log package, not slog.
//   - go-milter collects every header of a message in its own map until
//     ABORT, outside our caps; Postfix bounds it with header_size_limit
//     and message_size_limit.
//   - go-milter starts a fresh handler after any reply other than
//     CONTINUE, without a new CONNECT. This package therefore answers
//     accept as CONTINUE at end of message, which Postfix treats as accept
//     (checked with Postfix 3.7), and reject or tempfail as a custom reply
//     code, which go-milter also treats as CONTINUE. If a fresh handler appears anyway,
//     the client address and name come from the {client_addr} and
//     {client_name} macros requested at end of message.
package milter

import (
	"context"
	"net"
)

// Field is one header field as received, in order.
type Field struct {
	Name  string
	Value string
}

// Message is everything collected for one message of an SMTP session.
type Message struct {
	// ConnID is minted at Connect and shared by every message of the
	// SMTP connection.
	ConnID string
	// QueueID is the MTA's queue id (macro i); "" until the MTA sends it.
	QueueID string
	// ClientIP is the connecting SMTP client's address, nil when unknown.
	ClientIP net.IP
	// ClientName is the client's reverse name as the MTA reports it.
	ClientName string
	// Helo is the HELO/EHLO argument.
	Helo string
	// MailFrom is the envelope sender without angle brackets; "" for <>.
	MailFrom string
	// Rcpts lists the envelope recipients without angle brackets.
	Rcpts []string
	// AuthUser is the SASL login name ({auth_authen}), "" when the client
	// did not authenticate.
	AuthUser string
	// DaemonName is the MTA's {daemon_name} macro.
	DaemonName string
	// Macros holds every macro the MTA sent for this message, merged over
	// all stages, later values winning.
	Macros map[string]string
	// Headers holds the header fields in their original order.
	Headers []Field
	// Raw is the whole message (headers, blank line, body) with CRLF line
	// endings, at most the configured maximum size. The header block is
	// rebuilt from the fields the MTA sent, as "Name: value". Raw may be a
	// read-only memory mapping: it is valid only until Judge returns, and
	// writing to it crashes the process.
	Raw []byte
	// Size is the number of bytes the MTA sent, which may exceed len(Raw)
	// when Truncated is true.
	Size int64
	// Truncated reports that the message exceeded the size cap and Raw
	// holds only its first part.
	Truncated bool
	// Exceeded lists every cap this message hit, nil when none. A cap on
	// headers, macros or recipients shortens Headers, Macros or Rcpts but
	// not Raw.
	Exceeded []LimitExceeded
}

// LimitExceeded is one cap a message hit, with the observed value and the
// limit, so a caller can turn it into a signal.
type LimitExceeded struct {
	// Key is the config key of the cap, for example "max_message_bytes".
	Key string
	// Observed is the count or size the message reached.
	Observed int64
	// Limit is the configured cap.
	Limit int64
}

// Action is the instruction sent to the MTA for a message.
type Action int

const (
	// Accept delivers the message (with any added headers).
	Accept Action = iota
	// Hold delivers nothing yet: the MTA keeps the message in its hold
	// queue (milter QUARANTINE).
	Hold
	// Reject refuses the message with a permanent SMTP error.
	Reject
	// TempFail refuses the message with a temporary SMTP error.
	TempFail
)

// Decision is the handler's verdict for one message.
type Decision struct {
	Action Action
	// Headers are added to the message whatever the action.
	Headers []Field
	// Reason is the short text sent with a Hold (the quarantine reason).
	Reason string
	// SMTPCode, EnhancedCode and Text form the reply for Reject and
	// TempFail; zero values select 550 5.7.1 or 451 4.7.1 with a generic
	// text.
	SMTPCode     int
	EnhancedCode string
	Text         string
}

// Handler judges one complete message. Judge must return within the
// context's deadline; an error, a panic or a missed deadline makes the
// session reply to the MTA with the configured fail mode. Judge is called from several sessions
// at once, and msg and msg.Raw must not be kept after it returns.
type Handler interface {
	Judge(ctx context.Context, msg *Message) (Decision, error)
}
