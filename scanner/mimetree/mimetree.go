// Package mimetree parses an RFC 5322 message into a flat list of leaf parts
// with their transfer encoding removed, and keeps going where a strict parser
// would stop: lost or odd boundaries, bad header lines, missing final
// boundaries, lenient base64 and quoted-printable, uuencode, TNEF and
// message/rfc822 recursion.
//
// It never touches the network and never logs. Every deviation from the RFCs
// that it tolerates is reported as an Anomaly on the Message, so a caller can
// score a message that needed leniency; a parse failure never yields a
// message that looks clean. It reads no config keys: the caller passes
// Limits.
//
// The walker is its own. go-message (v0.18) reads one boundary and one
// Content-Type per entity, ends a header at the first unindented line
// without a colon, and bounds only the top-level header (MaxHeaderBytes),
// while a gateway must see every part an attacker could make some client
// display, under every reading. go-message still supplies the
// charset table (extended here with UTF-7, ISO-2022-KR/CN and GB18030 for
// GB2312 and GBK labels); encoded-words have a lenient decoder of their own
// because mime.WordDecoder decodes each word alone and so breaks multibyte
// characters split across words.
//
// Line endings are normalised to CRLF before each message, top-level or
// embedded, is read. Part.Body keeps the bytes after transfer decoding and
// before charset decoding, so a scanner can always search the raw bytes.
//
// Limitations: compressed RTF bodies inside TNEF are not decompressed;
// CNS 11643 characters in ISO-2022-CN read as "?"; the legacy charset of
// invalid 8-bit text is guessed from byte statistics.
package mimetree

// Field is one header field in its original order. Value is the raw value
// with folding removed and RFC 2047 encoded-words left as they were.
type Field struct {
	Name  string
	Value string
}

// Anomaly is one tolerated fault, with a stable Name (for example
// MIME_UNTERMINATED) and a Detail a person can check.
type Anomaly struct {
	Name   string
	Detail string
	// Path is the part the fault was found in ("" for the top level).
	Path string
}

// Part is one leaf of the MIME tree: a body that is not itself multipart.
type Part struct {
	// Path is the dotted position in the tree, "1.2.1"; "" is the message
	// body of a single-part message.
	Path string
	// Source is a provenance a person can follow, for example
	// "part 1.2 › invoice.zip" or "part 2 › forwarded.eml › part 1".
	Source string
	// Depth is the nesting depth, 0 for the top-level body.
	Depth int
	// Header holds the part's own fields in order.
	Header []Field
	// MediaType is the declared media type, lower-case ("text/html"); it is
	// "text/plain" when none was declared.
	MediaType string
	// Params holds the Content-Type parameters, names lower-case, values
	// decoded (RFC 2231 continuations joined).
	Params map[string]string
	// Disposition is "inline", "attachment" or "" when absent.
	Disposition string
	// Filename is the best normalised file name: bidi and control characters
	// and path components removed; "" when the part has none.
	Filename string
	// Names lists every distinct name seen for the part (disposition
	// filename, Content-Type name, duplicates, uuencode or TNEF titles),
	// decoded and normalised.
	Names []string
	// Charset is the declared charset, lower-case, or "" when none.
	Charset string
	// TransferEncoding is the declared Content-Transfer-Encoding, lower-case.
	TransferEncoding string
	// Body is the part with its transfer encoding removed.
	Body []byte
	// Text is the body converted to UTF-8 for text/* parts; "" otherwise.
	Text string
	// Origin tells how the part was found: "mime", "uuencode", "tnef".
	Origin string
}

// Message is the result of Parse.
type Message struct {
	// Header holds the top-level fields in order.
	Header []Field
	// Parts lists every leaf part in document order, including those found
	// inside message/rfc822 attachments, uuencode blocks and TNEF files.
	Parts []*Part
	// Anomalies lists every tolerated fault, in the order found.
	Anomalies []Anomaly
}
