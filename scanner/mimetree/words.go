package mimetree

import "strings"

// word is one RFC 2047 encoded-word, or literal text between words.
type word struct {
	literal string
	label   string
	raw     []byte
	encoded bool
}

// DecodeHeader decodes the RFC 2047 encoded-words in a header value for
// display and matching. It is lenient where clients are, because these
// values feed brand and spoof checks:
//
//   - adjacent words in one charset are joined before charset decoding, so
//     a multibyte character split across two words survives;
//   - words are decoded inside quoted display names and when glued to
//     other text;
//   - B words may lack padding, Q words may hold spaces and bad escapes;
//   - an unknown charset, or raw 8-bit text outside words, is read as UTF-8
//     when valid and otherwise as a guessed legacy charset.
//
// Control characters become spaces and the result is trimmed.
func DecodeHeader(value string) string {
	words := splitWords(value)
	var sb strings.Builder
	for i := 0; i < len(words); i++ {
		wd := words[i]
		if !wd.encoded {
			if isBlank(wd.literal) && i > 0 && i+1 < len(words) &&
				words[i-1].encoded && words[i+1].encoded {
				continue
			}
			sb.WriteString(toUTF8([]byte(wd.literal)))
			continue
		}

		raw := append([]byte(nil), wd.raw...)
		for i+2 < len(words) && isBlank(words[i+1].literal) && !words[i+1].encoded &&
			words[i+2].encoded && words[i+2].label == wd.label {
			raw = append(raw, words[i+2].raw...)
			i += 2
		}
		for i+1 < len(words) && words[i+1].encoded && words[i+1].label == wd.label {
			raw = append(raw, words[i+1].raw...)
			i++
		}
		text, _ := DecodeCharset(wd.label, raw)
		sb.WriteString(text)
	}
	return strings.TrimSpace(strings.Map(controlToSpace, sb.String()))
}

func controlToSpace(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return ' '
	}
	return r
}

func isBlank(s string) bool {
	return strings.Trim(s, " \t\r\n") == ""
}

// splitWords splits s into literal text and encoded-words.
func splitWords(s string) []word {
	var out []word
	for s != "" {
		i := strings.Index(s, "=?")
		if i < 0 {
			break
		}
		wd, n, ok := parseWord(s[i:])
		if !ok {
			out = appendLiteral(out, s[:i+2])
			s = s[i+2:]
			continue
		}
		out = appendLiteral(out, s[:i])
		out = append(out, wd)
		s = s[i+n:]
	}
	return appendLiteral(out, s)
}

func appendLiteral(out []word, s string) []word {
	if s == "" {
		return out
	}
	if n := len(out); n > 0 && !out[n-1].encoded {
		out[n-1].literal += s
		return out
	}
	return append(out, word{literal: s})
}

// maxLabel bounds a charset label in an encoded-word. The longest IANA
// name is 45 bytes.
const maxLabel = 64

// parseWord reads "=?charset?E?text?=" at the start of s and returns the
// word and its length.
func parseWord(s string) (word, int, bool) {
	rest := s[2:]
	q := strings.IndexByte(rest, '?')
	if q <= 0 || q > maxLabel || strings.ContainsAny(rest[:q], " \t\r\n\"") {
		return word{}, 0, false
	}
	label := normalizeLabel(rest[:q])
	rest = rest[q+1:]
	if len(rest) < 2 || rest[1] != '?' {
		return word{}, 0, false
	}
	enc := rest[0] | 0x20
	if enc != 'b' && enc != 'q' {
		return word{}, 0, false
	}
	rest = rest[2:]
	end := strings.Index(rest, "?=")
	if end < 0 {
		return word{}, 0, false
	}
	text := rest[:end]
	n := len(s) - len(rest) + end + 2

	wd := word{label: label, encoded: true}
	if enc == 'b' {
		wd.raw, _ = decodeBase64([]byte(text))
	} else {
		wd.raw = decodeQWord(text)
	}
	return wd, n, true
}

// decodeQWord decodes the Q encoding (RFC 2047 §4.2) and keeps a bad escape
// as written.
func decodeQWord(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}
