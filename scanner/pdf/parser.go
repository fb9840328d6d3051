package pdf

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// headerWindow is the number of bytes searched for the %PDF- header at the
// start and for the %%EOF marker at the end. Junk before the header within
// this window is reported but tolerated.
const headerWindow = 1024

// maxRefHops bounds a chain of references to references, which the format
// does not allow but a hostile file can write.
const maxRefHops = 8

// parser holds the state of one Open call.
type parser struct {
	data   []byte
	source string
	lim    Limits
	work   *budget
	doc    *Document

	objects  map[int]entry
	defined  int    // definitions read, duplicates included
	trailers []dict // trailer dictionaries and xref stream dictionaries

	decodedTotal  int // decoded bytes of all streams so far
	embeddedTotal int // bytes of embedded files returned so far
	imagesFound   int // image XObjects met, including those past the limit

	faults     map[string]*faults
	faultOrder []string
	limitsHit  map[string]bool
	seen       seenSet
}

func newParser(data []byte, source string, lim Limits) *parser {
	return &parser{
		data:      data,
		source:    source,
		lim:       lim,
		work:      newBudget(lim),
		doc:       &Document{},
		objects:   map[int]entry{},
		faults:    map[string]*faults{},
		limitsHit: map[string]bool{},
		seen:      newSeenSet(),
	}
}

// run reads the whole document into p.doc.
func (p *parser) run() {
	p.checkEnvelope()
	p.scanObjects()
	p.findTrailers()
	p.checkEncryption()
	if !p.doc.Encrypted {
		p.expandObjectStreams()
	}

	pages := p.pages()
	p.doc.Pages = len(pages)
	p.walkActions(pages)
	p.collectImages(pages)
	if !p.doc.Encrypted {
		p.collectText(pages)
	}

	if p.work.exhausted {
		p.limit(AnomalyLimitTokens, "at least "+strconv.Itoa(p.work.tokenLimit+1),
			p.work.tokenLimit, "values parsed")
	}
	p.flushFaults()
}

// checkEnvelope looks for the %PDF- header and the %%EOF marker. A missing
// marker is how a truncated attachment shows.
func (p *parser) checkEnvelope() {
	head := p.data[:min(len(p.data), headerWindow)]
	if i := bytes.Index(head, []byte("%PDF-")); i < 0 {
		p.malformed("header", "no %%PDF- header in the first %d bytes", headerWindow)
	} else if i > 0 {
		p.malformed("header", "%d bytes before the %%PDF- header", i)
	}
	tail := p.data[max(0, len(p.data)-headerWindow):]
	if !bytes.Contains(tail, []byte("%%EOF")) {
		p.malformed("truncated", "no %%%%EOF in the last %d bytes", headerWindow)
	}
}

// scanObjects finds every "N G obj" in the file and parses the object
// after it. Scanning resumes after each parsed object, so the bytes of a
// stream are not searched for objects unless the stream is unterminated.
func (p *parser) scanObjects() {
	pos := 0
	for !p.work.exhausted {
		i := indexWord(p.data, pos, "obj")
		if i < 0 {
			return
		}
		pos = i + len("obj")
		num, ok := objectHeader(p.data, i)
		if !ok {
			continue
		}
		if p.defined >= p.lim.MaxObjects {
			p.limit(AnomalyLimitObjects, "more than "+strconv.Itoa(p.lim.MaxObjects),
				p.lim.MaxObjects, "indirect objects")
			return
		}

		lx := &lexer{buf: p.data, pos: pos, maxDepth: p.lim.MaxDepth, work: p.work}
		v, complete := p.parseBody(lx, num)
		if d, ok := v.(dict); ok && complete {
			if s := p.readStream(lx, d, num); s != nil {
				v = s
			}
		}
		p.define(num, v, i)

		// After a broken object the scan resumes right after its "obj",
		// so that an unterminated string or array cannot hide the
		// objects that follow it.
		if complete {
			pos = max(pos, lx.pos)
		}
	}
}

// parseBody parses the value of object num and records why it failed. It
// reports whether the value was complete.
func (p *parser) parseBody(lx *lexer, num int) (object, bool) {
	v, err := lx.object(0)
	switch err {
	case errDepth:
		p.limit(AnomalyLimitDepth, "more than "+strconv.Itoa(p.lim.MaxDepth),
			p.lim.MaxDepth, fmt.Sprintf("object %d nesting", num))
	case errSyntax:
		p.malformed("object", "object %d is not terminated", num)
	}
	if kw, ok := v.(keyword); ok && endsObject(kw) {
		// "N G obj endobj": an empty object reads as null.
		lx.pos -= len(kw)
		return nil, true
	}
	return v, err == nil
}

// objectHeader reads the "N G" before the "obj" at i and returns N.
func objectHeader(b []byte, i int) (int, bool) {
	k := skipSpaceBack(b, i)
	genEnd := k
	k = skipDigitsBack(b, k, 5)
	if k == genEnd || k == i {
		return 0, false
	}
	numEnd := skipSpaceBack(b, k)
	if numEnd == k {
		return 0, false
	}
	k = skipDigitsBack(b, numEnd, 10)
	if k == numEnd || (k > 0 && isRegular(b[k-1])) {
		return 0, false
	}
	num, err := strconv.Atoi(string(b[k:numEnd]))
	if err != nil || num >= 1<<31 {
		return 0, false
	}
	return num, true
}

func skipSpaceBack(b []byte, k int) int {
	for k > 0 && isSpace(b[k-1]) {
		k--
	}
	return k
}

// skipDigitsBack moves k back over at most maxDigits digits. It returns
// k unchanged when there are more, which no valid number has.
func skipDigitsBack(b []byte, k, maxDigits int) int {
	end := k
	for k > 0 && b[k-1] >= '0' && b[k-1] <= '9' {
		k--
		if end-k > maxDigits {
			return end
		}
	}
	return k
}

// readStream reads the stream data after dictionary d when the next
// keyword is "stream". It trusts a direct /Length only when "endstream"
// follows it, and otherwise searches for "endstream", because /Length is
// often wrong or indirect in the files that matter.
func (p *parser) readStream(lx *lexer, d dict, num int) *stream {
	save := lx.pos
	lx.skipSpace()
	if !bytes.HasPrefix(p.data[lx.pos:], []byte("stream")) {
		lx.pos = save
		return nil
	}
	start := lx.pos + len("stream")
	if start < len(p.data) && p.data[start] == '\r' {
		start++
	}
	if start < len(p.data) && p.data[start] == '\n' {
		start++
	}

	if n, ok := asInt(d.get("Length")); ok && n >= 0 && n <= len(p.data)-start {
		after := &lexer{buf: p.data, pos: start + n}
		after.skipSpace()
		if bytes.HasPrefix(p.data[after.pos:], []byte("endstream")) {
			lx.pos = after.pos + len("endstream")
			return &stream{dict: d, raw: p.data[start : start+n], num: num}
		}
	}

	end := indexWord(p.data, start, "endstream")
	if end < 0 {
		p.malformed("stream", "object %d: no endstream", num)
		lx.pos = start
		return &stream{dict: d, raw: p.data[start:], num: num}
	}
	lx.pos = end + len("endstream")
	raw := p.data[start:end]
	raw = bytes.TrimSuffix(raw, []byte("\n"))
	raw = bytes.TrimSuffix(raw, []byte("\r"))
	return &stream{dict: d, raw: raw, num: num}
}

// define records object num found at pos, unless a definition later in
// the file is already known.
func (p *parser) define(num int, v object, pos int) {
	p.defined++
	if old, ok := p.objects[num]; ok && old.pos > pos {
		return
	}
	p.objects[num] = entry{value: v, pos: pos}
}

// numbers returns the defined object numbers in ascending order, so that
// every pass over all objects is deterministic.
func (p *parser) numbers() []int {
	return slices.Sorted(maps.Keys(p.objects))
}

// resolve follows references from o to a direct value. A missing object
// reads as null, as the standard requires.
func (p *parser) resolve(o object) object {
	for range maxRefHops {
		r, ok := o.(ref)
		if !ok {
			return o
		}
		o = p.objects[r.num].value
	}
	return nil
}

func (p *parser) resolveDict(o object) dict {
	switch v := p.resolve(o).(type) {
	case dict:
		return v
	case *stream:
		return v.dict
	}
	return nil
}

func (p *parser) resolveArray(o object) array {
	a, _ := p.resolve(o).(array)
	return a
}

// resolveText returns o as a text string, "" when it is not a string.
func (p *parser) resolveText(o object) string {
	s, _ := p.resolve(o).(str)
	return textString(s)
}

// findTrailers collects the dictionaries that name the catalog and the
// encryption: each "trailer" dictionary and each cross-reference stream
// dictionary, in file order.
func (p *parser) findTrailers() {
	for pos := 0; ; {
		i := indexWord(p.data, pos, "trailer")
		if i < 0 {
			break
		}
		lx := &lexer{buf: p.data, pos: i + len("trailer"), maxDepth: p.lim.MaxDepth, work: p.work}
		if d, ok := p.parseTrailer(lx); ok {
			p.trailers = append(p.trailers, d)
		}
		pos = max(lx.pos, i+1)
	}

	for _, num := range p.numbers() {
		if s, ok := p.objects[num].value.(*stream); ok && asName(s.dict.get("Type")) == "XRef" {
			p.trailers = append(p.trailers, s.dict)
		}
	}
}

func (p *parser) parseTrailer(lx *lexer) (dict, bool) {
	v, _ := lx.object(0)
	d, ok := v.(dict)
	return d, ok
}

// checkEncryption sets Encrypted when any trailer names /Encrypt.
func (p *parser) checkEncryption() {
	for _, t := range p.trailers {
		enc := t.get("Encrypt")
		if enc == nil {
			continue
		}
		p.doc.Encrypted = true
		detail := "the trailer names an /Encrypt dictionary"
		if d := p.resolveDict(enc); d != nil {
			detail += fmt.Sprintf(" (/Filter %s, /V %s, /R %s)",
				describe(d.get("Filter")), describe(d.get("V")), describe(d.get("R")))
		}
		p.anomaly(AnomalyEncrypted, detail)
		return
	}
}

// catalogObject returns the document catalog and its object number: the
// /Root of the last trailer that names one, or else the last object of
// /Type /Catalog. The number is 0 when the catalog is a direct object.
func (p *parser) catalogObject() (dict, int) {
	for _, t := range slices.Backward(p.trailers) {
		r, _ := t.get("Root").(ref)
		if d := p.resolveDict(t.get("Root")); d != nil {
			return d, r.num
		}
	}
	var found dict
	num := 0
	for _, n := range p.numbers() {
		if d, ok := p.objects[n].value.(dict); ok && asName(d.get("Type")) == "Catalog" {
			found, num = d, n
		}
	}
	return found, num
}
