package pdf

import (
	"bytes"
	"compress/lzw"
	"reflect"
	"testing"
)

func TestLexerValues(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want object
	}{
		{"literal escapes", `(a\nb\(c\)\\d\101\0)`, str("a\nb(c)\\dA\x00")},
		{"nested parens", `(a(b(c))d)`, str("a(b(c))d")},
		{"line continuation", "(ab\\\ncd)", str("abcd")},
		{"hex odd digits", `<48 65 6C6C 6>`, str("Hell`")},
		{"name escapes", `/J#61vaScript`, name("JavaScript")},
		{"name bad escape", `/A#zz`, name("A#zz")},
		{"real", `-1.5`, real(-1.5)},
		{"dict with ref", `<< /A 12 0 R /B [1 2 R] >>`, dict{"A": ref{12, 0}, "B": array{ref{1, 2}}}},
		{"key without value", `<< /A >>`, dict{"A": nil}},
		{"unterminated array stops at endobj", `[1 2 endobj`, array{integer(1), integer(2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lx := &lexer{buf: []byte(tt.in), maxDepth: 10, work: newBudget(Limits{}.resolve())}
			got, _ := lx.object(0)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("object(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestTextString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"\xfe\xff\x00h\x00i", "hi"},
		{"\xef\xbb\xbfé", "é"},
		{"caf\xe9", "café"},
	}
	for _, tt := range tests {
		if got := textString([]byte(tt.in)); got != tt.want {
			t.Errorf("textString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFilters(t *testing.T) {
	var lzwData bytes.Buffer
	w := lzw.NewWriter(&lzwData, lzw.MSB, 8)
	w.Write([]byte("hello hello hello"))
	w.Close()

	tests := []struct {
		name   string
		filter name
		parms  dict
		in     []byte
		want   string
	}{
		{"ascii hex", "ASCIIHexDecode", nil, []byte("68 65 6c6c6f>"), "hello"},
		{"ascii85", "ASCII85Decode", nil, []byte("<~BOu!rDZ~>"), "hello"},
		{"ascii85 z group", "ASCII85Decode", nil, []byte("z~>"), "\x00\x00\x00\x00"},
		{"run length", "RunLengthDecode", nil, []byte{2, 'a', 'b', 'c', 253, 'z', 128}, "abczzzz"},
		{"lzw early change 0", "LZWDecode", dict{"EarlyChange": integer(0)}, lzwData.Bytes(), "hello hello hello"},
		{"run length to end of data", "RunLengthDecode", nil, []byte{3, 1, 1, 1, 1}, "\x01\x01\x01\x01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := applyFilter(tt.filter, tt.in, tt.parms, 1<<20)
			if err != nil || string(got) != tt.want {
				t.Errorf("applyFilter(%s) = %q, %v; want %q", tt.filter, got, err, tt.want)
			}
		})
	}
}

func TestUnpredictTIFF(t *testing.T) {
	got := unpredict([]byte{1, 1, 1, 1}, dict{"Predictor": integer(2), "Columns": integer(4)})
	if want := []byte{1, 2, 3, 4}; !bytes.Equal(got, want) {
		t.Errorf("unpredict = %v, want %v", got, want)
	}
}

func TestChainedFilters(t *testing.T) {
	data := onePage("", streamObj("/Type /EmbeddedFile /Filter [/ASCIIHexDecode /FlateDecode]",
		[]byte(hexOf(deflate(t, []byte("chained"))))))
	doc := Open(append(data, []byte("6 0 obj << /F (c.txt) /EF << /F 4 0 R >> >> endobj")...), "t.pdf", Limits{})
	if len(doc.EmbeddedFiles) != 1 || string(doc.EmbeddedFiles[0].Data) != "chained" {
		t.Errorf("EmbeddedFiles = %+v, want one file holding \"chained\"", doc.EmbeddedFiles)
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b)+1)
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(append(out, '>'))
}
