package scanner

import (
	"bytes"
	"encoding/base64"
	"mime"
	"regexp"
)

// headerProbeBytes is how much of a file LooksLikeMessage reads. A message
// whose first known header field starts later than this has a header block
// no MTA would have built.
const headerProbeBytes = 16 << 10

// fieldLine matches an RFC 5322 header field line: a name of printable
// characters other than colon, then a colon.
var fieldLine = regexp.MustCompile(`^[!-9;-~]{1,76}:`)

// mailFieldNames are header fields that only mail carries; one of them near
// the top tells a message from any other file that happens to start with a
// "word:" line.
var mailFieldNames = regexp.MustCompile(
	`(?im)^(received|from|to|subject|date|message-id|mime-version|return-path|delivered-to|reply-to|content-type|x-[a-z0-9-]+|dkim-signature|authentication-results|arc-[a-z-]+|cc|sender):`)

// LooksLikeMessage reports whether data is an RFC 5322 message (or an mbox
// entry) rather than a bare file such as a PDF or an image.
func LooksLikeMessage(data []byte) bool {
	if Sniff(data) != KindUnknown {
		return false
	}
	head := data
	if len(head) > headerProbeBytes {
		head = head[:headerProbeBytes]
	}
	head = bytes.TrimLeft(head, "\r\n")
	if bytes.HasPrefix(head, []byte("From ")) {
		return true
	}
	if !fieldLine.Match(head) {
		return false
	}
	return mailFieldNames.Match(head)
}

// WrapFile builds a message that carries data as its only attachment, so
// that a bare file goes through the same pipeline as mail. The envelope and
// sender of the wrapper are empty; name is used as the attachment name.
func WrapFile(name string, data []byte) []byte {
	var b bytes.Buffer
	const boundary = "holdfast-wrapped-file"
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Subject: " + mime.QEncoding.Encode("utf-8", name) + "\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n")
	b.WriteString("--" + boundary + "\r\n")
	b.WriteString("Content-Type: application/octet-stream\r\n")
	b.WriteString("Content-Transfer-Encoding: base64\r\n")
	b.WriteString("Content-Disposition: attachment; filename*=utf-8''" + pathEscape(name) + "\r\n\r\n")

	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--" + boundary + "--\r\n")
	return b.Bytes()
}

// pathEscape percent-encodes name for an RFC 2231 extended parameter value.
func pathEscape(name string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			bytes.IndexByte([]byte("!#$&+-.^_`|~"), c) >= 0) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}
