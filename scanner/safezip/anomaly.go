package safezip

import "fmt"

// Anomaly names. They are stable identifiers: scoring rules match on them.
const (
	// AnomalyPrependedData: bytes precede the first entry, as in a polyglot
	// that is both a PDF and a zip, or a self-extracting executable.
	AnomalyPrependedData = "ZIP_PREPENDED_DATA"
	// AnomalyTrailingData: bytes follow the end-of-central-directory record
	// and its comment.
	AnomalyTrailingData = "ZIP_TRAILING_DATA"
	// AnomalyDuplicateEntry: two entries share a name, compared without
	// regard to ASCII case, so that readers may disagree on which one counts.
	AnomalyDuplicateEntry = "ZIP_DUPLICATE_ENTRY"
	// AnomalyUnsafeName: an entry name is absolute, has a drive letter,
	// climbs with "..", or holds control characters, so that extracting it
	// by name would write outside the target folder.
	AnomalyUnsafeName = "ZIP_UNSAFE_NAME"
	// AnomalyEncrypted: an entry is encrypted and cannot be read.
	AnomalyEncrypted = "ZIP_ENCRYPTED"
	// AnomalyUnsupportedMethod: an entry uses a compression method other
	// than store or deflate and cannot be read.
	AnomalyUnsupportedMethod = "ZIP_UNSUPPORTED_METHOD"
	// AnomalyEntryLimit: the archive lists more entries than
	// Limits.MaxEntries.
	AnomalyEntryLimit = "ZIP_ENTRY_LIMIT"
	// AnomalyEntrySizeLimit: an entry declares more uncompressed bytes than
	// Limits.MaxEntryBytes.
	AnomalyEntrySizeLimit = "ZIP_ENTRY_SIZE_LIMIT"
	// AnomalyTotalSizeLimit: the bytes read, or the sizes declared, exceed
	// Limits.MaxTotalBytes.
	AnomalyTotalSizeLimit = "ZIP_TOTAL_SIZE_LIMIT"
	// AnomalyBomb: an entry inflates by more than Limits.MaxRatio.
	AnomalyBomb = "ZIP_BOMB"
	// AnomalyEntryInvalid: an entry's data failed to inflate, failed its
	// CRC-32 check, or differs in size from its header.
	AnomalyEntryInvalid = "ZIP_ENTRY_INVALID"
)

// Anomaly is one tolerated fault or limit reached, with a stable Name and a
// Detail a person can check.
type Anomaly struct {
	Name   string
	Detail string
	// Entry is the name of the entry concerned, "" for the whole archive.
	Entry string
}

func (a *Archive) addAnomaly(name, entry, format string, args ...any) {
	a.Anomalies = append(a.Anomalies, Anomaly{
		Name:   name,
		Detail: fmt.Sprintf(format, args...),
		Entry:  entry,
	})
}

// cut returns s shortened to maxQuoted bytes, for quoting in a detail.
func cut(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	return s[:maxQuoted] + "…"
}
