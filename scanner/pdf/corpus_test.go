package pdf

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sampleDirs hold real PDF samples kept beside the repository, outside it.
// The test skips any that is absent.
var sampleDirs = []string{
	"../../../shared/corpus/pdf",
	"../../../shared/office-qr",
}

// perFileBudget bounds the time Open may take on one real sample. Arbitrary:
// the largest sample (about 3 MB) takes well under a tenth of it.
const perFileBudget = 2 * time.Second

// TestRealSamples opens every real PDF sample it finds: none may panic or
// take longer than perFileBudget, and each office suite export with a QR
// code must yield at least one image.
func TestRealSamples(t *testing.T) {
	var files []string
	for _, dir := range sampleDirs {
		found, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
		files = append(files, found...)
	}
	if len(files) == 0 {
		t.Skip("no real PDF samples found beside the repository; nothing to check")
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		doc := Open(data, filepath.Base(file), Limits{})
		elapsed := time.Since(start)
		if elapsed > perFileBudget {
			t.Errorf("Open(%s) took %v > %v", filepath.Base(file), elapsed, perFileBudget)
		}
		if filepath.Base(filepath.Dir(file)) == "office-qr" && len(doc.Images) == 0 {
			t.Errorf("Open(%s) found no images, want the QR code image", filepath.Base(file))
		}
		t.Logf("%s: %v, %d pages, %d links, %d images, js=%v, enc=%v, %d embedded, %d anomalies",
			filepath.Base(file), elapsed.Round(time.Millisecond), doc.Pages, len(doc.Links),
			len(doc.Images), doc.JavaScript, doc.Encrypted, len(doc.EmbeddedFiles), len(doc.Anomalies))
		for _, l := range doc.Links {
			t.Logf("  link %s %q %s", l.Via, l.URL, l.Source)
		}
		for _, im := range doc.Images {
			t.Logf("  image %s %dx%d %d bytes %s", im.Format, im.Width, im.Height, len(im.Data), im.Source)
		}
		for _, a := range doc.Anomalies {
			t.Logf("  anomaly %s %s", a.Name, a.Detail)
		}
	}
}
