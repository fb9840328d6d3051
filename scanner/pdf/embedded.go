package pdf

import (
	"fmt"
	"strconv"
)

// embeddedFromSpec records the files of the /EF dictionary ef of file
// specification spec, named by the specification (ISO 32000-1 §7.11.4).
func (p *parser) embeddedFromSpec(spec, ef dict, src string) {
	fileName := p.fileSpec(spec)
	for _, key := range sortedKeys(ef) {
		r, isRef := ef[key].(ref)
		if isRef && p.seen[r.num] {
			continue
		}
		s, ok := p.resolve(ef[key]).(*stream)
		if !ok {
			continue
		}
		if isRef {
			p.seen[r.num] = true
		}
		p.addEmbedded(s, fileName, src)
	}
}

// addEmbedded decodes an embedded file stream and returns it to the
// caller within Limits.MaxEmbeddedBytes. The PDF_EMBEDDED_FILE anomaly is
// raised even when the bytes cannot be read.
func (p *parser) addEmbedded(s *stream, fileName, src string) {
	label := strconv.Quote(cut(fileName))
	if fileName == "" {
		label = fmt.Sprintf("in object %d", s.num)
	}
	p.anomaly(AnomalyEmbeddedFile, fmt.Sprintf("embedded file %s in %s", label, src))
	if p.doc.Encrypted {
		return
	}

	data, imageFilter, ok := p.decode(s, fmt.Sprintf("embedded file stream %d", s.num))
	if !ok || imageFilter != "" {
		return
	}
	if p.embeddedTotal+len(data) > p.lim.MaxEmbeddedBytes {
		p.limit(AnomalyLimitEmbeddedBytes, strconv.Itoa(p.embeddedTotal+len(data)),
			p.lim.MaxEmbeddedBytes, "embedded file bytes")
		return
	}
	p.embeddedTotal += len(data)
	p.doc.EmbeddedFiles = append(p.doc.EmbeddedFiles, File{Name: fileName, Data: data, Source: src})
}
