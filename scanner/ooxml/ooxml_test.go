package ooxml

import (
	"slices"
	"strings"
	"testing"
)

// want lists what one Open call must return. Empty fields are not checked,
// except macros, which must always match.
type want struct {
	kind Kind
	main string
	// links lists "URL via source-part" triples that must be present.
	links []string
	// anomalies lists anomaly names that must be present.
	anomalies []string
	// noAnomalies lists anomaly names that must be absent.
	noAnomalies []string
	macros      bool
	// embedded lists "name via" pairs that must be present.
	embedded []string
	images   []string
	// text lists substrings that the visible text must contain.
	text []string
	// tooltip, when set, is the Tooltip of the first link.
	tooltip string
}

func TestOpen(t *testing.T) {
	tests := []struct {
		name   string
		source string
		files  []file
		// prefix is bytes written before the zip.
		prefix string
		want   want
	}{
		{
			name: "field split across runs",
			files: docx(`<w:p>` + fldChar("begin") + instr(` HYPER`) + instr(`LINK "http://sp`) +
				instr(`lit.test/path" \l "part2" \o "https://bank.test/"`) +
				fldChar("separate") + run("click") + fldChar("end") + `</w:p>`),
			want: want{
				kind:    KindDocx,
				main:    "word/document.xml",
				links:   []string{"http://split.test/path#part2 hyperlink-field word/document.xml"},
				tooltip: "https://bank.test/",
				text:    []string{"click"},
			},
		},
		{
			name: "simple field",
			files: docx(`<w:p><w:fldSimple w:instr=" HYPERLINK &quot;http://simple.test/&quot; ">` +
				run("Portal") + `</w:fldSimple></w:p>`),
			want: want{links: []string{"http://simple.test/ hyperlink-field word/document.xml"}},
		},
		{
			name: "field nested in another field",
			files: docx(`<w:p>` + fldChar("begin") + instr(`IF 1 = 1 "`) +
				fldChar("begin") + instr(`HYPERLINK http://inner.test/`) + fldChar("separate") +
				run("in") + fldChar("end") + instr(`" ""`) + fldChar("separate") + fldChar("end") + `</w:p>`),
			want: want{links: []string{"http://inner.test/ hyperlink-field word/document.xml"}},
		},
		{
			name: "field without end mark",
			files: docx(`<w:p>` + fldChar("begin") + instr(`HYPERLINK "http://open.test/"`) +
				`</w:p>`),
			want: want{links: []string{"http://open.test/ hyperlink-field word/document.xml"}},
		},
		{
			name: "bookmark-only hyperlink field",
			files: docx(`<w:p>` + fldChar("begin") + instr(`HYPERLINK \l "top"`) +
				fldChar("end") + `</w:p>`),
			want: want{kind: KindDocx},
		},
		{
			name:  "include picture field",
			files: docx(`<w:p><w:fldSimple w:instr='INCLUDEPICTURE "\\\\host\\share\\p.png" \d'/></w:p>`),
			want:  want{links: []string{`\\host\share\p.png include-field word/document.xml`}},
		},
		{
			name:  "dde field",
			files: docx(`<w:p><w:fldSimple w:instr='DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc"'/></w:p>`),
			want:  want{anomalies: []string{AnomalyDDEField}},
		},
		{
			name: "strict namespaces",
			files: []file{
				{"[Content_Types].xml", contentTypesXML("/word/document.xml", ctDocMain)},
				{"_rels/.rels", relsXML(rel{"rId1", "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument", "word/document.xml", false})},
				{"word/document.xml", `<w:document xmlns:w="` + nsStrictW + `" xmlns:r="` + nsStrictR +
					`"><w:body><w:p><w:hyperlink r:id="rS"><w:r><w:t>strict</w:t></w:r></w:hyperlink>` +
					`<w:fldSimple w:instr="HYPERLINK http://strict-field.test/"/></w:p></w:body></w:document>`},
				{"word/_rels/document.xml.rels", relsXML(rel{"rS", "http://purl.oclc.org/ooxml/officeDocument/relationships/hyperlink", "http://strict.test/", true})},
			},
			want: want{
				kind: KindDocx,
				main: "word/document.xml",
				links: []string{
					"http://strict-field.test/ hyperlink-field word/document.xml",
					"http://strict.test/ relationship word/document.xml",
				},
				noAnomalies: []string{AnomalyNoMainPart},
			},
		},
		{
			name: "main part named document2",
			files: []file{
				{"[Content_Types].xml", contentTypesXML("/word/document2.xml", ctDocMain)},
				{"_rels/.rels", relsXML(rel{"rId1", "officeDocument", "/word/document2.xml", false})},
				{"word/document2.xml", wordBody(`<w:p>` + run("Pay at http://doc2.test/") + `</w:p>`)},
			},
			want: want{
				kind:        KindDocx,
				main:        "word/document2.xml",
				text:        []string{"http://doc2.test/"},
				noAnomalies: []string{AnomalyNoMainPart, AnomalyMainPartMismatch},
			},
		},
		{
			name: "main part only in content types",
			files: []file{
				{"[Content_Types].xml", contentTypesXML("/word/body.xml", ctDocMain)},
				{"word/body.xml", wordBody(run("x"))},
			},
			want: want{kind: KindDocx, main: "word/body.xml"},
		},
		{
			name: "main part names differ in case",
			files: []file{
				{"[Content_Types].xml", contentTypesXML("/WORD/Document.XML", ctDocMain)},
				{"_rels/.rels", relsXML(rel{"rId1", "officeDocument", "Word/document.xml", false})},
				{"word/document.xml", wordBody(run("case"))},
			},
			want: want{
				kind:        KindDocx,
				main:        "word/document.xml",
				noAnomalies: []string{AnomalyMainPartMismatch, AnomalyNoMainPart},
			},
		},
		{
			name:  "no main part",
			files: []file{{"readme.txt", "hello"}},
			want:  want{kind: KindUnknown, anomalies: []string{AnomalyNoMainPart}},
		},
		{
			name: "links outside the body",
			files: docx(`<w:p>`+run("body")+`</w:p>`,
				file{"word/_rels/document.xml.rels", relsXML(
					rel{"rH", "header", "header1.xml", false},
					rel{"rF", "footer", "footer1.xml", false})},
				file{"word/header1.xml", `<w:hdr xmlns:w="` + nsW + `" xmlns:r="` + nsR +
					`"><w:p><w:hyperlink r:id="rX">` + run("h") + `</w:hyperlink></w:p></w:hdr>`},
				file{"word/_rels/header1.xml.rels", relsXML(rel{"rX", "hyperlink", "http://header.test/", true})},
				file{"word/footer1.xml", `<w:ftr xmlns:w="` + nsW + `"><w:p>` + run("f") + `</w:p></w:ftr>`},
				file{"word/_rels/footer1.xml.rels", relsXML(rel{"rY", "hyperlink", "http://footer.test/", true})},
				file{"word/comments.xml", `<w:comments xmlns:w="` + nsW + `"><w:comment><w:p>` +
					`<w:fldSimple w:instr="HYPERLINK http://comment.test/"/></w:p></w:comment></w:comments>`},
				file{"word/footnotes.xml", `<w:footnotes xmlns:w="` + nsW + `"><w:footnote><w:p>` +
					run("see http://footnote.test/") + `</w:p></w:footnote></w:footnotes>`},
			),
			want: want{
				links: []string{
					"http://header.test/ relationship word/header1.xml",
					"http://footer.test/ relationship word/footer1.xml",
					"http://comment.test/ hyperlink-field word/comments.xml",
				},
				text: []string{"http://footnote.test/"},
			},
		},
		{
			name: "altchunk parts",
			files: docx(`<w:altChunk r:id="rA"/><w:altChunk r:id="rB"/>`,
				file{"word/_rels/document.xml.rels", relsXML(
					rel{"rA", "aFChunk", "afchunk.mht", false},
					rel{"rB", "aFChunk", "/word/inner.docx", false})},
				file{"word/afchunk.mht", "MIME-Version: 1.0\r\n\r\n<a href=\"http://mht.test/\">x</a>"},
				file{"word/inner.docx", "PK\x03\x04"},
			),
			want: want{embedded: []string{"word/afchunk.mht altchunk", "word/inner.docx altchunk"}},
		},
		{
			name: "remote template",
			files: docx(run("t"),
				file{"word/settings.xml", `<w:settings xmlns:w="` + nsW + `" xmlns:r="` + nsR +
					`"><w:attachedTemplate r:id="rT"/></w:settings>`},
				file{"word/_rels/settings.xml.rels", relsXML(
					rel{"rT", "attachedTemplate", "https://evil.test/t.dotm", true})},
			),
			want: want{
				links:     []string{"https://evil.test/t.dotm attached-template word/settings.xml"},
				anomalies: []string{AnomalyRemoteTemplate},
			},
		},
		{
			name: "local template",
			files: docx(run("t"),
				file{"word/_rels/settings.xml.rels", relsXML(
					rel{"rT", "attachedTemplate", "file:///C:/Templates/Normal.dotm", true})},
			),
			want: want{
				links:       []string{"file:///C:/Templates/Normal.dotm attached-template word/settings.xml"},
				noAnomalies: []string{AnomalyRemoteTemplate},
			},
		},
		{
			name: "externally linked image",
			files: docx(`<w:p><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" r:link="rI"/></w:drawing></w:r></w:p>`,
				file{"word/_rels/document.xml.rels", relsXML(
					rel{"rI", "image", "http://track.test/pixel.png", true})},
			),
			want: want{
				links:     []string{"http://track.test/pixel.png external-image word/document.xml"},
				anomalies: []string{AnomalyExternalImage},
			},
		},
		{
			name:   "macros in a docx name",
			source: "invoice.docx",
			files: []file{
				{"[Content_Types].xml", contentTypesXML("/word/document.xml", ctDocmMain)},
				{"_rels/.rels", relsXML(rel{"rId1", "officeDocument", "word/document.xml", false})},
				{"word/document.xml", wordBody(run("Enable content"))},
				{"word/_rels/document.xml.rels", relsXML(rel{"rV", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin", false})},
				{"word/vbaProject.bin", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"},
			},
			want: want{
				macros:    true,
				anomalies: []string{AnomalyMacros, AnomalyMacroMismatch},
				embedded:  []string{"word/vbaProject.bin vba-project"},
			},
		},
		{
			name:   "macros in a docm name",
			source: "mail › invoice.docm",
			files:  docx(run("x"), file{"word/vbaProject.bin", "vba"}),
			want: want{
				macros:      true,
				anomalies:   []string{AnomalyMacros},
				noAnomalies: []string{AnomalyMacroMismatch},
			},
		},
		{
			name:   "excel 4 macro sheet",
			source: "book.xlsx",
			files: []file{
				{"_rels/.rels", relsXML(rel{"rId1", "officeDocument", "xl/workbook.xml", false})},
				{"xl/workbook.xml", `<workbook/>`},
				{"xl/macrosheets/sheet1.xml", `<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>`},
			},
			want: want{kind: KindXlsx, macros: true, anomalies: []string{AnomalyMacroMismatch}},
		},
		{
			name: "ole object",
			files: docx(run("x"),
				file{"word/_rels/document.xml.rels", relsXML(rel{"rO", "oleObject", "embeddings/oleObject1.bin", false})},
				file{"word/embeddings/oleObject1.bin", "\xD0\xCF\x11\xE0"},
				file{"word/media/image1.emf", "emf"},
			),
			want: want{
				anomalies: []string{AnomalyOLEObject},
				embedded:  []string{"word/embeddings/oleObject1.bin oleobject"},
				images:    []string{"word/media/image1.emf"},
			},
		},
		{
			name: "nested document",
			files: docx(run("x"),
				file{"word/embeddings/Sheet1.xlsx", "PK\x03\x04"},
			),
			want: want{
				embedded:    []string{"word/embeddings/Sheet1.xlsx embedding"},
				noAnomalies: []string{AnomalyOLEObject},
			},
		},
		{
			name: "images by folder and type",
			files: docx(run("x"),
				file{"word/media/qr.jpeg", "\xFF\xD8\xFF"},
				file{"docProps/thumbnail.png", "\x89PNG"},
			),
			want: want{images: []string{"word/media/qr.jpeg", "docProps/thumbnail.png"}},
		},
		{
			name: "duplicate entries",
			files: docx(run("first copy"),
				file{"word/document.xml", wordBody(run("second http://dup.test/"))}),
			want: want{
				anomalies: []string{"ZIP_DUPLICATE_ENTRY"},
				text:      []string{"first copy", "http://dup.test/"},
			},
		},
		{
			name:  "traversal entry name",
			files: docx(run("x"), file{"../../evil.txt", "x"}),
			want:  want{kind: KindDocx, anomalies: []string{"ZIP_UNSAFE_NAME"}},
		},
		{
			name:   "prepended pdf header",
			prefix: "%PDF-1.4\n% junk\n",
			files:  docx(run("after prefix http://prefix.test/")),
			want: want{
				kind:      KindDocx,
				anomalies: []string{"ZIP_PREPENDED_DATA"},
				text:      []string{"http://prefix.test/"},
			},
		},
		{
			name: "invalid xml keeps earlier links",
			files: docx(`<w:p><w:fldSimple w:instr="HYPERLINK http://before.test/"/></w:p><w:p>`,
				file{"word/broken.xml", "<a><b></a>"}),
			want: want{
				links:     []string{"http://before.test/ hyperlink-field word/document.xml"},
				anomalies: []string{AnomalyXMLInvalid},
			},
		},
		{
			name: "spreadsheet links",
			files: []file{
				{"[Content_Types].xml", contentTypesXML("/xl/workbook.xml",
					"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")},
				{"_rels/.rels", relsXML(rel{"rId1", "officeDocument", "xl/workbook.xml", false})},
				{"xl/workbook.xml", `<workbook/>`},
				{"xl/worksheets/sheet1.xml", `<worksheet><sheetData><row><c><f>HYPERLINK("http://formula.test/","go")</f></c></row></sheetData>` +
					`<hyperlinks><hyperlink r:id="rL" xmlns:r="` + nsR + `"/></hyperlinks></worksheet>`},
				{"xl/worksheets/_rels/sheet1.xml.rels", relsXML(rel{"rL", "hyperlink", "http://cell.test/", true})},
				{"xl/sharedStrings.xml", `<sst><si><t>visit http://shared.test/</t></si></sst>`},
			},
			want: want{
				kind: KindXlsx,
				links: []string{
					"http://formula.test/ hyperlink-formula xl/worksheets/sheet1.xml",
					"http://cell.test/ relationship xl/worksheets/sheet1.xml",
				},
				text: []string{"http://shared.test/"},
			},
		},
		{
			name: "presentation link",
			files: []file{
				{"[Content_Types].xml", contentTypesXML("/ppt/presentation.xml",
					"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml")},
				{"_rels/.rels", relsXML(rel{"rId1", "officeDocument", "ppt/presentation.xml", false})},
				{"ppt/presentation.xml", `<p:presentation xmlns:p="x"/>`},
				{"ppt/slides/slide1.xml", `<p:sld xmlns:p="x" xmlns:a="y"><a:p><a:r><a:t>Slide text</a:t></a:r></a:p></p:sld>`},
				{"ppt/slides/_rels/slide1.xml.rels", relsXML(rel{"rL", "hyperlink", "https://slide.test/", true})},
			},
			want: want{
				kind:  KindPptx,
				links: []string{"https://slide.test/ relationship ppt/slides/slide1.xml"},
				text:  []string{"Slide text"},
			},
		},
		{
			name: "utf-16 part",
			files: docx(run("x"), file{"word/footer2.xml", utf16LE(`<?xml version="1.0" encoding="UTF-16"?>` +
				`<w:ftr xmlns:w="` + nsW + `"><w:p><w:fldSimple w:instr="HYPERLINK http://utf16.test/"/></w:p></w:ftr>`)}),
			want: want{links: []string{"http://utf16.test/ hyperlink-field word/footer2.xml"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := append([]byte(tt.prefix), zipOf(t, tt.files...)...)
			doc := Open(data, tt.source, Limits{})
			checkDocument(t, doc, tt.want)
		})
	}
}

// utf16LE encodes ASCII s as UTF-16 little-endian with a byte-order mark.
func utf16LE(s string) string {
	b := []byte{0xFF, 0xFE}
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return string(b)
}

func checkDocument(t *testing.T, doc *Document, w want) {
	t.Helper()
	if w.kind != "" && doc.Kind != w.kind {
		t.Errorf("Kind = %q, want %q", doc.Kind, w.kind)
	}
	if w.main != "" && doc.MainPart != w.main {
		t.Errorf("MainPart = %q, want %q", doc.MainPart, w.main)
	}
	if doc.Macros != w.macros {
		t.Errorf("Macros = %v, want %v (evidence %q)", doc.Macros, w.macros, doc.MacroEvidence)
	}

	var links []string
	for _, l := range doc.Links {
		part := l.Source
		if i := strings.LastIndex(part, sourceSep); i >= 0 {
			part = part[i+len(sourceSep):]
		}
		links = append(links, l.URL+" "+l.Via+" "+part)
	}
	for _, l := range w.links {
		if !slices.Contains(links, l) {
			t.Errorf("missing link %q; got %q", l, links)
		}
	}
	if w.tooltip != "" && (len(doc.Links) == 0 || doc.Links[0].Tooltip != w.tooltip) {
		t.Errorf("first link = %+v, want Tooltip %q", doc.Links, w.tooltip)
	}

	var names []string
	for _, a := range doc.Anomalies {
		names = append(names, a.Name)
	}
	for _, n := range w.anomalies {
		if !slices.Contains(names, n) {
			t.Errorf("missing anomaly %s; got %+v", n, doc.Anomalies)
		}
	}
	for _, n := range w.noAnomalies {
		if slices.Contains(names, n) {
			t.Errorf("unexpected anomaly %s; got %+v", n, doc.Anomalies)
		}
	}

	var embedded []string
	for _, e := range doc.Embedded {
		embedded = append(embedded, e.Name+" "+e.Via)
	}
	for _, e := range w.embedded {
		if !slices.Contains(embedded, e) {
			t.Errorf("missing embedded %q; got %q", e, embedded)
		}
	}

	var images []string
	for _, im := range doc.Images {
		images = append(images, im.Name)
	}
	for _, im := range w.images {
		if !slices.Contains(images, im) {
			t.Errorf("missing image %q; got %q", im, images)
		}
	}

	var text strings.Builder
	for _, x := range doc.Text {
		text.WriteString(x.Text + "\n")
	}
	for _, s := range w.text {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text lacks %q; got %q", s, text.String())
		}
	}
}
