package ooxml

import (
	"bufio"
	"encoding/xml"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
)

// newDecoder returns an XML decoder over r. OPC allows parts in UTF-8 or
// UTF-16, so a UTF-16 byte-order mark switches to a transcoding reader.
// NOTE: any other declared encoding is read as UTF-8 without conversion.
func newDecoder(r io.Reader) *xml.Decoder {
	br := bufio.NewReader(r)
	var src io.Reader = br
	if bom, _ := br.Peek(2); len(bom) == 2 &&
		(bom[0] == 0xFF && bom[1] == 0xFE || bom[0] == 0xFE && bom[1] == 0xFF) {
		src = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Reader(br)
	}

	d := xml.NewDecoder(src)
	d.CharsetReader = func(_ string, input io.Reader) (io.Reader, error) {
		return input, nil
	}
	return d
}

// attr returns the value of the first attribute with the given local name,
// in any namespace, "" when absent. Matching the local name alone accepts
// both transitional and Strict namespace URIs.
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// relAttr returns the value of an attribute in a relationships namespace,
// such as r:id or r:link, "" when absent. Transitional documents use
// http://schemas.openxmlformats.org/officeDocument/2006/relationships and
// Strict ones http://purl.oclc.org/ooxml/officeDocument/relationships.
func relAttr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && strings.HasSuffix(a.Name.Space, "/relationships") {
			return a.Value
		}
	}
	return ""
}
