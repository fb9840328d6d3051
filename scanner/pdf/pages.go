package pdf

import "strconv"

// page is one leaf of the page tree.
type page struct {
	dict dict
	num  int // object number, 0 when the page is a direct object
}

// seenSet records the objects a pass has visited, so that reference
// cycles end and no object is reported twice.
type seenSet map[int]bool

func newSeenSet() seenSet { return seenSet{} }

// pages returns the pages in document order by walking the page tree from
// the catalog. When there is no usable tree it returns every object of
// /Type /Page in object-number order.
func (p *parser) pages() []page {
	var out []page
	if root, _ := p.catalogObject(); root != nil {
		visited := seenSet{}
		p.walkPageTree(root.get("Pages"), 0, visited, &out)
	}
	if len(out) > 0 {
		return out
	}
	for _, num := range p.numbers() {
		if d, ok := p.objects[num].value.(dict); ok && asName(d.get("Type")) == "Page" {
			out = append(out, page{dict: d, num: num})
		}
	}
	return out
}

func (p *parser) walkPageTree(node object, depth int, visited seenSet, out *[]page) {
	if depth > p.lim.MaxDepth {
		p.limit(AnomalyLimitDepth, "more than "+strconv.Itoa(p.lim.MaxDepth),
			p.lim.MaxDepth, "page tree depth")
		return
	}
	num := 0
	if r, ok := node.(ref); ok {
		if visited[r.num] {
			p.malformed("page tree", "object %d appears twice in the page tree", r.num)
			return
		}
		visited[r.num] = true
		num = r.num
	}
	d := p.resolveDict(node)
	if d == nil {
		return
	}
	kids, hasKids := p.resolve(d.get("Kids")).(array)
	if !hasKids || asName(d.get("Type")) == "Page" {
		*out = append(*out, page{dict: d, num: num})
		return
	}
	for _, kid := range kids {
		p.walkPageTree(kid, depth+1, visited, out)
	}
}

// inherited returns key from the page or the nearest ancestor that has
// it, as for /Resources (ISO 32000-1 §7.7.3.4).
func (p *parser) inherited(d dict, key name) object {
	for range p.lim.MaxDepth {
		if d == nil {
			return nil
		}
		if v, ok := d[key]; ok {
			return v
		}
		d = p.resolveDict(d.get("Parent"))
	}
	return nil
}

// where builds the Source of a place inside the document.
func (p *parser) where(parts ...string) string {
	s := p.source
	for _, part := range parts {
		if s == "" {
			s = part
			continue
		}
		s += " › " + part
	}
	return s
}

func pageLabel(i int) string { return "page " + strconv.Itoa(i+1) }
