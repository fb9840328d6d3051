package mimetree

import (
	"fmt"
	"strings"
	"testing"
)

// nested returns a message of depth multipart levels around one text part.
func nested(depth int) []byte {
	var sb strings.Builder
	sb.WriteString("From: a@example.test\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&sb, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i, i+1)
	}
	fmt.Fprintf(&sb, "--b%d\r\nContent-Type: text/plain\r\n\r\ndeep\r\n", depth)
	for i := depth; i >= 0; i-- {
		fmt.Fprintf(&sb, "--b%d--\r\n", i)
	}
	return []byte(sb.String())
}

// wide returns a multipart message with n text parts.
func wide(n int) []byte {
	var sb strings.Builder
	sb.WriteString("From: a@example.test\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "--B\r\n\r\npart %d\r\n", i)
	}
	sb.WriteString("--B--\r\n")
	return []byte(sb.String())
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name       string
		raw        []byte
		lim        Limits
		want       string
		wantDetail string
		wantParts  int
	}{
		{"depth bomb", nested(4000), Limits{}, AnomalyDepthLimit, "31 > 30", 1},
		{"depth custom", nested(10), Limits{MaxDepth: 5}, AnomalyDepthLimit, "6 > 5", 1},
		{"depth unlimited", nested(100), Limits{MaxDepth: -1}, "", "", 1},
		{"part bomb", wide(3000), Limits{}, AnomalyPartLimit, "1001 > 1000", 999},
		{"part custom", wide(20), Limits{MaxParts: 10}, AnomalyPartLimit, "11 > 10", 9},
		{"part header", []byte("From: a@example.test\r\nContent-Type: multipart/mixed; boundary=B" +
			"\r\n\r\n--B\r\nX-Pad: " + strings.Repeat("A", 100<<10) +
			"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B--\r\n"),
			Limits{}, AnomalyPartHeaderLimit, "> 65536", 1},
		{"decoded bytes", wide(10), Limits{MaxDecodedBytes: 20}, AnomalyDecodedLimit, "> 20", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Parse(tt.raw, tt.lim)
			if len(m.Parts) != tt.wantParts {
				t.Errorf("got %d parts, want %d", len(m.Parts), tt.wantParts)
			}
			if tt.want == "" {
				if len(m.Anomalies) != 0 {
					t.Errorf("unexpected anomalies %+v", m.Anomalies)
				}
				return
			}
			d := anomalyDetail(m, tt.want)
			if !strings.Contains(d, tt.wantDetail) {
				t.Errorf("%s detail = %q, want it to contain %q", tt.want, d, tt.wantDetail)
			}
		})
	}
}

func TestParseDepthKeepsRawBytes(t *testing.T) {
	m := Parse(nested(100), Limits{})
	if len(m.Parts) != 1 {
		t.Fatalf("got %d parts, want 1", len(m.Parts))
	}
	if !strings.Contains(string(m.Parts[0].Body), "deep") {
		t.Errorf("raw part past the depth limit lost the innermost text")
	}
}

func TestParseNeverNil(t *testing.T) {
	for _, raw := range [][]byte{nil, {}, []byte("\r\n"), []byte("no header at all")} {
		m := Parse(raw, Limits{})
		if m == nil {
			t.Fatalf("Parse(%q) = nil", raw)
		}
		if len(m.Parts) != 1 {
			t.Errorf("Parse(%q) gave %d parts, want 1", raw, len(m.Parts))
		}
	}
}

func BenchmarkParse(b *testing.B) {
	raw := multipartMsg(`multipart/mixed; boundary="B"`, append(append(
		[]string{"--B", "Content-Type: text/plain; charset=utf-8",
			"Content-Transfer-Encoding: quoted-printable", "",
			strings.Repeat("Gr=C3=BC=C3=9Fe http://example.test/ ", 200), "--B"},
		exePart("bench.exe")...), "--B--")...)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		Parse(raw, Limits{})
	}
}
