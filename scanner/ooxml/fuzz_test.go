package ooxml

import (
	"archive/zip"
	"strings"
	"testing"

	"github.com/holdfast/holdfast/scanner/safezip"
)

// fuzzSeeds returns small documents that exercise each construct.
func fuzzSeeds(t testing.TB) [][]byte {
	return [][]byte{
		zipOf(t, docx(`<w:p>`+fldChar("begin")+instr(`HYPERLINK "http://a.test/" \o "t"`)+
			fldChar("separate")+run("x")+fldChar("end")+`</w:p>`)...),
		zipOf(t, docx(`<w:altChunk r:id="rA"/>`,
			file{"word/_rels/document.xml.rels", relsXML(rel{"rA", "aFChunk", "a.mht", false},
				rel{"rT", "attachedTemplate", "http://t.test/x.dotm", true})},
			file{"word/a.mht", "x"}, file{"word/vbaProject.bin", "v"})...),
		zipOf(t, file{"_rels/.rels", relsXML(rel{"r", "officeDocument", "../../x", false})}),
	}
}

// fuzzLimits keeps each fuzz run small.
var fuzzLimits = Limits{MaxLinks: 50, MaxTextBytes: 4096, Zip: safezip.Limits{MaxTotalBytes: 8 << 20}}

// FuzzOpen opens arbitrary bytes as a document, and again as the main part
// and its relationships inside a valid zip, because random bytes rarely form
// a zip whose CRCs match. It checks that Open never panics, always returns a
// Document, and keeps links and text within the limits given.
func FuzzOpen(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Add([]byte(`<w:document xmlns:w="` + nsW + `"><w:p><w:fldSimple w:instr="HYPERLINK x"/></w:p></w:document>`))
	f.Add([]byte(relsXML(rel{"r", "hyperlink", "http://a.test/", true})))

	f.Fuzz(func(t *testing.T, data []byte) {
		checkFuzzed(t, Open(data, "fuzz.docx", fuzzLimits), fuzzLimits)

		wrapped := zipWith(t, zip.Store, docx("",
			file{"word/document.xml", string(data)},
			file{"word/_rels/document.xml.rels", string(data)})...)
		checkFuzzed(t, Open(wrapped, "fuzz.docx", fuzzLimits), fuzzLimits)
	})
}

func checkFuzzed(t *testing.T, doc *Document, lim Limits) {
	if doc == nil {
		t.Fatal("Open returned nil")
	}
	if len(doc.Links) > lim.MaxLinks {
		t.Fatalf("%d links > limit %d", len(doc.Links), lim.MaxLinks)
	}
	text := 0
	for _, x := range doc.Text {
		text += len(x.Text)
	}
	if text > lim.MaxTextBytes {
		t.Fatalf("%d text bytes > limit %d", text, lim.MaxTextBytes)
	}
	for _, l := range doc.Links {
		if strings.TrimSpace(l.URL) == "" || l.Via == "" {
			t.Fatalf("incomplete link %+v", l)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	var body strings.Builder
	for i := 0; i < 200; i++ {
		body.WriteString(`<w:p>` + fldChar("begin") + instr(`HYPERLINK "http://bench.test/`) +
			instr(`page" \o "tip"`) + fldChar("separate") + run("a paragraph of body text") +
			fldChar("end") + `</w:p>`)
	}
	data := zipOf(b, docx(body.String(),
		file{"word/_rels/document.xml.rels", relsXML(rel{"rH", "hyperlink", "http://rel.test/", true})},
		file{"word/media/image1.png", strings.Repeat("\x89PNG", 4096)},
	)...)

	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		Open(data, "bench.docx", Limits{})
	}
}
