package scanner

import "testing"

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		data string
		want Kind
	}{
		{"zip", "PK\x03\x04rest", KindZip},
		{"ole2", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1....", KindOLE2},
		{"pdf", "%PDF-1.7\n", KindPDF},
		{"rtf", "{\\rtf1\\ansi", KindRTF},
		{"png", "\x89PNG\r\n\x1a\n....", KindPNG},
		{"jpeg", "\xFF\xD8\xFF\xE0", KindJPEG},
		{"gif", "GIF89a....", KindGIF},
		{"webp", "RIFF\x10\x00\x00\x00WEBPVP8 ", KindWebP},
		{"bmp", "BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00", KindBMP},
		{"text starting with BM", "BMW owners club newsletter", KindUnknown},
		{"pe", "MZ\x90\x00", KindPE},
		{"elf", "\x7FELF\x02", KindELF},
		{"html with bom and blank lines", "\xEF\xBB\xBF\r\n  <!DOCTYPE html><html>", KindHTML},
		{"html fragment", "<table><tr><td>x</td></tr></table>", KindHTML},
		{"plain text", "Hello, see you at 10.", KindUnknown},
		{"empty", "", KindUnknown},
		{"7z", "7z\xBC\xAF\x27\x1C\x00\x04", Kind7z},
		{"rar", "Rar!\x1A\x07\x00", KindRar},
		{"gzip", "\x1F\x8B\x08", KindGzip},
		{"tnef", "\x78\x9F\x3E\x22\x01", KindTNEF},
	}
	for _, tt := range tests {
		if got := Sniff([]byte(tt.data)); got != tt.want {
			t.Errorf("%s: Sniff(%q) = %q, want %q", tt.name, tt.data, got, tt.want)
		}
	}
}

func TestDoubleExtension(t *testing.T) {
	tests := []struct {
		name      string
		wantDecoy string
		wantOK    bool
	}{
		{"invoice.pdf.exe", ".pdf", true},
		{"INVOICE.PDF.EXE", ".pdf", true},
		{"scan.docx.js ", ".docx", true},
		{"report.pdf", "", false},
		{"setup.exe", "", false},
		{"archive.tar.gz", "", false},
	}
	for _, tt := range tests {
		decoy, ok := DoubleExtension(tt.name)
		if decoy != tt.wantDecoy || ok != tt.wantOK {
			t.Errorf("DoubleExtension(%q) = %q, %v; want %q, %v", tt.name, decoy, ok, tt.wantDecoy, tt.wantOK)
		}
	}
}

func TestKindMatchesName(t *testing.T) {
	tests := []struct {
		kind Kind
		name string
		want bool
	}{
		{KindZip, "a.docx", true},
		{KindOLE2, "a.docx", false},
		{KindPDF, "a.pdf", true},
		{KindPE, "a.pdf", false},
		{KindRTF, "a.doc", true},
		{KindPNG, "unlisted.xyz", true},
	}
	for _, tt := range tests {
		if got := kindMatchesName(tt.kind, tt.name); got != tt.want {
			t.Errorf("kindMatchesName(%q, %q) = %v, want %v", tt.kind, tt.name, got, tt.want)
		}
	}
}

func TestLooksLikeMessage(t *testing.T) {
	tests := []struct {
		name string
		data string
		want bool
	}{
		{"headers", "Received: from x\r\nFrom: a@b\r\nSubject: hi\r\n\r\nbody", true},
		{"mbox line", "From a@b Mon Jan  1 00:00:00 2024\nFrom: a@b\n\nx", true},
		{"custom header only", "X-Mailer: foo\r\n\r\nx", true},
		{"pdf", "%PDF-1.4\n", false},
		{"html", "<html><body>x</body></html>", false},
		{"text with a colon", "Note: bring the key\nThanks", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		if got := LooksLikeMessage([]byte(tt.data)); got != tt.want {
			t.Errorf("%s: LooksLikeMessage = %v, want %v", tt.name, got, tt.want)
		}
	}
}
