package mimetree

import (
	"errors"
	"testing"
)

func TestDecodeHeader(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"split UTF-8 across Q words", "=?UTF-8?Q?caf=C3?=\r\n =?UTF-8?Q?=A9_bar?=", "café bar"},
		{"split UTF-8 across B words", "=?utf-8?B?4oI=?= =?utf-8?B?rCBkdWU=?=", "€ due"},
		{"split Shift_JIS", "=?shift_jis?B?kL+L?= =?shift_jis?B?gY+R?=", "請求書"},
		{"space inside Q word", "=?utf-8?Q?hello world?=", "hello world"},
		{"words glued together", "=?utf-8?Q?abc?==?utf-8?Q?def?=", "abcdef"},
		{"unknown charset", "=?x-nothing?Q?abc?=", "abc"},
		{"UTF-7 word", "=?unicode-1-1-utf-7?Q?+AOQ-nderung?=", "änderung"},
		{"GBK bytes under gb2312", "=?gb2312?B?lDn8Ng==?=", "😀"},
		{"B without padding", "=?utf-8?b?aGVsbG8?=", "hello"},
		{"Q bad hex", "=?utf-8?Q?a_b=ZZc?=", "a b=ZZc"},
		{"quoted display name", `"=?utf-8?B?QsO8cm8=?=" <o@example.test>`, `"Büro" <o@example.test>`},
		{"raw UTF-8", "café", "café"},
		{"raw windows-1251", "\xef\xf0\xe8\xe2\xe5\xf2", "привет"},
		{"raw KOI8-R", "\xd0\xd2\xc9\xd7\xc5\xd4", "привет"},
		{"raw windows-1252", "caf\xe9 cr\xe8me", "café crème"},
		{"text between words kept", "=?utf-8?Q?a?= and =?utf-8?Q?b?=", "a and b"},
		{"control chars", "=?utf-8?Q?a=0D=0Ab?=", "a  b"},
		{"not a word", "=?broken", "=?broken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DecodeHeader(tt.in); got != tt.want {
				t.Errorf("DecodeHeader(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodeCharset(t *testing.T) {
	tests := []struct {
		name, label string
		in          []byte
		want        string
		wantErr     error
	}{
		{"UTF-7", "utf-7", []byte("Hi Mom -+Jjo--!"), "Hi Mom -☺-!", nil},
		{"UTF-7 plus", "x-unicode20utf7", []byte("1 +- 1"), "1 + 1", nil},
		{"UTF-7 surrogates", "utf-7", []byte("+2D3eAA-"), "😀", nil},
		{"GB18030 under gbk", "GBK", []byte("\x94\x39\xfc\x36"), "😀", nil},
		{"ISO-2022-KR", "iso-2022-kr", []byte("\x1b$)C\x0e>H3g\x0f ok"), "안녕 ok", nil},
		{"ISO-2022-CN", "iso-2022-cn", []byte("\x1b$)A\x0e>\x5d\x0f ok"), "据 ok", nil},
		{"replacement passes through", "replacement",
			[]byte("http://replacement.example.test/"), "http://replacement.example.test/", nil},
		{"unknown label", "x-nothing", []byte("caf\xe9"), "café", ErrUnknownCharset},
		{"code page with hyphen", "cp-850", []byte("caf\x82"), "café", nil},
		{"Korean", "ks_c_5601-1987", []byte("\xbe\xc8\xb3\xe7"), "안녕", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeCharset(tt.label, tt.in)
			if got != tt.want {
				t.Errorf("DecodeCharset(%q, %q) = %q, want %q", tt.label, tt.in, got, tt.want)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("DecodeCharset(%q) error = %v, want %v", tt.label, err, tt.wantErr)
			}
		})
	}
}

func TestShrunkOutput(t *testing.T) {
	if !shrunk(100, "\uFFFD") {
		t.Errorf("one replacement character for 100 bytes should count as shrunk")
	}
	if shrunk(100, "abcdefghijklmnop") {
		t.Errorf("16 characters for 100 bytes should not count as shrunk")
	}
}

func TestHeaderValue(t *testing.T) {
	fields := []Field{{"Subject", "a"}, {"subject", "b"}}
	if got := HeaderValue(fields, "SUBJECT"); got != "a" {
		t.Errorf("HeaderValue = %q, want %q", got, "a")
	}
	if got := HeaderValues(fields, "subject"); len(got) != 2 {
		t.Errorf("HeaderValues = %q, want 2 values", got)
	}
	if got := HeaderValue(fields, "From"); got != "" {
		t.Errorf("HeaderValue(missing) = %q", got)
	}
}
