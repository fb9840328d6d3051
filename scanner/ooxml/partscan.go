package ooxml

import (
	"encoding/xml"
	"io"
	"regexp"
	"strings"
)

// field is one complex field (fldChar begin … separate … end) being read.
type field struct {
	instr strings.Builder
	// collecting reports whether instrText still belongs to the
	// instruction, which ends at the separate or end fldChar.
	collecting bool
	done       bool
}

// partScanner reads one XML part for fields, formulas, relationship uses
// and visible text.
type partScanner struct {
	w    *walker
	part string
	// uses maps a relationship id used in this part to the Via it implies,
	// such as "altchunk" for w:altChunk r:id.
	uses map[string]string

	fields    []*field
	inInstr   int
	inText    int
	inFormula int
	formula   strings.Builder
	text      strings.Builder
	cutField  bool
}

// hyperlinkFormula matches the URL argument of a spreadsheet HYPERLINK()
// call written as a string literal.
var hyperlinkFormula = regexp.MustCompile(`(?i)\bHYPERLINK\(\s*"([^"]+)"`)

// scanPart reads one XML part from r. What was read before an XML error is
// kept, and the error becomes OOXML_XML_INVALID.
func (w *walker) scanPart(part string, r io.Reader) {
	ps := &partScanner{w: w, part: part, uses: map[string]string{}}
	d := newDecoder(r)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			w.addAnomaly(AnomalyXMLInvalid, part, "%s: %v", cut(part), err)
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			ps.start(t)
		case xml.EndElement:
			ps.end(t)
		case xml.CharData:
			ps.charData(t)
		}
	}
	ps.finish()
}

func (ps *partScanner) start(se xml.StartElement) {
	switch se.Name.Local {
	case "fldSimple":
		ps.w.field(ps.part, attr(se, "instr"))
	case "fldChar":
		ps.fldChar(strings.ToLower(attr(se, "fldCharType")))
	case "instrText", "delInstrText":
		ps.inInstr++
	case "t":
		ps.inText++
	case "f":
		ps.inFormula++
	case "tab":
		ps.text.WriteByte('\t')
	case "br", "cr":
		ps.newline()
	case "altChunk":
		if id := relAttr(se, "id"); id != "" {
			ps.uses[id] = "altchunk"
		}
	}

	// r:link on a:blip, and on any other element, names a linked rather
	// than embedded picture.
	if id := relAttr(se, "link"); id != "" {
		ps.uses[id] = "external-image"
	}
}

func (ps *partScanner) end(ee xml.EndElement) {
	switch ee.Name.Local {
	case "instrText", "delInstrText":
		ps.inInstr = max(0, ps.inInstr-1)
	case "t":
		ps.inText = max(0, ps.inText-1)
	case "f":
		ps.inFormula = max(0, ps.inFormula-1)
		if ps.inFormula == 0 {
			ps.checkFormula()
		}
	case "p", "si", "row", "c":
		ps.newline()
	}
}

// newline ends a line of text, without piling up empty lines.
func (ps *partScanner) newline() {
	s := ps.text.String()
	if s != "" && !strings.HasSuffix(s, "\n") {
		ps.text.WriteByte('\n')
	}
}

func (ps *partScanner) charData(cd xml.CharData) {
	switch {
	case ps.inInstr > 0:
		ps.appendInstr(cd)
	case ps.inFormula > 0:
		if ps.formula.Len()+len(cd) <= ps.w.lim.MaxFieldBytes {
			ps.formula.Write(cd)
		}
	case ps.inText > 0:
		ps.text.Write(cd)
	}
}

// fldChar moves the complex-field state machine. Fields nest, so a stack
// holds the open ones and instruction text goes to the innermost.
func (ps *partScanner) fldChar(kind string) {
	switch kind {
	case "begin":
		ps.fields = append(ps.fields, &field{collecting: true})
	case "separate":
		if f := ps.top(); f != nil {
			ps.complete(f)
		}
	case "end":
		if f := ps.top(); f != nil {
			ps.complete(f)
			ps.fields = ps.fields[:len(ps.fields)-1]
		}
	}
}

func (ps *partScanner) top() *field {
	if len(ps.fields) == 0 {
		return nil
	}
	return ps.fields[len(ps.fields)-1]
}

// complete parses a field's instruction once, at its separate or end mark.
func (ps *partScanner) complete(f *field) {
	f.collecting = false
	if f.done {
		return
	}
	f.done = true
	ps.w.field(ps.part, f.instr.String())
}

func (ps *partScanner) appendInstr(cd xml.CharData) {
	f := ps.top()
	if f == nil || !f.collecting {
		return
	}
	room := ps.w.lim.MaxFieldBytes - f.instr.Len()
	if len(cd) > room {
		cd = cd[:max(0, room)]
		if !ps.cutField {
			ps.cutField = true
			ps.w.addAnomaly(AnomalyFieldLimit, ps.part,
				"field instruction longer than limit %d bytes, cut", ps.w.lim.MaxFieldBytes)
		}
	}
	f.instr.Write(cd)
}

func (ps *partScanner) checkFormula() {
	for _, m := range hyperlinkFormula.FindAllStringSubmatch(ps.formula.String(), -1) {
		ps.w.addLink(m[1], "hyperlink-formula", ps.part, "")
	}
	ps.formula.Reset()
}

// finish parses fields left open at the end of the part, so that a missing
// end mark cannot hide a link, and stores the text.
func (ps *partScanner) finish() {
	for _, f := range ps.fields {
		ps.complete(f)
	}
	key := partKey(ps.part)
	for id, via := range ps.uses {
		if ps.w.uses[key] == nil {
			ps.w.uses[key] = map[string]string{}
		}
		ps.w.uses[key][id] = via
	}
	ps.w.addText(ps.part, ps.text.String())
}
