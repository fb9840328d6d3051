package pdf

import "fmt"

// Anomaly names raised by this package. They are stable identifiers:
// scoring rules match on them.
const (
	// AnomalyMalformed: a structural fault was tolerated, such as a missing
	// header or %%EOF, an unterminated object or a stream that does not
	// decode. One anomaly is raised per kind of fault, with a count.
	AnomalyMalformed = "PDF_MALFORMED"
	// AnomalyEncrypted: the document names an /Encrypt dictionary, so its
	// strings and streams could not be read.
	AnomalyEncrypted = "PDF_ENCRYPTED"
	// AnomalyJavaScript: the document carries JavaScript.
	AnomalyJavaScript = "PDF_JAVASCRIPT"
	// AnomalyLaunchAction: an action starts a program or opens a file.
	AnomalyLaunchAction = "PDF_LAUNCH_ACTION"
	// AnomalyEmbeddedFile: the document carries an embedded file.
	AnomalyEmbeddedFile = "PDF_EMBEDDED_FILE"
	// AnomalyAutoAction: an action runs when the document or a page opens
	// (/OpenAction or /AA) and is not a plain jump to a page.
	AnomalyAutoAction = "PDF_AUTO_ACTION"
	// AnomalyImageUnscanned: an image is in a format the QR stage cannot
	// read (JBIG2, JPEG 2000, CCITT fax, or an unsupported colour space).
	AnomalyImageUnscanned = "PDF_IMAGE_UNSCANNED"

	// AnomalyLimitObjects: more indirect objects than Limits.MaxObjects.
	AnomalyLimitObjects = "PDF_LIMIT_OBJECTS"
	// AnomalyLimitStreamBytes: a stream decodes to more than
	// Limits.MaxStreamBytes.
	AnomalyLimitStreamBytes = "PDF_LIMIT_STREAM_BYTES"
	// AnomalyLimitTotalBytes: all streams together decode to more than
	// Limits.MaxTotalBytes.
	AnomalyLimitTotalBytes = "PDF_LIMIT_TOTAL_BYTES"
	// AnomalyLimitImages: more images than Limits.MaxImages.
	AnomalyLimitImages = "PDF_LIMIT_IMAGES"
	// AnomalyLimitImagePixels: a raw image is larger than
	// Limits.MaxImagePixels.
	AnomalyLimitImagePixels = "PDF_LIMIT_IMAGE_PIXELS"
	// AnomalyLimitEmbeddedBytes: embedded files go past
	// Limits.MaxEmbeddedBytes.
	AnomalyLimitEmbeddedBytes = "PDF_LIMIT_EMBEDDED_BYTES"
	// AnomalyLimitDepth: arrays, dictionaries or chains nest deeper than
	// Limits.MaxDepth.
	AnomalyLimitDepth = "PDF_LIMIT_DEPTH"
	// AnomalyLimitTokens: the work cap Limits.MaxTokens was reached, so the
	// rest of the document was not read.
	AnomalyLimitTokens = "PDF_LIMIT_TOKENS"
	// AnomalyLimitLinks: more links than Limits.MaxLinks.
	AnomalyLimitLinks = "PDF_LIMIT_LINKS"
	// AnomalyLimitText: page text went past Limits.MaxTextBytes.
	AnomalyLimitText = "PDF_LIMIT_TEXT"
)

// faults counts the occurrences of one kind of fault, so that a file with
// a thousand broken streams yields one anomaly instead of a thousand.
type faults struct {
	anomaly string
	count   int
	first   string // detail of the first occurrence
}

// malformed records one structural fault of the given kind.
func (p *parser) malformed(kind, format string, args ...any) {
	p.tally(AnomalyMalformed, kind, format, args...)
}

// tally records one occurrence of a kind of fault under an anomaly name.
func (p *parser) tally(anomaly, kind, format string, args ...any) {
	key := anomaly + " " + kind
	f := p.faults[key]
	if f == nil {
		f = &faults{anomaly: anomaly, first: kind + ": " + fmt.Sprintf(format, args...)}
		p.faults[key] = f
		p.faultOrder = append(p.faultOrder, key)
	}
	f.count++
}

// limit records a limit reached, once per limit name.
func (p *parser) limit(anomaly string, observed string, limit int, where string) {
	if p.limitsHit[anomaly] {
		return
	}
	p.limitsHit[anomaly] = true
	p.anomaly(anomaly, fmt.Sprintf("%s: %s > %d", where, observed, limit))
}

func (p *parser) anomaly(n, detail string) {
	p.doc.Anomalies = append(p.doc.Anomalies, Anomaly{Name: n, Detail: detail})
}

// flushFaults turns the counted faults into anomalies.
func (p *parser) flushFaults() {
	for _, key := range p.faultOrder {
		f := p.faults[key]
		detail := f.first
		if f.count > 1 {
			detail += fmt.Sprintf(" (and %d more)", f.count-1)
		}
		p.anomaly(f.anomaly, detail)
	}
}

// cut returns s shortened to maxQuoted bytes, for quoting in a detail.
func cut(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	for i := maxQuoted; i > maxQuoted-4 && i > 0; i-- {
		if s[i]&0xC0 != 0x80 { // do not split a UTF-8 sequence
			return s[:i] + "…"
		}
	}
	return s[:maxQuoted] + "…"
}
