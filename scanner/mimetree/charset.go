package mimetree

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Errors returned by DecodeCharset. Callers branch on them with errors.Is.
var (
	// ErrUnknownCharset means no decoder is known for the label.
	ErrUnknownCharset = errors.New("mimetree: unknown charset")
	// ErrCharsetDecode means the decoder failed or lost most of the input.
	ErrCharsetDecode = errors.New("mimetree: charset decoding failed")
)

// shrinkRatio is the input bytes per decoded character above which decoding
// counts as failed. The densest real encodings use 4 bytes (GB18030) or
// about 3 bytes (UTF-7 base64) per character, while the WHATWG "replacement"
// decoder turns any input into one character.
const shrinkRatio = 8

// minShrinkInput is the input size below which the shrink check is skipped,
// because a few escape bytes can dominate a short text.
const minShrinkInput = 16

// rareCharsets lists labels that mail clients rarely send and whose stock
// decoder in golang.org/x/text/encoding/htmlindex is the WHATWG
// "replacement" encoding, which hides the whole text. They are decoded by
// this package and reported.
var rareCharsets = map[string]bool{
	"iso-2022-kr": true, "csiso2022kr": true,
	"iso-2022-cn": true, "iso-2022-cn-ext": true,
	"replacement": true,
}

func init() {
	// QUIRK: WHATWG and browsers decode these GB2312 and GBK labels with
	// GB18030, a superset, because senders put GBK and GB18030 bytes under them.
	for _, l := range []string{"gb2312", "csgb2312", "gbk", "x-gbk", "cp936", "ms936",
		"windows-936"} {
		charset.RegisterEncoding(l, simplifiedchinese.GB18030)
	}
	for _, l := range []string{"utf-7", "unicode-1-1-utf-7", "x-unicode20utf7", "csunicode11utf7"} {
		charset.RegisterEncoding(l, utf7Encoding{})
	}
	kr := decodeOnly{func() transform.Transformer {
		return transform.Chain(newISO2022(false), korean.EUCKR.NewDecoder())
	}}
	cn := decodeOnly{func() transform.Transformer {
		return transform.Chain(newISO2022(true), simplifiedchinese.GBK.NewDecoder())
	}}
	charset.RegisterEncoding("iso-2022-kr", kr)
	charset.RegisterEncoding("csiso2022kr", kr)
	charset.RegisterEncoding("iso-2022-cn", cn)
	charset.RegisterEncoding("iso-2022-cn-ext", cn)
	// The label "replacement" passes its bytes through as UTF-8.
	charset.RegisterEncoding("replacement", unicode.UTF8)
}

// DecodeCharset converts b from the charset called label to UTF-8, using
// go-message's charset table with this package's additions (UTF-7,
// ISO-2022-KR and -CN, GB18030 for GB2312 and GBK labels).
//
// It always returns the best text it has. On ErrUnknownCharset or
// ErrCharsetDecode that text is b read as UTF-8 when valid, otherwise as a
// guessed legacy charset (windows-1251, KOI8-R or windows-1252).
func DecodeCharset(label string, b []byte) (string, error) {
	label = normalizeLabel(label)
	if isASCIILabel(label) || label == "utf-8" || label == "utf8" {
		return toUTF8(b), nil
	}

	r, err := charset.Reader(label, bytes.NewReader(b))
	if err != nil && strings.HasPrefix(label, "cp-") {
		// Senders write "cp-850" for the registered "cp850".
		r, err = charset.Reader("cp"+label[3:], bytes.NewReader(b))
	}
	if err != nil {
		return toUTF8(b), fmt.Errorf("%w: %q", ErrUnknownCharset, cut(label))
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return toUTF8(b), fmt.Errorf("%w: %q: %v", ErrCharsetDecode, cut(label), err)
	}
	text := strings.ToValidUTF8(string(out), "\uFFFD")
	if shrunk(len(b), text) {
		return toUTF8(b), fmt.Errorf("%w: %q turned %d bytes into %d characters",
			ErrCharsetDecode, cut(label), len(b), utf8.RuneCountInString(text))
	}
	return text, nil
}

// shrunk reports whether text is much shorter than its n input bytes.
func shrunk(n int, text string) bool {
	if n < minShrinkInput {
		return false
	}
	useful := utf8.RuneCountInString(text) - strings.Count(text, "\uFFFD")
	return useful*shrinkRatio < n
}

// normalizeLabel lower-cases a charset label and strips quotes and an RFC
// 2231 language suffix.
func normalizeLabel(label string) string {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), "\"'"))
	if i := strings.IndexByte(label, '*'); i >= 0 {
		label = label[:i]
	}
	return label
}

// isASCIILabel reports whether label means US-ASCII or is empty.
func isASCIILabel(label string) bool {
	switch label {
	case "", "us-ascii", "ascii", "us", "ansi_x3.4-1968", "iso646-us", "csascii":
		return true
	}
	return false
}

// isASCII reports whether b holds only 7-bit bytes.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// toUTF8 returns b when it is valid UTF-8, otherwise b decoded with a
// guessed legacy charset.
func toUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return guessLegacy(b)
}

// guessLegacy decodes 8-bit text of unknown charset. Cyrillic text has runs
// of 8-bit letters and mostly lower case, which sits at 0xE0-0xFF in
// windows-1251 and at 0xC0-0xDF in KOI8-R. Western text has isolated
// accented letters and is read as windows-1252.
//
// NOTE: this is a guess from byte statistics. Central European text is read as
// windows-1252, which keeps its ASCII (and so its URLs) intact.
func guessLegacy(b []byte) string {
	high, paired, upper, lower := 0, 0, 0, 0
	for i, c := range b {
		if c < 0x80 {
			continue
		}
		high++
		if (i > 0 && b[i-1] >= 0x80) || (i+1 < len(b) && b[i+1] >= 0x80) {
			paired++
		}
		if c >= 0xE0 {
			upper++
		} else if c >= 0xC0 {
			lower++
		}
	}

	enc := encoding.Encoding(charmap.Windows1252)
	if high > 0 && paired*2 >= high {
		enc = charmap.Windows1251
		if lower > upper {
			enc = charmap.KOI8R
		}
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// decodeOnly is an encoding.Encoding that only decodes, because mail is never
// written in these charsets here.
type decodeOnly struct {
	newDecoder func() transform.Transformer
}

func (e decodeOnly) NewDecoder() *encoding.Decoder {
	return &encoding.Decoder{Transformer: e.newDecoder()}
}

func (e decodeOnly) NewEncoder() *encoding.Encoder {
	return &encoding.Encoder{Transformer: failTransformer{}}
}

// errEncodeUnsupported is returned when encoding to a decode-only charset.
var errEncodeUnsupported = errors.New("mimetree: encoding to this charset is not supported")

type failTransformer struct{}

func (failTransformer) Transform(dst, src []byte, atEOF bool) (int, int, error) {
	return 0, 0, errEncodeUnsupported
}

func (failTransformer) Reset() {}
