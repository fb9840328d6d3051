package ooxml

import (
	"net/url"
	"path"
	"strings"

	"github.com/holdfast/holdfast/scanner/safezip"
)

// partKey returns the lookup key of a part name: no leading slash,
// forward slashes, ASCII lower case. OPC compares part names without regard
// to ASCII case.
func partKey(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	return strings.ToLower(strings.TrimPrefix(name, "/"))
}

// index maps part keys to the entries that carry them. A key has several
// entries only when the zip repeats a name.
type index map[string][]*safezip.Entry

func newIndex(entries []*safezip.Entry) index {
	idx := make(index, len(entries))
	for _, e := range entries {
		if e.Dir {
			continue
		}
		k := partKey(e.Name)
		idx[k] = append(idx[k], e)
	}
	return idx
}

// find returns the first entry for a part name, trying the name as written
// and percent-decoded, since part names are URIs.
func (idx index) find(name string) *safezip.Entry {
	if es := idx[partKey(name)]; len(es) > 0 {
		return es[0]
	}
	if dec, err := url.PathUnescape(name); err == nil {
		if es := idx[partKey(dec)]; len(es) > 0 {
			return es[0]
		}
	}
	return nil
}

// resolveTarget returns the part name that an internal relationship target
// points to. A target is relative to the folder of the source part, or to
// the package root when it starts with a slash. The fragment is dropped.
func resolveTarget(sourcePart, target string) string {
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target = target[:i]
	}
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	base := path.Dir("/" + sourcePart)
	return strings.TrimPrefix(path.Join(base, target), "/")
}

// relsSource returns the part whose relationships a .rels entry lists:
// "word/_rels/document.xml.rels" lists those of "word/document.xml", and
// "_rels/.rels" those of the package, returned as "".
func relsSource(relsName string) string {
	dir, file := path.Split(strings.ReplaceAll(relsName, `\`, "/"))
	dir = strings.TrimSuffix(dir, "/")
	if !strings.EqualFold(path.Base(dir), "_rels") {
		return strings.TrimSuffix(relsName, ".rels")
	}
	parent := path.Dir(dir)
	if parent == "." || parent == "/" {
		parent = ""
	}
	return strings.TrimPrefix(path.Join(parent, strings.TrimSuffix(file, ".rels")), "/")
}

// isRelsName reports whether an entry name is a relationship part.
func isRelsName(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".rels")
}

// isXMLName reports whether an entry is worth parsing as XML, judged by its
// name and declared content type.
func isXMLName(name, contentType string) bool {
	lower := strings.ToLower(name)
	for _, ext := range []string{".xml", ".vml", ".rels"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	ct := strings.ToLower(contentType)
	return strings.HasSuffix(ct, "+xml") || strings.HasSuffix(ct, "/xml")
}

// inFolder reports whether a part name has a folder of the given name (lower
// case) anywhere in its path, such as "media" in "word/media/image1.png".
func inFolder(name, folder string) bool {
	parts := strings.Split(partKey(name), "/")
	for _, p := range parts[:len(parts)-1] {
		if p == folder {
			return true
		}
	}
	return false
}
