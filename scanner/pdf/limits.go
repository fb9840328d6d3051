package pdf

import "github.com/holdfast/holdfast/internal/limit"

// Default limits. Zero in a Limits field selects these values and -1 turns
// the limit off.
const (
	// DefaultMaxObjects bounds the indirect objects read, object streams
	// included. Arbitrary: large real documents (a few hundred pages of
	// mixed content) hold tens of thousands of objects.
	DefaultMaxObjects = 200_000

	// DefaultMaxStreamBytes bounds the decoded size of one stream. An A4
	// page scanned at 300 dpi in RGB is 2480×3508×3 = 26 MB of raw pixels,
	// the largest stream a phishing scan needs whole.
	DefaultMaxStreamBytes = 32 << 20

	// DefaultMaxTotalBytes bounds the decoded bytes of all streams of one
	// document together, which is what stops a decompression bomb spread
	// over many streams. Arbitrary: four of the largest single streams.
	DefaultMaxTotalBytes = 128 << 20

	// DefaultMaxImages bounds the images returned. Arbitrary: a QR code is
	// meant to be seen, so it sits on one of the first pages, while a
	// catalogue of thousands of pictures should not cost thousands of
	// decode attempts.
	DefaultMaxImages = 64

	// DefaultMaxImagePixels bounds width×height of a raw image rebuilt as
	// PNG, checked before any pixel buffer is allocated. It matches the
	// 16 MP cap of the QR stage, which covers an A4 page scanned at 400 dpi.
	DefaultMaxImagePixels = 16_000_000

	// DefaultMaxEmbeddedBytes bounds the decoded bytes of all embedded files
	// returned together. Arbitrary: as large as a big mail attachment, since
	// the caller opens each file in turn under its own limits.
	DefaultMaxEmbeddedBytes = 32 << 20

	// DefaultMaxDepth bounds the nesting of arrays and dictionaries and the
	// chains of pages, actions and form XObjects followed. Arbitrary: real
	// documents nest far less (an estimate), and 64 keeps the Go stack small.
	DefaultMaxDepth = 64

	// DefaultMaxTokens bounds the values parsed over the whole document:
	// objects, object streams and page content streams. It is the hard cap
	// on work, counted in tokens rather than time so that a result does not
	// depend on the machine. Arbitrary: an estimate of 30 times what a
	// 300-page text report needs at about 2,000 values a page.
	DefaultMaxTokens = 20_000_000

	// DefaultMaxLinks bounds the links returned. Arbitrary: chosen so that a
	// link-heavy catalogue fits while a file of a million annotations cannot
	// flood the report.
	DefaultMaxLinks = 10_000

	// DefaultMaxTextBytes bounds the page text searched for URLs over the
	// whole document. Arbitrary: a few hundred pages of about 3 KiB each.
	DefaultMaxTextBytes = 4 << 20
)

// maxDepthCeiling caps MaxDepth even when the caller sets -1, because the
// parser recurses once per level and a Go stack cannot grow without bound.
// Arbitrary: far above any real document, far below stack exhaustion.
const maxDepthCeiling = 10_000

// maxQuoted is the number of bytes of hostile input echoed in an anomaly
// detail, so that one value cannot flood a log line or a review page.
const maxQuoted = 80

// Limits bounds the work Open does on one document. Zero in a field selects
// its Default constant; -1 means unlimited. Each limit reached becomes a
// PDF_LIMIT_* anomaly that carries the observed value and the limit.
type Limits struct {
	// MaxObjects is the number of indirect objects read.
	MaxObjects int
	// MaxStreamBytes is the decoded size of one stream. A stream past it
	// is not used.
	MaxStreamBytes int
	// MaxTotalBytes is the decoded size of all streams together. Past it,
	// no more streams are decoded.
	MaxTotalBytes int
	// MaxImages is the number of images returned.
	MaxImages int
	// MaxImagePixels is width×height of one raw image rebuilt as PNG.
	MaxImagePixels int
	// MaxEmbeddedBytes is the decoded size of all embedded files returned.
	MaxEmbeddedBytes int
	// MaxDepth is the nesting of arrays, dictionaries, page trees, action
	// chains and form XObjects. It never exceeds 10,000, even for -1.
	MaxDepth int
	// MaxTokens is the number of values parsed, the hard cap on work.
	MaxTokens int
	// MaxLinks is the number of links returned.
	MaxLinks int
	// MaxTextBytes is the page text searched for URLs.
	MaxTextBytes int
}

// resolve returns the limits with zero replaced by the defaults and any
// negative value by the largest value, which acts as unlimited.
func (l Limits) resolve() Limits {
	l.MaxObjects = limit.Resolve(l.MaxObjects, DefaultMaxObjects)
	l.MaxStreamBytes = limit.Resolve(l.MaxStreamBytes, DefaultMaxStreamBytes)
	l.MaxTotalBytes = limit.Resolve(l.MaxTotalBytes, DefaultMaxTotalBytes)
	l.MaxImages = limit.Resolve(l.MaxImages, DefaultMaxImages)
	l.MaxImagePixels = limit.Resolve(l.MaxImagePixels, DefaultMaxImagePixels)
	l.MaxEmbeddedBytes = limit.Resolve(l.MaxEmbeddedBytes, DefaultMaxEmbeddedBytes)
	l.MaxDepth = min(limit.Resolve(l.MaxDepth, DefaultMaxDepth), maxDepthCeiling)
	l.MaxTokens = limit.Resolve(l.MaxTokens, DefaultMaxTokens)
	l.MaxLinks = limit.Resolve(l.MaxLinks, DefaultMaxLinks)
	l.MaxTextBytes = limit.Resolve(l.MaxTextBytes, DefaultMaxTextBytes)
	return l
}

// budget is the work left for one document, shared by every parser and
// decoder that runs on it.
type budget struct {
	tokens      int
	tokensSpent int
	tokenLimit  int
	exhausted   bool // set once tokens ran out
}

func newBudget(lim Limits) *budget {
	return &budget{tokens: lim.MaxTokens, tokenLimit: lim.MaxTokens}
}

// spendToken takes one token and reports whether one was left.
func (b *budget) spendToken() bool {
	if b.tokens <= 0 {
		b.exhausted = true
		return false
	}
	b.tokens--
	b.tokensSpent++
	return true
}
