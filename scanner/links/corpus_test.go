package links

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sharedDir holds sample inputs kept beside the repository checkout on
// development machines; the test skips when it is absent.
const sharedDir = "../../../shared"

// TestSharedSamples runs FromHTML and FromText on every sample file, and
// checks the links expected in the HTML fault samples.
func TestSharedSamples(t *testing.T) {
	var files []string
	for _, pattern := range []string{"corpus/html/*", "corpus/url-edge/*", "bug-inputs/h*.html"} {
		matches, _ := filepath.Glob(filepath.Join(sharedDir, pattern))
		files = append(files, matches...)
	}
	if len(files) == 0 {
		t.Skipf("no sample files under %s; nothing to check", sharedDir)
	}

	// Keyed by the end of the file name, which names the fault.
	want := map[string][]string{
		"_duplicate_href.html":  {"http://good.example.test/"},
		"_noscript_link.html":   {"http://noscript.example.test/"},
		"_nested_600_divs.html": {"http://deep.example.test/"},
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			doc, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read sample: %v", err)
			}
			h := FromHTML(doc, path, Limits{})
			FromText(string(doc), path)

			var expected []string
			for suffix, links := range want {
				if strings.HasSuffix(path, suffix) {
					expected = links
				}
			}
			if expected == nil {
				return
			}
			var got []string
			for _, l := range h.Links {
				got = append(got, l.URL)
			}
			if !slices.Equal(got, expected) {
				t.Errorf("links = %q, want %q", got, expected)
			}
		})
	}
}
