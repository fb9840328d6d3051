// Package milter runs the milter protocol session with the MTA: it collects
// the connection, envelope, headers and body of each message, enforces size
// caps, hands the message to a Handler at end of message, and maps the
// handler's Decision to milter replies.
//
// It never parses MIME and never scores.
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
	// endings, at most the configured maximum size.
	Raw []byte
	// Size is the number of bytes the MTA sent, which may exceed len(Raw)
	// when Truncated is true.
	Size int64
	// Truncated reports that the message exceeded the size cap and Raw
	// holds only its first part.
	Truncated bool
}

// Action is what the MTA is told to do with a message.
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

// Decision is the handler's answer for one message.
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
// context's deadline; an error or a panic answers the MTA with the
// configured fail mode.
type Handler interface {
	Judge(ctx context.Context, msg *Message) (Decision, error)
}
