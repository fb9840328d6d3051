// Package scanner opens every part of a message the way a suspicious analyst
// would and returns a Report of what it contains: parts, attachments with
// their real types and hashes, links with where they were found, HTML forms
// and redirects, and every fault tolerated on the way.
//
// The scanner never touches the network, keeps no state between messages,
// never logs and never scores. It never fails: a part it cannot read, a
// limit it reaches or a fault it tolerates becomes an Anomaly in the Report,
// so that no broken message looks clean.
//
// Config keys read (section [scanner]): the fields of Limits.
//
// Limitations: images, office documents, PDF and archives are recorded as
// attachments with their sniffed type and hash but are not opened yet.
package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/holdfast/holdfast/scanner/links"
	"github.com/holdfast/holdfast/scanner/mimetree"
)

// Limits bounds the work done on one message. Zero values select the
// defaults of the sub-packages.
type Limits struct {
	MIME mimetree.Limits
	HTML links.Limits
}

// Anomaly names raised by this package itself. The MIME and HTML
// sub-packages add their own.
const (
	// AnomalyTypeMismatch: an attachment's bytes are not what its name says.
	AnomalyTypeMismatch = "ATTACHMENT_TYPE_MISMATCH"
	// AnomalyScanTimeout: the scan stopped at its deadline with parts left.
	AnomalyScanTimeout = "SCAN_TIMEOUT"
)

// Scan parses raw (a whole RFC 5322 message) and returns what it contains.
// When ctx ends, Scan stops between parts and records AnomalyScanTimeout
// with the number of parts left; the Report keeps what was found so far.
func Scan(ctx context.Context, raw []byte, lim Limits) *Report {
	msg := mimetree.Parse(raw, lim.MIME)
	r := &Report{
		Subject:     mimetree.DecodeHeader(headerValue(msg.Header, "Subject")),
		From:        mimetree.DecodeHeader(headerValue(msg.Header, "From")),
		To:          mimetree.DecodeHeader(headerValue(msg.Header, "To")),
		Cc:          mimetree.DecodeHeader(headerValue(msg.Header, "Cc")),
		MessageID:   headerValue(msg.Header, "Message-ID"),
		Size:        len(raw),
		Parts:       []Part{},
		Attachments: []Attachment{},
		Links:       []Link{},
		QRCodes:     []QRCode{},
		Anomalies:   []Anomaly{},
	}
	for _, a := range msg.Anomalies {
		r.Anomalies = append(r.Anomalies, Anomaly{Name: a.Name, Detail: a.Detail, Source: partLabel(a.Path)})
	}

	for i, p := range msg.Parts {
		if err := ctx.Err(); err != nil {
			r.addAnomaly(AnomalyScanTimeout, "", "scan stopped with %d of %d parts left: %v",
				len(msg.Parts)-i, len(msg.Parts), err)
			break
		}
		r.scanPart(p, lim)
	}
	return r
}

// headerValue returns the first value of the named field, "" when absent.
func headerValue(fields []mimetree.Field, name string) string {
	for _, f := range fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// partLabel names a part path for a person: "message" for the top level.
func partLabel(path string) string {
	if path == "" {
		return "message"
	}
	return "part " + path
}

// scanPart records one leaf part and extracts what its content holds.
func (r *Report) scanPart(p *mimetree.Part, lim Limits) {
	source := p.Source
	if source == "" {
		source = partLabel(p.Path)
	}
	kind := Sniff(p.Body)
	r.Parts = append(r.Parts, Part{
		Path: p.Path, Source: source, ContentType: p.MediaType,
		Charset: p.Charset, Filename: p.Filename, Size: len(p.Body),
	})

	if isAttachment(p, kind) {
		r.addAttachment(p, kind, source)
	}

	switch {
	case kind == KindHTML || p.MediaType == "text/html" || IsHTMLName(p.Filename):
		r.scanHTML(p, source, lim)
	case strings.HasPrefix(p.MediaType, "text/") && kind == KindUnknown:
		r.scanText(p, source)
	}
}

// isAttachment reports whether a part is a file rather than message text:
// it has a name, is marked as an attachment, or is not text.
func isAttachment(p *mimetree.Part, kind Kind) bool {
	if p.Filename != "" || p.Disposition == "attachment" {
		return true
	}
	if !strings.HasPrefix(p.MediaType, "text/") {
		return true
	}
	// A text part holding another file type (an executable labelled
	// text/plain) is a file in disguise; text and HTML bodies are not.
	return kind != KindUnknown && kind != KindHTML
}

// IsHTMLName reports whether a file name has an extension browsers open as
// HTML.
func IsHTMLName(name string) bool {
	ext := extension(name)
	return ext == ".htm" || ext == ".html" || ext == ".xhtml" || ext == ".shtml"
}

// addAttachment records a file with its hash and sniffed type, and flags a
// name that does not fit the bytes.
func (r *Report) addAttachment(p *mimetree.Part, kind Kind, source string) {
	sum := sha256.Sum256(p.Body)
	r.Attachments = append(r.Attachments, Attachment{
		Filename: p.Filename, Names: p.Names, ContentType: p.MediaType,
		Sniffed: kind, Size: len(p.Body), SHA256: hex.EncodeToString(sum[:]), Source: source,
	})

	for _, name := range namesOf(p) {
		if kind != KindUnknown && !kindMatchesName(kind, name) {
			r.addAnomaly(AnomalyTypeMismatch, source, "%q is named %s but its bytes are %s",
				cut(name), extension(name), kind)
		}
	}
}

// namesOf returns every name of a part, the normalised one first.
func namesOf(p *mimetree.Part) []string {
	names := []string{}
	if p.Filename != "" {
		names = append(names, p.Filename)
	}
	for _, n := range p.Names {
		if n != p.Filename {
			names = append(names, n)
		}
	}
	return names
}

// scanText extracts links from a text part. A part whose charset could not
// be decoded is searched in its raw bytes too, so that a bad label never
// hides a URL.
func (r *Report) scanText(p *mimetree.Part, source string) {
	text := p.Text
	if text == "" {
		text = string(p.Body)
	}
	r.addLinks(links.FromText(text, source))
	if p.Text != "" && p.Text != string(p.Body) {
		r.addNewLinks(links.FromText(string(p.Body), source))
	}
}

// scanHTML extracts links, forms and redirects from an HTML body or file.
func (r *Report) scanHTML(p *mimetree.Part, source string, lim Limits) {
	doc := []byte(p.Text)
	if len(doc) == 0 {
		doc = p.Body
	}
	h := links.FromHTML(doc, source, lim.HTML)
	r.addLinks(h.Links)
	for _, f := range h.Forms {
		r.Forms = append(r.Forms, Form{
			Action: f.Action, Domain: f.Domain, Method: f.Method,
			HasPassword: f.Password, Source: f.Source,
		})
	}
	for _, rd := range h.Redirects {
		r.Redirects = append(r.Redirects, convertLink(rd.Link))
	}
	for _, a := range h.Anomalies {
		r.addAnomaly(a.Name, source, "%s", a.Detail)
	}
}

func convertLink(l links.Link) Link {
	return Link{URL: l.URL, Domain: l.Domain, Host: l.Host, Via: l.Via, Source: l.Source, Text: l.Text}
}

func (r *Report) addLinks(found []links.Link) {
	for _, l := range found {
		r.Links = append(r.Links, convertLink(l))
	}
}

// addNewLinks adds only the links whose URL is not in the report yet.
func (r *Report) addNewLinks(found []links.Link) {
	seen := map[string]bool{}
	for _, l := range r.Links {
		seen[l.URL] = true
	}
	for _, l := range found {
		if !seen[l.URL] {
			seen[l.URL] = true
			r.Links = append(r.Links, convertLink(l))
		}
	}
}

func (r *Report) addAnomaly(name, source, format string, args ...any) {
	r.Anomalies = append(r.Anomalies, Anomaly{Name: name, Detail: fmt.Sprintf(format, args...), Source: source})
}

// maxEchoedName is how many bytes of a file name an anomaly quotes; names
// are attacker-chosen and a detail line must stay readable.
const maxEchoedName = 120

func cut(s string) string {
	if len(s) <= maxEchoedName {
		return s
	}
	return s[:maxEchoedName] + "…"
}
