package safezip

import "github.com/holdfast/holdfast/internal/limit"

// Default limits. Zero in a Limits field selects these values and -1 turns
// the limit off.
const (
	// DefaultMaxEntries bounds the entries listed per archive. Arbitrary:
	// chosen so that a large workbook or a presentation of a few hundred
	// slides (a few thousand parts) fits, while an archive of tiny entries
	// cannot make the caller loop for long.
	DefaultMaxEntries = 10000

	// DefaultMaxEntryBytes bounds the uncompressed size of one entry.
	// Arbitrary: chosen so that the main XML part of a document of a few
	// hundred pages, or a full-page scanned image, fits with room to spare.
	DefaultMaxEntryBytes = 32 << 20

	// DefaultMaxTotalBytes bounds the uncompressed bytes read from one
	// archive. It matches the decoded-body budget of a whole message in
	// mimetree, so that an archive cannot hold more in memory than its
	// carrier message may.
	DefaultMaxTotalBytes = 64 << 20

	// DefaultMaxRatio bounds uncompressed bytes per compressed byte of one
	// entry. Deflate reaches about 1028:1 on runs of zeros (200 MiB of zeros
	// deflate to 203840 bytes with compress/flate at BestCompression).
	// Arbitrary: chosen so that repetitive XML such as a sheet of empty
	// styled cells (well under 100:1 in ordinary files, an estimate) passes
	// while inflation bombs, which need high ratios to be small, do not.
	DefaultMaxRatio = 100
)

// ratioMinBytes is the uncompressed size below which the ratio is not
// checked: a small entry of zeros costs nothing to inflate, so a high ratio
// there is no threat. Arbitrary: 1 MiB.
const ratioMinBytes = 1 << 20

// maxQuoted is the number of bytes of an entry name echoed in an anomaly
// detail, so that hostile input cannot flood a log line.
const maxQuoted = 80

// prependedQuoted is the number of prepended bytes echoed in an anomaly
// detail: enough for any file signature, such as "%PDF-1.7" or "MZ".
const prependedQuoted = 16

// Limits bounds the work done on one archive. Zero in a field selects its
// Default constant; -1 means unlimited.
type Limits struct {
	// MaxEntries is the number of central-directory entries listed. Entries
	// past it are dropped and ZIP_ENTRY_LIMIT is reported.
	MaxEntries int
	// MaxEntryBytes is the largest uncompressed size of one entry that Read
	// returns. A larger entry is rejected and ZIP_ENTRY_SIZE_LIMIT is
	// reported.
	MaxEntryBytes int64
	// MaxTotalBytes is the sum of uncompressed bytes that Read returns over
	// the archive. A read past it is rejected and ZIP_TOTAL_SIZE_LIMIT is
	// reported.
	MaxTotalBytes int64
	// MaxRatio is the largest ratio of uncompressed to compressed size of
	// one entry of at least 1 MiB. A higher ratio rejects the entry and
	// reports ZIP_BOMB.
	MaxRatio int
}

// resolve returns the limits with zero replaced by the defaults and any
// negative value by the largest value, which acts as unlimited.
func (l Limits) resolve() Limits {
	l.MaxEntries = limit.Resolve(l.MaxEntries, DefaultMaxEntries)
	l.MaxEntryBytes = limit.Resolve(l.MaxEntryBytes, DefaultMaxEntryBytes)
	l.MaxTotalBytes = limit.Resolve(l.MaxTotalBytes, DefaultMaxTotalBytes)
	l.MaxRatio = limit.Resolve(l.MaxRatio, DefaultMaxRatio)
	return l
}
