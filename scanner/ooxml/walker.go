package ooxml

import (
	"path"
	"strings"

	"github.com/holdfast/holdfast/scanner/safezip"
)

// sourceSep separates the levels of a provenance, as in
// "invoice.docx › word/footer1.xml".
const sourceSep = " › "

// relsFile is the parsed content of one .rels entry.
type relsFile struct {
	// part is the part whose relationships are listed, "" for the package.
	part string
	// entry is the .rels entry name.
	entry string
	rels  []relationship
}

// walker carries the state of one Open call.
type walker struct {
	doc    *Document
	zip    *safezip.Archive
	idx    index
	prefix string
	lim    Limits

	types     contentTypes
	relsFiles []relsFile
	// uses maps a part key to the relationship ids its XML uses and the
	// Via each use implies.
	uses map[string]map[string]string

	embedded   map[*safezip.Entry]bool
	evidence   map[string]bool
	textBytes  int
	zipCopied  int
	linkCapHit bool
	textCapHit bool
}

func newWalker(doc *Document, archive *safezip.Archive, prefix string, lim Limits) *walker {
	return &walker{
		doc:      doc,
		zip:      archive,
		idx:      newIndex(archive.Entries),
		prefix:   prefix,
		lim:      lim,
		uses:     map[string]map[string]string{},
		embedded: map[*safezip.Entry]bool{},
		evidence: map[string]bool{},
	}
}

// walk runs the passes in dependency order. Content types come first
// because they decide which parts are XML. Relationship files come before
// the main part, which _rels/.rels names. Content parts come before the
// relationships are turned into links, because the element that uses a
// relationship id decides its Via.
func (w *walker) walk() {
	w.copyZipAnomalies()
	w.readContentTypes()
	w.readRels()
	w.findMainPart()
	w.scanContentParts()
	w.followRels()
	w.collectFiles()
	w.reportMacros()
	w.copyZipAnomalies()
}

// source returns the provenance of a part for people.
func (w *walker) source(part string) string {
	switch {
	case part == "":
		return w.prefix
	case w.prefix == "":
		return part
	}
	return w.prefix + sourceSep + part
}

// copyZipAnomalies passes on the zip anomalies recorded since the last call.
func (w *walker) copyZipAnomalies() {
	for _, a := range w.zip.Anomalies[w.zipCopied:] {
		w.doc.Anomalies = append(w.doc.Anomalies, Anomaly{
			Name:   a.Name,
			Detail: a.Detail,
			Source: w.source(a.Entry),
		})
	}
	w.zipCopied = len(w.zip.Anomalies)
}

// readEntry returns an entry's bytes, or nil when the zip layer rejected or
// failed it, which it has already recorded as an anomaly.
func (w *walker) readEntry(e *safezip.Entry) []byte {
	data, err := w.zip.Read(e)
	if err != nil {
		return nil
	}
	return data
}

func (w *walker) readContentTypes() {
	w.types = contentTypes{defaults: map[string]string{}, overrides: map[string]string{}}
	e := w.idx.find("[Content_Types].xml")
	if e == nil {
		return
	}
	r, err := w.zip.Open(e)
	if err != nil {
		return
	}
	defer r.Close()

	types, err := parseContentTypes(r)
	w.types = types
	if err != nil {
		w.addAnomaly(AnomalyXMLInvalid, e.Name, "%s: %v", cut(e.Name), err)
	}
}

// readRels parses every .rels entry, duplicates included, in zip order.
func (w *walker) readRels() {
	for _, e := range w.zip.Entries {
		if e.Dir || !isRelsName(e.Name) {
			continue
		}
		r, err := w.zip.Open(e)
		if err != nil {
			continue
		}
		rels, err := parseRels(r)
		r.Close()
		if err != nil {
			w.addAnomaly(AnomalyXMLInvalid, e.Name, "%s: %v", cut(e.Name), err)
		}
		w.relsFiles = append(w.relsFiles, relsFile{part: relsSource(e.Name), entry: e.Name, rels: rels})
	}
}

// scanContentParts reads every XML part other than relationships and
// content types, duplicates included, since readers disagree on which copy
// of a repeated name they open.
func (w *walker) scanContentParts() {
	for _, e := range w.zip.Entries {
		if e.Dir || isRelsName(e.Name) || partKey(e.Name) == "[content_types].xml" {
			continue
		}
		if !isXMLName(e.Name, w.types.of(e.Name)) {
			continue
		}
		r, err := w.zip.Open(e)
		if err != nil {
			continue
		}
		w.scanPart(e.Name, r)
		r.Close()
	}
}

// addText stores one part's visible text, within Limits.MaxTextBytes.
func (w *walker) addText(part, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	room := w.lim.MaxTextBytes - w.textBytes
	if len(text) > room {
		if !w.textCapHit {
			w.textCapHit = true
			w.addAnomaly(AnomalyTextLimit, part, "text past %d bytes > limit %d is dropped",
				w.textBytes+len(text), w.lim.MaxTextBytes)
		}
		text = text[:max(0, room)]
		if text == "" {
			return
		}
	}
	w.textBytes += len(text)
	w.doc.Text = append(w.doc.Text, Text{Source: w.source(part), Text: text})
}

// addLink stores one link, within Limits.MaxLinks.
func (w *walker) addLink(url, via, part, tooltip string) {
	url = strings.TrimSpace(url)
	if url == "" {
		return
	}
	if len(w.doc.Links) >= w.lim.MaxLinks {
		if !w.linkCapHit {
			w.linkCapHit = true
			w.addAnomaly(AnomalyLinkLimit, part, "more than %d links, the rest are dropped",
				w.lim.MaxLinks)
		}
		return
	}
	w.doc.Links = append(w.doc.Links, Link{URL: url, Via: via, Source: w.source(part), Tooltip: tooltip})
}

// field handles one field instruction from fldSimple or a complex field.
func (w *walker) field(part, instr string) {
	fc := parseField(instr)
	switch fc.name {
	case "HYPERLINK":
		w.addLink(fc.hyperlinkURL(), "hyperlink-field", part, fc.switches[`\o`])
	case "INCLUDEPICTURE", "INCLUDETEXT":
		if isRemotePath(fc.arg) {
			w.addLink(fc.arg, "include-field", part, "")
		}
	case "DDE", "DDEAUTO":
		w.addAnomaly(AnomalyDDEField, part, "%s field %q", fc.name, cut(strings.TrimSpace(instr)))
	}
}

// sourceName returns the name to show for the part that a .rels file
// describes: the part itself, or the .rels entry for the package.
func (rf relsFile) sourceName() string {
	if rf.part == "" {
		return rf.entry
	}
	return rf.part
}

// isMacroFreeExtension reports whether a file name's extension promises a
// document without macros.
func isMacroFreeExtension(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".docx", ".dotx", ".xlsx", ".xltx", ".pptx", ".potx", ".ppsx", ".sldx":
		return true
	}
	return false
}
