package mimetree

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// param is one parameter of a Content-Type or Content-Disposition field.
type param struct {
	name  string
	value string
	// raw is the name as written, before RFC 2231 sections are joined.
	raw string
}

// parseParams splits a structured field value into its lower-case leading
// token and its parameters in order, repeats included.
//
// mime.ParseMediaType rejects repeated parameters and unquoted values with
// tspecials. Both are common in hostile mail, so the reading here is
// lenient: an unquoted value runs to the next ";" or the end of the field.
func parseParams(s string) (string, []param) {
	head, rest, _ := strings.Cut(s, ";")
	token := strings.ToLower(strings.TrimSpace(head))

	var out []param
	for rest != "" {
		var p param
		var ok bool
		p, rest, ok = nextParam(rest)
		if ok {
			out = append(out, p)
		}
	}
	return token, joinRFC2231(out)
}

// nextParam reads one "name=value" from s and returns the rest after the
// following ";".
func nextParam(s string) (param, string, bool) {
	s = strings.TrimLeft(s, " \t;")
	eq := strings.IndexAny(s, "=;")
	if eq < 0 || s[eq] == ';' {
		_, rest, _ := strings.Cut(s, ";")
		return param{}, rest, false
	}
	name := strings.ToLower(strings.TrimSpace(s[:eq]))
	s = strings.TrimLeft(s[eq+1:], " \t")

	var value, rest string
	if strings.HasPrefix(s, "\"") {
		value, rest = readQuoted(s[1:])
		_, rest, _ = strings.Cut(rest, ";")
	} else {
		value, rest, _ = strings.Cut(s, ";")
		value = strings.TrimSpace(value)
	}
	if name == "" {
		return param{}, rest, false
	}
	return param{name: name, value: value, raw: name}, rest, true
}

// readQuoted reads a quoted-string body up to its closing quote, or to the
// end when the quote is missing.
//
// QUIRK: RFC 5322 §3.2.4 lets a backslash quote any character. Clients
// that put Windows paths in file names do not escape them, so a backslash
// only escapes a quote or another backslash here.
func readQuoted(s string) (string, string) {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return sb.String(), s[i+1:]
		case c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			i++
			sb.WriteByte(s[i])
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String(), ""
}

// section is one RFC 2231 piece of a parameter value.
type section struct {
	index    int
	extended bool
	value    string
}

// joinRFC2231 joins "name*0", "name*1*" sections and decodes "name*"
// values (RFC 2231 §3 and §4). Plain parameters pass through in place.
func joinRFC2231(in []param) []param {
	var out []param
	groups := map[string][]section{}
	at := map[string]int{}
	for _, p := range in {
		base, sec, isSec := splitSection(p)
		if !isSec {
			out = append(out, p)
			continue
		}
		if _, seen := at[base]; !seen {
			at[base] = len(out)
			out = append(out, param{name: base, raw: p.name})
		}
		groups[base] = append(groups[base], sec)
	}
	for base, secs := range groups {
		out[at[base]].value = decodeSections(secs)
	}
	return out
}

// splitSection parses "name*", "name*N" and "name*N*".
func splitSection(p param) (string, section, bool) {
	star := strings.IndexByte(p.name, '*')
	if star <= 0 {
		return "", section{}, false
	}
	base, tail := p.name[:star], p.name[star+1:]
	sec := section{value: p.value}
	if strings.HasSuffix(tail, "*") {
		sec.extended = true
		tail = strings.TrimSuffix(tail, "*")
	}
	if tail == "" {
		sec.extended = true
		return base, sec, true
	}
	n, err := strconv.Atoi(tail)
	if err != nil || n < 0 {
		return "", section{}, false
	}
	sec.index = n
	return base, sec, true
}

// decodeSections joins sections in index order and decodes the
// percent-encoded ones with the charset named in the first.
func decodeSections(secs []section) string {
	sort.SliceStable(secs, func(i, j int) bool { return secs[i].index < secs[j].index })
	label := ""
	var raw []byte
	for i, s := range secs {
		v := s.value
		if s.extended && i == 0 {
			if parts := strings.SplitN(v, "'", 3); len(parts) == 3 {
				label, v = parts[0], parts[2]
			}
		}
		if s.extended {
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
		}
		raw = append(raw, v...)
	}
	if label == "" {
		return toUTF8(raw)
	}
	text, err := DecodeCharset(label, raw)
	if err != nil {
		return toUTF8(raw)
	}
	return text
}

// paramValue returns the first value of the named parameter.
func paramValue(ps []param, name string) (string, bool) {
	for _, p := range ps {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

// paramValues returns every value of the named parameter.
func paramValues(ps []param, name string) []string {
	var out []string
	for _, p := range ps {
		if p.name == name {
			out = append(out, p.value)
		}
	}
	return out
}

// paramMap returns the parameters as a map in which the first value wins.
func paramMap(ps []param) map[string]string {
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		if _, ok := m[p.name]; !ok {
			m[p.name] = p.value
		}
	}
	return m
}

// reportDuplicateParams adds an anomaly for each parameter that repeats.
// A plain value next to its RFC 2231 form is a sanctioned fallback and is
// reported only when the two differ.
func (w *walker) reportDuplicateParams(field string, ps []param, path string) {
	seen := map[string]param{}
	for _, p := range ps {
		first, ok := seen[p.name]
		if !ok {
			seen[p.name] = p
			continue
		}
		if first.raw != p.raw && first.value == p.value {
			continue
		}
		w.add(anomaly(AnomalyDuplicateParam, path, "%s parameter %q repeats: %q and %q",
			field, cut(p.name), cut(first.value), cut(p.value)))
	}
}
