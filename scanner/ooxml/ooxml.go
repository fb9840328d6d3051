// Package ooxml opens Office Open XML documents (DOCX, DOCM, DOTX, DOTM,
// XLSX, XLSM, XLTX, PPTX, PPTM, PPSX, POTX and the other macro-enabled and
// template forms) the way a suspicious analyst would. It returns every link,
// image, embedded file and macro trace they carry, with the part each came
// from.
//
// The package reads the zip through safezip, so the zip checks and limits
// apply first. It then walks every part and every relationship file itself
// instead of following only the main document. It finds the main part
// through _rels/.rels and [Content_Types].xml, and compares part names
// without regard to ASCII case, as OPC (ECMA-376 Part 2) requires. It
// accepts both the transitional namespaces and the Strict ones under
// http://purl.oclc.org/ooxml/, relationship type URIs included.
//
// It never writes to disk, never touches the network, never logs and never
// scores. Open returns no error. A part it cannot read, a limit it reaches or a
// feature worth scoring becomes an Anomaly in the Document, so that no
// broken file looks clean.
//
// It does not use github.com/nguyenthenguyen/docx because that library
// returns the XML of a fixed set of Word parts. A scanner needs every part,
// every relationship and the raw zip directory, and this package reads them
// with archive/zip and encoding/xml.
//
// Config keys: none directly. The caller maps its own settings onto Limits.
//
// Limitations: the binary formats (.doc, .xls, .ppt, .xlsb sheets) are not
// parsed, and an OLE2 file is reported as OOXML_NOT_ZIP for the caller to
// route. Macro code in vbaProject.bin is not decompiled; the file is
// returned in Embedded for a VBA parser. Links written as plain text are
// returned in Text, not in Links, so the caller's text link extractor finds
// them.
package ooxml

import (
	"github.com/holdfast/holdfast/scanner/safezip"
)

// Kind is the application family of a document, judged by its main part.
type Kind string

// The kinds Open reports.
const (
	KindUnknown Kind = "unknown"
	KindDocx    Kind = "docx"
	KindXlsx    Kind = "xlsx"
	KindPptx    Kind = "pptx"
)

// Document is the result of opening one OOXML file.
type Document struct {
	// Kind is the family of the main part, KindUnknown when there is none.
	Kind Kind
	// MainPart is the zip entry name of the main part, such as
	// "word/document.xml", "" when none was found.
	MainPart string
	// ContentType is the main part's content type, "" when unknown. It
	// distinguishes a macro-enabled or template file from a plain one.
	ContentType string
	// Links lists every external URL, in the order found.
	Links []Link
	// Images lists every image part with its bytes, for QR decoding.
	Images []Image
	// Embedded lists files carried inside the document that the caller may
	// open in turn: altChunk parts, nested documents, OLE objects, ActiveX
	// controls and the VBA project.
	Embedded []File
	// Macros reports whether the file carries macros of any kind.
	Macros bool
	// MacroEvidence lists each trace of macros found, such as
	// "word/vbaProject.bin present".
	MacroEvidence []string
	// Text lists the visible text of each part that has any, so the caller
	// can look for links written as plain text.
	Text []Text
	// Anomalies lists every tolerated fault, limit reached and risky
	// feature, in the order found.
	Anomalies []Anomaly
}

// Link is one external URL and where it was found.
type Link struct {
	URL string
	// Via names the construct the URL came from: "relationship",
	// "hyperlink-field", "include-field", "hyperlink-formula", "altchunk",
	// "attached-template", "external-image", "oleobject", "frame".
	Via string
	// Source is the provenance a person can follow, such as
	// "invoice.docx › word/footer1.xml".
	Source string
	// Tooltip is the text a HYPERLINK field shows on hover (its \o switch),
	// "" when absent. A tooltip can spell a different URL than the target.
	Tooltip string
}

// Image is one image part.
type Image struct {
	// Name is the zip entry name, such as "word/media/image1.png".
	Name string
	// ContentType is the declared type, "" when [Content_Types].xml has none.
	ContentType string
	Data        []byte
	Source      string
}

// File is one embedded file.
type File struct {
	// Name is the zip entry name.
	Name string
	// ContentType is the declared type, "" when [Content_Types].xml has none.
	ContentType string
	// Via names why the part counts as embedded: "altchunk", "oleobject",
	// "package", "activex", "vba-project" or "embedding".
	Via    string
	Data   []byte
	Source string
}

// Text is the visible text of one part, with paragraphs on separate lines.
type Text struct {
	Source string
	Text   string
}

// Anomaly is one tolerated fault, limit reached or risky feature, with a
// stable Name and a Detail a person can check.
type Anomaly struct {
	Name   string
	Detail string
	Source string
}

// Open reads data, an OOXML file, and returns what it contains. The source
// names the file for people, such as the attachment name. Its last segment
// after " › " is taken as the file name when checking that macros match the
// extension. Open returns no error: a file that is not a zip yields
// KindUnknown and OOXML_NOT_ZIP.
func Open(data []byte, source string, lim Limits) *Document {
	lim = lim.resolve()
	doc := &Document{Kind: KindUnknown}

	archive, err := safezip.Open(data, lim.Zip)
	if err != nil {
		doc.Anomalies = append(doc.Anomalies, Anomaly{
			Name:   AnomalyNotZip,
			Detail: notZipDetail(data, err),
			Source: source,
		})
		return doc
	}

	w := newWalker(doc, archive, source, lim)
	w.walk()
	return doc
}
