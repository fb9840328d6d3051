package scanner

import (
	"bytes"
	"path"
	"strings"
)

// Kind is a file type recognised from its bytes, such as "zip" or "pdf".
// Kinds are stable names used in reports and signals.
type Kind string

// The kinds Sniff recognises. KindUnknown covers everything else, plain text
// included.
const (
	KindUnknown Kind = ""
	KindZip     Kind = "zip"
	KindOLE2    Kind = "ole2"
	KindPDF     Kind = "pdf"
	KindRTF     Kind = "rtf"
	KindPNG     Kind = "png"
	KindJPEG    Kind = "jpeg"
	KindGIF     Kind = "gif"
	KindBMP     Kind = "bmp"
	KindTIFF    Kind = "tiff"
	KindWebP    Kind = "webp"
	KindHTML    Kind = "html"
	KindGzip    Kind = "gzip"
	Kind7z      Kind = "7z"
	KindRar     Kind = "rar"
	KindPE      Kind = "pe"
	KindELF     Kind = "elf"
	KindMachO   Kind = "macho"
	KindTNEF    Kind = "tnef"
	KindTar     Kind = "tar"
)

// sniffWindow is how many leading bytes Sniff inspects. 512 matches
// net/http.DetectContentType and covers an HTML document that opens with a
// comment or a byte-order mark.
const sniffWindow = 512

// magic pairs a byte prefix with the kind it announces.
type magic struct {
	prefix []byte
	kind   Kind
}

var magics = []magic{
	{[]byte("PK\x03\x04"), KindZip},
	{[]byte("PK\x05\x06"), KindZip}, // empty archive
	{[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), KindOLE2},
	{[]byte("%PDF-"), KindPDF},
	{[]byte("{\\rtf"), KindRTF},
	{[]byte("\x89PNG\r\n\x1a\n"), KindPNG},
	{[]byte("\xFF\xD8\xFF"), KindJPEG},
	{[]byte("GIF87a"), KindGIF},
	{[]byte("GIF89a"), KindGIF},
	{[]byte("II*\x00"), KindTIFF},
	{[]byte("MM\x00*"), KindTIFF},
	{[]byte("\x1F\x8B"), KindGzip},
	{[]byte("7z\xBC\xAF\x27\x1C"), Kind7z},
	{[]byte("Rar!\x1A\x07"), KindRar},
	{[]byte("\x7FELF"), KindELF},
	{[]byte("\xCF\xFA\xED\xFE"), KindMachO},
	{[]byte("\xCE\xFA\xED\xFE"), KindMachO},
	{[]byte("\x78\x9F\x3E\x22"), KindTNEF},
}

// Sniff returns the kind of data judged by its leading bytes only, never by
// a name or a declared type.
func Sniff(data []byte) Kind {
	head := data
	if len(head) > sniffWindow {
		head = head[:sniffWindow]
	}
	for _, m := range magics {
		if bytes.HasPrefix(head, m.prefix) {
			return m.kind
		}
	}
	switch {
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) &&
		bytes.Equal(head[8:12], []byte("WEBP")):
		return KindWebP
	case len(head) >= 14 && bytes.HasPrefix(head, []byte("BM")) && bmpHeaderPlausible(head):
		return KindBMP
	case isPE(data):
		return KindPE
	case isTar(data):
		return KindTar
	case looksLikeHTML(head):
		return KindHTML
	}
	return KindUnknown
}

// bmpHeaderPlausible checks the reserved fields of a BMP file header, which
// must be zero, so that text starting with "BM" is not taken for an image.
func bmpHeaderPlausible(head []byte) bool {
	return head[6] == 0 && head[7] == 0 && head[8] == 0 && head[9] == 0
}

// isTar reports whether data is a POSIX or GNU tar archive: "ustar" at
// offset 257 of the first header block.
func isTar(data []byte) bool {
	return len(data) >= 262 && bytes.Equal(data[257:262], []byte("ustar"))
}

// isPE reports whether data starts with an MS-DOS header. A bare "MZ" prefix
// is enough: Windows loads such a file whatever follows, and a mail
// attachment starting with "MZ" is treated as an executable by the
// attackers who send it.
func isPE(data []byte) bool {
	return len(data) >= 2 && data[0] == 'M' && data[1] == 'Z'
}

var htmlOpeners = [][]byte{
	[]byte("<!doctype html"), []byte("<html"), []byte("<head"), []byte("<body"),
	[]byte("<script"), []byte("<iframe"), []byte("<meta"), []byte("<form"),
	[]byte("<div"), []byte("<table"), []byte("<a "), []byte("<p>"), []byte("<svg"),
	[]byte("<!--"), []byte("<title"), []byte("<style"), []byte("<img"),
}

// looksLikeHTML reports whether the first non-blank bytes open an HTML tag
// that browsers render, ignoring case and a UTF-8 byte-order mark.
func looksLikeHTML(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	head = bytes.TrimLeft(head, " \t\r\n\f")
	lower := bytes.ToLower(head)
	for _, o := range htmlOpeners {
		if bytes.HasPrefix(lower, o) {
			return true
		}
	}
	return false
}

// extensionKinds maps a lower-case file extension to the kinds its bytes
// may legitimately have. An extension absent here is not checked.
var extensionKinds = map[string][]Kind{
	".zip": {KindZip}, ".docx": {KindZip}, ".docm": {KindZip}, ".dotx": {KindZip},
	".dotm": {KindZip}, ".xlsx": {KindZip}, ".xlsm": {KindZip}, ".pptx": {KindZip},
	".pptm": {KindZip}, ".odt": {KindZip}, ".jar": {KindZip},
	".doc": {KindOLE2, KindRTF}, ".xls": {KindOLE2}, ".ppt": {KindOLE2}, ".msg": {KindOLE2},
	".pdf": {KindPDF}, ".rtf": {KindRTF},
	".png": {KindPNG}, ".jpg": {KindJPEG}, ".jpeg": {KindJPEG}, ".gif": {KindGIF},
	".bmp": {KindBMP}, ".tif": {KindTIFF}, ".tiff": {KindTIFF}, ".webp": {KindWebP},
	".htm": {KindHTML, KindUnknown}, ".html": {KindHTML, KindUnknown},
	".gz": {KindGzip}, ".tgz": {KindGzip}, ".tar": {KindTar}, ".7z": {Kind7z}, ".rar": {KindRar},
	".exe": {KindPE}, ".dll": {KindPE}, ".scr": {KindPE},
}

// executableExtensions lists the extensions Windows runs, or hands to an
// interpreter, on a double click.
var executableExtensions = map[string]bool{
	".exe": true, ".scr": true, ".com": true, ".pif": true, ".bat": true, ".cmd": true,
	".vbs": true, ".vbe": true, ".js": true, ".jse": true, ".wsf": true, ".wsh": true,
	".hta": true, ".msi": true, ".cpl": true, ".lnk": true, ".ps1": true, ".jar": true,
	".iso": true, ".img": true, ".vhd": true, ".reg": true, ".dll": true, ".msc": true,
	".appx": true, ".msix": true, ".application": true, ".url": true, ".library-ms": true,
}

// decoyExtensions lists document and media extensions an attacker puts
// before a real executable extension ("invoice.pdf.exe").
var decoyExtensions = map[string]bool{
	".pdf": true, ".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".txt": true,
	".jpg": true, ".jpeg": true, ".png": true, ".zip": true, ".rtf": true, ".ppt": true,
	".pptx": true, ".htm": true, ".html": true, ".csv": true, ".mp3": true, ".mp4": true,
}

// extension returns the lower-case last extension of name, with its dot.
func extension(name string) string {
	return strings.ToLower(path.Ext(strings.TrimRight(name, " .")))
}

// IsExecutableName reports whether Windows would run a file of this name.
func IsExecutableName(name string) bool {
	return executableExtensions[extension(name)]
}

// DoubleExtension reports whether name hides an executable extension behind
// a document one, returning the decoy extension.
func DoubleExtension(name string) (string, bool) {
	name = strings.TrimRight(name, " .")
	ext := extension(name)
	if !executableExtensions[ext] {
		return "", false
	}
	inner := extension(strings.TrimSuffix(strings.ToLower(name), ext))
	if decoyExtensions[inner] {
		return inner, true
	}
	return "", false
}

// kindMatchesName reports whether sniffed bytes fit the name's extension.
// Names with an unlisted extension always match.
func kindMatchesName(kind Kind, name string) bool {
	allowed, ok := extensionKinds[extension(name)]
	if !ok {
		return true
	}
	for _, k := range allowed {
		if k == kind {
			return true
		}
	}
	return false
}

// zipTrailerWindow is how far from the end an end-of-central-directory
// record can start: its 22 bytes plus a comment of at most 65,535 bytes
// (APPNOTE.TXT 4.3.16).
const zipTrailerWindow = 22 + 65535

// HasZipTrailer reports whether data ends with a zip end-of-central-
// directory record, whatever its first bytes are. A file that sniffs as
// something else but has one is a polyglot: readers that look at the end,
// as zip readers do, see an archive.
func HasZipTrailer(data []byte) bool {
	tail := data
	if len(tail) > zipTrailerWindow {
		tail = tail[len(tail)-zipTrailerWindow:]
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	return i >= 0 && len(tail)-i >= 22
}
