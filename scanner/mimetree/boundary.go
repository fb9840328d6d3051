package mimetree

import (
	"bytes"
	"strings"
)

// maxBoundary bounds a sniffed boundary. RFC 2046 §5.1.1 allows 70
// characters, and twice that leaves room for senders that ignore it.
const maxBoundary = 140

// split is a multipart body cut at its delimiter lines.
type split struct {
	parts  [][]byte
	closed bool
	// junk is the first delimiter line with text after the boundary.
	junk []byte
}

// splitMultipart cuts body at the delimiter lines of boundary. A line
// matches when it starts with "--" and the boundary, as the note to
// implementors in RFC 2046 §5.1.1 allows, unless the next byte could
// continue the boundary: "--b1" must not match the line of a nested
// boundary "b10". Text after a space or another non-boundary byte is junk
// and reported. The CRLF before a delimiter belongs to it.
func splitMultipart(body []byte, boundary string) split {
	var s split
	delim := []byte("--" + boundary)
	start := -1
	for pos := 0; pos < len(body); {
		end := bytes.IndexByte(body[pos:], '\n')
		next := len(body)
		if end >= 0 {
			next = pos + end + 1
		}
		line := bytes.TrimRight(body[pos:next], "\r\n")

		if bytes.HasPrefix(line, delim) && !continuesBoundary(line[len(delim):]) {
			rest := line[len(delim):]
			isClose := bytes.HasPrefix(rest, []byte("--"))
			if isClose {
				rest = rest[2:]
			}
			if len(bytes.TrimSpace(rest)) > 0 && s.junk == nil {
				s.junk = line
			}
			if start >= 0 {
				s.parts = append(s.parts, body[start:partEnd(body, start, pos)])
			}
			if isClose {
				s.closed = true
				return s
			}
			start = next
		}
		pos = next
	}
	if start >= 0 {
		s.parts = append(s.parts, body[start:])
	}
	return s
}

// partEnd returns where a part that starts at start ends when the next
// delimiter line starts at pos.
func partEnd(body []byte, start, pos int) int {
	end := pos
	if end > start && body[end-1] == '\n' {
		end--
	}
	if end > start && body[end-1] == '\r' {
		end--
	}
	return end
}

// hasDelimiter reports whether body has a delimiter line for boundary.
func hasDelimiter(body []byte, boundary string) bool {
	delim := []byte("--" + boundary)
	return bytes.HasPrefix(body, delim) || bytes.Contains(body, append([]byte("\n"), delim...))
}

// boundaries returns the boundaries to cut a multipart body with: every
// distinct declared value that has a delimiter line, first declared first,
// or else one sniffed from the body.
func (w *walker) boundaries(ps []param, body []byte, path string) []string {
	var declared, found []string
	for _, v := range paramValues(ps, "boundary") {
		v = strings.TrimRight(v, " \t")
		if v == "" || containsString(declared, v) {
			continue
		}
		declared = append(declared, v)
		if hasDelimiter(body, v) {
			found = append(found, v)
		}
	}
	if len(found) > 0 {
		return found
	}

	sniffed := sniffBoundary(body)
	if sniffed == "" {
		return nil
	}
	w.add(anomaly(AnomalyBoundarySniffed, path,
		"declared boundary %q matches no line; using %q from the body",
		cut(strings.Join(declared, " ")), cut(sniffed)))
	return []string{sniffed}
}

// sniffBoundary returns the boundary of the first line that looks like a
// delimiter, or "".
func sniffBoundary(body []byte) string {
	for len(body) > 0 {
		line, rest := nextLine(body)
		body = rest
		b, ok := bytes.CutPrefix(bytes.TrimRight(line, " \t"), []byte("--"))
		if !ok || len(b) == 0 || len(b) > maxBoundary || b[0] == ' ' || b[0] == '\t' {
			continue
		}
		if len(b) > 2 && bytes.HasSuffix(b, []byte("--")) {
			b = b[:len(b)-2]
		}
		return string(b)
	}
	return ""
}

// continuesBoundary reports whether rest, the text after "--boundary" on a
// line, starts with a byte that RFC 2046 §5.1.1 allows inside a boundary
// (bcharsnospace), so the line belongs to a longer boundary. A following
// "--" marks a close delimiter instead.
func continuesBoundary(rest []byte) bool {
	if len(rest) == 0 || bytes.HasPrefix(rest, []byte("--")) {
		return false
	}
	c := rest[0]
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("'()+_,-./:=?", c) >= 0
}
