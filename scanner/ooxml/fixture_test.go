package ooxml

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

// Namespaces and type URIs used by the fixtures.
const (
	nsW        = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR        = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsStrictW  = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	nsStrictR  = "http://purl.oclc.org/ooxml/officeDocument/relationships"
	nsPkgRels  = "http://schemas.openxmlformats.org/package/2006/relationships"
	relType    = nsR + "/"
	ctDocMain  = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
	ctDocmMain = "application/vnd.ms-word.document.macroEnabled.main+xml"
)

// file is one zip entry of a fixture.
type file struct {
	name string
	body string
}

// zipOf writes the files, in order, into an in-memory zip, deflated.
func zipOf(t testing.TB, files ...file) []byte {
	t.Helper()
	return zipWith(t, zip.Deflate, files...)
}

// zipWith writes the files with the given compression method. Store is much
// cheaper to write, which matters inside a fuzz loop.
func zipWith(t testing.TB, method uint16, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: method})
		if err != nil {
			t.Fatalf("create %q: %v", f.name, err)
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			t.Fatalf("write %q: %v", f.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("close zip: %v", err)
	}
	return buf.Bytes()
}

// rel is one relationship of a fixture's .rels part.
type rel struct {
	id, typ, target string
	external        bool
}

// relsXML returns a .rels part. A typ without "://" is appended to the
// transitional relationship type prefix.
func relsXML(rels ...rel) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="` + nsPkgRels + `">`)
	for _, r := range rels {
		typ := r.typ
		if !strings.Contains(typ, "://") {
			typ = relType + typ
		}
		mode := ""
		if r.external {
			mode = ` TargetMode="External"`
		}
		b.WriteString(`<Relationship Id="` + r.id + `" Type="` + typ + `" Target="` + r.target + `"` + mode + `/>`)
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

// contentTypesXML returns [Content_Types].xml with xml, rels, png and emf
// defaults and one override per pair of part name and content type.
func contentTypesXML(overrides ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Default Extension="png" ContentType="image/png"/>` +
		`<Default Extension="emf" ContentType="image/x-emf"/>`)
	for i := 0; i+1 < len(overrides); i += 2 {
		b.WriteString(`<Override PartName="` + overrides[i] + `" ContentType="` + overrides[i+1] + `"/>`)
	}
	b.WriteString(`</Types>`)
	return b.String()
}

// wordBody wraps body XML in a transitional w:document.
func wordBody(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="` + nsW +
		`" xmlns:r="` + nsR + `"><w:body>` + body + `</w:body></w:document>`
}

// docx returns the files of a minimal document whose main part is
// word/document.xml with the given body, plus the extra files.
func docx(body string, extra ...file) []file {
	files := []file{
		{"[Content_Types].xml", contentTypesXML("/word/document.xml", ctDocMain)},
		{"_rels/.rels", relsXML(rel{"rId1", "officeDocument", "word/document.xml", false})},
		{"word/document.xml", wordBody(body)},
	}
	return append(files, extra...)
}

// run returns a w:r holding text.
func run(text string) string {
	return `<w:r><w:t xml:space="preserve">` + text + `</w:t></w:r>`
}

// instr returns a w:r holding field instruction text.
func instr(text string) string {
	return `<w:r><w:instrText xml:space="preserve">` + text + `</w:instrText></w:r>`
}

// fldChar returns a w:r holding a field mark of the given type.
func fldChar(typ string) string {
	return `<w:r><w:fldChar w:fldCharType="` + typ + `"/></w:r>`
}
