// Package pdf opens PDF attachments the way a suspicious analyst would and
// returns what matters for phishing: link targets of every action, images
// for the QR stage, JavaScript, launch actions, embedded files, encryption
// and the faults tolerated on the way.
//
// It never writes to disk, never touches the network, never logs, never
// scores and never runs anything it finds. Open never fails: a fault it
// tolerates, a limit it reaches or a risky feature becomes an Anomaly in
// the Document, so that no broken file looks clean. Input bytes are never
// modified; returned Data may share memory with them.
//
// The parser is lexical, as in malware-analysis tools: it finds every
// "N G obj" in the bytes and parses the object after it, and it never
// reads the xref table. Attackers break the xref table on purpose, and
// viewers rebuild it by the same kind of scan, so a reader that trusts it
// sees less than the victim's viewer does. Objects inside object streams
// (/Type /ObjStm) are read too, and when an object number is defined twice
// the definition later in the file wins, as in an incremental update. The
// package does not use github.com/pdfcpu/pdfcpu: that library validates
// the xref table and the object graph before it returns anything, so the
// broken files that matter most here would yield nothing, and it pulls in
// far more code (fonts, forms, signing) than a scan needs.
//
// Filters: FlateDecode (raw deflate tolerated, partial output of a
// truncated stream kept, PNG and TIFF predictors), LZWDecode with either
// EarlyChange, ASCIIHexDecode, ASCII85Decode and RunLengthDecode, chained
// in any order. DCTDecode images are returned as their JPEG bytes; raw
// images are rebuilt as PNG; JBIG2Decode, JPXDecode and CCITTFaxDecode
// images are reported as unscanned.
//
// Config keys: none directly. The caller maps its own settings onto Limits.
//
// Limitations: encrypted documents are detected, not decrypted, so their
// strings and streams are not read. Text is read from literal and hex
// strings of page content streams as bytes, so text shown through CID
// fonts or custom encodings is not searched for URLs. Inline images
// (BI … ID … EI) are not returned. The /Base of a URI dictionary is not
// applied to relative URIs.
package pdf

// Document is the result of Open for one PDF file.
type Document struct {
	// Links lists the URL targets of actions and the URLs in page text,
	// in the order found.
	Links []Link
	// Images lists the images a QR stage can decode, in page order first,
	// then images no page refers to.
	Images []Image
	// JavaScript reports whether the document carries JavaScript.
	JavaScript bool
	// JavaScriptEvidence lists each trace of JavaScript, such as
	// "/JS in page 1 › annotation", empty when there is none.
	JavaScriptEvidence []string
	// Launches lists the launch actions found.
	Launches []Launch
	// EmbeddedFiles lists the files carried in the document, decoded, for
	// the caller to open in turn.
	EmbeddedFiles []File
	// Encrypted reports an /Encrypt dictionary. Strings and streams of an
	// encrypted document are not read, so Links and Images are incomplete.
	Encrypted bool
	// Pages is the number of pages in the page tree, or the number of page
	// objects when no page tree is found.
	Pages int
	// Anomalies lists every tolerated fault, limit reached and risky
	// feature.
	Anomalies []Anomaly
}

// Link is one URL and where it was found.
type Link struct {
	// URL is the target as written in the file, after string decoding.
	URL string
	// Via names the construct the URL came from: "uri-action", "launch",
	// "submit-form", "remote-goto" (GoToR or GoToE to a URL), "javascript"
	// (a URL in JavaScript source) or "text" (a URL in page text).
	Via string
	// Source is the place a person finds it, such as
	// "invoice.pdf › page 1 › annotation".
	Source string
}

// Image is one image to hand to a QR decoder.
type Image struct {
	// Data is the encoded image: the JPEG stream as stored for "jpeg", a
	// PNG built by this package from the raw pixels for "png".
	Data []byte
	// Format is "jpeg" or "png".
	Format string
	// Width and Height are the pixel size the image dictionary declares.
	Width, Height int
	// Source is the place a person finds it, such as
	// "invoice.pdf › page 2 › image /Im3".
	Source string
}

// Launch is one launch action: a program or file the viewer is asked to
// open.
type Launch struct {
	// Target is the file or program named, "" when the action names none.
	Target string
	// Parameters is the command line given to a Windows program, "" when
	// absent.
	Parameters string
	Source     string
}

// File is one embedded file.
type File struct {
	// Name is the file name the document gives, "" when it gives none.
	Name   string
	Data   []byte
	Source string
}

// Anomaly is one tolerated fault, limit reached or risky feature, with a
// stable Name and a Detail a person can check.
type Anomaly struct {
	Name   string
	Detail string
}

// Open reads data, a PDF file, and returns what it contains. The source
// names the file for people, such as the attachment name, and starts every
// Source in the Document. Open always returns a Document, and the fuzz
// target FuzzOpen checks that no input makes it panic.
func Open(data []byte, source string, lim Limits) *Document {
	p := newParser(data, source, lim.resolve())
	p.run()
	return p.doc
}
