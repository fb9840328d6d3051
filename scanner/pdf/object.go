package pdf

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The PDF object types (ISO 32000-1 §7.3). A value of type object is one
// of these, or nil for the null object.
type (
	object  any
	name    string // a name with its #xx escapes decoded, without the slash
	keyword string // a bare word such as "obj", "stream" or "R"
	integer int64
	real    float64
	str     []byte // a string's bytes with its escapes decoded
	array   []object
	dict    map[name]object
	ref     struct{ num, gen int }
)

// stream is a stream object: its dictionary and its bytes as stored, before
// any filter is applied.
type stream struct {
	dict dict
	raw  []byte
	num  int // object number, 0 for a stream inside an object stream
}

// entry is one indirect object found in the file.
type entry struct {
	value object
	pos   int // file offset, used to let later definitions win
}

// get returns d[key], or nil when d is nil or lacks the key.
func (d dict) get(key name) object {
	if d == nil {
		return nil
	}
	return d[key]
}

// asInt returns o as an int when it is an integer, or a real with no
// fraction, in the range of int32.
func asInt(o object) (int, bool) {
	switch v := o.(type) {
	case integer:
		if v >= -1<<31 && v < 1<<31 {
			return int(v), true
		}
	case real:
		if v >= -1<<31 && v < 1<<31 && v == real(int64(v)) {
			return int(v), true
		}
	}
	return 0, false
}

// asName returns o as a name, "" when it is not one.
func asName(o object) name {
	n, _ := o.(name)
	return n
}

// textString decodes a PDF text string (ISO 32000-1 §7.9.2.2). It reads
// UTF-16BE after a FE FF byte order mark and UTF-8 after EF BB BF (PDF 2.0).
// Other bytes are kept when they are valid UTF-8 and otherwise read as
// Latin-1, which matches PDFDocEncoding for ASCII and most letters above
// 0xA0.
func textString(b []byte) string {
	switch {
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		b = b[2:]
		units := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			units = append(units, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(units))
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		return string(b[3:])
	case utf8.Valid(b):
		return string(b)
	}
	runes := make([]rune, len(b))
	for i, c := range b {
		runes[i] = rune(c)
	}
	return string(runes)
}

// describe returns a short form of o for anomaly details.
func describe(o object) string {
	switch v := o.(type) {
	case nil:
		return "null"
	case name:
		return "/" + string(v)
	case integer:
		return strconv.FormatInt(int64(v), 10)
	case ref:
		return strconv.Itoa(v.num) + " " + strconv.Itoa(v.gen) + " R"
	case str:
		return strconv.Quote(cut(textString(v)))
	case array:
		return "array"
	case dict:
		return "dictionary"
	case *stream:
		return "stream"
	}
	return "value"
}
