package links

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// walk feeds the parse tree under n to the extractor in document order.
// The parser bounds the depth at 512 elements, so recursion is bounded.
func (e *extractor) walk(n *html.Node) {
	switch n.Type {
	case html.ElementNode:
		e.start(n.Data, n.Attr)
	case html.TextNode:
		e.textNode(n.Data)
	case html.CommentNode:
		e.comment(n.Data)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		e.walk(c)
	}
	if n.Type == html.ElementNode {
		e.end(n.Data)
	}
}

// tokens feeds the token stream of doc to the extractor. It has no depth
// limit, but unlike the parser it does not repair misnested tags.
func (e *extractor) tokens(doc []byte) {
	z := html.NewTokenizer(bytes.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.StartTagToken:
			t := z.Token()
			e.start(t.Data, t.Attr)
			if t.Data == "noscript" {
				// With scripting off, noscript content is markup.
				z.NextIsNotRawText()
			}
		case html.SelfClosingTagToken:
			t := z.Token()
			e.start(t.Data, t.Attr)
			e.end(t.Data)
		case html.EndTagToken:
			t := z.Token()
			e.end(t.Data)
		case html.TextToken:
			e.textNode(string(z.Text()))
		case html.CommentToken:
			e.comment(string(z.Text()))
		}
	}
}

// comment extracts from the content of an Outlook conditional comment,
// "<!--[if mso]>...<![endif]-->", which Outlook renders as HTML. Content
// nested in such a comment is not searched again, so the work stays linear.
func (e *extractor) comment(data string) {
	inner, ok := conditionalContent(data)
	if !ok || e.inComment {
		return
	}
	saved := e.source
	e.inComment = true
	e.source = saved + " (conditional comment)"
	e.closeAnchor()
	e.document([]byte(inner))
	e.closeAnchor()
	e.source = saved
	e.inComment = false
}

// conditionalContent returns the markup inside a conditional comment's
// data, "[if mso]>markup<![endif]".
func conditionalContent(data string) (string, bool) {
	s := strings.TrimLeft(data, " \t\r\n")
	if !strings.HasPrefix(strings.ToLower(s), "[if") {
		return "", false
	}
	open := strings.Index(s, "]>")
	if open < 0 {
		return "", false
	}
	s = s[open+2:]
	if end := strings.LastIndex(s, "<![endif]"); end >= 0 {
		s = s[:end]
	}
	return s, true
}

// textBuilder collects text with runs of white space collapsed to one
// space, or to one newline at a block boundary, up to limit bytes. Invalid
// UTF-8 becomes U+FFFD.
type textBuilder struct {
	b       strings.Builder
	limit   int  // maximum bytes kept
	dropped int  // bytes not kept because of limit
	last    rune // last rune written, 0 when empty
	pending bool // white space seen since last
}

func (t *textBuilder) write(s string) {
	for _, r := range s {
		if unicode.IsSpace(r) {
			t.pending = t.last != 0
			continue
		}
		if t.pending && t.last != '\n' {
			t.add(' ')
		}
		t.pending = false
		t.add(r)
	}
}

func (t *textBuilder) newline() {
	if t.last != 0 && t.last != '\n' && !t.full() {
		t.add('\n')
	}
	t.pending = false
}

func (t *textBuilder) add(r rune) {
	if t.b.Len()+utf8.RuneLen(r) > t.limit {
		t.dropped += utf8.RuneLen(r)
		return
	}
	t.b.WriteRune(r)
	t.last = r
}

// full reports whether the builder has stopped keeping text.
func (t *textBuilder) full() bool { return t.dropped > 0 }

func (t *textBuilder) String() string { return t.b.String() }

func (t *textBuilder) reset() {
	t.b.Reset()
	t.last, t.pending, t.dropped = 0, false, 0
}
