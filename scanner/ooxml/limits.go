package ooxml

import (
	"github.com/holdfast/holdfast/internal/limit"

	"github.com/holdfast/holdfast/scanner/safezip"
)

// Default limits. Zero in a Limits field selects these values and -1 turns
// the limit off.
const (
	// DefaultMaxTextBytes bounds the visible text kept over the whole
	// document. Arbitrary: chosen so that a report of a few hundred pages
	// (about 3 KiB of text a page) fits.
	DefaultMaxTextBytes = 4 << 20

	// DefaultMaxLinks bounds the links kept per document. Arbitrary: chosen
	// so that a link-heavy catalogue fits while a file of a million
	// relationships cannot flood the report.
	DefaultMaxLinks = 10000

	// DefaultMaxFieldBytes bounds one field instruction. Arbitrary: 64 KiB
	// keeps a URL of any practical length.
	DefaultMaxFieldBytes = 64 << 10
)

// maxQuoted is the number of bytes of hostile input echoed in an anomaly
// detail, so that one value cannot flood a log line or a review page.
const maxQuoted = 80

// Limits bounds the work Open does on one document. Zero in a field selects
// its Default constant; -1 means unlimited.
type Limits struct {
	// Zip bounds the archive: entries, entry size, total size and ratio.
	Zip safezip.Limits
	// MaxTextBytes is the visible text kept over all parts. Past it, text
	// is dropped and OOXML_TEXT_LIMIT is reported.
	MaxTextBytes int
	// MaxLinks is the number of links kept. Past it, links are dropped and
	// OOXML_LINK_LIMIT is reported.
	MaxLinks int
	// MaxFieldBytes is the length of one field instruction kept. Past it,
	// the instruction is cut and OOXML_FIELD_LIMIT is reported.
	MaxFieldBytes int
}

// resolve returns the limits with zero replaced by the defaults and any
// negative value by the largest value, which acts as unlimited.
func (l Limits) resolve() Limits {
	l.MaxTextBytes = limit.Resolve(l.MaxTextBytes, DefaultMaxTextBytes)
	l.MaxLinks = limit.Resolve(l.MaxLinks, DefaultMaxLinks)
	l.MaxFieldBytes = limit.Resolve(l.MaxFieldBytes, DefaultMaxFieldBytes)
	return l
}
