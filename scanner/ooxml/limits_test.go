package ooxml

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"slices"
	"sync"
	"testing"
)

var (
	bombOnce sync.Once
	bombData []byte
)

// bombDocx returns a document whose word/document.xml inflates from about
// 200 KB to 200 MiB of zeros. It is built once per test binary because
// compressing 200 MiB takes a few hundred milliseconds.
func bombDocx(t testing.TB) []byte {
	bombOnce.Do(func() {
		const size = 200 << 20
		var comp bytes.Buffer
		fw, err := flate.NewWriter(&comp, flate.BestCompression)
		if err != nil {
			t.Fatal(err)
		}
		zeros := make([]byte, 1<<20)
		crc := crc32.NewIEEE()
		for i := 0; i < size/len(zeros); i++ {
			fw.Write(zeros)
			crc.Write(zeros)
		}
		fw.Close()

		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range docx("")[:2] {
			w, _ := zw.Create(f.name)
			w.Write([]byte(f.body))
		}
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: "word/document.xml", Method: zip.Deflate, CRC32: crc.Sum32(),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: size,
		})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
		zw.Close()
		bombData = buf.Bytes()
	})
	return bombData
}

func TestOpenInflationBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 200 MiB inflation bomb")
	}
	data := bombDocx(t)
	doc := Open(data, "bomb.docx", Limits{})

	var names []string
	for _, a := range doc.Anomalies {
		names = append(names, a.Name)
	}
	for _, want := range []string{"ZIP_BOMB", "ZIP_ENTRY_SIZE_LIMIT"} {
		if !slices.Contains(names, want) {
			t.Errorf("missing anomaly %s; got %+v", want, doc.Anomalies)
		}
	}
	if len(doc.Text) != 0 {
		t.Errorf("the bomb part was read: %d text parts", len(doc.Text))
	}
	if doc.MainPart != "word/document.xml" {
		t.Errorf("MainPart = %q, want word/document.xml", doc.MainPart)
	}
}

func TestOpenLimits(t *testing.T) {
	many := ""
	for i := 0; i < 5; i++ {
		many += `<w:p><w:fldSimple w:instr="HYPERLINK http://many.test/"/>` + run("0123456789") + `</w:p>`
	}
	tests := []struct {
		name    string
		lim     Limits
		anomaly string
	}{
		{"link cap", Limits{MaxLinks: 3}, AnomalyLinkLimit},
		{"text cap", Limits{MaxTextBytes: 20}, AnomalyTextLimit},
		{"field cap", Limits{MaxFieldBytes: 8}, AnomalyFieldLimit},
	}
	data := zipOf(t, docx(`<w:p>`+fldChar("begin")+instr(`HYPERLINK "http://long.test/"`)+
		fldChar("end")+`</w:p>`+many)...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Open(data, "", tt.lim)
			found := false
			for _, a := range doc.Anomalies {
				found = found || a.Name == tt.anomaly
			}
			if !found {
				t.Errorf("missing anomaly %s; got %+v", tt.anomaly, doc.Anomalies)
			}
		})
	}
}

func TestOpenNotZip(t *testing.T) {
	tests := []struct {
		name string
		data string
		// detail is a substring expected in the anomaly detail.
		detail string
	}{
		{"ole2 document", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + string(make([]byte, 512)), "OLE2"},
		{"rtf document", `{\rtf1\ansi hello}`, "RTF"},
		{"empty input", "", "not a zip archive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Open([]byte(tt.data), "x.docx", Limits{})
			if doc.Kind != KindUnknown {
				t.Errorf("Kind = %q, want %q", doc.Kind, KindUnknown)
			}
			if len(doc.Anomalies) != 1 || doc.Anomalies[0].Name != AnomalyNotZip {
				t.Fatalf("anomalies = %+v, want one %s", doc.Anomalies, AnomalyNotZip)
			}
			if !bytes.Contains([]byte(doc.Anomalies[0].Detail), []byte(tt.detail)) {
				t.Errorf("detail = %q, want it to contain %q", doc.Anomalies[0].Detail, tt.detail)
			}
		})
	}
}
