package pdf

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/holdfast/holdfast/scanner/links"
)

// maxScriptQuoted is the length of JavaScript source quoted as evidence.
const maxScriptQuoted = 60

// javaScript records the JavaScript of d as evidence, and the URLs in its
// source as links.
func (p *parser) javaScript(d dict, src string) {
	p.doc.JavaScript = true
	code := p.scriptSource(d.get("JS"))
	evidence := "JavaScript in " + src
	if code != "" {
		evidence += ": " + strconv.Quote(cutTo(code, maxScriptQuoted))
	}
	p.doc.JavaScriptEvidence = append(p.doc.JavaScriptEvidence, evidence)
	if len(p.doc.JavaScriptEvidence) == 1 {
		p.anomaly(AnomalyJavaScript, evidence)
	}
	for _, l := range links.FromText(code, src) {
		p.addLink(l.URL, "javascript", src)
	}
}

// scriptSource returns JavaScript held as a string or a stream, "" in an
// encrypted document.
func (p *parser) scriptSource(o object) string {
	if p.doc.Encrypted {
		return ""
	}
	if r, ok := o.(ref); ok {
		p.seen[r.num] = true
	}
	switch v := p.resolve(o).(type) {
	case str:
		return textString(v)
	case *stream:
		data, imageFilter, ok := p.decode(v, fmt.Sprintf("JavaScript stream %d", v.num))
		if ok && imageFilter == "" {
			return textString(data)
		}
	}
	return ""
}

// launch records a launch action: the file it names, or the Windows
// program and its parameters.
func (p *parser) launch(d dict, src string) {
	l := Launch{Target: p.fileSpec(d.get("F")), Source: src}
	if win := p.resolveDict(d.get("Win")); win != nil {
		if l.Target == "" {
			l.Target = p.resolveText(win.get("F"))
		}
		l.Parameters = p.resolveText(win.get("P"))
	}
	if p.doc.Encrypted {
		l.Target, l.Parameters = "", ""
	}
	p.doc.Launches = append(p.doc.Launches, l)

	detail := "launch action in " + src
	if l.Target != "" {
		detail += ": " + strconv.Quote(cut(l.Target))
	}
	if l.Parameters != "" {
		detail += " with parameters " + strconv.Quote(cut(l.Parameters))
	}
	p.anomaly(AnomalyLaunchAction, detail)
	if looksLikeURL(l.Target) {
		p.addLink(l.Target, "launch", src)
	}
}

// autoAction records an action that runs without a click. The detail
// lists each trigger with its action type.
func (p *parser) autoAction(kind string, d dict, src string) {
	var parts []string
	for _, key := range sortedKeys(d) {
		switch v := p.resolve(d[key]).(type) {
		case dict:
			parts = append(parts, "/"+string(key)+" "+describe(p.resolve(v.get("S"))))
		default:
			parts = append(parts, "/"+string(key)+" "+describe(v))
		}
	}
	p.anomaly(AnomalyAutoAction, kind+" in "+src+": "+strings.Join(parts, ", "))
}

// cutTo returns s shortened to about n bytes, for quoting.
func cutTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return cut(s[:n]) + "…"
}
