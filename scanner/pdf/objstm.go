package pdf

import "fmt"

// expandObjectStreams defines the objects stored in object streams
// (ISO 32000-1 §7.5.7). Each counts as found at its object stream's file
// offset, so a direct definition later in the file still wins.
func (p *parser) expandObjectStreams() {
	for _, num := range p.numbers() {
		e := p.objects[num]
		s, ok := e.value.(*stream)
		if !ok || asName(s.dict.get("Type")) != "ObjStm" {
			continue
		}
		if !p.expandObjectStream(s, e.pos) {
			return
		}
	}
}

// expandObjectStream defines the objects of s. It returns false when a
// limit stops all further work.
func (p *parser) expandObjectStream(s *stream, pos int) bool {
	where := fmt.Sprintf("object stream %d", s.num)
	data, imageFilter, ok := p.decode(s, where)
	if !ok || imageFilter != "" {
		return !p.stopped()
	}
	n, _ := asInt(s.dict.get("N"))
	first, ok := asInt(s.dict.get("First"))
	if !ok || first < 0 || first > len(data) {
		p.malformed("object stream", "%s: /First %s outside the %d decoded bytes",
			where, describe(s.dict.get("First")), len(data))
		return true
	}

	// The header is N pairs of object number and offset. N is not trusted
	// for allocation: pairs are read one at a time until the header ends.
	head := &lexer{buf: data[:first], maxDepth: p.lim.MaxDepth, work: p.work}
	for i := 0; i < n; i++ {
		objNum, err1 := head.object(0)
		offset, err2 := head.object(0)
		on, ok1 := asInt(objNum)
		off, ok2 := asInt(offset)
		if err1 != nil || err2 != nil || !ok1 || !ok2 || on < 0 || off < 0 || first+off >= len(data) {
			if p.work.exhausted {
				return false
			}
			p.malformed("object stream", "%s: header entry %d is invalid", where, i)
			return true
		}
		if p.defined >= p.lim.MaxObjects {
			p.limit(AnomalyLimitObjects, "more than "+fmt.Sprint(p.lim.MaxObjects),
				p.lim.MaxObjects, "indirect objects")
			return false
		}
		body := &lexer{buf: data, pos: first + off, maxDepth: p.lim.MaxDepth, work: p.work}
		value, _ := p.parseBody(body, on)
		p.define(on, value, pos)
	}
	return !p.stopped()
}

// stopped reports whether a document-wide limit ended the work.
func (p *parser) stopped() bool {
	return p.work.exhausted || p.limitsHit[AnomalyLimitObjects]
}
