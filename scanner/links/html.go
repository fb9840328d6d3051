package links

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// Default limits, used when a Limits field is zero or negative.
const (
	// DefaultMaxDocumentBytes is arbitrary: chosen to be far above a large
	// newsletter (a few hundred KB) while bounding the parse tree, which
	// takes several times the input's size in memory.
	DefaultMaxDocumentBytes = 8 << 20
	// DefaultMaxLinks is arbitrary: chosen to be several times the link
	// count of a long newsletter, about 300, so that only generated
	// documents reach it.
	DefaultMaxLinks = 2000
	// DefaultMaxDataURIBytes is arbitrary: a QR code image embedded as a
	// data: URI is a few KB, and 2 MB still holds a large screenshot
	// whose QR code a later stage may decode.
	DefaultMaxDataURIBytes = 2 << 20
	// DefaultMaxTextBytes is arbitrary: chosen to keep the text of any
	// real message (a long letter is under 64 KB) for later stages while
	// bounding a padded document.
	DefaultMaxTextBytes = 256 << 10
)

// maxAnomalies bounds the anomalies kept per document. It is arbitrary:
// chosen so that a document of broken URLs yields a readable report, while
// the count of the rest is still reported.
const maxAnomalies = 100

// Limits bounds the work FromHTML does on one document. A zero or negative
// field means its Default* constant. Reaching a limit adds an Anomaly with
// "observed > limit".
type Limits struct {
	// MaxDocumentBytes is the number of bytes of the document read.
	MaxDocumentBytes int
	// MaxLinks is the number of URL references kept, counted in document
	// order before resolution.
	MaxLinks int
	// MaxDataURIBytes is the decoded size above which a data: URI's bytes
	// are not kept.
	MaxDataURIBytes int
	// MaxTextBytes is the number of bytes of visible text kept, anchor
	// text included.
	MaxTextBytes int
}

func (l Limits) withDefaults() Limits {
	if l.MaxDocumentBytes <= 0 {
		l.MaxDocumentBytes = DefaultMaxDocumentBytes
	}
	if l.MaxLinks <= 0 {
		l.MaxLinks = DefaultMaxLinks
	}
	if l.MaxDataURIBytes <= 0 {
		l.MaxDataURIBytes = DefaultMaxDataURIBytes
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = DefaultMaxTextBytes
	}
	return l
}

// HTML is the result of FromHTML for one document.
type HTML struct {
	// Links are the http, https and ftp URLs in document order: hrefs,
	// resource URLs, form actions, refresh and script redirects, and CSS
	// url() values.
	Links []Link
	// Forms are the form elements in document order.
	Forms []Form
	// Redirects are the meta refresh and script redirects, which also
	// appear in Links.
	Redirects []Redirect
	// Images are the data: and cid: images, for a later stage that
	// decodes QR codes.
	Images []Image
	// Text is the visible text without script and style, whitespace
	// collapsed and one line per block element, at most
	// Limits.MaxTextBytes long.
	Text string
	// Anomalies are the faults tolerated and the limits reached.
	Anomalies []Anomaly
}

// Form is one form element, the usual vehicle for a credential phish.
type Form struct {
	// Action is the normalised URL the form submits to. It is empty when
	// the action is empty or missing and the document has no base URL
	// (then the form submits to the message itself), or when the action
	// is not an http, https or ftp URL.
	Action string
	// Host and Domain are Action's host and registrable domain, empty
	// when Action is.
	Host, Domain string
	// Method is the upper-case method, "GET" when missing.
	Method string
	// Password reports an input of type password.
	Password bool
	// Hidden is the number of inputs of type hidden.
	Hidden int
	// Source is the provenance, as in Link.Source.
	Source string
}

// Redirect is a meta refresh or a script that navigates to a literal URL.
type Redirect struct {
	Link
	// Delay is the meta refresh delay; it is zero for a script.
	Delay time.Duration
}

// Image is an image embedded in the message rather than fetched.
type Image struct {
	// Via names the attribute or CSS that referenced it, as in Link.Via.
	Via string
	// Source is the provenance, as in Link.Source.
	Source string
	// CID is the Content-ID of a cid: reference, percent-decoded and
	// without angle brackets; it is empty for a data: URI.
	CID string
	// MediaType is the lower-case media type of a data: URI without
	// parameters, "text/plain" when missing.
	MediaType string
	// Data is the decoded data: URI. It is nil for a cid: reference and
	// for a data: URI over Limits.MaxDataURIBytes.
	Data []byte
	// Size is the decoded size of a data: URI in bytes, estimated from
	// the encoded length when Data is nil.
	Size int
}

// FromHTML extracts the links, forms, redirects, embedded images and
// visible text of an HTML document that is already decoded to UTF-8.
// source names the document in each result, such as "part 2".
//
// It parses the way a mail client renders: scripting off, so the content
// of noscript counts, and the content of Outlook conditional comments
// ("<!--[if mso]>...<![endif]-->") parsed as HTML. Relative URLs resolve
// against the first <base href>, and are dropped without one. For a
// document nested deeper than the HTML parser accepts (512 open elements)
// it extracts from the token stream instead and adds AnomalyTooDeep.
// It returns no error, because faults and limits become Anomalies.
func FromHTML(doc []byte, source string, lim Limits) HTML {
	lim = lim.withDefaults()
	e := newExtractor(source, lim)
	if len(doc) > lim.MaxDocumentBytes {
		e.anomaly(AnomalyTooLarge, fmt.Sprintf("%d > %d bytes", len(doc), lim.MaxDocumentBytes))
		doc = doc[:lim.MaxDocumentBytes]
	}
	e.document(doc)
	return e.finish()
}

// document extracts from doc with the HTML parser, or from its tokens when
// the parser fails.
func (e *extractor) document(doc []byte) {
	root, err := html.ParseWithOptions(bytes.NewReader(doc), html.ParseOptionEnableScripting(false))
	if err == nil {
		e.walk(root)
		return
	}

	name := AnomalyParseFailed
	if strings.Contains(err.Error(), "open stack of elements") {
		name = AnomalyTooDeep
	}
	e.anomaly(name, err.Error())
	e.tokens(doc)
}
