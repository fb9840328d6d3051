package scanner

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/holdfast/holdfast/scanner/safezip"
)

// Anomaly names of the tar and RTF readers.
const (
	// AnomalyTarUnsafeName: a tar entry name climbs out of its folder or
	// is absolute.
	AnomalyTarUnsafeName = "TAR_UNSAFE_NAME"
	// AnomalyTarLimit: a tar archive has more entries or bytes than the
	// zip limits allow.
	AnomalyTarLimit = "TAR_SIZE_LIMIT"
	// AnomalyTarInvalid: a tar archive is damaged.
	AnomalyTarInvalid = "TAR_INVALID"
	// AnomalyRTFObject: an RTF document embeds an OLE object, the form
	// exploits and droppers take in RTF.
	AnomalyRTFObject = "RTF_OBJECT"
)

// tar opens a tar archive with the zip reader's limits on entries, entry
// size and total bytes, since both carry the same attachments.
func (m *session) tar(data []byte, source string, depth int) {
	tr := tar.NewReader(bytes.NewReader(data))
	var entries int
	var total int64
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			m.r.addAnomaly(AnomalyTarInvalid, source, "tar archive is damaged after %d entries: %v", entries, err)
			return
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		entries++
		entrySource := source + sep + h.Name
		if unsafeArchiveName(h.Name) {
			m.r.addAnomaly(AnomalyTarUnsafeName, entrySource, "entry name %q leaves the archive's folder", cut(h.Name))
		}
		if entries > safezip.DefaultMaxEntries || h.Size > safezip.DefaultMaxEntryBytes ||
			total+h.Size > safezip.DefaultMaxTotalBytes {
			m.r.addAnomaly(AnomalyTarLimit, entrySource,
				"entry %d of %d bytes (total %d) > limits %d entries, %d bytes each, %d bytes in all: not opened",
				entries, h.Size, total+h.Size, safezip.DefaultMaxEntries, safezip.DefaultMaxEntryBytes,
				safezip.DefaultMaxTotalBytes)
			return
		}
		content, err := io.ReadAll(io.LimitReader(tr, h.Size))
		if err != nil {
			m.r.addAnomaly(AnomalyTarInvalid, entrySource, "entry not read: %v", err)
			return
		}
		total += int64(len(content))
		m.nested(h.Name, "", content, entrySource, depth)
	}
}

// unsafeArchiveName reports whether an entry name is absolute or climbs
// out of the archive's folder once backslashes count as separators.
func unsafeArchiveName(name string) bool {
	n := strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(n, "/") || (len(n) > 1 && n[1] == ':') {
		return true
	}
	return strings.HasPrefix(path.Clean(n), "../") || path.Clean(n) == ".."
}

// rtf extracts the URLs of an RTF document: HYPERLINK fields and plain
// URLs are both written as text in the file. An embedded object is
// flagged; its content is not opened.
func (m *session) rtf(data []byte, source string) {
	m.textLinks(string(data), source)
	if bytes.Contains(data, []byte(`\objdata`)) || bytes.Contains(data, []byte(`\object`)) {
		m.r.addAnomaly(AnomalyRTFObject, source, "RTF document embeds an OLE object")
	}
}
