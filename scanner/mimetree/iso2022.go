package mimetree

import (
	"bytes"

	"golang.org/x/text/transform"
)

// iso2022 turns ISO-2022-KR (RFC 1557) or ISO-2022-CN (RFC 1922) into the
// matching EUC form, which a stock decoder then reads: bytes between SO and
// SI get their high bit set, and escape sequences are dropped.
//
// NOTE: CNS 11643 planes of ISO-2022-CN have no decoder in golang.org/x/text,
// so their characters become "?", but the ASCII around them (links) survives.
type iso2022 struct {
	cn      bool
	shifted bool
	// euc is true while the SO set is one the EUC decoder reads: KS X 1001
	// for KR, GB 2312 for CN.
	euc bool
}

func newISO2022(cn bool) *iso2022 {
	d := &iso2022{cn: cn}
	d.Reset()
	return d
}

func (d *iso2022) Reset() {
	d.shifted = false
	d.euc = !d.cn
}

const (
	asciiSO  = 0x0e
	asciiSI  = 0x0f
	asciiESC = 0x1b
)

func (d *iso2022) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		if len(dst)-nDst < 2 {
			return nDst, nSrc, transform.ErrShortDst
		}
		c := src[nSrc]
		switch {
		case c == asciiESC:
			n := d.escape(src[nSrc:], atEOF)
			if n == 0 {
				return nDst, nSrc, transform.ErrShortSrc
			}
			nSrc += n
			continue
		case c == asciiSO:
			d.shifted = true
		case c == asciiSI:
			d.shifted = false
		case d.shifted && c > 0x20 && c < 0x7f:
			if nSrc+1 >= len(src) && !atEOF {
				return nDst, nSrc, transform.ErrShortSrc
			}
			nDst += d.pair(dst[nDst:], src[nSrc:])
			nSrc += min(2, len(src)-nSrc)
			continue
		default:
			// RFC 1557 §2: the shift state ends with each line.
			if c == '\n' {
				d.shifted = false
			}
			dst[nDst] = c
			nDst++
		}
		nSrc++
	}
	return nDst, nSrc, nil
}

// pair writes one double-byte character in EUC form, or "?" when the SO
// set has no decoder or the pair is cut.
func (d *iso2022) pair(dst, src []byte) int {
	if len(src) < 2 || !d.euc || src[1] <= 0x20 || src[1] >= 0x7f {
		dst[0] = '?'
		return 1
	}
	dst[0], dst[1] = src[0]|0x80, src[1]|0x80
	return 2
}

// escape consumes one escape sequence at src[0] and returns its length, or
// 0 when more input is needed to tell.
func (d *iso2022) escape(src []byte, atEOF bool) int {
	for _, seq := range [][]byte{[]byte("\x1b$)"), []byte("\x1b$*"), []byte("\x1b$+")} {
		if len(src) < 4 && bytes.HasPrefix(seq, src) && !atEOF {
			return 0
		}
		if len(src) >= 4 && bytes.HasPrefix(src, seq) {
			if seq[2] == ')' {
				d.euc = (!d.cn && src[3] == 'C') || (d.cn && src[3] == 'A')
			}
			return 4
		}
	}
	// Single shifts and unknown escapes: drop the ESC and go on.
	return 1
}
