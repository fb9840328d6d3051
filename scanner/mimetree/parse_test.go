package mimetree

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
)

// msg joins lines with CRLF, as mail on the wire is written.
func msg(lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// exeBase64 is a base64 body that decodes to a tiny fake executable.
var exeBody = "MZ\x90\x00fake executable"

func exeBase64() string { return base64.StdEncoding.EncodeToString([]byte(exeBody)) }

// multipartMsg wraps the given part lines in a multipart/mixed message
// whose Content-Type field is ct.
func multipartMsg(ct string, body ...string) []byte {
	head := []string{"From: a@example.test", "Subject: test", "MIME-Version: 1.0",
		"Content-Type: " + ct, ""}
	return msg(append(head, body...)...)
}

func hasAnomaly(m *Message, name string) bool {
	for _, a := range m.Anomalies {
		if a.Name == name {
			return true
		}
	}
	return false
}

func anomalyDetail(m *Message, name string) string {
	for _, a := range m.Anomalies {
		if a.Name == name {
			return a.Detail
		}
	}
	return ""
}

// partNamed returns the first part with name among its Names.
func partNamed(m *Message, name string) *Part {
	for _, p := range m.Parts {
		if containsString(p.Names, name) {
			return p
		}
	}
	return nil
}

func partWithText(m *Message, text string) *Part {
	for _, p := range m.Parts {
		if strings.Contains(p.Text, text) {
			return p
		}
	}
	return nil
}

// check is one expectation on a parsed message.
type check func(t *testing.T, m *Message)

func wantAnomaly(name string) check {
	return func(t *testing.T, m *Message) {
		t.Helper()
		if !hasAnomaly(m, name) {
			t.Errorf("anomaly %s missing; got %+v", name, m.Anomalies)
		}
	}
}

func wantNoAnomaly(name string) check {
	return func(t *testing.T, m *Message) {
		t.Helper()
		if hasAnomaly(m, name) {
			t.Errorf("unexpected anomaly %s: %q", name, anomalyDetail(m, name))
		}
	}
}

func wantExe(name string) check {
	return func(t *testing.T, m *Message) {
		t.Helper()
		p := partNamed(m, name)
		if p == nil {
			t.Fatalf("no part named %q among %d parts", name, len(m.Parts))
		}
		if string(p.Body) != exeBody {
			t.Errorf("part %q body = %q, want %q", name, p.Body, exeBody)
		}
	}
}

func wantText(text string) check {
	return func(t *testing.T, m *Message) {
		t.Helper()
		if partWithText(m, text) == nil {
			t.Errorf("no part has text %q", text)
		}
	}
}

func wantParts(n int) check {
	return func(t *testing.T, m *Message) {
		t.Helper()
		if len(m.Parts) != n {
			t.Errorf("got %d parts, want %d", len(m.Parts), n)
		}
	}
}

func exePart(name string) []string {
	return []string{"Content-Type: application/octet-stream",
		"Content-Disposition: attachment; filename=\"" + name + "\"",
		"Content-Transfer-Encoding: base64", "", exeBase64()}
}

func TestParseFaults(t *testing.T) {
	tests := []struct {
		name   string
		raw    []byte
		checks []check
	}{{
		name: "clean multipart",
		raw: multipartMsg(`multipart/mixed; boundary="B"`, append(append(
			[]string{"--B", "Content-Type: text/plain", "", "hello"}, "--B"),
			append(exePart("a.exe"), "--B--")...)...),
		checks: []check{wantParts(2), wantExe("a.exe"), wantText("hello"),
			wantNoAnomaly(AnomalyUnterminated)},
	}, {
		name: "missing close delimiter",
		raw: multipartMsg(`multipart/mixed; boundary="B"`,
			append([]string{"--B", "Content-Type: text/plain", "", "hello", "--B"},
				exePart("a.exe")...)...),
		checks: []check{wantAnomaly(AnomalyUnterminated), wantExe("a.exe"), wantText("hello")},
	}, {
		name: "duplicate boundary first wins",
		raw: multipartMsg(`multipart/mixed; boundary="X1"; boundary="Y2"`,
			append(append([]string{"--X1"}, exePart("a.exe")...), "--X1--")...),
		checks: []check{wantAnomaly(AnomalyDuplicateParam), wantExe("a.exe")},
	}, {
		name: "duplicate boundary second used",
		raw: multipartMsg(`multipart/mixed; boundary="X1"; boundary="Y2"`,
			append(append([]string{"--Y2"}, exePart("b.exe")...), "--Y2--")...),
		checks: []check{wantAnomaly(AnomalyDuplicateParam), wantExe("b.exe")},
	}, {
		name: "boundary sniffed from body",
		raw: multipartMsg(`multipart/mixed; boundary="nothere"`,
			append(append([]string{"--real"}, exePart("c.exe")...), "--real--")...),
		checks: []check{wantAnomaly(AnomalyBoundarySniffed), wantExe("c.exe")},
	}, {
		name: "unquoted boundary with tspecials",
		raw: multipartMsg(`multipart/mixed; boundary=----=_Part_1_2.3:4?5`,
			append(append([]string{"------=_Part_1_2.3:4?5"}, exePart("d.exe")...),
				"------=_Part_1_2.3:4?5--")...),
		checks: []check{wantExe("d.exe"), wantNoAnomaly(AnomalyBoundarySniffed),
			wantNoAnomaly(AnomalyUnterminated)},
	}, {
		name: "mbox from line",
		raw: msg("From someone@example.test Mon Jan  1 00:00:00 2024", "From: a@example.test",
			"Content-Type: text/plain", "", "link http://x.example.test/"),
		checks: []check{wantAnomaly(AnomalyMboxFrom), wantText("http://x.example.test/"),
			func(t *testing.T, m *Message) {
				if HeaderValue(m.Header, "from") != "a@example.test" {
					t.Errorf("From = %q", HeaderValue(m.Header, "from"))
				}
			}},
	}, {
		name: "header name with space",
		raw: msg("From: a@example.test", "X-Bad Name: 1", "Content-Type: text/plain", "",
			"body text"),
		checks: []check{wantAnomaly(AnomalyBadHeaderName), wantText("body text"),
			func(t *testing.T, m *Message) {
				if HeaderValue(m.Header, "X-Bad Name") != "1" {
					t.Errorf("bad field not kept: %+v", m.Header)
				}
			}},
	}, {
		name: "unindented parameter in part header",
		raw: multipartMsg(`multipart/mixed; boundary="B"`, "--B",
			"Content-Type: application/octet-stream;", `name="e.exe"`,
			"Content-Transfer-Encoding: base64", "", exeBase64(), "--B--"),
		checks: []check{wantAnomaly(AnomalyUnfoldedLine), wantExe("e.exe")},
	}, {
		name: "part header without empty line",
		raw: multipartMsg(`multipart/mixed; boundary="B"`, "--B",
			"Content-Type: text/plain", "plain words here", "--B--"),
		checks: []check{wantAnomaly(AnomalyNoHeaderEnd), wantText("plain words here")},
	}, {
		name: "two content types",
		raw: msg("From: a@example.test", "Content-Type: text/plain",
			`Content-Type: multipart/mixed; boundary="B"`, "", "--B",
			"Content-Type: text/html", "", `<a href="http://hidden.example.test/">x</a>`,
			"--B", exePart("f.exe")[0], exePart("f.exe")[1], exePart("f.exe")[2], "",
			exeBase64(), "--B--"),
		checks: []check{wantAnomaly(AnomalyDuplicateHeader), wantExe("f.exe"),
			wantText("hidden.example.test"), wantText("--B")},
	}, {
		name: "blank folded subject",
		raw: msg("Subject:", " \t", " \t", "  real subject", "From: a@example.test", "",
			"body"),
		checks: []check{func(t *testing.T, m *Message) {
			if got := DecodeHeader(HeaderValue(m.Header, "Subject")); got != "real subject" {
				t.Errorf("Subject = %q, want %q", got, "real subject")
			}
		}},
	}, {
		name: "delimiter with trailing junk",
		raw: multipartMsg(`multipart/mixed; boundary="B"`, append(append(
			[]string{"--B", "", "one", "--B junk after", "", "two", "--B"},
			exePart("g.exe")...), "--B--")...),
		checks: []check{wantAnomaly(AnomalyBoundaryJunk), wantText("two"), wantExe("g.exe")},
	}, {
		name: "nested boundary sharing a prefix",
		raw: multipartMsg(`multipart/mixed; boundary="b1"`, "--b1",
			`Content-Type: multipart/mixed; boundary="b10"`, "", "--b10",
			"Content-Type: text/plain", "", "inner", "--b10--", "--b1--"),
		checks: []check{wantParts(1), wantText("inner"), wantNoAnomaly(AnomalyUnterminated)},
	}, {
		name: "mixed line endings",
		raw: []byte("From: a@example.test\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" +
			"--B\r\n\r\nfirst\r\n--B\nContent-Type: application/octet-stream; name=h.exe\n" +
			"Content-Transfer-Encoding: base64\n\n" + exeBase64() + "\n--B--\n"),
		checks: []check{wantAnomaly(AnomalyMixedLineEndings), wantExe("h.exe"),
			wantText("first")},
	}, {
		name: "embedded message plain",
		raw: multipartMsg(`multipart/mixed; boundary="OUT"`, "--OUT",
			"Content-Type: message/rfc822", `Content-Disposition: attachment; filename="fw.eml"`,
			"", "From: b@example.test", `Content-Type: multipart/mixed; boundary="IN"`, "",
			"--IN", exePart("i.exe")[0], exePart("i.exe")[1], exePart("i.exe")[2], "",
			exeBase64(), "--IN--", "--OUT--"),
		checks: []check{wantExe("i.exe"), func(t *testing.T, m *Message) {
			p := partNamed(m, "i.exe")
			if p == nil {
				return
			}
			if want := "part 1 › fw.eml › part 1"; p.Source != want {
				t.Errorf("Source = %q, want %q", p.Source, want)
			}
			if p.Depth != 3 {
				t.Errorf("Depth = %d, want 3", p.Depth)
			}
		}},
	}, {
		name: "embedded message base64",
		raw: multipartMsg(`multipart/mixed; boundary="OUT"`, "--OUT",
			"Content-Type: message/global", "Content-Transfer-Encoding: base64", "",
			base64.StdEncoding.EncodeToString(msg("From: b@example.test",
				"Content-Type: application/octet-stream; name=j.exe",
				"Content-Transfer-Encoding: base64", "", exeBase64())), "--OUT--"),
		checks: []check{wantExe("j.exe")},
	}, {
		name: "attachment name tricks",
		raw: multipartMsg(`multipart/mixed; boundary="B"`, "--B",
			"Content-Type: application/octet-stream; name=\"=?x-nothing?Q?k.exe?=\"",
			"Content-Disposition: attachment; filename=\"=?utf-8?Q?k=E2=80=AEfdp.exe?=\";"+
				` filename="..\\..\\k2.exe"`, "", "data", "--B--"),
		checks: []check{wantAnomaly(AnomalyNameBidi), wantAnomaly(AnomalyNamePath),
			wantAnomaly(AnomalyNameConflict), wantAnomaly(AnomalyDuplicateParam),
			func(t *testing.T, m *Message) {
				p := m.Parts[0]
				want := []string{"kfdp.exe", "k2.exe", "k.exe"}
				if strings.Join(p.Names, "|") != strings.Join(want, "|") {
					t.Errorf("Names = %q, want %q", p.Names, want)
				}
				if p.Filename != "kfdp.exe" {
					t.Errorf("Filename = %q", p.Filename)
				}
			}},
	}, {
		name: "RFC 2231 continued name",
		raw: multipartMsg(`multipart/mixed; boundary="B"`, "--B",
			"Content-Type: application/octet-stream",
			"Content-Disposition: attachment; filename*0*=utf-8''%C3%BC; filename*1=.exe",
			"", "x", "--B--"),
		checks: []check{func(t *testing.T, m *Message) {
			if got := m.Parts[0].Filename; got != "ü.exe" {
				t.Errorf("Filename = %q, want %q", got, "ü.exe")
			}
		}},
	}, {
		name: "inline uuencode",
		raw: msg("From: a@example.test", "Content-Type: text/plain", "", "see below", "",
			"begin 644 l.exe", uuencodeLine([]byte(exeBody)), "`", "end", ""),
		checks: []check{wantAnomaly(AnomalyUUInline), wantExe("l.exe"),
			func(t *testing.T, m *Message) {
				if p := partNamed(m, "l.exe"); p != nil && p.Origin != OriginUUencode {
					t.Errorf("Origin = %q", p.Origin)
				}
			}},
	}, {
		name: "uuencode transfer encoding",
		raw: msg("From: a@example.test", "Content-Type: application/octet-stream",
			"Content-Transfer-Encoding: x-uuencode", "", "begin 600 m.exe",
			uuencodeLine([]byte(exeBody)), "`", "end"),
		checks: []check{wantExe("m.exe")},
	}, {
		name: "tnef attachment",
		raw: multipartMsg(`multipart/mixed; boundary="B"`, "--B",
			`Content-Type: application/octet-stream; name="winmail.dat"`,
			"Content-Transfer-Encoding: base64", "",
			base64.StdEncoding.EncodeToString(buildTNEF("n.exe", "long name n.exe")), "--B--"),
		checks: []check{wantExe("n.exe"), wantExe("long name n.exe"),
			wantNoAnomaly(AnomalyTNEFInvalid)},
	}, {
		name: "tnef truncated",
		raw: msg("From: a@example.test", "Content-Type: application/ms-tnef",
			"Content-Transfer-Encoding: base64", "",
			base64.StdEncoding.EncodeToString(buildTNEF("o.exe", "")[:40])),
		checks: []check{wantAnomaly(AnomalyTNEFInvalid)},
	}, {
		name: "base64 with junk",
		raw: msg("From: a@example.test", "Content-Type: text/plain",
			"Content-Transfer-Encoding: base64", "",
			"aGVsbG8g!*", "d29y", "bGQ=", "IGFnYWlu", "-- ", "signature text"),
		checks: []check{wantAnomaly(AnomalyBase64Invalid), wantText("hello world again")},
	}, {
		name: "quoted-printable variants",
		raw: msg("From: a@example.test", "Content-Type: text/html",
			"Content-Transfer-Encoding: quoted-printable", "",
			`<a href=3D"http://q.exa= `, `mple.test/">x=ZZ=3d</a>=`),
		checks: []check{wantAnomaly(AnomalyQPInvalid),
			wantText(`<a href="http://q.example.test/">x=ZZ=</a>`)},
	}, {
		name:   "unknown transfer encoding",
		raw:    msg("From: a@example.test", "Content-Transfer-Encoding: x-weird", "", "raw"),
		checks: []check{wantAnomaly(AnomalyUnknownEncoding), wantText("raw")},
	}, {
		name: "8-bit body labelled us-ascii",
		raw: msg("From: a@example.test", "Content-Type: text/plain; charset=us-ascii", "",
			"caf\xe9"),
		checks: []check{wantAnomaly(AnomalyUndeclared8Bit), wantText("café")},
	}, {
		name: "raw 8-bit header",
		raw:  msg("From: a@example.test", "Subject: \xef\xf0\xe8\xe2\xe5\xf2", "", "x"),
		checks: []check{wantAnomaly(AnomalyHeader8Bit), func(t *testing.T, m *Message) {
			if got := DecodeHeader(HeaderValue(m.Header, "Subject")); got != "привет" {
				t.Errorf("Subject = %q, want %q", got, "привет")
			}
		}},
	}, {
		name:   "large top-level field",
		raw:    msg("From: a@example.test", "X-Filler: "+strings.Repeat("a", 20000), "", "x"),
		checks: []check{wantAnomaly(AnomalyHeaderFieldLarge), wantText("x")},
	}, {
		name:   "multipart with only close delimiter",
		raw:    multipartMsg(`multipart/mixed; boundary="B"`, "--B--"),
		checks: []check{wantAnomaly(AnomalyEmptyMultipart), wantParts(1)},
	}, {
		name:   "multipart without delimiters",
		raw:    multipartMsg(`multipart/mixed; boundary="B"`, "just text"),
		checks: []check{wantAnomaly(AnomalyNoBoundary), wantText("just text")},
	}}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Parse(tt.raw, Limits{})
			for _, c := range tt.checks {
				c(t, m)
			}
		})
	}
}

// uuencodeLine encodes up to 45 bytes as one uuencode line.
func uuencodeLine(b []byte) string {
	var sb strings.Builder
	sb.WriteByte(byte(0x20 + len(b)))
	for i := 0; i < len(b); i += 3 {
		var g [3]byte
		copy(g[:], b[i:])
		for _, v := range []byte{g[0] >> 2, g[0]<<4&0x30 | g[1]>>4, g[1]<<2&0x3c | g[2]>>6,
			g[2] & 0x3f} {
			if v == 0 {
				sb.WriteByte('`')
			} else {
				sb.WriteByte(0x20 + v)
			}
		}
	}
	return sb.String()
}

// tnefAttr encodes one TNEF attribute with its checksum.
func tnefAttr(level byte, id uint32, data []byte) []byte {
	var b bytes.Buffer
	b.WriteByte(level)
	binary.Write(&b, binary.LittleEndian, id)
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	var sum uint16
	for _, c := range data {
		sum += uint16(c)
	}
	binary.Write(&b, binary.LittleEndian, sum)
	return b.Bytes()
}

// buildTNEF returns a TNEF stream holding one attachment with the fake
// executable, its 8.3 title, and a long file name property when long is set.
func buildTNEF(title, long string) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint32(tnefSignature))
	binary.Write(&b, binary.LittleEndian, uint16(1))
	b.Write(tnefAttr(1, 0x00089006, []byte{0, 0, 1, 0}))
	b.Write(tnefAttr(2, attAttachRendData, make([]byte, 14)))
	b.Write(tnefAttr(2, attAttachTitle, append([]byte(title), 0)))
	b.Write(tnefAttr(2, attAttachData, []byte(exeBody)))
	if long != "" {
		var props bytes.Buffer
		binary.Write(&props, binary.LittleEndian, uint32(1))
		binary.Write(&props, binary.LittleEndian, uint16(ptString8))
		binary.Write(&props, binary.LittleEndian, uint16(prAttachLongFilename))
		binary.Write(&props, binary.LittleEndian, uint32(1))
		value := append([]byte(long), 0)
		binary.Write(&props, binary.LittleEndian, uint32(len(value)))
		props.Write(value)
		props.Write(make([]byte, pad4(len(value))-len(value)))
		b.Write(tnefAttr(2, attAttachment, props.Bytes()))
	}
	return b.Bytes()
}
