package ooxml

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/holdfast/holdfast/scanner/safezip"
)

// collectFiles finds images, embedded files and macro traces by entry name
// and declared content type, so that a part no relationship points to is
// still found.
func (w *walker) collectFiles() {
	for _, e := range w.zip.Entries {
		if e.Dir {
			continue
		}
		ct := strings.ToLower(w.types.of(e.Name))
		base := strings.ToLower(path.Base(e.Name))

		switch {
		case base == "vbaproject.bin" || ct == "application/vnd.ms-office.vbaproject":
			w.macroEvidence("%s present", e.Name)
			w.embed(e, "vba-project")
		case base == "vbadata.xml" || ct == "application/vnd.ms-word.vbadata+xml":
			w.macroEvidence("%s present", e.Name)
		case inFolder(e.Name, "macrosheets") || strings.Contains(ct, "macrosheet"):
			w.macroEvidence("Excel 4.0 macro sheet %s", e.Name)
		case inFolder(e.Name, "embeddings"):
			if strings.Contains(ct, "oleobject") || strings.HasPrefix(base, "oleobject") {
				w.embed(e, "oleobject")
			} else {
				w.embed(e, "embedding")
			}
		case inFolder(e.Name, "activex") && strings.HasSuffix(base, ".bin"):
			w.embed(e, "activex")
		case inFolder(e.Name, "media") || strings.HasPrefix(ct, "image/"):
			w.addImage(e)
		}
	}
	w.macroContentTypes()
}

// macroContentTypes records each declared macro-enabled content type, in a
// fixed order so that reports compare equal across runs.
func (w *walker) macroContentTypes() {
	var found []string
	for name, ct := range w.types.overrides {
		if strings.Contains(strings.ToLower(ct), "macroenabled") {
			found = append(found, fmt.Sprintf("content type %s for /%s", ct, name))
		}
	}
	for ext, ct := range w.types.defaults {
		if strings.Contains(strings.ToLower(ct), "macroenabled") {
			found = append(found, fmt.Sprintf("content type %s for .%s", ct, ext))
		}
	}
	sort.Strings(found)
	for _, f := range found {
		w.macroEvidence("%s", f)
	}
}

func (w *walker) addImage(e *safezip.Entry) {
	data := w.readEntry(e)
	if data == nil {
		return
	}
	w.doc.Images = append(w.doc.Images, Image{
		Name:        e.Name,
		ContentType: w.types.of(e.Name),
		Data:        data,
		Source:      w.source(e.Name),
	})
}

// embed adds e to Embedded once, whichever pass finds it first, and reports
// OLE objects and ActiveX controls.
func (w *walker) embed(e *safezip.Entry, via string) {
	if w.embedded[e] {
		return
	}
	w.embedded[e] = true

	switch via {
	case "oleobject":
		w.addAnomaly(AnomalyOLEObject, e.Name, "embedded OLE object %s, %d bytes", e.Name, e.Size)
	case "activex":
		w.addAnomaly(AnomalyActiveX, e.Name, "ActiveX control %s, %d bytes", e.Name, e.Size)
	}

	data := w.readEntry(e)
	if data == nil {
		return
	}
	w.doc.Embedded = append(w.doc.Embedded, File{
		Name:        e.Name,
		ContentType: w.types.of(e.Name),
		Via:         via,
		Data:        data,
		Source:      w.source(e.Name),
	})
}

// macroEvidence records one trace of macros, once.
func (w *walker) macroEvidence(format string, args ...any) {
	ev := fmt.Sprintf(format, args...)
	if w.evidence[ev] {
		return
	}
	w.evidence[ev] = true
	w.doc.Macros = true
	w.doc.MacroEvidence = append(w.doc.MacroEvidence, ev)
}

// reportMacros raises OOXML_MACROS, and OOXML_MACRO_MISMATCH when the file
// name promises a document without macros.
func (w *walker) reportMacros() {
	if !w.doc.Macros {
		return
	}
	w.addAnomaly(AnomalyMacros, "", "%s", strings.Join(w.doc.MacroEvidence, "; "))

	name := w.prefix
	if i := strings.LastIndex(name, sourceSep); i >= 0 {
		name = name[i+len(sourceSep):]
	}
	if isMacroFreeExtension(name) {
		w.addAnomaly(AnomalyMacroMismatch, "",
			"%q has a macro-free extension but carries macros", cut(name))
	}
}
