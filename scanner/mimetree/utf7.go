package mimetree

import (
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// utf7Encoding decodes UTF-7 (RFC 2152). golang.org/x/text has no UTF-7,
// and the labels would otherwise be unknown.
type utf7Encoding struct{}

func (utf7Encoding) NewDecoder() *encoding.Decoder {
	return &encoding.Decoder{Transformer: &utf7Decoder{}}
}

func (utf7Encoding) NewEncoder() *encoding.Encoder {
	return &encoding.Encoder{Transformer: failTransformer{}}
}

// utf7Decoder is the state of one UTF-7 decode.
type utf7Decoder struct {
	inBase64 bool
	// fresh is true right after "+", where "-" means a literal "+".
	fresh bool
	bits  uint32
	nbits uint
	// high is a pending UTF-16 high surrogate, or 0.
	high rune
}

func (d *utf7Decoder) Reset() { *d = utf7Decoder{} }

// utf7MaxOut is the most bytes one input byte can produce: a lone
// surrogate's U+FFFD and a following character, 3 + 4.
const utf7MaxOut = 7

func (d *utf7Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for ; nSrc < len(src); nSrc++ {
		if len(dst)-nDst < utf7MaxOut {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += d.step(dst[nDst:], src[nSrc])
	}
	if atEOF && d.high != 0 {
		if len(dst)-nDst < utf8.UTFMax {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], utf8.RuneError)
		d.high = 0
	}
	return nDst, nSrc, nil
}

// step consumes one input byte and returns the bytes written to dst.
func (d *utf7Decoder) step(dst []byte, c byte) int {
	if !d.inBase64 {
		if c == '+' {
			d.inBase64, d.fresh, d.bits, d.nbits = true, true, 0, 0
			return 0
		}
		dst[0] = c
		return 1
	}

	v := base64Value(c)
	if v < 0 {
		// Any byte outside the base64 set ends the run, and "-" is absorbed.
		n := d.flushHigh(dst)
		fresh := d.fresh
		d.inBase64, d.fresh = false, false
		switch {
		case c == '-' && fresh:
			dst[n] = '+'
			return n + 1
		case c == '-':
			return n
		}
		dst[n] = c
		return n + 1
	}

	d.fresh = false
	d.bits = d.bits<<6 | uint32(v)
	d.nbits += 6
	if d.nbits < 16 {
		return 0
	}
	d.nbits -= 16
	unit := rune(d.bits >> d.nbits & 0xffff)
	d.bits &= 1<<d.nbits - 1
	return d.emit(dst, unit)
}

// emit writes one UTF-16 code unit, pairing surrogates.
func (d *utf7Decoder) emit(dst []byte, unit rune) int {
	n := 0
	if d.high != 0 {
		r := utf16.DecodeRune(d.high, unit)
		d.high = 0
		if r != utf8.RuneError {
			return utf8.EncodeRune(dst, r)
		}
		n = utf8.EncodeRune(dst, utf8.RuneError)
	}
	if utf16.IsSurrogate(unit) && unit < 0xdc00 {
		d.high = unit
		return n
	}
	if utf16.IsSurrogate(unit) {
		unit = utf8.RuneError
	}
	return n + utf8.EncodeRune(dst[n:], unit)
}

func (d *utf7Decoder) flushHigh(dst []byte) int {
	if d.high == 0 {
		return 0
	}
	d.high = 0
	return utf8.EncodeRune(dst, utf8.RuneError)
}
