// Package scanner opens every part of a message the way a suspicious analyst
// would and returns a Report of what it contains. The Report lists parts,
// attachments with their real types and hashes, links with where they were
// found, QR codes, HTML forms and redirects, and every fault tolerated on
// the way.
//
// The scanner never touches the network, keeps no state between messages,
// never logs and never scores. It never fails: a part it cannot read, a
// limit it reaches or a fault it tolerates becomes an Anomaly in the Report,
// so that no broken message looks clean.
//
// Config keys read (section [scanner]): the fields of Limits.
//
// Limitations: 7z and rar archives, encrypted zip entries and PDFs, and
// legacy OLE2 Office files are recorded with their sniffed type and hash
// and flagged, but not opened. EMF and WMF images are flagged unscanned.
package scanner

import (
	"context"
	"fmt"
	"strings"

	"github.com/holdfast/holdfast/scanner/links"
	"github.com/holdfast/holdfast/scanner/mimetree"
	"github.com/holdfast/holdfast/scanner/ooxml"
	"github.com/holdfast/holdfast/scanner/pdf"
	"github.com/holdfast/holdfast/scanner/qr"
	"github.com/holdfast/holdfast/scanner/safezip"
)

// Limits bounds the work done on one message. Zero values select the
// defaults of the sub-packages.
type Limits struct {
	MIME   mimetree.Limits
	HTML   links.Limits
	QR     qr.Limits
	Zip    safezip.Limits
	Office ooxml.Limits
	PDF    pdf.Limits
	// MaxFileDepth caps how deep files nest inside files (a zip in a zip,
	// a document embedded in a PDF). Default DefaultMaxFileDepth.
	MaxFileDepth int
	// MaxGzipBytes caps the decompressed size of one gzip file. Default
	// DefaultMaxGzipBytes.
	MaxGzipBytes int64
}

// Defaults of Limits.
const (
	// DefaultMaxFileDepth bounds files nested in files. Real mail nests an
	// archive in an archive, or a document in a PDF, two or three levels
	// deep, and deeper nesting exists to exhaust scanners.
	DefaultMaxFileDepth = 6
	// DefaultMaxGzipBytes matches the default per-entry cap of zip
	// archives, so both containers give up at the same size.
	DefaultMaxGzipBytes = safezip.DefaultMaxEntryBytes
)

func (l Limits) withDefaults() Limits {
	if l.MaxFileDepth == 0 {
		l.MaxFileDepth = DefaultMaxFileDepth
	}
	if l.MaxGzipBytes == 0 {
		l.MaxGzipBytes = DefaultMaxGzipBytes
	}
	return l
}

// Anomaly names raised by this package itself. The sub-packages add their
// own.
const (
	// AnomalyTypeMismatch: an attachment's bytes are not the kind its
	// name's extension claims.
	AnomalyTypeMismatch = "ATTACHMENT_TYPE_MISMATCH"
	// AnomalyScanTimeout: the scan stopped at its deadline with parts left.
	AnomalyScanTimeout = "SCAN_TIMEOUT"
	// AnomalyFileDepth: files nested deeper than Limits.MaxFileDepth.
	AnomalyFileDepth = "FILE_DEPTH_LIMIT"
	// AnomalyArchiveUnscanned: an archive format that is recognised but
	// not opened (7z, rar), or an encrypted or unreadable archive.
	AnomalyArchiveUnscanned = "ARCHIVE_UNSCANNED"
	// AnomalyLegacyOffice: an OLE2 file (a .doc, .xls or .ppt of Office
	// 97-2003), which may carry macros and is not opened.
	AnomalyLegacyOffice = "OLE2_UNSCANNED"
	// AnomalyGzipInvalid: a gzip stream that does not decompress.
	AnomalyGzipInvalid = "GZIP_INVALID"
	// AnomalyGzipLimit: a gzip stream larger than Limits.MaxGzipBytes.
	AnomalyGzipLimit = "GZIP_SIZE_LIMIT"
)

// Scanner scans messages. It keeps one piece of state between messages, a
// cache of QR decoding results keyed by image hash, because campaigns send
// the same image hundreds of times. It is safe for concurrent use.
type Scanner struct {
	lim Limits
	qr  *qr.Decoder
}

// New returns a Scanner bounded by lim.
func New(lim Limits) *Scanner {
	lim = lim.withDefaults()
	return &Scanner{lim: lim, qr: qr.NewDecoder(lim.QR)}
}

// Scan parses raw (a whole RFC 5322 message) and returns what it contains.
// When ctx ends, Scan stops between parts and records AnomalyScanTimeout
// with the number of parts left; the Report keeps what was found so far.
func (s *Scanner) Scan(ctx context.Context, raw []byte) *Report {
	msg := mimetree.Parse(raw, s.lim.MIME)
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
	for _, f := range msg.Header {
		r.Headers = append(r.Headers, Header{Name: f.Name, Value: f.Value})
	}
	for _, a := range msg.Anomalies {
		r.Anomalies = append(r.Anomalies, Anomaly{Name: a.Name, Detail: a.Detail, Source: partLabel(a.Path)})
	}

	// Every image of the message shares one QR time budget.
	qctx, cancel := s.qr.WithMessageBudget(ctx)
	defer cancel()
	m := &session{s: s, r: r, ctx: qctx}
	for i, p := range msg.Parts {
		if err := ctx.Err(); err != nil {
			r.addAnomaly(AnomalyScanTimeout, "", "scan stopped with %d of %d parts left: %v",
				len(msg.Parts)-i, len(msg.Parts), err)
			break
		}
		m.part(p)
	}
	return r
}

// session is the state of one message's scan.
type session struct {
	s   *Scanner
	r   *Report
	ctx context.Context
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
