package links

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// namedControl is an input that names its form by id.
type namedControl struct {
	formID, inputType string
}

func (e *extractor) startForm(attrs []html.Attribute) {
	f := formState{Form: Form{Method: "GET", Source: e.source}}
	if m, ok := attr(attrs, "method"); ok && strings.TrimSpace(m) != "" {
		f.Method = strings.ToUpper(strings.TrimSpace(m))
	}
	if a, ok := attr(attrs, "action"); ok && strings.TrimSpace(a) != "" {
		f.actionRaw, f.hasAction = a, true
	}
	e.openForm = len(e.forms)
	if id, ok := attr(attrs, "id"); ok {
		if _, dup := e.formIDs[id]; !dup {
			e.formIDs[id] = e.openForm
		}
	}
	e.forms = append(e.forms, f)
}

// formControl counts an input for its form: the one named by its form
// attribute, or else the open form.
func (e *extractor) formControl(attrs []html.Attribute) {
	typ, _ := attr(attrs, "type")
	typ = strings.ToLower(strings.TrimSpace(typ))
	if id, ok := attr(attrs, "form"); ok {
		e.byFormID = append(e.byFormID, namedControl{formID: id, inputType: typ})
		return
	}
	if e.openForm >= 0 {
		countControl(&e.forms[e.openForm].Form, typ)
	}
}

func countControl(f *Form, inputType string) {
	switch inputType {
	case "password":
		f.Password = true
	case "hidden":
		f.Hidden++
	}
}

// meta records a refresh redirect, "<meta http-equiv=refresh content=...>".
func (e *extractor) meta(attrs []html.Attribute) {
	equiv, _ := attr(attrs, "http-equiv")
	if !strings.EqualFold(strings.TrimSpace(equiv), "refresh") {
		return
	}
	content, _ := attr(attrs, "content")
	delay, target := parseRefresh(content)
	if target == "" {
		return
	}
	if scheme, rest, _ := splitScheme(cleanURLText(target)); scheme == "data" {
		e.dataURI(rest, "meta-refresh")
		return
	}
	e.addCandidate(candidate{raw: target, via: "meta-refresh", source: e.source,
		redirect: true, delay: delay})
}

// parseRefresh splits a refresh value such as "5; url='https://x'" into
// the delay and the URL. Browsers also accept "5, https://x" and a
// missing "url=".
func parseRefresh(content string) (time.Duration, string) {
	s := strings.TrimSpace(content)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(s)
	}
	seconds, _ := strconv.ParseFloat(s[:i], 64)
	delay := time.Duration(min(seconds, 1e6) * float64(time.Second))

	s = strings.TrimLeft(s[i:], " \t\n\f\r;,")
	if len(s) >= 3 && strings.EqualFold(s[:3], "url") {
		rest := strings.TrimLeft(s[3:], " \t\n\f\r")
		if strings.HasPrefix(rest, "=") {
			s = strings.TrimLeft(rest[1:], " \t\n\f\r")
		}
	}
	if s != "" && (s[0] == '\'' || s[0] == '"') {
		if end := strings.IndexByte(s[1:], s[0]); end >= 0 {
			s = s[1 : end+1]
		} else {
			s = s[1:]
		}
	}
	return delay, strings.TrimSpace(s)
}

// finish resolves the candidates against the base URL and reports the
// limits reached.
func (e *extractor) finish() HTML {
	if e.rawTag != "" {
		e.rawEnd()
	}
	e.closeAnchor()
	base := e.baseURL()

	var out HTML
	for _, c := range e.candidates {
		l, found, err := makeLink(c.raw, base, c.via, c.source)
		if err != nil {
			e.linkError(c.raw, err)
			continue
		}
		l.Text = c.text
		for _, a := range found {
			e.anomaly(a.Name, a.Detail)
		}
		out.Links = append(out.Links, l)
		if c.redirect {
			out.Redirects = append(out.Redirects, Redirect{Link: l, Delay: c.delay})
		}
	}
	out.Forms = e.resolveForms(base)
	out.Images = e.images
	out.Text = strings.TrimSpace(e.text.String())

	e.limitsReached()
	out.Anomalies = e.anomalies
	return out
}

// baseURL returns the first <base href> when it is an absolute web URL.
func (e *extractor) baseURL() *url.URL {
	if e.baseRaw == "" {
		return nil
	}
	base, err := Normalize(e.baseRaw, nil)
	if err != nil {
		e.linkError(e.baseRaw, err)
		return nil
	}
	if _, special := defaultPorts[base.Scheme]; !special {
		return nil
	}
	return base
}

// linkError records a URL that cannot be read. A relative URL with no base
// and a non-web scheme are normal in mail and not recorded.
func (e *extractor) linkError(raw string, err error) {
	if errors.Is(err, ErrRelative) || errors.Is(err, errNotWeb) {
		return
	}
	e.anomaly(AnomalyInvalidURL, err.Error())
}

func (e *extractor) resolveForms(base *url.URL) []Form {
	for _, c := range e.byFormID {
		if i, ok := e.formIDs[c.formID]; ok {
			countControl(&e.forms[i].Form, c.inputType)
		}
	}
	forms := make([]Form, 0, len(e.forms))
	for _, f := range e.forms {
		switch {
		case !f.hasAction && base != nil:
			f.Action, f.Host, f.Domain = base.String(), base.Hostname(), RegistrableDomain(base.Hostname())
		case f.hasAction:
			if l, _, err := makeLink(f.actionRaw, base, "form-action", f.Source); err == nil {
				f.Action, f.Host, f.Domain = l.URL, l.Host, l.Domain
			}
		}
		forms = append(forms, f.Form)
	}
	return forms
}

// limitsReached adds the limit anomalies. They go past maxAnomalies so
// that a limit reached is never lost.
func (e *extractor) limitsReached() {
	if e.references > e.lim.MaxLinks {
		e.anomalies = append(e.anomalies, Anomaly{Name: AnomalyTooManyLinks,
			Detail: fmt.Sprintf("%d > %d URL references", e.references, e.lim.MaxLinks)})
	}
	if e.text.full() {
		observed := len(e.text.String()) + e.text.dropped
		e.anomalies = append(e.anomalies, Anomaly{Name: AnomalyTextTooLong,
			Detail: fmt.Sprintf("%d > %d bytes of text", observed, e.lim.MaxTextBytes)})
	}
	if e.dropped > 0 {
		e.anomalies = append(e.anomalies, Anomaly{Name: AnomalyTooManyAnomalies,
			Detail: fmt.Sprintf("%d > %d anomalies", maxAnomalies+e.dropped, maxAnomalies)})
	}
}
