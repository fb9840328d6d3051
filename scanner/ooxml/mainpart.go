package ooxml

import "strings"

// wellKnownMainParts are tried, in order, when neither _rels/.rels nor
// [Content_Types].xml names a main part that exists.
var wellKnownMainParts = []string{"word/document.xml", "xl/workbook.xml", "ppt/presentation.xml"}

// findMainPart sets MainPart, ContentType and Kind. Office follows the
// officeDocument relationship of _rels/.rels, so that wins. The main
// content type in [Content_Types].xml is the fallback.
func (w *walker) findMainPart() {
	byRel := w.mainPartByRel()
	byType := w.mainPartByType()

	main := ""
	switch {
	case byRel != "" && w.idx.find(byRel) != nil:
		main = byRel
		if byType != "" && partKey(byType) != partKey(byRel) {
			w.addAnomaly(AnomalyMainPartMismatch, "",
				"_rels/.rels names %q but [Content_Types].xml names %q", cut(byRel), cut(byType))
		}
	case byType != "" && w.idx.find(byType) != nil:
		main = byType
		if byRel != "" {
			w.addAnomaly(AnomalyMainPartMismatch, "",
				"_rels/.rels names %q, which is missing, so [Content_Types].xml's %q is used",
				cut(byRel), cut(byType))
		}
	default:
		main = w.wellKnownMainPart(byRel, byType)
	}
	if main == "" {
		return
	}

	e := w.idx.find(main)
	w.doc.MainPart = e.Name
	w.doc.ContentType = w.types.of(e.Name)
	w.doc.Kind = kindOf(w.doc.ContentType, e.Name)
}

// wellKnownMainPart returns the first usual main part name present, or ""
// when none is, and reports that no declared main part was found.
func (w *walker) wellKnownMainPart(byRel, byType string) string {
	for _, name := range wellKnownMainParts {
		if w.idx.find(name) != nil {
			w.addAnomaly(AnomalyNoMainPart, "",
				"no declared main part exists (relationship %q, content type %q), so %s is used",
				cut(byRel), cut(byType), name)
			return name
		}
	}
	w.addAnomaly(AnomalyNoMainPart, "",
		"no main part found (relationship %q, content type %q)", cut(byRel), cut(byType))
	return ""
}

// mainPartByRel returns the target of the package's officeDocument
// relationship, "" when there is none.
func (w *walker) mainPartByRel() string {
	for _, rf := range w.relsFiles {
		if rf.part != "" {
			continue
		}
		for _, r := range rf.rels {
			if r.kind() == "officedocument" && !r.External {
				return resolveTarget("", r.Target)
			}
		}
	}
	return ""
}

// mainPartByType returns the first part whose override content type is a
// main document type, "" when there is none.
func (w *walker) mainPartByType() string {
	for _, name := range w.types.overrideOrder {
		if isMainContentType(w.types.overrides[partKey(name)]) {
			return strings.TrimPrefix(name, "/")
		}
	}
	return ""
}

// isMainContentType reports whether ct is the content type of a main
// document part, such as
// application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml
// or the binary workbook's application/vnd.ms-excel.sheet.binary.macroEnabled.main.
func isMainContentType(ct string) bool {
	ct = strings.ToLower(ct)
	return strings.HasSuffix(ct, ".main+xml") || strings.HasSuffix(ct, ".main")
}

// kindOf judges the application family from the main part's content type,
// or from its top folder when the type is missing or unknown.
func kindOf(contentType, name string) Kind {
	ct := strings.ToLower(contentType)
	switch {
	case strings.Contains(ct, "wordprocessingml") || strings.Contains(ct, "ms-word"):
		return KindDocx
	case strings.Contains(ct, "spreadsheetml") || strings.Contains(ct, "ms-excel"):
		return KindXlsx
	case strings.Contains(ct, "presentationml") || strings.Contains(ct, "ms-powerpoint"):
		return KindPptx
	}

	switch key := partKey(name); {
	case strings.HasPrefix(key, "word/"):
		return KindDocx
	case strings.HasPrefix(key, "xl/"):
		return KindXlsx
	case strings.HasPrefix(key, "ppt/"):
		return KindPptx
	}
	return KindUnknown
}
