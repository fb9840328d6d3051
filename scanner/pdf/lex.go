package pdf

import (
	"bytes"
	"errors"
)

// Parse errors. They stay inside the package: a caller sees a
// PDF_MALFORMED anomaly instead.
var (
	errSyntax = errors.New("pdf: invalid syntax")
	errDepth  = errors.New("pdf: nesting too deep")
	errWork   = errors.New("pdf: work limit reached")
)

// isSpace reports the PDF white-space characters (ISO 32000-1 §7.2.2).
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

// isDelim reports the PDF delimiter characters.
func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isRegular(c byte) bool { return !isSpace(c) && !isDelim(c) }

// lexer reads PDF objects from buf. Every value it returns costs one unit
// of the shared work budget, and containers nest at most maxDepth deep, so
// no input makes it run long or recurse deep.
type lexer struct {
	buf      []byte
	pos      int
	maxDepth int
	work     *budget
}

// skipSpace moves past white space and comments.
func (lx *lexer) skipSpace() {
	for lx.pos < len(lx.buf) {
		c := lx.buf[lx.pos]
		switch {
		case isSpace(c):
			lx.pos++
		case c == '%':
			for lx.pos < len(lx.buf) && lx.buf[lx.pos] != '\n' && lx.buf[lx.pos] != '\r' {
				lx.pos++
			}
		default:
			return
		}
	}
}

// object reads the next value. Within arrays and dictionaries it joins
// "num gen R" into a ref. At the end of the input it returns errSyntax.
func (lx *lexer) object(depth int) (object, error) {
	if !lx.work.spendToken() {
		return nil, errWork
	}
	lx.skipSpace()
	if lx.pos >= len(lx.buf) {
		return nil, errSyntax
	}
	c := lx.buf[lx.pos]
	switch {
	case c == '/':
		lx.pos++
		return lx.name(), nil
	case c == '(':
		lx.pos++
		return lx.literal()
	case c == '<' && lx.peek(1) == '<':
		lx.pos += 2
		return lx.dict(depth + 1)
	case c == '<':
		lx.pos++
		return lx.hex(), nil
	case c == '[':
		lx.pos++
		return lx.array(depth + 1)
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return lx.number(), nil
	case isDelim(c):
		// A stray ")", ">", "]", "{" or "}": skip it so the caller moves on.
		lx.pos++
		return nil, errSyntax
	}
	return lx.word(), nil
}

func (lx *lexer) peek(off int) byte {
	if lx.pos+off < len(lx.buf) {
		return lx.buf[lx.pos+off]
	}
	return 0
}

// word reads a bare keyword and maps true, false and null to their values.
func (lx *lexer) word() object {
	start := lx.pos
	for lx.pos < len(lx.buf) && isRegular(lx.buf[lx.pos]) {
		lx.pos++
	}
	switch w := string(lx.buf[start:lx.pos]); w {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	default:
		return keyword(w)
	}
}

// name reads a name after its slash, decoding #xx escapes so that
// /J#61vaScript reads as /JavaScript. A "#" not followed by two hex digits
// is kept as written.
func (lx *lexer) name() name {
	var out []byte
	for lx.pos < len(lx.buf) && isRegular(lx.buf[lx.pos]) {
		c := lx.buf[lx.pos]
		lx.pos++
		if c == '#' && lx.pos+1 < len(lx.buf) {
			hi, ok1 := unhex(lx.buf[lx.pos])
			lo, ok2 := unhex(lx.buf[lx.pos+1])
			if ok1 && ok2 {
				c = hi<<4 | lo
				lx.pos += 2
			}
		}
		out = append(out, c)
	}
	return name(out)
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// literal reads a literal string after its "(" up to the balancing ")",
// decoding escapes (ISO 32000-1 §7.3.4.2). An unterminated string ends at
// the end of the input with errSyntax.
func (lx *lexer) literal() (str, error) {
	var out []byte
	nest := 1
	for lx.pos < len(lx.buf) {
		c := lx.buf[lx.pos]
		lx.pos++
		switch c {
		case '(':
			nest++
		case ')':
			nest--
			if nest == 0 {
				return str(out), nil
			}
		case '\r':
			// An end of line inside a string reads as one LF.
			if lx.peek(0) == '\n' {
				lx.pos++
			}
			c = '\n'
		case '\\':
			b, ok := lx.escape()
			if !ok {
				continue
			}
			c = b
		}
		out = append(out, c)
	}
	return str(out), errSyntax
}

// escape decodes the escape after a backslash. It returns false for a
// line continuation and for a backslash at the end of the input.
func (lx *lexer) escape() (byte, bool) {
	if lx.pos >= len(lx.buf) {
		return 0, false
	}
	c := lx.buf[lx.pos]
	lx.pos++
	switch c {
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case '\r':
		if lx.peek(0) == '\n' {
			lx.pos++
		}
		return 0, false
	case '\n':
		return 0, false
	}
	if c < '0' || c > '7' {
		// Includes \( \) \\, and any other character, which the
		// standard says to read as itself.
		return c, true
	}
	v := int(c - '0')
	for i := 0; i < 2 && lx.pos < len(lx.buf); i++ {
		d := lx.buf[lx.pos]
		if d < '0' || d > '7' {
			break
		}
		v = v*8 + int(d-'0')
		lx.pos++
	}
	return byte(v), true // the standard drops the bit above 0xFF
}

// hex reads a hex string after its "<". White space is ignored, other
// non-hex bytes are skipped, and an odd final digit reads as if followed
// by 0.
func (lx *lexer) hex() str {
	var out []byte
	var hi byte
	half := false
	for lx.pos < len(lx.buf) {
		c := lx.buf[lx.pos]
		lx.pos++
		if c == '>' {
			break
		}
		v, ok := unhex(c)
		if !ok {
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return str(out)
}

// number reads an integer or a real. Garbage such as "1.2.3" or "--4"
// reads as far as it parses and the rest is skipped.
func (lx *lexer) number() object {
	start := lx.pos
	for lx.pos < len(lx.buf) && isRegular(lx.buf[lx.pos]) {
		lx.pos++
	}
	return parseNumber(lx.buf[start:lx.pos])
}

func parseNumber(b []byte) object {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	var ip int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if ip < 1<<53 {
			ip = ip*10 + int64(b[i]-'0')
		}
	}
	if i == len(b) || b[i] != '.' {
		if neg {
			ip = -ip
		}
		return integer(ip)
	}
	f, scale := float64(ip), 1.0
	for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		scale /= 10
		f += float64(b[i]-'0') * scale
	}
	if neg {
		f = -f
	}
	return real(f)
}

// array reads the elements after "[" up to "]". It stops early, with
// errSyntax, at a keyword that cannot occur inside an object, so that an
// unterminated array does not swallow the objects after it.
func (lx *lexer) array(depth int) (object, error) {
	if depth > lx.maxDepth {
		return nil, errDepth
	}
	var out array
	for {
		lx.skipSpace()
		if lx.pos >= len(lx.buf) {
			return out, errSyntax
		}
		if lx.buf[lx.pos] == ']' {
			lx.pos++
			return out, nil
		}
		mark := lx.pos
		v, err := lx.object(depth)
		if err == errDepth || err == errWork {
			return out, err
		}
		if kw, ok := v.(keyword); ok {
			if kw == "R" && len(out) >= 2 {
				out = joinRef(out)
				continue
			}
			if endsObject(kw) {
				lx.pos = mark
				return out, errSyntax
			}
		}
		if err == nil || v != nil {
			out = append(out, v)
		}
	}
}

// joinRef replaces the two integers at the end of a with a ref when they
// form a valid object number and generation.
func joinRef(a array) array {
	num, ok1 := a[len(a)-2].(integer)
	gen, ok2 := a[len(a)-1].(integer)
	if !ok1 || !ok2 || num < 0 || num >= 1<<31 || gen < 0 || gen > 65535 {
		return a
	}
	return append(a[:len(a)-2], ref{int(num), int(gen)})
}

// endsObject reports keywords that mark the end of an object body.
func endsObject(kw keyword) bool {
	switch kw {
	case "obj", "endobj", "stream", "endstream", "xref", "trailer", "startxref":
		return true
	}
	return false
}

// dict reads the entries after "<<" up to ">>". A key that is not a name
// is skipped with its value, and a key without a value maps to null.
func (lx *lexer) dict(depth int) (object, error) {
	if depth > lx.maxDepth {
		return nil, errDepth
	}
	out := dict{}
	var key name
	haveKey := false
	var vals array // value tokens of the current key, to join "n g R"
	flush := func() {
		if haveKey && len(vals) > 0 {
			out[key] = vals[0]
		} else if haveKey {
			out[key] = nil
		}
		haveKey, vals = false, vals[:0]
	}
	for {
		lx.skipSpace()
		if lx.pos >= len(lx.buf) {
			flush()
			return out, errSyntax
		}
		if lx.buf[lx.pos] == '>' && lx.peek(1) == '>' {
			lx.pos += 2
			flush()
			return out, nil
		}
		mark := lx.pos
		v, err := lx.object(depth)
		if err == errDepth || err == errWork {
			flush()
			return out, err
		}
		if err != nil && v == nil {
			continue
		}
		switch v := v.(type) {
		case name:
			if !haveKey || len(vals) > 0 {
				flush()
				key, haveKey = v, true
				continue
			}
		case keyword:
			if v == "R" && len(vals) >= 2 {
				vals = joinRef(vals)
				continue
			}
			if endsObject(v) {
				lx.pos = mark
				flush()
				return out, errSyntax
			}
		}
		if haveKey {
			vals = append(vals, v)
		}
	}
}

// indexWord returns the index of the keyword w in b at or after from, as a
// whole word (not part of a longer run of regular characters), or -1.
func indexWord(b []byte, from int, w string) int {
	for from < len(b) {
		i := bytes.Index(b[from:], []byte(w))
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(w)
		if (i == 0 || !isRegular(b[i-1])) && (end == len(b) || !isRegular(b[end])) {
			return i
		}
		from = i + 1
	}
	return -1
}
