package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"testing"
)

// buildPDF writes a PDF whose object i+1 has body objs[i], with object 1
// as the catalog named by the trailer. It writes no xref table, which this
// package never reads.
func buildPDF(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	for i, body := range objs {
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, body)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n0\n%%%%EOF\n", len(objs)+1)
	return b.Bytes()
}

// streamObj returns a stream object body with dictionary entries dict and
// the given data, its /Length filled in.
func streamObj(dict string, data []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// deflate returns data compressed with zlib, as FlateDecode expects.
func deflate(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// onePage returns the catalog, page tree and one page whose extra
// dictionary entries are pageExtra; the objects that follow are 4 onward.
func onePage(pageExtra string, rest ...string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + pageExtra + " >>",
	}
	return buildPDF(append(objs, rest...)...)
}

// names returns the anomaly names of doc, in order.
func names(doc *Document) []string {
	var out []string
	for _, a := range doc.Anomalies {
		out = append(out, a.Name)
	}
	return out
}

func hasAnomaly(doc *Document, n string) bool {
	for _, a := range doc.Anomalies {
		if a.Name == n {
			return true
		}
	}
	return false
}

func linkList(doc *Document) string {
	var out []string
	for _, l := range doc.Links {
		out = append(out, l.Via+" "+l.URL+" @ "+l.Source)
	}
	return strings.Join(out, "\n")
}
