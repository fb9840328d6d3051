package trace

import (
	"net/mail"
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// Received is one parsed Received field. Empty fields were absent or not
// recognised.
type Received struct {
	// From is the from-domain as written: the client's HELO name, its
	// reverse DNS name or an address literal.
	From string `json:"from,omitempty"`
	// FromIP is the address the receiving host recorded for its client.
	// It is the first address in the from clause's comments, where
	// Postfix, Sendmail and Microsoft write the connected address. Else it
	// is the from-domain itself when that is an address literal, which is
	// Exim's form for a client without a reverse DNS name. Invalid when
	// none was found.
	FromIP netip.Addr `json:"from_ip,omitzero"`
	// By is the receiving host's name.
	By string `json:"by,omitempty"`
	// Via is the link type, rarely present.
	Via string `json:"via,omitempty"`
	// With is the protocol, such as "ESMTPS", "ESMTPSA" or "HTTP".
	With string `json:"with,omitempty"`
	// ID is the receiving host's queue id.
	ID string `json:"id,omitempty"`
	// For is the recipient the receiving host recorded, without brackets.
	For string `json:"for,omitempty"`
	// Date is the time after the semicolon; zero when absent or invalid.
	Date time.Time `json:"date,omitzero"`
	// Authenticated reports that the receiving host recorded an
	// authenticated submission: an RFC 3848 or RFC 6531 protocol name
	// ending in "A" (ESMTPA, ESMTPSA, LMTPA, UTF8SMTPSA), or a comment
	// containing "authenticated" (Postfix's "Authenticated sender:",
	// Sendmail's "authenticated bits=", "authenticated as").
	Authenticated bool `json:"authenticated,omitempty"`
	// AuthSender is the login name the receiving host recorded, "" when
	// it recorded none.
	AuthSender string `json:"auth_sender,omitempty"`
}

// authProtocol matches the RFC 3848 and RFC 6531 protocol names of an
// authenticated session.
var authProtocol = regexp.MustCompile(`^(?i)(E|UTF8)?(SMTP|LMTP)S?A$`)

// authSenderComment matches the login name in a comment such as
// "Authenticated sender: alice@example.org" or "authenticated as alice".
var authSenderComment = regexp.MustCompile(`(?i)authenticated (?:sender:|as|user:?)\s*<?([^\s<>(),;]+)`)

// ParseReceived parses the body of one Received field leniently. Clauses
// may come in any order, and unknown clauses and comments are skipped. An
// address is taken from brackets ("[192.0.2.1]", "[IPv6:2001:db8::1]"),
// from an "ip:port" form or from a bare address in a comment.
func ParseReceived(body string) Received {
	var r Received
	clauses, date := splitDateOutsideComments(body)
	if d, err := mail.ParseDate(strings.TrimSpace(date)); err == nil {
		r.Date = d
	}

	tokens := lex(clauses, "")
	var key string
	var fromComments []string
	for _, t := range tokens {
		if t.kind == tokenComment {
			noteComment(&r, t.text)
			if key == "from" {
				fromComments = append(fromComments, t.text)
			}
			continue
		}
		// The Received grammar has no quoted strings, so none is a value.
		if t.kind == tokenQuoted {
			continue
		}
		word := t.text
		switch lower := strings.ToLower(word); lower {
		case "from", "by", "via", "with", "id", "for":
			key = lower
			continue
		}
		r.setClause(key, word)
		if key != "from" {
			key = ""
		}
	}

	for _, c := range fromComments {
		if ip := firstAddress(c); ip.IsValid() {
			r.FromIP = ip
			break
		}
	}
	if !r.FromIP.IsValid() {
		r.FromIP = firstAddress(r.From)
	}
	if authProtocol.MatchString(r.With) {
		r.Authenticated = true
	}
	return r
}

// setClause stores the first word after a clause keyword; later words are
// ignored, except that they are kept as a from-domain when none was set.
func (r *Received) setClause(key, word string) {
	var field *string
	switch key {
	case "from":
		field = &r.From
	case "by":
		field = &r.By
	case "via":
		field = &r.Via
	case "with":
		field = &r.With
	case "id":
		field = &r.ID
	case "for":
		field = &r.For
		word = strings.Trim(word, "<>")
	default:
		return
	}
	if *field == "" {
		*field = word
	}
}

// noteComment records whether a comment reports an authenticated session
// and its login name.
func noteComment(r *Received, text string) {
	if !strings.Contains(strings.ToLower(text), "authenticated") {
		return
	}
	r.Authenticated = true
	if m := authSenderComment.FindStringSubmatch(text); m != nil && r.AuthSender == "" {
		r.AuthSender = m[1]
	}
}

// splitDateOutsideComments splits body at its first semicolon outside
// comments, because TLS cipher comments may contain one.
func splitDateOutsideComments(body string) (string, string) {
	depth := 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ';':
			if depth == 0 {
				return body[:i], body[i+1:]
			}
		}
	}
	return body, ""
}

// firstAddress returns the first IP address written in s: in brackets,
// with an "IPv6:" tag, with a ":port" suffix, after "@" or bare.
func firstAddress(s string) netip.Addr {
	for _, field := range strings.FieldsFunc(s, isAddressSeparator) {
		if ip, ok := parseAddress(field); ok {
			return ip
		}
	}
	return netip.Addr{}
}

func isAddressSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '[', ']', '(', ')', ',', ';', '=', '@', '<', '>':
		return true
	}
	return false
}

func parseAddress(field string) (netip.Addr, bool) {
	field = strings.TrimSuffix(field, ".")
	if len(field) > 5 && strings.EqualFold(field[:5], "IPv6:") {
		field = field[5:]
	}
	if ip, err := netip.ParseAddr(field); err == nil {
		return ip.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(field); err == nil {
		return ap.Addr().Unmap(), true
	}
	// Exim writes "[192.0.2.1]:51234", which the separators turned into
	// "192.0.2.1" and ":51234"; an IPv4 address followed by ":port"
	// without brackets also appears.
	if host, _, ok := strings.Cut(field, ":"); ok && strings.Count(field, ":") == 1 {
		if ip, err := netip.ParseAddr(host); err == nil {
			return ip, true
		}
	}
	return netip.Addr{}, false
}
