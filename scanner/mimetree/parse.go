package mimetree

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxReadings bounds the readings of one entity whose Content-Type or
// Content-Transfer-Encoding repeats. Arbitrary: two repeats of each field
// already cover every trick seen in the wild.
const maxReadings = 4

// walker is the state of one Parse call.
type walker struct {
	lim      Limits
	msg      *Message
	entities int
	decoded  int64
	// stopped is set once MaxParts is passed, and nothing more is produced.
	stopped     bool
	decodedFull bool
}

// position locates an entity in the tree.
type position struct {
	// path is the dotted position from the top of the message.
	path string
	// rel is the dotted position inside the innermost embedded message.
	rel string
	// prefix starts Source: the embedded messages and readings on the way.
	prefix string
	depth  int
}

func (p position) child(n int) position {
	c := p
	c.path = joinPath(p.path, n)
	c.rel = joinPath(p.rel, n)
	c.depth++
	return c
}

func (p position) source() string {
	if p.rel == "" {
		return p.prefix + "body"
	}
	return p.prefix + "part " + p.rel
}

func joinPath(path string, n int) string {
	if path == "" {
		return strconv.Itoa(n)
	}
	return path + "." + strconv.Itoa(n)
}

// Parse reads raw as an RFC 5322 message and returns its leaf parts with
// their transfer encodings removed. It never fails: faults it tolerates and
// limits it hits are listed in Message.Anomalies, and the parts found up to
// that point are kept. The caller bounds the size of raw.
func Parse(raw []byte, lim Limits) *Message {
	w := &walker{lim: lim.resolve(), msg: &Message{}}
	w.message(raw, position{}, -1, true)
	return w.msg
}

func (w *walker) add(a Anomaly) {
	w.msg.Anomalies = append(w.msg.Anomalies, a)
}

// message parses a whole message: the top level or an embedded one.
func (w *walker) message(raw []byte, pos position, budget int, top bool) {
	raw, mixed := normalizeNewlines(raw)
	if mixed {
		w.add(anomaly(AnomalyMixedLineEndings, pos.path, "message mixes CRLF and bare LF"))
	}
	hdr, body := w.readHeader(raw, pos.path, budget, true)
	if top {
		w.msg.Header = hdr
	}
	w.entity(hdr, body, pos, "text/plain")
}

// reading is one interpretation of an entity's MIME fields.
type reading struct {
	contentType string
	encoding    string
}

// readings returns each combination of the distinct Content-Type and
// Content-Transfer-Encoding values, so that a repeated field cannot hide a
// part from the scan whichever value a client honours.
func readings(hdr []Field) []reading {
	types := distinct(HeaderValues(hdr, "Content-Type"))
	encodings := distinct(HeaderValues(hdr, "Content-Transfer-Encoding"))
	var out []reading
	for _, t := range types {
		for _, e := range encodings {
			if len(out) < maxReadings {
				out = append(out, reading{contentType: t, encoding: e})
			}
		}
	}
	return out
}

// distinct returns the distinct values in order, or [""] for none.
func distinct(values []string) []string {
	var out []string
	for _, v := range values {
		if !containsString(out, v) {
			out = append(out, v)
		}
	}
	if out == nil {
		out = []string{""}
	}
	return out
}

// singleFields are fields that RFC 2045 and RFC 2183 allow once.
var singleFields = []string{"Content-Type", "Content-Transfer-Encoding",
	"Content-Disposition", "MIME-Version"}

// entity parses one MIME entity under each of its readings.
func (w *walker) entity(hdr []Field, body []byte, pos position, defaultType string) {
	if !w.count(pos.path) {
		return
	}
	for _, name := range singleFields {
		if vs := HeaderValues(hdr, name); len(vs) > 1 {
			w.add(anomaly(AnomalyDuplicateHeader, pos.path, "%s appears %d times: %q",
				name, len(vs), cut(strings.Join(vs, " | "))))
		}
	}
	for i, rd := range readings(hdr) {
		p := pos
		if i > 0 {
			p.prefix = fmt.Sprintf("%sreading %d › ", pos.prefix, i+1)
		}
		w.entityAs(hdr, body, p, rd, defaultType)
	}
}

// count charges one entity against MaxParts and reports false past it.
func (w *walker) count(path string) bool {
	if w.stopped {
		return false
	}
	w.entities++
	if w.entities <= w.lim.MaxParts {
		return true
	}
	w.stopped = true
	w.add(anomaly(AnomalyPartLimit, path, "MIME entities %d > %d; the rest is not parsed",
		w.entities, w.lim.MaxParts))
	return false
}

// entityAs parses one entity under one reading of its fields.
func (w *walker) entityAs(hdr []Field, body []byte, pos position, rd reading, def string) {
	mediaType, params := parseParams(rd.contentType)
	if !strings.Contains(mediaType, "/") {
		mediaType = def
	}
	w.reportDuplicateParams("Content-Type", params, pos.path)

	nested := strings.HasPrefix(mediaType, "multipart/") ||
		mediaType == "message/rfc822" || mediaType == "message/global"
	if nested && pos.depth >= w.lim.MaxDepth {
		w.add(anomaly(AnomalyDepthLimit, pos.path,
			"nesting depth %d > %d; %s kept as one raw part", pos.depth+1, w.lim.MaxDepth,
			mediaType))
		w.leaf(hdr, body, pos, reading{contentType: rd.contentType}, mediaType, params)
		return
	}

	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		w.multipart(mediaType, params, body, pos)
	case nested:
		w.embedded(hdr, body, pos, rd, mediaType, params)
	default:
		w.leaf(hdr, body, pos, rd, mediaType, params)
	}
}

// multipart parses the body parts of a multipart entity.
func (w *walker) multipart(mediaType string, params []param, body []byte, pos position) {
	bounds := w.boundaries(params, body, pos.path)
	if len(bounds) == 0 {
		w.add(anomaly(AnomalyNoBoundary, pos.path,
			"%s body has no delimiter line; kept as one text part", mediaType))
		w.leaf(nil, body, pos, reading{}, "text/plain", nil)
		return
	}

	def := "text/plain"
	if mediaType == "multipart/digest" {
		def = "message/rfc822"
	}
	for i, b := range bounds {
		p := pos
		if i > 0 {
			p.prefix = fmt.Sprintf("%sboundary %q › ", pos.prefix, cut(b))
		}
		w.bodyParts(b, body, p, def)
	}
}

// bodyParts cuts body at one boundary and parses each part.
func (w *walker) bodyParts(boundary string, body []byte, pos position, def string) {
	s := splitMultipart(body, boundary)
	if s.junk != nil {
		w.add(anomaly(AnomalyBoundaryJunk, pos.path, "delimiter line %q has text after the boundary",
			cutBytes(s.junk)))
	}
	if !s.closed {
		w.add(anomaly(AnomalyUnterminated, pos.path,
			"multipart body ends without close delimiter %q", cut("--"+boundary+"--")))
	}
	if len(s.parts) == 0 {
		w.add(anomaly(AnomalyEmptyMultipart, pos.path,
			"multipart body with boundary %q has no body part; kept as one text part",
			cut(boundary)))
		w.leaf(nil, body, pos, reading{}, "text/plain", nil)
		return
	}
	for i, part := range s.parts {
		if w.stopped {
			return
		}
		child := pos.child(i + 1)
		hdr, partBody := w.readHeader(part, child.path, w.lim.MaxPartHeaderBytes, false)
		w.entity(hdr, partBody, child, def)
	}
}

// embedded parses a message/rfc822 or message/global entity as a message
// of its own, after removing its transfer encoding.
func (w *walker) embedded(hdr []Field, body []byte, pos position, rd reading,
	mediaType string, params []param) {
	holder := &Part{Path: pos.path, TransferEncoding: normalizeToken(rd.encoding)}
	body = w.charge(w.decodeTransfer(holder, body), pos.path)

	_, dparams := parseParams(HeaderValue(hdr, "Content-Disposition"))
	w.addNames(holder, append(paramValues(dparams, "filename"), paramValues(params, "name")...))
	name := holder.Filename
	if name == "" {
		name = "attached message"
	}
	inner := pos
	inner.prefix = pos.source() + " › " + name + " › "
	inner.rel = ""
	inner.depth++
	w.message(body, inner, w.lim.MaxPartHeaderBytes, false)
}

func normalizeToken(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// charge counts decoded bytes against MaxDecodedBytes and cuts data that
// goes past it.
func (w *walker) charge(data []byte, path string) []byte {
	left := w.lim.MaxDecodedBytes - w.decoded
	if int64(len(data)) <= left {
		w.decoded += int64(len(data))
		return data
	}
	if !w.decodedFull {
		w.decodedFull = true
		w.add(anomaly(AnomalyDecodedLimit, path, "decoded bodies %d bytes > %d; the rest is cut",
			w.decoded+int64(len(data)), w.lim.MaxDecodedBytes))
	}
	w.decoded = w.lim.MaxDecodedBytes
	return data[:max(left, 0)]
}

// leaf adds one leaf part and the parts derived from it.
func (w *walker) leaf(hdr []Field, body []byte, pos position, rd reading,
	mediaType string, params []param) {
	p := &Part{
		Path:             pos.path,
		Source:           pos.source(),
		Depth:            pos.depth,
		Header:           hdr,
		MediaType:        mediaType,
		Params:           paramMap(params),
		TransferEncoding: normalizeToken(rd.encoding),
		Origin:           OriginMIME,
	}
	p.Charset = normalizeLabel(p.Params["charset"])

	disposition, dparams := parseParams(HeaderValue(hdr, "Content-Disposition"))
	w.reportDuplicateParams("Content-Disposition", dparams, pos.path)
	p.Disposition = disposition
	w.addNames(p, append(paramValues(dparams, "filename"), paramValues(params, "name")...))

	p.Body = w.charge(w.decodeTransfer(p, body), p.Path)
	if strings.HasPrefix(mediaType, "text/") {
		p.Text = w.decodeText(p)
	}
	w.msg.Parts = append(w.msg.Parts, p)
	w.derived(p, pos)
}

// decodeText converts a text part's body to UTF-8 and reports charset
// faults. Body keeps the raw bytes either way.
func (w *walker) decodeText(p *Part) string {
	label := p.Charset
	if rareCharsets[label] {
		w.add(anomaly(AnomalyCharsetRare, p.Path, "charset %q is rarely used in mail", cut(label)))
	}
	if isASCIILabel(label) && !isASCII(p.Body) {
		w.add(anomaly(AnomalyUndeclared8Bit, p.Path,
			"body labelled %q holds 8-bit bytes", cut(label)))
	}
	if (label == "utf-8" || label == "utf8") && !utf8.Valid(p.Body) {
		w.add(anomaly(AnomalyCharsetFailed, p.Path, "body labelled %q is not valid UTF-8", label))
	}

	text, err := DecodeCharset(label, p.Body)
	switch {
	case errors.Is(err, ErrUnknownCharset):
		w.add(anomaly(AnomalyCharsetUnknown, p.Path, "charset %q is unknown; text guessed",
			cut(label)))
	case err != nil:
		w.add(anomaly(AnomalyCharsetFailed, p.Path, "%v; text guessed", err))
	}
	return text
}
