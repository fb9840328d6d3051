package ooxml

import (
	"net/url"
	"strings"
)

// followRels turns every relationship of every .rels file into what it
// means: external targets become links, and internal targets of embedding
// types become Embedded files.
func (w *walker) followRels() {
	for _, rf := range w.relsFiles {
		uses := w.uses[partKey(rf.part)]
		for _, r := range rf.rels {
			if r.External || looksExternal(r.Target) {
				w.externalRel(rf, r, uses[r.ID])
			} else {
				w.internalRel(rf, r, uses[r.ID])
			}
		}
	}
}

// looksExternal reports whether an internal target is in fact a URL or a
// UNC path, which no part name can be.
func looksExternal(target string) bool {
	return strings.Contains(target, "://") || strings.HasPrefix(target, `\\`)
}

// viaByKind maps a relationship kind to the Via of an external target.
var viaByKind = map[string]string{
	"attachedtemplate": "attached-template",
	"image":            "external-image",
	"oleobject":        "oleobject",
	"afchunk":          "altchunk",
	"frame":            "frame",
}

// externalRel records an external target as a link, and as an anomaly when
// opening the document fetches it.
func (w *walker) externalRel(rf relsFile, r relationship, use string) {
	part := rf.sourceName()
	via := use
	if via == "" {
		via = viaByKind[r.kind()]
	}
	if via == "" {
		via = "relationship"
	}
	w.addLink(r.Target, via, part, "")

	switch {
	case r.kind() == "attachedtemplate" && isRemoteTarget(r.Target):
		w.addAnomaly(AnomalyRemoteTemplate, part, "attached template %q", cut(r.Target))
	case via == "external-image" && isRemoteTarget(r.Target):
		w.addAnomaly(AnomalyExternalImage, part, "linked image %q", cut(r.Target))
	case r.kind() == "oleobject":
		w.addAnomaly(AnomalyOLEObject, part, "linked OLE object %q", cut(r.Target))
	}
}

// isRemoteTarget reports whether a template or image target lives on
// another host. Word stores a local template as file:///C:/..., which is
// ordinary, but http, ftp, UNC paths and file URLs with a host other than
// localhost reach the network.
func isRemoteTarget(target string) bool {
	if strings.HasPrefix(target, `\\`) || strings.HasPrefix(target, "//") {
		return true
	}
	u, err := url.Parse(target)
	if err != nil {
		return true
	}
	switch strings.ToLower(u.Scheme) {
	case "", "file":
		return u.Host != "" && !strings.EqualFold(u.Host, "localhost")
	}
	return true
}

// internalRel records the parts that internal relationships embed.
func (w *walker) internalRel(rf relsFile, r relationship, use string) {
	target := resolveTarget(rf.part, r.Target)
	e := w.idx.find(target)
	if e == nil {
		return
	}
	kind := r.kind()
	switch {
	case use == "altchunk" || kind == "afchunk":
		w.embed(e, "altchunk")
	case kind == "oleobject":
		w.embed(e, "oleobject")
	case kind == "package":
		w.embed(e, "package")
	case kind == "vbaproject":
		w.macroEvidence("relationship from %s to %s", rf.sourceName(), e.Name)
		w.embed(e, "vba-project")
	case kind == "control" || kind == "activexcontrolbinary":
		w.embed(e, "activex")
	}
}
