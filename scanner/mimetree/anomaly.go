package mimetree

import "fmt"

// Anomaly names. They are stable identifiers: scoring rules match on them.
const (
	// AnomalyUnterminated: a multipart body ends without its close delimiter.
	AnomalyUnterminated = "MIME_UNTERMINATED"
	// AnomalyDuplicateParam: a Content-Type or Content-Disposition parameter
	// appears more than once.
	AnomalyDuplicateParam = "MIME_DUPLICATE_PARAM"
	// AnomalyBoundarySniffed: the boundary was taken from a delimiter line in
	// the body because the declared one matched nothing.
	AnomalyBoundarySniffed = "MIME_BOUNDARY_SNIFFED"
	// AnomalyNoBoundary: a multipart body has no delimiter line at all and is
	// kept as one text part.
	AnomalyNoBoundary = "MIME_NO_BOUNDARY"
	// AnomalyEmptyMultipart: a multipart body has delimiter lines but no
	// body part, which RFC 2046 §5.1.1 forbids. It is kept as one text part.
	AnomalyEmptyMultipart = "MIME_EMPTY_MULTIPART"
	// AnomalyBoundaryJunk: a delimiter line carries text after the boundary.
	AnomalyBoundaryJunk = "MIME_BOUNDARY_JUNK"
	// AnomalyDuplicateHeader: a field that may occur once (Content-Type,
	// Content-Transfer-Encoding, Content-Disposition, MIME-Version) repeats.
	AnomalyDuplicateHeader = "MIME_DUPLICATE_HEADER"
	// AnomalyDepthLimit: nesting went past Limits.MaxDepth.
	AnomalyDepthLimit = "MIME_DEPTH_LIMIT"
	// AnomalyPartLimit: the entity count went past Limits.MaxParts.
	AnomalyPartLimit = "MIME_PART_LIMIT"
	// AnomalyDecodedLimit: decoded bodies went past Limits.MaxDecodedBytes.
	AnomalyDecodedLimit = "MIME_DECODED_LIMIT"
	// AnomalyPartHeaderLimit: a part header went past
	// Limits.MaxPartHeaderBytes.
	AnomalyPartHeaderLimit = "MIME_PART_HEADER_LIMIT"
	// AnomalyHeaderFieldLarge: one top-level field is unusually large.
	AnomalyHeaderFieldLarge = "MIME_HEADER_FIELD_LARGE"
	// AnomalyMboxFrom: the message starts with an mbox "From " line.
	AnomalyMboxFrom = "MIME_MBOX_FROM_LINE"
	// AnomalyBadHeaderName: a field name contains spaces or other bytes that
	// RFC 5322 does not allow.
	AnomalyBadHeaderName = "MIME_BAD_HEADER_NAME"
	// AnomalyBadHeaderLine: a header line is neither a field nor a
	// continuation and was skipped.
	AnomalyBadHeaderLine = "MIME_BAD_HEADER_LINE"
	// AnomalyUnfoldedLine: a header line without indentation or colon was
	// read as the continuation of the field above.
	AnomalyUnfoldedLine = "MIME_UNFOLDED_HEADER_LINE"
	// AnomalyNoHeaderEnd: the header block ended without an empty line.
	AnomalyNoHeaderEnd = "MIME_NO_HEADER_END"
	// AnomalyHeader8Bit: a header field holds raw bytes that are not UTF-8.
	AnomalyHeader8Bit = "MIME_HEADER_8BIT"
	// AnomalyMixedLineEndings: the message mixes CRLF and bare LF.
	AnomalyMixedLineEndings = "MIME_MIXED_LINE_ENDINGS"
	// AnomalyBase64Invalid: a base64 body needed leniency to decode.
	AnomalyBase64Invalid = "MIME_BASE64_INVALID"
	// AnomalyQPInvalid: a quoted-printable body has invalid escapes.
	AnomalyQPInvalid = "MIME_QP_INVALID"
	// AnomalyUUInvalid: a uuencoded body needed leniency to decode.
	AnomalyUUInvalid = "MIME_UUENCODE_INVALID"
	// AnomalyUnknownEncoding: the Content-Transfer-Encoding is unknown and
	// the body is kept as it is.
	AnomalyUnknownEncoding = "MIME_UNKNOWN_ENCODING"
	// AnomalyUUInline: a text part holds an inline uuencode block.
	AnomalyUUInline = "MIME_UUENCODE_INLINE"
	// AnomalyCharsetUnknown: a charset label is unknown, so the text was
	// guessed.
	AnomalyCharsetUnknown = "MIME_CHARSET_UNKNOWN"
	// AnomalyCharsetFailed: charset decoding failed or lost most of the
	// input, so the text was guessed from the raw bytes.
	AnomalyCharsetFailed = "MIME_CHARSET_DECODE_FAILED"
	// AnomalyCharsetRare: a charset that mail clients rarely send and that
	// filters often cannot read (ISO-2022-KR, ISO-2022-CN, replacement).
	AnomalyCharsetRare = "MIME_CHARSET_RARE"
	// AnomalyUndeclared8Bit: a body labelled US-ASCII or unlabelled holds
	// 8-bit bytes.
	AnomalyUndeclared8Bit = "MIME_UNDECLARED_8BIT"
	// AnomalyNameBidi: a file name contains bidirectional control
	// characters, such as U+202E RIGHT-TO-LEFT OVERRIDE.
	AnomalyNameBidi = "MIME_NAME_BIDI"
	// AnomalyNameControl: a file name contains control characters.
	AnomalyNameControl = "MIME_NAME_CONTROL"
	// AnomalyNamePath: a file name contains directory parts.
	AnomalyNamePath = "MIME_NAME_PATH"
	// AnomalyNameConflict: a part carries several different file names.
	AnomalyNameConflict = "MIME_NAME_CONFLICT"
	// AnomalyTNEFInvalid: a TNEF stream is damaged. Files read before the
	// damage are kept.
	AnomalyTNEFInvalid = "MIME_TNEF_INVALID"
)

// anomaly builds an Anomaly whose detail is a formatted sentence.
func anomaly(name, path, format string, args ...any) Anomaly {
	return Anomaly{Name: name, Path: path, Detail: fmt.Sprintf(format, args...)}
}

// cut returns s shortened to maxQuoted bytes, for quoting in a detail.
func cut(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	return s[:maxQuoted] + "…"
}

// cutBytes is cut for a byte slice.
func cutBytes(b []byte) string {
	if len(b) > maxQuoted {
		b = b[:maxQuoted]
		return string(b) + "…"
	}
	return string(b)
}
