// Package trace parses the trace header fields a gateway reads to learn a
// message's path and earlier authentication checks: Received (RFC 5321
// §4.4), Authentication-Results (RFC 8601) and Received-SPF (RFC 7208
// §9.1).
//
// Every parser is lenient because these fields are written by many
// programs, some of them careless and some hostile: it never fails, keeps
// what it recognised and leaves the rest empty. Parsing is linear in the
// input and allocates in proportion to it. The package does no I/O and
// trusts nothing. Deciding whose header to believe is the caller's job.
//
// Limitations: Received dates that net/mail cannot parse are left zero;
// RFC 8601 version numbers other than 1 are accepted as if they were 1.
package trace

import "strings"

// tokenKind classifies one lexical token of a structured header field.
type tokenKind int

const (
	tokenWord    tokenKind = iota // an atom, domain, address or value
	tokenQuoted                   // a quoted-string, unquoted
	tokenComment                  // a comment's text, without parentheses
	tokenSpecial                  // one of the caller's special characters
)

type token struct {
	kind tokenKind
	text string
}

// lex splits a field body into words, quoted strings, comments and the
// special characters in specials. QUIRK: RFC 5322 §3.2.2 — an unclosed
// comment or quoted string runs to the end of the field instead of
// failing, so a truncated header still yields its leading tokens.
func lex(s, specials string) []token {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == ')':
			// A stray closing parenthesis ends no comment and is dropped.
			i++
		case c == '(':
			text, next := scanComment(s, i)
			out = append(out, token{tokenComment, text})
			i = next
		case c == '"':
			text, next := scanQuoted(s, i)
			out = append(out, token{tokenQuoted, text})
			i = next
		case strings.IndexByte(specials, c) >= 0:
			out = append(out, token{tokenSpecial, s[i : i+1]})
			i++
		default:
			j := i
			for j < len(s) && !isWordEnd(s[j], specials) {
				j++
			}
			out = append(out, token{tokenWord, s[i:j]})
			i = j
		}
	}
	return out
}

func isWordEnd(c byte, specials string) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '(', ')', '"':
		return true
	}
	return strings.IndexByte(specials, c) >= 0
}

// scanComment returns the text of the comment starting at s[start], with
// nested comments kept in parentheses and quoted-pairs unescaped, and the
// index after its closing parenthesis.
func scanComment(s string, start int) (string, int) {
	var b strings.Builder
	depth := 0
	i := start
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
			continue
		case c == '(':
			depth++
			if depth == 1 {
				continue
			}
		case c == ')':
			depth--
			if depth == 0 {
				return b.String(), i + 1
			}
		}
		b.WriteByte(c)
	}
	return b.String(), i
}

// scanQuoted returns the unescaped content of the quoted string starting
// at s[start] and the index after its closing quote.
func scanQuoted(s string, start int) (string, int) {
	var b strings.Builder
	i := start + 1
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			return b.String(), i + 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), i
}
