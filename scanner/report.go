package scanner

import "image"

// Report is the content Scan found in one message: facts, not judgements.
// The policy package turns it into signals and a verdict.
type Report struct {
	// Subject is the decoded Subject header, "" when absent.
	Subject string `json:"subject"`
	// From is the decoded From header as written.
	From string `json:"from"`
	// To and Cc are the decoded To and Cc headers as written.
	To string `json:"to,omitempty"`
	Cc string `json:"cc,omitempty"`
	// Headers holds the top-level header fields in order, for the sender
	// checks; they are not part of the JSON report.
	Headers []Header `json:"-"`
	// MessageID is the Message-ID header as written.
	MessageID string `json:"message_id,omitempty"`
	// Size is the number of bytes scanned.
	Size int `json:"size"`
	// Parts lists every leaf MIME part in document order.
	Parts []Part `json:"parts"`
	// Attachments lists every part that carries a file name or is not text.
	Attachments []Attachment `json:"attachments"`
	// Links lists every URL found, in the order found, one entry per place.
	Links []Link `json:"links"`
	// QRCodes lists every decoded QR code with where its image came from.
	QRCodes []QRCode `json:"qr_codes"`
	// Forms lists the HTML forms found in bodies and attachments.
	Forms []Form `json:"forms,omitempty"`
	// Redirects lists meta-refresh and script redirects found in HTML.
	Redirects []Link `json:"redirects,omitempty"`
	// Anomalies lists every tolerated fault and every limit reached.
	Anomalies []Anomaly `json:"anomalies"`
}

// Header is one top-level header field as written.
type Header struct {
	Name  string
	Value string
}

// Part describes one leaf MIME part.
type Part struct {
	Path        string `json:"path"`
	Source      string `json:"source"`
	ContentType string `json:"content_type"`
	Charset     string `json:"charset,omitempty"`
	Filename    string `json:"filename,omitempty"`
	Size        int    `json:"size"`
}

// Attachment describes one file carried by the message.
type Attachment struct {
	// Filename is the normalised name; Names lists every name seen.
	Filename string   `json:"filename"`
	Names    []string `json:"names,omitempty"`
	// ContentType is the declared media type.
	ContentType string `json:"content_type"`
	// Sniffed is the kind recognised from the bytes, "" when unknown.
	Sniffed Kind   `json:"sniffed,omitempty"`
	Size    int    `json:"size"`
	SHA256  string `json:"sha256"`
	// Source is a provenance a person can follow.
	Source string `json:"source"`
}

// Link is one URL and where it was found.
type Link struct {
	URL    string `json:"url"`
	Domain string `json:"domain"`
	Host   string `json:"host,omitempty"`
	// Via names the construct the URL came from: "text", "href", "src",
	// "form-action", "meta-refresh", "css-url", "script", "qr".
	Via    string `json:"via"`
	Source string `json:"source"`
	// Text is the visible text of an anchor, when Via is "href".
	Text string `json:"text,omitempty"`
}

// QRCode is one decoded QR code.
type QRCode struct {
	Text   string `json:"text"`
	Source string `json:"source"`
	// Region is the code's rectangle in its image, in pixels. It is empty
	// when unknown (codes drawn with HTML cells or block characters).
	Region image.Rectangle `json:"region"`
}

// Form is one HTML form.
type Form struct {
	Action      string `json:"action"`
	Domain      string `json:"domain"`
	Method      string `json:"method,omitempty"`
	HasPassword bool   `json:"has_password"`
	Source      string `json:"source"`
}

// Anomaly is one tolerated fault or limit reached, with a stable Name and a
// Detail a person can check.
type Anomaly struct {
	Name   string `json:"name"`
	Detail string `json:"detail"`
	Source string `json:"source,omitempty"`
}
