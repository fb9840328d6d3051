// Package links extracts and normalises the URLs in plain text and HTML, and
// reports the HTML facts that matter for phishing: forms and where they post,
// the text shown on a link against its target, meta refresh and script
// redirects.
//
// FromText finds URLs in plain text and FromHTML reads an HTML document.
// Both pass every URL through Normalize, which reads a URL the way a
// browser does. Faults in the input never fail a call: FromHTML returns what
// it could extract plus an Anomaly for each fault and for each limit it
// reached, and FromText marks a suspicious URL in Link.Flags. The caller
// supplies the limits (see Limits), so the package reads no configuration.
//
// It never touches the network and never logs.
//
// Limitations: input is taken as UTF-8, so the caller decodes other
// charsets first. Links are not looked for in obfuscated text ("h t t p"),
// in comments other than Outlook conditional comments, or in scripts beyond
// literal URLs, literal redirects and atob payloads. A form control placed outside its
// form by the HTML parser's table fix-ups is counted only when it names the
// form with a form attribute.
package links

// Link is one URL found in a document.
type Link struct {
	// URL is the normalised absolute URL.
	URL string
	// Host is the URL's host, lower-case, IDNA ToASCII form.
	Host string
	// Domain is the registrable domain of Host (public suffix list), or the
	// host itself for an IP address or a name with no known suffix.
	Domain string
	// Via names where the URL was found: "text", "href", "src",
	// "background", "form-action", "meta-refresh", "css-url", "script".
	Via string
	// Source is the provenance given by the caller, possibly extended.
	Source string
	// Text is the visible text of the anchor element that carries the
	// URL, whitespace collapsed, so that a caller can compare a displayed
	// URL or domain with the real target. It is empty outside anchors.
	Text string
	// Flags lists the anomaly names that apply to this URL, such as
	// AnomalyUserinfo; it is nil for an unremarkable URL.
	Flags []string
}

// Anomaly is one fault tolerated while extracting.
type Anomaly struct {
	// Name is one of the Anomaly* constants, stable for scoring.
	Name string
	// Detail is the evidence: the observed value and the limit ("observed >
	// limit") for a limit, or the quoted input cut to a fixed length.
	Detail string
}

// Anomaly names.
const (
	// AnomalyUserinfo: a URL has a user name before "@", as in
	// "https://paypal.com@evil.example", which shows one domain and opens
	// another.
	AnomalyUserinfo = "URL_USERINFO"
	// AnomalyNumericHost: an IPv4 host written in decimal, hex or octal
	// instead of dotted decimal, as in "http://0x7f000001/".
	AnomalyNumericHost = "URL_NUMERIC_HOST"
	// AnomalyInvalidURL: a URL that even a lenient reading rejects.
	AnomalyInvalidURL = "URL_INVALID"
	// AnomalyTooDeep: the document nests more elements than the HTML
	// parser accepts, so links were extracted by the tokenizer instead.
	AnomalyTooDeep = "HTML_TOO_DEEP"
	// AnomalyParseFailed: the HTML parser failed for another reason, and
	// links were extracted by the tokenizer instead.
	AnomalyParseFailed = "HTML_PARSE_FAILED"
	// AnomalyTooLarge: the document exceeds Limits.MaxDocumentBytes, and
	// only its first MaxDocumentBytes were read.
	AnomalyTooLarge = "HTML_TOO_LARGE"
	// AnomalyTooManyLinks: more URL references than Limits.MaxLinks.
	AnomalyTooManyLinks = "LINKS_TOO_MANY"
	// AnomalyDataURITooLarge: a data: URI decodes to more than
	// Limits.MaxDataURIBytes, so its bytes are not kept.
	AnomalyDataURITooLarge = "DATA_URI_TOO_LARGE"
	// AnomalyDataURIHref: a link or redirect opens a data: URI, which can
	// carry a whole phishing page inside the message.
	AnomalyDataURIHref = "HREF_DATA_URI"
	// AnomalyTextTooLong: the visible text exceeds Limits.MaxTextBytes.
	AnomalyTextTooLong = "TEXT_TOO_LONG"
	// AnomalyTooManyAnomalies: more anomalies than maxAnomalies; the rest
	// are counted only.
	AnomalyTooManyAnomalies = "ANOMALIES_TOO_MANY"
)
