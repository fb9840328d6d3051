package mimetree

import (
	"bytes"
	"strings"
)

// base64Value returns the value of c in the standard base64 alphabet
// (RFC 4648 §4), or -1.
func base64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}

// base64Problems counts what a lenient base64 decode had to tolerate.
type base64Problems struct {
	junk      int  // bytes outside both alphabets
	restarts  int  // data after padding, as in concatenated blocks
	unpadded  bool // the last quantum had no padding
	lostBits  bool // a single character was left over at the end
	trailing  bool // a signature or text lines followed the data
	urlSafe   bool // "-" or "_" from the URL-safe alphabet (RFC 4648 §5)
	textLines int  // lines with inner spaces, skipped as text
}

func (p base64Problems) any() bool {
	return p.junk > 0 || p.restarts > 0 || p.unpadded || p.lostBits || p.trailing ||
		p.urlSafe || p.textLines > 0
}

func (p base64Problems) String() string {
	var s []string
	add := func(ok bool, msg string) {
		if ok {
			s = append(s, msg)
		}
	}
	add(p.junk > 0, "bytes outside the alphabet")
	add(p.restarts > 0, "data after padding")
	add(p.unpadded, "missing padding")
	add(p.lostBits, "a dangling character")
	add(p.trailing, "text after a signature line")
	add(p.urlSafe, "URL-safe alphabet")
	add(p.textLines > 0, "text lines")
	return strings.Join(s, ", ")
}

// decodeBase64 decodes b the way lenient clients do: bytes outside the
// alphabet are skipped, decoding restarts after padding, the URL-safe
// alphabet is accepted, and a "-- " signature ends the data.
func decodeBase64(b []byte) ([]byte, base64Problems) {
	var p base64Problems
	out := make([]byte, 0, len(b)*3/4)
	var quad uint32
	n := 0
	padded := false
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		t := bytes.TrimSpace(line)
		if len(t) == 0 {
			continue
		}
		if bytes.Equal(t, []byte("--")) || bytes.HasPrefix(line, []byte("-- ")) {
			p.trailing = true
			break
		}
		if bytes.IndexAny(t, " \t") >= 0 {
			p.textLines++
			continue
		}
		for _, c := range t {
			v := base64Value(c)
			switch {
			case c == '-':
				v, p.urlSafe = 62, true
			case c == '_':
				v, p.urlSafe = 63, true
			case c == '=':
				out = flushQuantum(out, quad, n)
				quad, n, padded = 0, 0, true
				continue
			case v < 0:
				p.junk++
				continue
			}
			if padded {
				p.restarts++
				padded = false
			}
			quad = quad<<6 | uint32(v)
			n++
			if n == 4 {
				out = append(out, byte(quad>>16), byte(quad>>8), byte(quad))
				quad, n = 0, 0
			}
		}
	}
	p.unpadded = n >= 2
	p.lostBits = n == 1
	return flushQuantum(out, quad, n), p
}

// flushQuantum appends the bytes of a partial quantum of n characters.
func flushQuantum(out []byte, quad uint32, n int) []byte {
	switch n {
	case 2:
		return append(out, byte(quad>>4))
	case 3:
		return append(out, byte(quad>>10), byte(quad>>2))
	}
	return out
}

// decodeQP decodes quoted-printable (RFC 2045 §6.7) and returns the count
// of invalid escapes, which are kept literally. Lower-case hex is accepted,
// and so is whitespace after a soft line break.
func decodeQP(b []byte) ([]byte, int) {
	out := make([]byte, 0, len(b))
	bad := 0
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		line, rest, eol := b, []byte(nil), false
		if i >= 0 {
			line, rest, eol = b[:i], b[i+1:], true
		}
		b = rest

		line = bytes.TrimRight(line, " \t\r")
		soft := len(line) > 0 && line[len(line)-1] == '='
		if soft {
			line = line[:len(line)-1]
		}
		var n int
		out, n = appendQPLine(out, line)
		bad += n
		if eol && !soft {
			out = append(out, '\r', '\n')
		}
	}
	return out, bad
}

// appendQPLine decodes the escapes of one line.
func appendQPLine(out, line []byte) ([]byte, int) {
	bad := 0
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		if i+2 < len(line) && isHex(line[i+1]) && isHex(line[i+2]) {
			out = append(out, unhex(line[i+1])<<4|unhex(line[i+2]))
			i += 2
			continue
		}
		bad++
		out = append(out, c)
	}
	return out, bad
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// decodeTransfer removes the Content-Transfer-Encoding of a leaf body and
// reports what it had to tolerate.
func (w *walker) decodeTransfer(p *Part, body []byte) []byte {
	switch p.TransferEncoding {
	case "", "7bit", "8bit", "binary":
		return body
	case "base64":
		out, probs := decodeBase64(body)
		if probs.any() {
			w.add(anomaly(AnomalyBase64Invalid, p.Path, "base64 body has %s", probs))
		}
		return out
	case "quoted-printable":
		out, bad := decodeQP(body)
		if bad > 0 {
			w.add(anomaly(AnomalyQPInvalid, p.Path,
				"quoted-printable body has %d invalid escapes", bad))
		}
		return out
	case "uuencode", "x-uuencode", "x-uue", "uue", "x-uu":
		return w.decodeUUBody(p, body)
	}
	w.add(anomaly(AnomalyUnknownEncoding, p.Path,
		"transfer encoding %q is unknown; body kept as sent", cut(p.TransferEncoding)))
	return body
}
