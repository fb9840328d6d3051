package ooxml

import "fmt"

// Anomaly names raised by this package. They are stable identifiers: scoring
// rules match on them. The zip anomalies of package safezip (ZIP_*) are
// passed on unchanged.
const (
	// AnomalyNotZip: the bytes are not a zip archive, so not OOXML. The
	// detail names the format the leading bytes announce, such as OLE2.
	AnomalyNotZip = "OOXML_NOT_ZIP"
	// AnomalyNoMainPart: neither _rels/.rels nor [Content_Types].xml names a
	// main part that exists.
	AnomalyNoMainPart = "OOXML_NO_MAIN_PART"
	// AnomalyMainPartMismatch: _rels/.rels and [Content_Types].xml name
	// different main parts. The relationship is used, because it is the
	// package's declared start part.
	AnomalyMainPartMismatch = "OOXML_MAIN_PART_MISMATCH"
	// AnomalyXMLInvalid: a part is not well-formed XML. What was read before
	// the error is kept.
	AnomalyXMLInvalid = "OOXML_XML_INVALID"
	// AnomalyMacros: the file carries macros (VBA project, macro-enabled
	// content type or Excel 4.0 macro sheet).
	AnomalyMacros = "OOXML_MACROS"
	// AnomalyMacroMismatch: the file carries macros but its name has an
	// extension that cannot, such as .docx.
	AnomalyMacroMismatch = "OOXML_MACRO_MISMATCH"
	// AnomalyOLEObject: the document embeds or links an OLE object.
	AnomalyOLEObject = "OOXML_OLE_OBJECT"
	// AnomalyActiveX: the document holds an ActiveX control.
	AnomalyActiveX = "OOXML_ACTIVEX"
	// AnomalyRemoteTemplate: the attached template is fetched from a remote
	// host when the document opens (template injection).
	AnomalyRemoteTemplate = "OOXML_REMOTE_TEMPLATE"
	// AnomalyExternalImage: an image is fetched from outside the file when
	// the document opens, which can leak the reader's address or NTLM hash.
	AnomalyExternalImage = "OOXML_EXTERNAL_IMAGE"
	// AnomalyDDEField: a DDE or DDEAUTO field, which can start a program.
	AnomalyDDEField = "OOXML_DDE_FIELD"
	// AnomalyTextLimit: visible text went past Limits.MaxTextBytes.
	AnomalyTextLimit = "OOXML_TEXT_LIMIT"
	// AnomalyLinkLimit: links went past Limits.MaxLinks.
	AnomalyLinkLimit = "OOXML_LINK_LIMIT"
	// AnomalyFieldLimit: one field instruction went past
	// Limits.MaxFieldBytes.
	AnomalyFieldLimit = "OOXML_FIELD_LIMIT"
)

// magicNames pairs leading bytes with the format they announce, for the
// detail of AnomalyNotZip.
var magicNames = []struct {
	prefix string
	name   string
}{
	{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an OLE2 compound file (legacy .doc, .xls or .ppt)"},
	{"{\\rtf", "an RTF document"},
	{"%PDF-", "a PDF document"},
	{"<?xml", "an XML document (perhaps Word 2003 XML or flat OPC)"},
}

// notZipDetail describes data that safezip could not open.
func notZipDetail(data []byte, err error) string {
	for _, m := range magicNames {
		if len(data) >= len(m.prefix) && string(data[:len(m.prefix)]) == m.prefix {
			return "not a zip archive: the bytes are " + m.name
		}
	}
	return err.Error()
}

func (w *walker) addAnomaly(name, part, format string, args ...any) {
	w.doc.Anomalies = append(w.doc.Anomalies, Anomaly{
		Name:   name,
		Detail: fmt.Sprintf(format, args...),
		Source: w.source(part),
	})
}

// cut returns s shortened to maxQuoted bytes, for quoting in a detail.
func cut(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	return s[:maxQuoted] + "…"
}
