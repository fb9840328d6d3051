package links

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// webSchemes are the schemes FromText recognises and that become a Link.
var webSchemes = []string{"http://", "https://", "ftp://"}

// FromText returns the URLs in plain text in order of appearance, each with
// Via "text": URLs starting with http://, https:// or ftp://, and host
// names starting with "www.", read as http. Trailing punctuation and
// unbalanced closing brackets are left out the way mail clients do, so
// "(see https://example.com/a)." yields https://example.com/a.
// mailto: addresses are not links. A URL that Normalize rejects is left
// out.
//
// The caller bounds text: every Link comes from at least 5 bytes of it.
func FromText(text, source string) []Link {
	var out []Link
	for _, raw := range findURLs(text) {
		if l, _, err := makeLink(raw, nil, "text", source); err == nil {
			out = append(out, l)
		}
	}
	return out
}

// findURLs returns the URL strings in text, with "http://" prepended to a
// bare "www." host.
func findURLs(text string) []string {
	var out []string
	lower := asciiLower(text)
	for i := 0; i < len(lower); {
		start, prefix := nextURLStart(lower, i)
		if start < 0 {
			break
		}
		end := start + urlLength(text[start:])
		raw := trimURLTail(text[start:end])
		if len(raw) > len(prefix) {
			if prefix == "www." {
				raw = "http://" + raw
			}
			out = append(out, raw)
		}
		i = max(end, start+len(prefix))
	}
	return out
}

// nextURLStart returns the offset of the next URL prefix in lower at or
// after i, and the prefix, or -1.
func nextURLStart(lower string, i int) (int, string) {
	for ; i < len(lower); i++ {
		switch lower[i] {
		case 'h', 'f':
			for _, p := range webSchemes {
				if strings.HasPrefix(lower[i:], p) && wordStart(lower, i, false) {
					return i, p
				}
			}
		case 'w':
			if strings.HasPrefix(lower[i:], "www.") && wordStart(lower, i, true) {
				return i, "www."
			}
		}
	}
	return -1, ""
}

// wordStart reports whether a URL may start at offset i: not after an ASCII
// letter, digit or "_" and, for a bare "www." host, not inside an e-mail
// address, a host name or a path. Text in scripts without spaces between
// words, such as Chinese, puts a URL right after a letter.
func wordStart(s string, i int, bare bool) bool {
	if i == 0 {
		return true
	}
	c := s[i-1]
	if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' {
		return false
	}
	return !bare || strings.IndexByte("@.-/:", c) < 0
}

// urlLength returns the length of the URL at the start of s: up to the
// first space, control character, or character that cannot appear in a
// URL written in text.
func urlLength(s string) int {
	for i, r := range s {
		if r <= ' ' || r == 0x7f || unicode.IsSpace(r) || strings.ContainsRune("<>\"`", r) {
			return i
		}
	}
	return len(s)
}

// trimURLTail removes trailing punctuation that ends the sentence rather
// than the URL, and closing brackets that have no opening bracket inside
// the URL.
func trimURLTail(s string) string {
	unbalanced := map[rune]int{
		')': strings.Count(s, ")") - strings.Count(s, "("),
		']': strings.Count(s, "]") - strings.Count(s, "["),
		'}': strings.Count(s, "}") - strings.Count(s, "{"),
	}
	for s != "" {
		r, size := utf8.DecodeLastRuneInString(s)
		switch {
		case strings.ContainsRune(".,:;!?'\"*_~", r):
		case unbalanced[r] > 0:
			unbalanced[r]--
		case r >= utf8.RuneSelf && (unicode.IsPunct(r) || r == utf8.RuneError):
		default:
			return s
		}
		s = s[:len(s)-size]
	}
	return s
}

// asciiLower returns s with ASCII letters lower-cased and every byte at the
// same offset, unlike strings.ToLower.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
