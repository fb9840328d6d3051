package ooxml

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sharedDir holds sample documents kept outside this repository, beside its
// checkout. The tests that read it skip when it is absent.
const sharedDir = "../../../shared"

// readSamples returns the files matching pattern under sharedDir, or skips.
func readSamples(t *testing.T, pattern string) map[string][]byte {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(sharedDir, pattern))
	if len(paths) == 0 {
		t.Skipf("no sample files match %s; this test needs the shared samples beside the checkout",
			filepath.Join(sharedDir, pattern))
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		files[filepath.Base(p)] = data
	}
	return files
}

// TestHostileSamples opens the hostile sample documents. Each must yield a
// link, a URL in its text or an anomaly, so that none looks clean, and
// together they must yield every link and anomaly listed below.
func TestHostileSamples(t *testing.T) {
	files := readSamples(t, "bug-inputs/d*.docx")

	wantLinks := []string{
		"http://field.example.test/login", "http://simple.example.test/",
		"http://split.example.test/", "http://rels.example.test/",
		"http://header.example.test/", "http://footer.example.test/",
		"http://footnote.example.test/", "http://strict.example.test/",
	}
	wantText := []string{
		"http://doc2.example.test/", "http://comment.example.test/",
		"http://dup.example.test/", "http://prefix.example.test/",
		"http://insecure.example.test/",
	}
	wantAnomalies := []string{
		AnomalyNotZip, AnomalyMacros, AnomalyMacroMismatch, "ZIP_BOMB",
		"ZIP_DUPLICATE_ENTRY", "ZIP_PREPENDED_DATA", "ZIP_UNSAFE_NAME",
	}

	var links, anomalies []string
	var text strings.Builder
	for name, data := range files {
		doc := Open(data, name, Limits{})
		docText := ""
		for _, x := range doc.Text {
			docText += x.Text + "\n"
		}
		if len(doc.Links) == 0 && len(doc.Anomalies) == 0 && !strings.Contains(docText, "http") {
			t.Errorf("%s: no link, text URL or anomaly", name)
		}
		for _, l := range doc.Links {
			links = append(links, l.URL)
		}
		for _, a := range doc.Anomalies {
			anomalies = append(anomalies, a.Name)
		}
		text.WriteString(docText)
	}

	for _, l := range wantLinks {
		if !slices.Contains(links, l) {
			t.Errorf("no sample yields link %s", l)
		}
	}
	for _, s := range wantText {
		if !strings.Contains(text.String(), s) {
			t.Errorf("no sample text contains %s", s)
		}
	}
	for _, a := range wantAnomalies {
		if !slices.Contains(anomalies, a) {
			t.Errorf("no sample yields anomaly %s", a)
		}
	}
}

// TestQRSamples checks that every image of the office-suite QR samples is
// returned: at least as many images as labelled codes.
func TestQRSamples(t *testing.T) {
	files := readSamples(t, "office-qr/*.docx")
	codes := readLabels(t, filepath.Join(sharedDir, "office-qr/labels.tsv"))

	for name, data := range files {
		doc := Open(data, name, Limits{})
		if doc.Kind != KindDocx {
			t.Errorf("%s: Kind = %q, want %q", name, doc.Kind, KindDocx)
		}
		want := max(1, codes[name])
		if len(doc.Images) < want {
			t.Errorf("%s: %d images, want at least %d", name, len(doc.Images), want)
		}
		for _, im := range doc.Images {
			if len(im.Data) == 0 {
				t.Errorf("%s: image %s has no data", name, im.Name)
			}
		}
	}
}

// readLabels returns, per file name, the number of space-separated codes in
// the expected column of a tab-separated labels file.
func readLabels(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()

	counts := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) >= 2 {
			counts[cols[0]] = len(strings.Fields(cols[1]))
		}
	}
	return counts
}

// TestCorpusSamples opens real documents from mail. Office files must be
// recognised, and nothing may panic.
func TestCorpusSamples(t *testing.T) {
	files := readSamples(t, "corpus/docx/*")
	office, _ := filepath.Glob(filepath.Join(sharedDir, "corpus/office/*"))
	for _, p := range office {
		if data, err := os.ReadFile(p); err == nil {
			files[filepath.Base(p)] = data
		}
	}

	for name, data := range files {
		doc := Open(data, name, Limits{})
		ext := strings.ToLower(filepath.Ext(name))
		switch ext {
		case ".docx":
			if doc.Kind != KindDocx {
				t.Errorf("%s: Kind = %q, want %q", name, doc.Kind, KindDocx)
			}
		case ".pptx":
			if doc.Kind != KindPptx {
				t.Errorf("%s: Kind = %q, want %q", name, doc.Kind, KindPptx)
			}
		}
		if ext == ".docx" || ext == ".pptx" {
			for _, a := range doc.Anomalies {
				if a.Name == AnomalyXMLInvalid || a.Name == AnomalyNoMainPart {
					t.Errorf("%s: unexpected %s: %s", name, a.Name, a.Detail)
				}
			}
		}
	}
}
