// Package links extracts and normalises the URLs in plain text and HTML, and
// reports the HTML facts that matter for phishing: forms and where they post,
// the text shown on a link against its target, meta refresh and script
// redirects.
//
// It never touches the network and never logs.
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
	// "form-action", "meta-refresh", "css-url", "script".
	Via string
	// Source is the provenance given by the caller, possibly extended.
	Source string
	// Text is the visible text of an anchor, when Via is "href".
	Text string
}

// Anomaly is one fault tolerated while extracting.
type Anomaly struct {
	Name   string
	Detail string
}
