package pdf

import (
	"bytes"
	"fmt"
	"testing"
)

// FuzzOpen opens arbitrary bytes as a PDF. It checks that Open never
// panics, always returns a Document, and keeps within the limits given.
func FuzzOpen(f *testing.F) {
	f.Add(onePage("/Annots [<< /A << /S /URI /URI (https://a.test/) >> >>]"))
	f.Add(buildPDF("<< /Type /Catalog /OpenAction << /S /J#61vaScript /JS (x) >> >>"))
	f.Add(onePage("/Resources << /XObject << /I 4 0 R >> >>",
		streamObj("/Subtype /Image /Width 2 /Height 2 /ColorSpace [/Indexed /DeviceRGB 1 <000000ffffff>] /BitsPerComponent 1", []byte{0x40, 0x80})))
	f.Add(onePage("", streamObj("/Type /ObjStm /N 1 /First 4", []byte("4 0 << /S /Launch /F (a.exe) >>"))))
	lim := Limits{MaxStreamBytes: 1 << 20, MaxTotalBytes: 4 << 20, MaxLinks: 20, MaxImages: 4, MaxTokens: 200_000}

	f.Fuzz(func(t *testing.T, data []byte) {
		doc := Open(data, "fuzz.pdf", lim)
		if doc == nil {
			t.Fatal("Open returned nil")
		}
		if len(doc.Links) > lim.MaxLinks {
			t.Fatalf("%d links > limit %d", len(doc.Links), lim.MaxLinks)
		}
		if len(doc.Images) > lim.MaxImages {
			t.Fatalf("%d images > limit %d", len(doc.Images), lim.MaxImages)
		}
	})
}

func BenchmarkOpen(b *testing.B) {
	var content bytes.Buffer
	for i := range 300 {
		fmt.Fprintf(&content, "BT /F1 10 Tf 72 %d Td (Line %d of the statement, see https://bench.test/%d) Tj ET\n", 700-i, i, i)
	}
	data := onePage("/Contents 4 0 R /Annots [5 0 R] /Resources << /XObject << /Im1 6 0 R >> >>",
		streamObj("/Filter /FlateDecode", deflate(b, content.Bytes())),
		"<< /Subtype /Link /A << /S /URI /URI (https://bench.test/a) >> >>",
		streamObj("/Subtype /Image /Width 200 /Height 200 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
			deflate(b, grayRaster(200, 200))))

	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		Open(data, "bench.pdf", Limits{})
	}
}
