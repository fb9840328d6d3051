package mimetree

import (
	"encoding/base64"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds returns small messages that reach each parser path.
func fuzzSeeds() [][]byte {
	return [][]byte{
		multipartMsg(`multipart/mixed; boundary="B"`, append(append(
			[]string{"--B", "Content-Type: text/plain", "", "hello", "--B"},
			exePart("a.exe")...), "--B--")...),
		multipartMsg(`multipart/mixed; boundary=X; boundary=Y`, "--Y", "", "x", "--X junk"),
		msg("From x", "Content-Type: text/plain; charset=utf-7", "", "+AOQ-"),
		msg("Content-Type: message/rfc822", "Content-Transfer-Encoding: base64", "",
			base64.StdEncoding.EncodeToString(msg("Content-Type: text/plain", "", "in"))),
		msg("Content-Type: text/plain", "", "begin 644 a.exe", uuencodeLine([]byte("MZ")), "end"),
		msg("Content-Type: application/ms-tnef", "Content-Transfer-Encoding: base64", "",
			base64.StdEncoding.EncodeToString(buildTNEF("t.exe", "long t.exe"))),
		nested(40),
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := Parse(raw, Limits{MaxParts: 50, MaxDecodedBytes: 1 << 20})
		if m == nil {
			t.Fatal("Parse returned nil")
		}
		if len(m.Parts) == 0 && len(m.Anomalies) == 0 {
			t.Fatalf("Parse(%q) returned no parts and no anomalies", raw)
		}
		for _, p := range m.Parts {
			if !utf8.ValidString(p.Text) {
				t.Errorf("part %q text is not valid UTF-8: %q", p.Path, p.Text)
			}
		}
	})
}

func FuzzDecodeHeader(f *testing.F) {
	for _, s := range []string{"=?utf-8?Q?a=C3?= =?utf-8?Q?=A9?=", "=?utf-7?B?K0FPUS0=?=",
		`"=?gbk?B?lDn8Ng?=" <a@b>`, "\xef\xf0", "=?x?Q?=ZZ?==?x?b?!!?="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := DecodeHeader(s)
		if !utf8.ValidString(got) {
			t.Errorf("DecodeHeader(%q) = %q is not valid UTF-8", s, got)
		}
	})
}
