package mimetree

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// normalizeNewlines returns raw with every bare LF turned into CRLF, and
// whether raw mixed both forms. raw itself is returned when it has no bare LF.
func normalizeNewlines(raw []byte) ([]byte, bool) {
	lf := bytes.Count(raw, []byte("\n"))
	crlf := bytes.Count(raw, []byte("\r\n"))
	if lf == crlf {
		return raw, false
	}

	out := make([]byte, 0, len(raw)+lf-crlf)
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out, crlf > 0
}

// nextLine returns the line starting at b[0] without its CRLF or LF, and the
// rest of b after the line ending.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	line, rest = b[:i], b[i+1:]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}

// headerReader reads one header block. It is lenient where mail clients
// are: an mbox "From " line is skipped, an unindented line that looks like
// a parameter continues the field above, and a bad field name is kept.
type headerReader struct {
	w    *walker
	path string
	// budget is the field bytes still kept, or -1 for the top level, which
	// has no cap.
	budget int
	// limit is the initial budget, for the limit detail.
	limit int
	// observed is the header size seen, for the limit detail.
	observed int
	fields   []Field
	lines    [][]byte
	name     string
}

// readHeader returns the fields of the header block at the start of b and
// the body after it. budget is the field bytes kept, or -1 for no cap. mbox
// allows a leading mbox "From " line.
func (w *walker) readHeader(b []byte, path string, budget int, mbox bool) ([]Field, []byte) {
	r := &headerReader{w: w, path: path, budget: budget, limit: budget}
	if mbox && bytes.HasPrefix(b, []byte("From ")) {
		line, rest := nextLine(b)
		w.add(anomaly(AnomalyMboxFrom, path, "mbox separator %q skipped", cutBytes(line)))
		b = rest
	}

	for len(b) > 0 {
		line, rest := nextLine(b)
		if len(line) == 0 {
			r.flush()
			r.reportSize()
			return r.fields, rest
		}
		if !r.take(line) {
			w.add(anomaly(AnomalyNoHeaderEnd, path,
				"header ended without an empty line before %q", cutBytes(line)))
			r.flush()
			r.reportSize()
			return r.fields, b
		}
		b = rest
	}
	r.flush()
	r.reportSize()
	return r.fields, nil
}

// take consumes one header line. It returns false when the line cannot
// belong to the header, which then ends before it.
func (r *headerReader) take(line []byte) bool {
	r.observed += len(line) + 2
	if line[0] == ' ' || line[0] == '\t' {
		if r.lines == nil {
			r.w.add(anomaly(AnomalyBadHeaderLine, r.path,
				"continuation line %q has no field above it", cutBytes(line)))
			return true
		}
		r.lines = append(r.lines, line)
		return true
	}

	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		// QUIRK: RFC 5322 §2.2.3 requires indented continuation lines, but
		// some senders break a parameter list onto a bare line, and clients
		// read it as part of the field above.
		if r.lines != nil && (looksLikeParam(line) || endsWithSeparator(r.lines)) {
			r.w.add(anomaly(AnomalyUnfoldedLine, r.path,
				"unindented line %q read as continuation of %q", cutBytes(line), cut(r.name)))
			r.lines = append(r.lines, line)
			return true
		}
		return false
	}

	r.flush()
	name := strings.TrimRight(string(line[:colon]), " \t")
	if name == "" {
		r.w.add(anomaly(AnomalyBadHeaderLine, r.path, "header line %q has no field name",
			cutBytes(line)))
		return true
	}
	if !validFieldName(name) {
		r.w.add(anomaly(AnomalyBadHeaderName, r.path, "field name %q is invalid", cut(name)))
	}
	r.name = name
	r.lines = [][]byte{line[colon+1:]}
	return true
}

// flush turns the collected lines into a Field, unless it does not fit in
// the remaining budget.
func (r *headerReader) flush() {
	if r.lines == nil {
		return
	}
	lines := r.lines
	r.lines = nil
	size := len(r.name) + 1
	for _, l := range lines {
		size += len(l) + 2
	}

	if r.budget >= 0 {
		if size > r.budget {
			return
		}
		r.budget -= size
	} else if size > largeHeaderFieldBytes {
		r.w.add(anomaly(AnomalyHeaderFieldLarge, r.path, "field %q is %d bytes > %d",
			cut(r.name), size, largeHeaderFieldBytes))
	}

	value := unfold(lines)
	if !utf8.ValidString(value) {
		r.w.add(anomaly(AnomalyHeader8Bit, r.path, "field %q holds raw 8-bit bytes %q",
			cut(r.name), cut(value)))
	}
	r.fields = append(r.fields, Field{Name: r.name, Value: value})
}

// reportSize adds the part header limit anomaly when fields were dropped.
func (r *headerReader) reportSize() {
	if r.limit >= 0 && r.observed > r.limit {
		r.w.add(anomaly(AnomalyPartHeaderLimit, r.path,
			"part header %d bytes > %d; fields past the limit dropped", r.observed, r.limit))
	}
}

// unfold joins the lines of one field. Folding whitespace is kept as RFC
// 5322 §2.2.3 says, and an unindented continuation gets one space.
func unfold(lines [][]byte) string {
	if len(lines) == 1 {
		return strings.TrimSpace(string(lines[0]))
	}
	var sb strings.Builder
	for i, l := range lines {
		if i > 0 && len(l) > 0 && l[0] != ' ' && l[0] != '\t' {
			sb.WriteByte(' ')
		}
		sb.Write(l)
	}
	return strings.TrimSpace(sb.String())
}

// looksLikeParam reports whether line starts like "name=value".
func looksLikeParam(line []byte) bool {
	line = bytes.TrimLeft(line, " \t")
	eq := bytes.IndexByte(line, '=')
	if eq <= 0 {
		return false
	}
	return bytes.IndexAny(line[:eq], " \t\"") < 0
}

// endsWithSeparator reports whether the field so far ends with ";" or ",",
// so that it plainly continues on the next line.
func endsWithSeparator(lines [][]byte) bool {
	last := bytes.TrimRight(lines[len(lines)-1], " \t")
	n := len(last)
	return n > 0 && (last[n-1] == ';' || last[n-1] == ',')
}

// validFieldName reports whether name holds only the printable US-ASCII
// bytes RFC 5322 §2.2 allows in a field name.
func validFieldName(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// HeaderValue returns the value of the first field called name, compared
// case-insensitively, or "" when there is none.
func HeaderValue(fields []Field, name string) string {
	for _, f := range fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// HeaderValues returns the values of every field called name, in order.
func HeaderValues(fields []Field, name string) []string {
	var out []string
	for _, f := range fields {
		if strings.EqualFold(f.Name, name) {
			out = append(out, f.Value)
		}
	}
	return out
}
