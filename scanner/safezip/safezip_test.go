package safezip

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"strings"
	"testing"
)

// entry describes one entry of a test archive.
type entry struct {
	name string
	data []byte
	// raw, when set, writes the entry with CreateRaw and this header, so
	// tests can set flags, methods and sizes that a real writer would not.
	raw *zip.FileHeader
}

// buildZip writes the entries into an in-memory archive.
func buildZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.raw != nil {
			fw, err := w.CreateRaw(e.raw)
			if err != nil {
				t.Fatalf("CreateRaw(%q): %v", e.raw.Name, err)
			}
			fw.Write(e.data)
			continue
		}
		fw, err := w.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if err != nil {
			t.Fatalf("Create(%q): %v", e.name, err)
		}
		fw.Write(e.data)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

// deflated returns data compressed with raw deflate, as a zip entry stores it.
func deflated(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	fw.Close()
	return buf.Bytes()
}

func anomalyNames(a *Archive) []string {
	var names []string
	for _, an := range a.Anomalies {
		names = append(names, an.Name)
	}
	return names
}

func findAnomaly(a *Archive, name string) (Anomaly, bool) {
	for _, an := range a.Anomalies {
		if an.Name == name {
			return an, true
		}
	}
	return Anomaly{}, false
}

func TestOpenAnomalies(t *testing.T) {
	hello := []byte("hello")
	plain := buildZip(t, entry{name: "a.txt", data: hello})
	zeros := make([]byte, 8<<20)
	liar := []byte(strings.Repeat("x", 100))

	tests := []struct {
		name string
		data []byte
		lim  Limits
		// want lists the anomaly names expected, in order.
		want []string
		// wantDetail is a substring expected in the first anomaly's detail.
		wantDetail string
	}{
		{
			name: "clean archive",
			data: plain,
		},
		{
			name:       "prepended pdf header",
			data:       append([]byte("%PDF-1.4\n% junk\n"), plain...),
			want:       []string{AnomalyPrependedData},
			wantDetail: `16 bytes precede the archive, starting "%PDF-1.4\n% junk\n"`,
		},
		{
			name: "trailing bytes",
			data: append(append([]byte{}, plain...), "tail"...),
			want: []string{AnomalyTrailingData},
		},
		{
			name: "duplicate name",
			data: buildZip(t,
				entry{name: "word/document.xml", data: hello},
				entry{name: "word/document.xml", data: hello}),
			want:       []string{AnomalyDuplicateEntry},
			wantDetail: `entry 2 repeats the name of entry 1 "word/document.xml"`,
		},
		{
			name: "duplicate name in other case",
			data: buildZip(t,
				entry{name: "word/document.xml", data: hello},
				entry{name: "Word/Document.XML", data: hello}),
			want: []string{AnomalyDuplicateEntry},
		},
		{
			name:       "parent traversal",
			data:       buildZip(t, entry{name: "../../evil.txt", data: hello}),
			want:       []string{AnomalyUnsafeName},
			wantDetail: "parent directory",
		},
		{
			name: "backslash traversal",
			data: buildZip(t, entry{name: `..\..\evil.txt`, data: hello}),
			want: []string{AnomalyUnsafeName},
		},
		{
			name:       "absolute path",
			data:       buildZip(t, entry{name: "/etc/cron.d/x", data: hello}),
			want:       []string{AnomalyUnsafeName},
			wantDetail: "absolute path",
		},
		{
			name:       "drive letter",
			data:       buildZip(t, entry{name: `C:\Windows\x.dll`, data: hello}),
			want:       []string{AnomalyUnsafeName},
			wantDetail: "drive letter",
		},
		{
			name: "encrypted entry",
			data: buildZip(t, entry{data: hello, raw: &zip.FileHeader{
				Name: "secret.txt", Method: zip.Store, Flags: 0x1,
				CRC32: crc32.ChecksumIEEE(hello), CompressedSize64: 5, UncompressedSize64: 5,
			}}),
			want: []string{AnomalyEncrypted},
		},
		{
			name: "unknown method",
			data: buildZip(t, entry{data: hello, raw: &zip.FileHeader{
				Name: "x.bin", Method: 99, CompressedSize64: 5, UncompressedSize64: 5,
			}}),
			want: []string{AnomalyUnsupportedMethod},
		},
		{
			name: "too many entries",
			data: buildZip(t,
				entry{name: "1", data: hello}, entry{name: "2", data: hello},
				entry{name: "3", data: hello}),
			lim:        Limits{MaxEntries: 2},
			want:       []string{AnomalyEntryLimit},
			wantDetail: "3 entries > limit 2",
		},
		{
			name:       "entry too large",
			data:       buildZip(t, entry{name: "big", data: liar}),
			lim:        Limits{MaxEntryBytes: 10},
			want:       []string{AnomalyEntrySizeLimit},
			wantDetail: `entry "big" declares 100 bytes > limit 10`,
		},
		{
			name:       "declared total too large",
			data:       buildZip(t, entry{name: "a", data: liar}, entry{name: "b", data: liar}),
			lim:        Limits{MaxTotalBytes: 150},
			want:       []string{AnomalyTotalSizeLimit},
			wantDetail: "declared uncompressed total 200 bytes > limit 150",
		},
		{
			name: "high ratio",
			data: buildZip(t, entry{data: deflated(t, zeros), raw: &zip.FileHeader{
				Name: "zeros.xml", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(zeros),
				CompressedSize64:   uint64(len(deflated(t, zeros))),
				UncompressedSize64: uint64(len(zeros)),
			}}),
			want: []string{AnomalyBomb},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Open(tt.data, tt.lim)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			got := anomalyNames(a)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("anomalies = %v, want %v (%+v)", got, tt.want, a.Anomalies)
			}
			if tt.wantDetail != "" && !strings.Contains(a.Anomalies[0].Detail, tt.wantDetail) {
				t.Errorf("detail = %q, want it to contain %q", a.Anomalies[0].Detail, tt.wantDetail)
			}
		})
	}
}

func TestOpenPrependedCount(t *testing.T) {
	prefix := bytes.Repeat([]byte("%PDF-1.4\n"), 100)
	data := append(prefix, buildZip(t, entry{name: "a.txt", data: []byte("hi")})...)
	a, err := Open(data, Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if a.Prepended != int64(len(prefix)) {
		t.Errorf("Prepended = %d, want %d", a.Prepended, len(prefix))
	}
	got, err := a.Read(a.Entries[0])
	if err != nil || string(got) != "hi" {
		t.Errorf("Read = %q, %v; want \"hi\", nil", got, err)
	}
}

func TestOpenNotZip(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("plain text"), []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")} {
		_, err := Open(data, Limits{})
		if !errors.Is(err, ErrNotZip) {
			t.Errorf("Open(%q) error = %v, want ErrNotZip", data, err)
		}
	}
}

func TestReadRefusals(t *testing.T) {
	zeros := make([]byte, 8<<20)
	comp := deflated(t, zeros)
	lie := []byte(strings.Repeat("x", 1000))
	lieComp := deflated(t, lie)

	tests := []struct {
		name    string
		data    []byte
		lim     Limits
		wantErr error
		// wantAnomaly is the anomaly expected after the read.
		wantAnomaly string
	}{
		{
			name: "bomb not inflated",
			data: buildZip(t, entry{data: comp, raw: &zip.FileHeader{
				Name: "zeros", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(zeros),
				CompressedSize64: uint64(len(comp)), UncompressedSize64: uint64(len(zeros)),
			}}),
			wantErr:     ErrRejected,
			wantAnomaly: AnomalyBomb,
		},
		{
			name: "header understates size",
			data: buildZip(t, entry{data: lieComp, raw: &zip.FileHeader{
				Name: "liar", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(lie),
				CompressedSize64: uint64(len(lieComp)), UncompressedSize64: 10,
			}}),
			wantErr:     ErrInvalid,
			wantAnomaly: AnomalyEntryInvalid,
		},
		{
			name:        "total budget spent",
			data:        buildZip(t, entry{name: "a", data: lie}),
			lim:         Limits{MaxTotalBytes: 999, MaxEntryBytes: 5000},
			wantErr:     ErrRejected,
			wantAnomaly: AnomalyTotalSizeLimit,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Open(tt.data, tt.lim)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			_, err = a.Read(a.Entries[0])
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Read error = %v, want %v", err, tt.wantErr)
			}
			if _, ok := findAnomaly(a, tt.wantAnomaly); !ok {
				t.Errorf("anomalies = %v, want %s", anomalyNames(a), tt.wantAnomaly)
			}
		})
	}
}

func TestReadTotalAcrossEntries(t *testing.T) {
	body := []byte(strings.Repeat("y", 600))
	data := buildZip(t, entry{name: "a", data: body}, entry{name: "b", data: body})
	a, err := Open(data, Limits{MaxTotalBytes: 1000})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	// The declared total already exceeds the limit, so that is reported
	// once at Open and not again at the rejected read.
	if _, err := a.Read(a.Entries[0]); err != nil {
		t.Fatalf("Read(a): %v", err)
	}
	if _, err := a.Read(a.Entries[1]); !errors.Is(err, ErrRejected) {
		t.Errorf("Read(b) error = %v, want ErrRejected", err)
	}
	if n := len(a.Anomalies); n != 1 {
		t.Errorf("got %d anomalies, want 1: %+v", n, a.Anomalies)
	}
}
