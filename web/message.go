package web

import (
	"strings"
	"unicode/utf8"

	"github.com/holdfast/holdfast/scanner/mimetree"
)

// maxPartTextBytes bounds the text shown per body part, and maxTextParts
// the number of parts shown. Arbitrary: a person reads a few screens of
// a message, while a page of many MiB would stall the browser.
const (
	maxPartTextBytes = 256 << 10
	maxTextParts     = 20
)

// header is one header field as shown: the raw value and, when it held
// encoded-words, the decoded one.
type header struct {
	Name    string
	Value   string
	Decoded string
}

// textPart is one text part of the body, shown as plain text.
type textPart struct {
	Source    string
	MediaType string
	// HTML marks a text/html part: its source is shown, never rendered.
	HTML      bool
	Text      string
	Truncated bool
}

// messageView is the parsed raw message as the detail page shows it.
type messageView struct {
	Headers []header
	Parts   []textPart
	// Omitted counts text parts past maxTextParts.
	Omitted int
}

// viewMessage parses raw with the scanner's MIME parser and keeps the
// header and the text parts. Every URL in them is defanged. The template
// escapes the rest, so nothing of the message reaches the page as markup.
func viewMessage(raw []byte) messageView {
	msg := mimetree.Parse(raw, mimetree.Limits{})
	var v messageView
	for _, f := range msg.Header {
		h := header{Name: f.Name, Value: defangText(f.Value)}
		if d := mimetree.DecodeHeader(f.Value); d != f.Value {
			h.Decoded = defangText(d)
		}
		v.Headers = append(v.Headers, h)
	}
	for _, p := range msg.Parts {
		if !strings.HasPrefix(p.MediaType, "text/") || p.Disposition == "attachment" {
			continue
		}
		if len(v.Parts) == maxTextParts {
			v.Omitted++
			continue
		}
		text, cut := cutText(p.Text, maxPartTextBytes)
		v.Parts = append(v.Parts, textPart{
			Source:    partSource(p),
			MediaType: p.MediaType,
			HTML:      p.MediaType == "text/html",
			Text:      defangText(text),
			Truncated: cut,
		})
	}
	return v
}

func partSource(p *mimetree.Part) string {
	if p.Source != "" {
		return p.Source
	}
	if p.Path == "" {
		return "message body"
	}
	return "part " + p.Path
}

// cutText cuts s to at most n bytes without splitting a character.
func cutText(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}
