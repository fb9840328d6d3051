package ooxml

import (
	"encoding/xml"
	"io"
	"path"
	"strings"
)

// relationship is one Relationship element of a .rels part.
type relationship struct {
	ID     string
	Type   string
	Target string
	// External reports TargetMode="External".
	External bool
}

// kind returns the relationship type's last path segment in lower case,
// such as "hyperlink" or "officedocument". Transitional, Strict and
// Microsoft type URIs differ only before that segment.
func (r relationship) kind() string {
	return strings.ToLower(path.Base(r.Type))
}

// parseRels reads the relationships of one .rels part. It returns those
// read before any XML error, together with the error.
func parseRels(r io.Reader) ([]relationship, error) {
	d := newDecoder(r)
	var rels []relationship
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return rels, nil
		}
		if err != nil {
			return rels, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		rels = append(rels, relationship{
			ID:       attr(se, "Id"),
			Type:     attr(se, "Type"),
			Target:   strings.TrimSpace(attr(se, "Target")),
			External: strings.EqualFold(attr(se, "TargetMode"), "External"),
		})
	}
}

// contentTypes is the parsed [Content_Types].xml.
type contentTypes struct {
	// defaults maps a lower-case extension without dot to a content type.
	defaults map[string]string
	// overrides maps a part key to a content type.
	overrides map[string]string
	// overrideOrder lists the override part names as written, in order.
	overrideOrder []string
}

// of returns the declared content type of a part, "" when none.
func (ct contentTypes) of(name string) string {
	if v, ok := ct.overrides[partKey(name)]; ok {
		return v
	}
	ext := strings.TrimPrefix(strings.ToLower(path.Ext(name)), ".")
	return ct.defaults[ext]
}

// parseContentTypes reads [Content_Types].xml. It returns what was read
// before any XML error, together with the error.
func parseContentTypes(r io.Reader) (contentTypes, error) {
	ct := contentTypes{defaults: map[string]string{}, overrides: map[string]string{}}
	d := newDecoder(r)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return ct, nil
		}
		if err != nil {
			return ct, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "Default":
			ext := strings.ToLower(strings.TrimPrefix(attr(se, "Extension"), "."))
			ct.defaults[ext] = attr(se, "ContentType")
		case "Override":
			name := attr(se, "PartName")
			ct.overrides[partKey(name)] = attr(se, "ContentType")
			ct.overrideOrder = append(ct.overrideOrder, name)
		}
	}
}
