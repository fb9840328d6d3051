package links

import (
	"strings"
	"time"

	"golang.org/x/net/html"
)

// extractor receives the elements, text and comments of one document in
// document order, from the parse tree or from the tokenizer, and collects
// what FromHTML returns. URLs are resolved in finish, because the first
// <base href> applies to URLs before it too.
type extractor struct {
	lim    Limits
	source string // provenance of what is found now

	baseRaw    string // href of the first base element, "" until seen
	candidates []candidate
	references int // URL references seen, kept or not

	forms    []formState
	openForm int            // index into forms, or -1
	formIDs  map[string]int // form id attribute to index into forms
	byFormID []namedControl // inputs that name their form by id

	anchor   int // index into candidates of the open anchor's href, or -1
	inAnchor bool
	anchorTx textBuilder

	text      textBuilder
	rawTag    string // script, style or another element whose text is hidden
	rawText   strings.Builder
	hidden    int  // depth inside template elements
	inComment bool // extracting a conditional comment's content

	images    []Image
	anomalies []Anomaly
	dropped   int // anomalies over maxAnomalies
}

// candidate is one URL reference waiting for resolution.
type candidate struct {
	raw, via, source string
	text             string
	redirect         bool
	delay            time.Duration
}

type formState struct {
	Form
	actionRaw string
	hasAction bool
}

func newExtractor(source string, lim Limits) *extractor {
	return &extractor{
		lim:      lim,
		source:   source,
		openForm: -1,
		anchor:   -1,
		formIDs:  map[string]int{},
		anchorTx: textBuilder{limit: lim.MaxTextBytes},
		text:     textBuilder{limit: lim.MaxTextBytes},
	}
}

// hiddenTextTags are the elements whose text content is not shown.
var hiddenTextTags = map[string]bool{
	"script": true, "style": true, "title": true, "iframe": true,
	"noembed": true, "noframes": true,
}

// blockTags are the elements that start a new line in Text.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true,
	"br": true, "dd": true, "div": true, "dl": true, "dt": true,
	"fieldset": true, "figcaption": true, "figure": true, "footer": true,
	"form": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "header": true, "hr": true, "li": true,
	"main": true, "nav": true, "ol": true, "p": true, "pre": true,
	"section": true, "table": true, "td": true, "th": true, "tr": true,
	"ul": true,
}

func (e *extractor) start(tag string, attrs []html.Attribute) {
	if blockTags[tag] {
		e.text.newline()
	}
	switch {
	case hiddenTextTags[tag]:
		e.rawTag = tag
		e.rawText.Reset()
	case tag == "template":
		e.hidden++
	}
	switch tag {
	case "a", "area":
		e.closeAnchor()
		e.inAnchor = true
	case "form":
		e.startForm(attrs)
	case "input":
		e.formControl(attrs)
	case "meta":
		e.meta(attrs)
	case "base":
		if href, ok := attr(attrs, "href"); ok && e.baseRaw == "" {
			e.baseRaw = href
		}
	}
	e.attributes(tag, attrs)
}

func (e *extractor) end(tag string) {
	if blockTags[tag] {
		e.text.newline()
	}
	switch {
	case tag == e.rawTag:
		e.rawEnd()
	case tag == "template" && e.hidden > 0:
		e.hidden--
	}
	switch tag {
	case "a", "area":
		e.closeAnchor()
	case "form":
		e.openForm = -1
	}
}

// rawEnd scans the text of a script or style element that just ended.
func (e *extractor) rawEnd() {
	switch e.rawTag {
	case "script":
		e.script(e.rawText.String(), 0)
	case "style":
		e.css(e.rawText.String())
	}
	e.rawTag = ""
	e.rawText.Reset()
}

func (e *extractor) textNode(s string) {
	if e.rawTag != "" {
		e.rawText.WriteString(s)
		return
	}
	if e.hidden > 0 {
		return
	}
	// Anchor text is kept only while the visible text is, which bounds
	// all anchor text together by twice MaxTextBytes.
	if e.inAnchor && !e.text.full() {
		e.anchorTx.write(s)
	}
	e.text.write(s)
}

// closeAnchor gives the open anchor's text to its href candidate.
func (e *extractor) closeAnchor() {
	if e.anchor >= 0 {
		e.candidates[e.anchor].text = strings.TrimSpace(e.anchorTx.String())
	}
	e.anchor = -1
	e.inAnchor = false
	e.anchorTx.reset()
}

// attributes handles every URL-bearing attribute of one element. Both the
// parser and the tokenizer of x/net/html keep only the first of repeated
// attributes, as browsers do, so a second href cannot replace the first.
func (e *extractor) attributes(tag string, attrs []html.Attribute) {
	for _, a := range attrs {
		e.attribute(tag, a.Key, a.Val)
	}
}

// urlAttributes maps each attribute that holds one URL to its Link.Via.
var urlAttributes = map[string]string{
	"href":       "href",
	"xlink:href": "href",
	"src":        "src",
	"lowsrc":     "src",
	"dynsrc":     "src",
	"poster":     "src",
	"data":       "src",
	"background": "background",
	"action":     "form-action",
	"formaction": "form-action",
}

func (e *extractor) attribute(tag, key, val string) {
	switch {
	case key == "style":
		e.css(val)
		return
	case key == "srcset":
		for _, item := range strings.Split(val, ",") {
			if f := strings.Fields(item); len(f) > 0 {
				e.reference(f[0], "src")
			}
		}
		return
	case strings.HasPrefix(key, "on"):
		e.script(val, 0)
		return
	}

	via := urlAttributes[key]
	switch {
	case via == "":
	case tag == "base" && key == "href":
	case tag == "form" && key == "action":
		// startForm keeps the action for the Form record.
		e.reference(val, via)
	case key == "data" && tag != "object":
	case (tag == "a" || tag == "area") && key == "href" && e.inAnchor:
		if e.reference(val, via) {
			e.anchor = len(e.candidates) - 1
		}
	default:
		e.reference(val, via)
	}
}

// reference sorts one attribute or CSS URL by scheme: web URLs become
// candidates, data: and cid: images, javascript: a script. It reports
// whether it added a candidate.
func (e *extractor) reference(raw, via string) bool {
	raw = cleanURLText(raw)
	scheme, rest, _ := splitScheme(raw)
	switch scheme {
	case "data":
		e.dataURI(rest, via)
		return false
	case "cid":
		if via != "href" && via != "form-action" {
			e.images = append(e.images, Image{Via: via, Source: e.source,
				CID: strings.Trim(percentDecode(rest), "<>")})
		}
		return false
	case "javascript", "vbscript":
		e.script(percentDecode(rest), 0)
		return false
	case "", "http", "https", "ftp":
		return e.addCandidate(candidate{raw: raw, via: via, source: e.source})
	}
	return false
}

func (e *extractor) addCandidate(c candidate) bool {
	if raw := c.raw; raw == "" || strings.HasPrefix(raw, "#") {
		return false
	}
	e.references++
	if len(e.candidates) >= e.lim.MaxLinks {
		return false
	}
	e.candidates = append(e.candidates, c)
	return true
}

func (e *extractor) anomaly(name, detail string) {
	if len(e.anomalies) >= maxAnomalies {
		e.dropped++
		return
	}
	e.anomalies = append(e.anomalies, Anomaly{Name: name, Detail: detail})
}

func attr(attrs []html.Attribute, key string) (string, bool) {
	for _, a := range attrs {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}
