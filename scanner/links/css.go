package links

import (
	"strings"
	"unicode/utf8"
)

// css extracts the url() and @import URLs of a style sheet or a style
// attribute.
func (e *extractor) css(sheet string) {
	for _, raw := range cssURLs(sheet) {
		e.reference(raw, "css-url")
	}
}

// cssURLs returns the arguments of url(...) and of @import "...", with CSS
// escapes decoded.
func cssURLs(sheet string) []string {
	var out []string
	lower := asciiLower(sheet)
	for _, marker := range []string{"url(", "@import"} {
		for i := 0; ; {
			j := strings.Index(lower[i:], marker)
			if j < 0 {
				break
			}
			i += j + len(marker)
			raw, quoted := cssArgument(sheet[i:])
			if marker == "@import" && !quoted {
				continue
			}
			if raw = strings.TrimSpace(cssUnescape(raw)); raw != "" {
				out = append(out, raw)
			}
		}
	}
	return out
}

// cssArgument returns the string or unquoted URL at the start of s, after
// white space, and whether it was quoted.
func cssArgument(s string) (string, bool) {
	s = strings.TrimLeft(s, " \t\r\n\f")
	if s == "" {
		return "", false
	}
	if q := s[0]; q == '"' || q == '\'' {
		end := strings.IndexByte(s[1:], q)
		if end < 0 {
			return s[1:], true
		}
		return s[1 : end+1], true
	}
	if end := strings.IndexByte(s, ')'); end >= 0 {
		return s[:end], false
	}
	return s, false
}

// cssUnescape decodes CSS escapes: a backslash and up to six hex digits
// with one optional white space after them, or a backslash and any other
// character, which stands for itself.
func cssUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		j := i + 1
		for j < len(s) && j < i+7 && unhex(s[j]) >= 0 {
			j++
		}
		if j == i+1 {
			if s[j] != '\n' {
				b.WriteByte(s[j])
			}
			i = j
			continue
		}
		var r rune
		for _, c := range []byte(s[i+1 : j]) {
			r = r<<4 | rune(unhex(c))
		}
		if r == 0 || r > utf8.MaxRune {
			r = utf8.RuneError
		}
		b.WriteRune(r)
		if j < len(s) && strings.IndexByte(" \t\n\r\f", s[j]) >= 0 {
			j++
		}
		i = j - 1
	}
	return b.String()
}
