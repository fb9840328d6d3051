package scanner

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/holdfast/holdfast/scanner/links"
	"github.com/holdfast/holdfast/scanner/mimetree"
	"github.com/holdfast/holdfast/scanner/ooxml"
	"github.com/holdfast/holdfast/scanner/pdf"
	"github.com/holdfast/holdfast/scanner/qr"
	"github.com/holdfast/holdfast/scanner/safezip"
)

// sep joins the steps of a provenance path, as in
// "invoice.zip › invoice.docx › word/media/image1.png › qr".
const sep = " › "

// part records one leaf MIME part and opens what it carries.
func (m *session) part(p *mimetree.Part) {
	source := p.Source
	if source == "" {
		source = partLabel(p.Path)
	}
	kind := Sniff(p.Body)
	m.r.Parts = append(m.r.Parts, Part{
		Path: p.Path, Source: source, ContentType: p.MediaType,
		Charset: p.Charset, Filename: p.Filename, Size: len(p.Body),
	})

	if !isAttachment(p, kind) {
		if p.MediaType == "text/html" || kind == KindHTML {
			m.html([]byte(textOf(p)), source)
		} else {
			m.text(p, source)
		}
		return
	}

	if p.Filename != "" {
		source += sep + p.Filename
	}
	m.addAttachment(p.Filename, p.Names, p.MediaType, p.Body, kind, source)
	data := p.Body
	if kind == KindHTML || (kind == KindUnknown && IsHTMLName(p.Filename)) {
		// A charset-decoded HTML attachment reads as its author meant.
		data = []byte(textOf(p))
	}
	m.open(p.Filename, data, kind, source, 0)
}

// textOf returns a text part's UTF-8 text, or its raw bytes when the
// charset could not be decoded.
func textOf(p *mimetree.Part) string {
	if p.Text != "" {
		return p.Text
	}
	return string(p.Body)
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
	return ext == ".htm" || ext == ".html" || ext == ".xhtml" || ext == ".shtml" || ext == ".svg"
}

// addAttachment records a file with its hash and sniffed type, and flags a
// name that does not fit the bytes.
func (m *session) addAttachment(name string, names []string, mediaType string, data []byte, kind Kind, source string) {
	sum := sha256.Sum256(data)
	m.r.Attachments = append(m.r.Attachments, Attachment{
		Filename: name, Names: names, ContentType: mediaType,
		Sniffed: kind, Size: len(data), SHA256: hex.EncodeToString(sum[:]), Source: source,
	})

	all := []string{}
	if name != "" {
		all = append(all, name)
	}
	for _, n := range names {
		if n != name {
			all = append(all, n)
		}
	}
	for _, n := range all {
		if kind != KindUnknown && !kindMatchesName(kind, n) {
			m.r.addAnomaly(AnomalyTypeMismatch, source, "%q is named %s but its bytes are %s",
				cut(n), extension(n), kind)
		}
	}
}

// open scans the content of a file by the kind its bytes show, whatever
// its name claims. depth counts the files it sits inside.
func (m *session) open(name string, data []byte, kind Kind, source string, depth int) {
	if depth > m.s.lim.MaxFileDepth {
		m.r.addAnomaly(AnomalyFileDepth, source, "file nested %d deep > limit %d: not opened",
			depth, m.s.lim.MaxFileDepth)
		return
	}
	// A file whose first bytes show another kind but which ends like a zip
	// is opened as both. A PDF or an image can carry a whole archive
	// behind it, and zip readers find it from the end.
	if kind != KindZip && HasZipTrailer(data) {
		m.zip(data, source, depth)
	}
	switch kind {
	case KindPNG, KindJPEG, KindGIF, KindBMP, KindTIFF, KindWebP:
		m.image(data, source)
	case KindHTML:
		m.html(data, source)
	case KindZip:
		m.zip(data, source, depth)
	case KindPDF:
		m.pdf(data, source, depth)
	case KindGzip:
		m.gzip(name, data, source, depth)
	case KindTar:
		m.tar(data, source, depth)
	case KindRTF:
		m.rtf(data, source)
	case Kind7z, KindRar:
		m.r.addAnomaly(AnomalyArchiveUnscanned, source, "%s archive of %d bytes is not opened", kind, len(data))
	case KindOLE2:
		m.r.addAnomaly(AnomalyLegacyOffice, source, "OLE2 file of %d bytes (legacy Office or MSI) is not opened", len(data))
	case KindUnknown:
		if IsHTMLName(name) {
			m.html(data, source)
		} else if isText(data) {
			m.textLinks(string(data), source)
		}
	}
}

// zip opens an archive as an Office document or as a plain archive.
func (m *session) zip(data []byte, source string, depth int) {
	if isOffice(data) {
		m.office(data, source, depth)
	} else {
		m.archive(data, source, depth)
	}
}

// isOffice reports whether a zip archive is an OOXML package: its central
// directory, which stores names uncompressed, lists [Content_Types].xml.
func isOffice(data []byte) bool {
	return bytes.Contains(data, []byte("[Content_Types].xml"))
}

// textProbeBytes is how much of a file isText inspects.
const textProbeBytes = 4096

// isText reports whether data looks like text: no NUL byte in its first
// textProbeBytes.
func isText(data []byte) bool {
	head := data
	if len(head) > textProbeBytes {
		head = head[:textProbeBytes]
	}
	return len(head) > 0 && bytes.IndexByte(head, 0) < 0
}

// nested records a file found inside another and opens it in turn.
func (m *session) nested(name, mediaType string, data []byte, source string, depth int) {
	kind := Sniff(data)
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	m.addAttachment(base, nil, mediaType, data, kind, source)
	m.open(base, data, kind, source, depth+1)
}

func (m *session) office(data []byte, source string, depth int) {
	doc := ooxml.Open(data, source, m.s.lim.Office)
	for _, l := range doc.Links {
		m.addURL(l.URL, l.Via, l.Source, l.Tooltip)
	}
	for _, img := range doc.Images {
		m.image(img.Data, img.Source)
	}
	for _, f := range doc.Embedded {
		m.nested(f.Name, f.ContentType, f.Data, f.Source, depth)
	}
	for _, t := range doc.Text {
		m.textLinks(t.Text, t.Source)
	}
	for _, a := range doc.Anomalies {
		m.r.addAnomaly(a.Name, a.Source, "%s", a.Detail)
	}
}

func (m *session) pdf(data []byte, source string, depth int) {
	doc := pdf.Open(data, source, m.s.lim.PDF)
	for _, l := range doc.Links {
		m.addURL(l.URL, "pdf-"+l.Via, l.Source, "")
	}
	for _, img := range doc.Images {
		m.image(img.Data, img.Source)
	}
	for _, f := range doc.EmbeddedFiles {
		m.nested(f.Name, "", f.Data, f.Source, depth)
	}
	for _, a := range doc.Anomalies {
		m.r.addAnomaly(a.Name, source, "%s", a.Detail)
	}
}

func (m *session) archive(data []byte, source string, depth int) {
	a, err := safezip.Open(data, m.s.lim.Zip)
	if err != nil {
		m.r.addAnomaly(AnomalyArchiveUnscanned, source, "zip archive is unreadable: %v", err)
		return
	}
	for _, an := range a.Anomalies {
		m.r.addAnomaly(an.Name, source, "%s", an.Detail)
	}
	for _, e := range a.Entries {
		if e.Dir {
			continue
		}
		entrySource := source + sep + e.Name
		content, err := a.Read(e)
		if err != nil {
			m.r.addAnomaly(AnomalyArchiveUnscanned, entrySource, "entry not read: %v", err)
			continue
		}
		m.nested(e.Name, "", content, entrySource, depth)
	}
}

func (m *session) gzip(name string, data []byte, source string, depth int) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		m.r.addAnomaly(AnomalyGzipInvalid, source, "gzip header is invalid: %v", err)
		return
	}
	limit := m.s.lim.MaxGzipBytes
	content, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		m.r.addAnomaly(AnomalyGzipInvalid, source, "gzip stream is damaged after %d bytes: %v", len(content), err)
	}
	if int64(len(content)) > limit {
		m.r.addAnomaly(AnomalyGzipLimit, source, "decompressed size > limit %d bytes: not opened", limit)
		return
	}
	inner := zr.Name
	if inner == "" {
		inner = strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".tgz")
	}
	m.nested(inner, "", content, source+sep+inner, depth)
}

// image decodes the QR codes of one image and records each with the link
// it carries.
func (m *session) image(data []byte, source string) {
	res := m.s.qr.Decode(m.ctx, data)
	for _, a := range res.Anomalies {
		m.r.addAnomaly(a.Name, source, "%s", a.Detail)
	}
	m.addQRCodes(res.Codes, source+sep+"qr")
}

func (m *session) addQRCodes(codes []qr.Code, source string) {
	for _, c := range codes {
		text := qrText(c)
		m.r.QRCodes = append(m.r.QRCodes, QRCode{Text: text, Source: source, Region: c.Region})
		found := links.FromText(text, source)
		if len(found) == 0 {
			found = bareDomainLink(text, source)
		}
		for _, l := range found {
			l.Via = "qr"
			m.r.Links = append(m.r.Links, convertLink(l))
		}
	}
}

// qrText returns the code's text, repaired when the symbol carries UTF-8
// without an ECI designator. Decoders read such byte segments as Latin-1,
// so a text whose runes all fit in Latin-1 and whose Latin-1 bytes form
// valid multi-byte UTF-8 is read again as UTF-8. Numeric and alphanumeric
// segments are ASCII and pass through unchanged.
func qrText(c qr.Code) string {
	latin1 := make([]byte, 0, len(c.Text))
	wide := false
	for _, r := range c.Text {
		if r > 0xFF {
			return c.Text
		}
		if r >= 0x80 {
			wide = true
		}
		latin1 = append(latin1, byte(r))
	}
	if wide && utf8.Valid(latin1) {
		return string(latin1)
	}
	return c.Text
}

// bareDomainLink reads a QR text such as "evil.example/login", which
// phone cameras open as a web address, as an http URL.
func bareDomainLink(text, source string) []links.Link {
	text = strings.TrimSpace(text)
	if text == "" || strings.ContainsAny(text, " \t\r\n") || !strings.Contains(text, ".") {
		return nil
	}
	return links.FromText("http://"+text, source)
}

// html extracts links, forms, redirects and images from an HTML body or
// file, and decodes QR codes drawn with table cells or block characters.
func (m *session) html(doc []byte, source string) {
	h := links.FromHTML(doc, source, m.s.lim.HTML)
	m.r.addLinks(h.Links)
	for _, f := range h.Forms {
		m.r.Forms = append(m.r.Forms, Form{
			Action: f.Action, Domain: f.Domain, Method: f.Method,
			HasPassword: f.Password, Source: f.Source,
		})
	}
	for _, rd := range h.Redirects {
		m.r.Redirects = append(m.r.Redirects, convertLink(rd.Link))
	}
	for _, a := range h.Anomalies {
		m.r.addAnomaly(a.Name, source, "%s", a.Detail)
	}
	for _, img := range h.Images {
		if img.Data != nil {
			m.image(img.Data, img.Source+sep+"data: image")
		}
	}
	m.addQRCodes(qr.FromHTMLGrid(doc), source+sep+"html grid qr")
	m.addQRCodes(qr.FromBlockText(h.Text), source+sep+"block character qr")
}

// text extracts links from a text body, searching the raw bytes too when
// the charset could not be decoded, so that a bad label never hides a URL.
func (m *session) text(p *mimetree.Part, source string) {
	m.textLinks(textOf(p), source)
	if p.Text != "" && p.Text != string(p.Body) {
		m.r.addNewLinks(links.FromText(string(p.Body), source))
	}
}

// textLinks extracts links and block-character QR codes from text.
func (m *session) textLinks(text, source string) {
	m.r.addLinks(links.FromText(text, source))
	m.addQRCodes(qr.FromBlockText(text), source+sep+"block character qr")
}

// addURL normalises a URL found in a document and records it. A URL that
// does not parse is kept as written, with no domain, and flagged as
// URL_INVALID.
func (m *session) addURL(raw, via, source, text string) {
	l := Link{URL: raw, Via: via, Source: source, Text: text}
	u, err := links.Normalize(raw, nil)
	if err != nil {
		m.r.addAnomaly(links.AnomalyInvalidURL, source, "%s URL %q does not parse: %v", via, cut(raw), err)
	} else {
		l.URL = u.String()
		l.Host = u.Hostname()
		l.Domain = links.RegistrableDomain(l.Host)
	}
	m.r.Links = append(m.r.Links, l)
}
