package scanner

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"testing"
)

func zipWith(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tarWith(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for name, data := range files {
		if err := w.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func hasAnomaly(r *Report, name string) bool {
	for _, a := range r.Anomalies {
		if a.Name == name {
			return true
		}
	}
	return false
}

func hasAttachment(r *Report, name string, kind Kind) bool {
	for _, a := range r.Attachments {
		if a.Filename == name && a.Sniffed == kind {
			return true
		}
	}
	return false
}

func TestScanContainers(t *testing.T) {
	exe := []byte("MZ\x90\x00 fake executable")
	archive := zipWith(t, map[string][]byte{"invoice.exe": exe})
	tests := []struct {
		name        string
		file        string
		data        []byte
		wantFile    string
		wantKind    Kind
		wantAnomaly string
		wantLink    string
	}{
		{"zip behind junk bytes", "invoice.zip", append([]byte("hello junk\n"), archive...),
			"invoice.exe", KindPE, "ZIP_PREPENDED_DATA", ""},
		{"zip behind a PDF header", "doc.pdf", append([]byte("%PDF-1.4\n% padding\n"), archive...),
			"invoice.exe", KindPE, "ZIP_PREPENDED_DATA", ""},
		{"tar with an executable", "inv.tar", tarWith(t, map[string][]byte{"invoice.exe": exe}),
			"invoice.exe", KindPE, "", ""},
		{"tar climbing out of its folder", "x.tar", tarWith(t, map[string][]byte{"../../etc/evil.exe": exe}),
			"evil.exe", KindPE, AnomalyTarUnsafeName, ""},
		{"rtf hyperlink field and object", "doc.rtf",
			[]byte(`{\rtf1{\field{\*\fldinst HYPERLINK "https://rtf-lure.example/pay"}}{\object\objemb{\*\objdata 0105}}}`),
			"", "", AnomalyRTFObject, "https://rtf-lure.example/pay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(Limits{}).Scan(context.Background(), WrapFile(tt.file, tt.data))
			if tt.wantFile != "" && !hasAttachment(r, tt.wantFile, tt.wantKind) {
				t.Errorf("attachments = %+v, want %s sniffed as %s", r.Attachments, tt.wantFile, tt.wantKind)
			}
			if tt.wantAnomaly != "" && !hasAnomaly(r, tt.wantAnomaly) {
				t.Errorf("anomalies = %+v, want %s", r.Anomalies, tt.wantAnomaly)
			}
			if tt.wantLink != "" && !hasLinkURL(r, tt.wantLink) {
				t.Errorf("links = %+v, want %s", r.Links, tt.wantLink)
			}
		})
	}
}

func hasLinkURL(r *Report, url string) bool {
	for _, l := range r.Links {
		if l.URL == url {
			return true
		}
	}
	return false
}

func TestHasZipTrailer(t *testing.T) {
	archive := zipWith(t, map[string][]byte{"a.txt": []byte("a")})
	if !HasZipTrailer(archive) {
		t.Error("HasZipTrailer(zip) = false, want true")
	}
	if !HasZipTrailer(append([]byte("%PDF-1.4\n"), archive...)) {
		t.Error("HasZipTrailer(pdf + zip) = false, want true")
	}
	if HasZipTrailer([]byte("plain text mentioning PK but no record")) {
		t.Error("HasZipTrailer(text) = true, want false")
	}
}

func TestAddURLFlagsUnparsable(t *testing.T) {
	m := &session{s: New(Limits{}), r: &Report{}}
	m.addURL("http://[::1", "relationship", "a.docx › word/_rels/document.xml.rels", "")
	m.addURL("https://Docs.Example.ORG/x", "relationship", "a.docx", "")
	if len(m.r.Links) != 2 {
		t.Fatalf("links = %+v, want both kept", m.r.Links)
	}
	if m.r.Links[0].Domain != "" {
		t.Errorf("unparsable link domain = %q, want empty", m.r.Links[0].Domain)
	}
	if !hasAnomaly(m.r, "URL_INVALID") {
		t.Errorf("anomalies = %+v, want URL_INVALID for the unparsable URL", m.r.Anomalies)
	}
	if got := m.r.Links[1].Domain; got != "example.org" {
		t.Errorf("parsed link domain = %q, want example.org", got)
	}
}
