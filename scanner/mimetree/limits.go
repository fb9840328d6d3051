package mimetree

import "github.com/holdfast/holdfast/internal/limit"

// Default limits. Zero in a Limits field selects these values and -1 turns
// the limit off.
const (
	// DefaultMaxDepth bounds nested multipart and message/* entities.
	// Arbitrary: chosen so that real mail (a forwarded message holding a
	// signed multipart/alternative is about 6 levels deep) fits with room
	// to spare, while a MIME bomb of thousands of levels stops early.
	DefaultMaxDepth = 30

	// DefaultMaxParts bounds the MIME entities visited per message,
	// containers included. Arbitrary: chosen so that mailing-list digests
	// with a few hundred messages fit while the work per message stays small.
	DefaultMaxParts = 1000

	// DefaultMaxPartHeaderBytes bounds the header block of one body part.
	// Real part headers are a few hundred bytes, and 64 KiB leaves room for long
	// RFC 2231 file names while a hostile part header of hundreds of
	// megabytes is cut short.
	DefaultMaxPartHeaderBytes = 64 << 10

	// DefaultMaxDecodedBytes bounds the decoded body bytes summed over all
	// parts. Base64 inflates by 4/3 at most, so 64 MiB covers any message
	// under a typical 50 MB message_size_limit once decoded, while a
	// message/rfc822 or uuencode nesting trick cannot multiply memory.
	DefaultMaxDecodedBytes = 64 << 20
)

// largeHeaderFieldBytes is the size from which one top-level header field is
// reported as MIME_HEADER_FIELD_LARGE. There is no cap on the top-level
// header: the caller bounds the whole message. Arbitrary: chosen so that
// long References or DKIM-Signature fields (a few KiB) stay below it.
const largeHeaderFieldBytes = 16 << 10

// maxQuoted is the number of bytes of hostile input echoed in an anomaly
// detail, so that one field cannot flood a log line or a review page.
const maxQuoted = 80

// Limits bounds the work Parse does on one message. Zero in a field selects
// its Default constant, and -1 means unlimited.
type Limits struct {
	// MaxDepth is the deepest nesting of multipart and message/* entities
	// that is descended into. Past it, the entity becomes a leaf holding its
	// raw body.
	MaxDepth int
	// MaxParts is the number of MIME entities (containers and leaves) that
	// are visited. Past it, parsing stops.
	MaxParts int
	// MaxPartHeaderBytes is the size of one body part's header block that is
	// kept. Fields past it are dropped.
	MaxPartHeaderBytes int
	// MaxDecodedBytes is the total of decoded body bytes over all parts.
	// Past it, bodies are cut.
	MaxDecodedBytes int64
}

// resolve returns the limits with zero replaced by the defaults and any
// negative value by the largest value, which acts as unlimited.
func (l Limits) resolve() Limits {
	l.MaxDepth = limit.Resolve(l.MaxDepth, DefaultMaxDepth)
	l.MaxParts = limit.Resolve(l.MaxParts, DefaultMaxParts)
	l.MaxPartHeaderBytes = limit.Resolve(l.MaxPartHeaderBytes, DefaultMaxPartHeaderBytes)
	l.MaxDecodedBytes = limit.Resolve(l.MaxDecodedBytes, DefaultMaxDecodedBytes)
	return l
}
