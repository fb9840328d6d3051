package pdf

import (
	"slices"
	"strconv"
	"strings"
)

// followKeys are the keys whose references the action walk follows, with
// the label each adds to the source ("" adds none). Other references
// (/Parent, /Resources, /Contents and the like) lead to objects that the
// walk over all objects reaches on its own.
var followKeys = map[name]string{
	"A":             "",
	"Next":          "",
	"JS":            "",
	"URI":           "",
	"F":             "",
	"UF":            "",
	"FS":            "",
	"Win":           "",
	"EF":            "",
	"Names":         "",
	"Fields":        "",
	"Kids":          "",
	"Annots":        "annotation",
	"OpenAction":    "open action",
	"AA":            "additional action",
	"JavaScript":    "document JavaScript",
	"EmbeddedFiles": "embedded files",
	"AcroForm":      "form",
}

// containerKeys hold dictionaries or arrays whose every reference is
// followed: trigger entries of /AA, name trees and form field trees.
var containerKeys = map[name]bool{
	"AA": true, "Names": true, "JavaScript": true, "EmbeddedFiles": true,
	"Fields": true, "Kids": true, "EF": true, "Annots": true,
}

// walkActions finds every action, JavaScript and embedded file: first from
// each page, so that Source names the page, then from the catalog, then in
// every object not reached that way.
func (p *parser) walkActions(pages []page) {
	for i, pg := range pages {
		if pg.num != 0 {
			p.seen[pg.num] = true
		}
		p.inspect(pg.dict, p.where(pageLabel(i)), 0, false)
	}
	if root, num := p.catalogObject(); root != nil {
		p.seen[num] = true
		p.inspect(root, p.where("catalog"), 0, false)
	}
	for _, num := range p.numbers() {
		if p.seen[num] || p.work.exhausted {
			continue
		}
		p.seen[num] = true
		p.visit(p.objects[num].value, p.where("object "+strconv.Itoa(num)), 0, false, false)
	}
}

// visit descends into o. References are followed only when follow is set;
// container is set below a container key.
func (p *parser) visit(o object, src string, depth int, follow, container bool) {
	if depth > p.lim.MaxDepth {
		p.limit(AnomalyLimitDepth, "more than "+strconv.Itoa(p.lim.MaxDepth),
			p.lim.MaxDepth, "action nesting at "+src)
		return
	}
	switch v := o.(type) {
	case ref:
		if !follow || p.seen[v.num] {
			return
		}
		p.seen[v.num] = true
		p.visit(p.objects[v.num].value, src, depth+1, false, container)
	case array:
		for _, x := range v {
			p.visit(x, src, depth+1, follow || container, container)
		}
	case dict:
		p.inspect(v, src, depth, container)
	case *stream:
		p.inspect(v.dict, src, depth, container)
		if asName(v.dict.get("Type")) == "EmbeddedFile" {
			p.addEmbedded(v, "", src)
		}
	}
}

// inspect records what dictionary d is, then descends into its values.
func (p *parser) inspect(d dict, src string, depth int, container bool) {
	p.inspectAction(d, src)
	if d.get("JS") != nil {
		p.javaScript(d, src)
	}
	if aa := p.resolveDict(d.get("AA")); len(aa) > 0 {
		p.autoAction("additional actions", aa, src)
	}
	if oa := p.resolveDict(d.get("OpenAction")); oa != nil {
		if s := asName(p.resolve(oa.get("S"))); s != "GoTo" {
			p.autoAction("open action", dict{"S": oa.get("S")}, src)
		}
	}
	if ef := p.resolveDict(d.get("EF")); ef != nil {
		p.embeddedFromSpec(d, ef, src)
	}

	for _, key := range sortedKeys(d) {
		label, follow := followKeys[key]
		child := src
		if label != "" {
			child = src + " › " + label
		}
		p.visit(d[key], child, depth+1, follow || container, containerKeys[key])
	}
}

func sortedKeys(d dict) []name {
	keys := make([]name, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// inspectAction records an action dictionary by its /S type.
func (p *parser) inspectAction(d dict, src string) {
	switch asName(p.resolve(d.get("S"))) {
	case "URI":
		p.addLink(p.resolveText(d.get("URI")), "uri-action", src)
	case "Launch":
		p.launch(d, src)
	case "SubmitForm":
		p.addLink(p.fileSpec(d.get("F")), "submit-form", src)
	case "GoToR", "GoToE":
		if target := p.fileSpec(d.get("F")); looksLikeURL(target) {
			p.addLink(target, "remote-goto", src)
		}
	case "JavaScript":
		if d.get("JS") == nil {
			p.javaScript(d, src)
		}
	}
}

// addLink records a link unless its URL is empty or the link limit is
// reached. In an encrypted document strings are ciphertext, so no link is
// taken from them.
func (p *parser) addLink(url, via, src string) {
	url = strings.TrimSpace(url)
	if url == "" || p.doc.Encrypted {
		return
	}
	if len(p.doc.Links) >= p.lim.MaxLinks {
		p.limit(AnomalyLimitLinks, "more than "+strconv.Itoa(p.lim.MaxLinks),
			p.lim.MaxLinks, "links")
		return
	}
	p.doc.Links = append(p.doc.Links, Link{URL: url, Via: via, Source: src})
}

// fileSpec returns the file name or URL a file specification names: a
// string, or a dictionary's /UF, /F or platform entries.
func (p *parser) fileSpec(o object) string {
	switch v := p.resolve(o).(type) {
	case str:
		return textString(v)
	case dict:
		for _, key := range []name{"UF", "F", "Unix", "DOS", "Mac"} {
			if s := p.resolveText(v.get(key)); s != "" {
				return s
			}
		}
	}
	return ""
}

func looksLikeURL(s string) bool {
	lower := strings.ToLower(strings.TrimSpace(s))
	return strings.Contains(lower, "://") || strings.HasPrefix(lower, "www.")
}
