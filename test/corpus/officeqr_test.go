package corpus

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOfficeQRLabels runs `holdfast scan` on each labelled Office and PDF
// file of the shared QR set and checks that every expected QR text is
// reported, with a source path that names the file.
func TestOfficeQRLabels(t *testing.T) {
	shared := sharedDir(t)
	if shared == "" {
		t.Skip("no shared folder beside the repository (set HOLDFAST_SHARED to run this test)")
	}
	dir := filepath.Join(shared, "office-qr")
	f, err := os.Open(filepath.Join(dir, "labels.tsv"))
	if err != nil {
		t.Skipf("no office QR labels: %v", err)
	}
	defer f.Close()

	bin := buildHoldfast(t)
	sc := bufio.NewScanner(f)
	sc.Scan() // header line
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 {
			continue
		}
		file, expected := cols[0], strings.Fields(cols[1])
		t.Run(file, func(t *testing.T) {
			res, _, _, err := scanFile(bin, filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, q := range res.QRCodes {
				text, _ := q["text"].(string)
				source, _ := q["source"].(string)
				if !strings.Contains(source, file) {
					t.Errorf("QR %q has source %q, want it to name %s", text, source, file)
				}
				got = append(got, text)
			}
			for _, want := range expected {
				if !slices.Contains(got, want) {
					t.Errorf("QR texts = %q, want %q among them", got, want)
				}
			}
		})
	}
}
