package mimetree

import (
	"encoding/binary"
	"strings"
)

// Values of Part.Origin.
const (
	// OriginMIME marks a part of the MIME tree.
	OriginMIME = "mime"
	// OriginUUencode marks a file decoded from a uuencode block in a text part.
	OriginUUencode = "uuencode"
	// OriginTNEF marks a file or body decoded from a TNEF (winmail.dat) part.
	OriginTNEF = "tnef"
)

// derived adds the parts hidden inside a leaf: uuencode blocks in text and
// the files in a TNEF stream.
func (w *walker) derived(p *Part, pos position) {
	if pos.depth >= w.lim.MaxDepth {
		return
	}
	n := 0
	if strings.HasPrefix(p.MediaType, "text/") {
		for _, blk := range findUUBlocks(p.Body) {
			w.add(anomaly(AnomalyUUInline, p.Path, "text part holds uuencoded file %q",
				cut(blk.name)))
			n++
			w.derivedPart(p, pos, n, OriginUUencode, "application/octet-stream",
				[]string{blk.name}, blk.data)
		}
	}
	if !isTNEF(p) {
		return
	}
	files, err := parseTNEF(p.Body)
	if err != nil {
		w.add(anomaly(AnomalyTNEFInvalid, p.Path, "%v after %d files", err, len(files)))
	}
	for _, f := range files {
		n++
		w.derivedPart(p, pos, n, OriginTNEF, f.mediaType, f.names, f.data)
	}
}

// isTNEF reports whether p is a TNEF stream by type, by name or by its
// signature bytes, so a renamed winmail.dat is still opened.
func isTNEF(p *Part) bool {
	if p.MediaType == "application/ms-tnef" || p.MediaType == "application/vnd.ms-tnef" {
		return true
	}
	if len(p.Body) >= 4 && binary.LittleEndian.Uint32(p.Body) == tnefSignature {
		return true
	}
	for _, n := range p.Names {
		if strings.EqualFold(n, "winmail.dat") {
			return true
		}
	}
	return false
}

// derivedPart adds the n-th file found inside parent. Its path extends the
// parent's, which as a leaf has no MIME children of its own.
func (w *walker) derivedPart(parent *Part, pos position, n int, origin, mediaType string,
	names []string, data []byte) {
	child := pos.child(n)
	if !w.count(child.path) {
		return
	}
	p := &Part{
		Path:      child.path,
		Depth:     child.depth,
		MediaType: mediaType,
		Params:    map[string]string{},
		Origin:    origin,
	}
	w.addNames(p, names)
	label := p.Filename
	if label == "" {
		label = origin + " " + child.rel
	}
	p.Source = parent.Source + " › " + label
	p.Body = w.charge(data, p.Path)
	if strings.HasPrefix(mediaType, "text/") {
		p.Text = toUTF8(p.Body)
	}
	w.msg.Parts = append(w.msg.Parts, p)
	w.derived(p, child)
}
