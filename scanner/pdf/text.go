package pdf

import (
	"strconv"
	"strings"

	"github.com/holdfast/holdfast/scanner/links"
)

// collectText reads the strings each page's content streams show and
// records the URLs in them as links with Via "text".
func (p *parser) collectText(pages []page) {
	kept := 0
	for i, pg := range pages {
		if p.work.exhausted {
			return
		}
		var text strings.Builder
		for _, s := range p.contentStreams(pg.dict) {
			data, imageFilter, ok := p.decode(s, "content stream "+strconv.Itoa(s.num))
			if ok && imageFilter == "" {
				p.showText(data, &text)
			}
		}
		if kept+text.Len() > p.lim.MaxTextBytes {
			p.limit(AnomalyLimitText, "more than "+strconv.Itoa(p.lim.MaxTextBytes),
				p.lim.MaxTextBytes, "page text bytes")
			return
		}
		kept += text.Len()
		src := p.where(pageLabel(i), "text")
		for _, l := range links.FromText(text.String(), src) {
			p.addLink(l.URL, "text", src)
		}
	}
}

// contentStreams returns the streams of a page's /Contents, which is one
// stream or an array of them.
func (p *parser) contentStreams(d dict) []*stream {
	var out []*stream
	switch v := p.resolve(d.get("Contents")).(type) {
	case *stream:
		out = append(out, v)
	case array:
		for _, x := range v {
			if s, ok := p.resolve(x).(*stream); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// showText appends the strings shown by the text operators of a content
// stream (ISO 32000-1 §9.4.3), with a space or line break where the text
// position moves. Strings are taken as bytes, so text in CID fonts reads
// as noise.
func (p *parser) showText(data []byte, text *strings.Builder) {
	lx := &lexer{buf: data, maxDepth: p.lim.MaxDepth, work: p.work}
	var last object
	for {
		lx.skipSpace()
		if lx.pos >= len(data) {
			return
		}
		v, err := lx.object(0)
		if err == errWork {
			return
		}
		op, isOp := v.(keyword)
		if !isOp {
			last = v
			continue
		}
		switch op {
		case "Tj", "'", "\"":
			if s, ok := last.(str); ok {
				text.WriteString(textString(s))
			}
		case "TJ":
			if a, ok := last.(array); ok {
				for _, x := range a {
					if s, ok := x.(str); ok {
						text.WriteString(textString(s))
					}
				}
			}
		case "Td", "TD", "Tm":
			text.WriteByte(' ')
		case "ET", "T*":
			text.WriteByte('\n')
		case "ID":
			// Inline image data is binary: skip to the EI operator.
			end := indexWord(data, lx.pos, "EI")
			if end < 0 {
				return
			}
			lx.pos = end + len("EI")
		}
		last = nil
	}
}
