package links

import (
	"encoding/base64"
	"regexp"
	"strings"
)

// maxScriptDepth bounds how many atob payloads nested in each other are
// decoded. It is arbitrary: chosen so that a payload hidden in a payload is
// still read, while a chain built to cost work is not.
const maxScriptDepth = 3

// redirectPattern matches a navigation to a string literal:
// location = "...", location.href = "...", location.replace("..."),
// location.assign("...") and window.open("...").
var redirectPattern = regexp.MustCompile(`(?i)(?:\blocation(?:\.href)?\s*=|` +
	`\blocation\.(?:replace|assign)\s*\(|\bwindow\.open\s*\()\s*["'\x60]([^"'\x60]+)["'\x60]`)

// atobPattern matches atob("...") with a literal argument.
var atobPattern = regexp.MustCompile(`(?i)\batob\s*\(\s*["'\x60]([A-Za-z0-9+/=_\-\s\\]*)["'\x60]\s*\)`)

// script extracts from script code: literal redirects become candidates
// and redirects, other literal URLs candidates, and each atob payload is
// decoded and read as script again, up to maxScriptDepth.
func (e *extractor) script(code string, depth int) {
	seen := map[string]bool{}
	for _, m := range redirectPattern.FindAllStringSubmatch(code, -1) {
		raw := cleanURLText(m[1])
		seen[raw] = true
		e.redirect(raw)
	}
	for _, raw := range findURLs(code) {
		if !seen[raw] {
			seen[raw] = true
			e.addCandidate(candidate{raw: raw, via: "script", source: e.source})
		}
	}

	if depth >= maxScriptDepth {
		return
	}
	saved := e.source
	e.source = saved + " (atob)"
	for _, m := range atobPattern.FindAllStringSubmatch(code, -1) {
		if decoded := decodeBase64(m[1]); len(decoded) > 0 {
			e.script(string(decoded), depth+1)
		}
	}
	e.source = saved
}

// redirect records a script navigation to raw.
func (e *extractor) redirect(raw string) {
	scheme, rest, _ := splitScheme(raw)
	switch scheme {
	case "data":
		e.dataURI(rest, "script")
	case "", "http", "https", "ftp":
		e.addCandidate(candidate{raw: raw, via: "script", source: e.source, redirect: true})
	}
}

// decodeBase64 decodes base64 leniently, as browsers' atob and mail
// clients do: bytes outside the alphabet and padding are skipped, and the
// URL-safe alphabet is accepted.
func decodeBase64(s string) []byte {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '-':
			clean = append(clean, '+')
		case c == '_':
			clean = append(clean, '/')
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return out[:n]
}

// base64Size returns the decoded size of s without decoding it.
func base64Size(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("+/-_", c) >= 0 {
			n++
		}
	}
	return n * 3 / 4
}
