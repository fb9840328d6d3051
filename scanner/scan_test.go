package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/holdfast/holdfast/scanner/qr"
)

// phishMessage is a message with a mismatched link and a disguised
// executable, built here so the test owns its fixture.
const phishMessage = "From: Billing <billing@example.net>\r\n" +
	"To: alice@example.test\r\n" +
	"Subject: =?utf-8?q?Your_invoice?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"\r\n" +
	"<html><body><a href=\"https://paypa1-login.example.net/verify\">https://www.paypal.com/signin</a>\r\n" +
	"<form action=\"https://collect.example.org/p\"><input type=password name=p></form></body></html>\r\n" +
	"--b1\r\n" +
	"Content-Type: application/octet-stream; name=\"invoice.pdf.exe\"\r\n" +
	"Content-Disposition: attachment; filename=\"invoice.pdf.exe\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"TVqQAAMAAAAEAAAA\r\n" +
	"--b1--\r\n"

func TestScanPhishMessage(t *testing.T) {
	r := New(Limits{}).Scan(context.Background(), []byte(phishMessage))

	if r.Subject != "Your invoice" {
		t.Errorf("Subject = %q, want %q", r.Subject, "Your invoice")
	}
	if !hasLink(r, "https://paypa1-login.example.net/verify", "href") {
		t.Errorf("links = %+v, want the href to paypa1-login.example.net", r.Links)
	}
	if len(r.Forms) != 1 || !r.Forms[0].HasPassword {
		t.Errorf("forms = %+v, want one password form", r.Forms)
	}
	var exe *Attachment
	for i := range r.Attachments {
		if r.Attachments[i].Filename == "invoice.pdf.exe" {
			exe = &r.Attachments[i]
		}
	}
	if exe == nil {
		t.Fatalf("attachments = %+v, want invoice.pdf.exe", r.Attachments)
	}
	if exe.Sniffed != KindPE {
		t.Errorf("invoice.pdf.exe sniffed = %q, want %q", exe.Sniffed, KindPE)
	}
	if exe.SHA256 == "" || exe.Source == "" {
		t.Errorf("invoice.pdf.exe = %+v, want a hash and a source", exe)
	}
}

func hasLink(r *Report, url, via string) bool {
	for _, l := range r.Links {
		if l.URL == url && l.Via == via {
			return true
		}
	}
	return false
}

func TestWrapFileRoundTrip(t *testing.T) {
	data := []byte("%PDF-1.4\n%\xE2\xE3\xCF\xD3\nfake pdf body\n")
	name := "Счёт №5 (копия).pdf"
	r := New(Limits{}).Scan(context.Background(), WrapFile(name, data))

	if len(r.Attachments) != 1 {
		t.Fatalf("attachments = %+v, want exactly one", r.Attachments)
	}
	a := r.Attachments[0]
	sum := sha256.Sum256(data)
	if a.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("sha256 = %s, want the hash of the input file", a.SHA256)
	}
	if a.Filename != name {
		t.Errorf("filename = %q, want %q", a.Filename, name)
	}
	if a.Sniffed != KindPDF {
		t.Errorf("sniffed = %q, want %q", a.Sniffed, KindPDF)
	}
}

func TestScanTypeMismatch(t *testing.T) {
	msg := "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n" +
		"Content-Type: application/pdf; name=\"doc.pdf\"\r\n\r\nPK\x03\x04zipbytes\r\n--x--\r\n"
	r := New(Limits{}).Scan(context.Background(), []byte(msg))
	for _, a := range r.Anomalies {
		if a.Name == AnomalyTypeMismatch && strings.Contains(a.Detail, "doc.pdf") {
			return
		}
	}
	t.Errorf("anomalies = %+v, want %s naming doc.pdf", r.Anomalies, AnomalyTypeMismatch)
}

func TestScanStopsAtDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := New(Limits{}).Scan(ctx, []byte(phishMessage))
	for _, a := range r.Anomalies {
		if a.Name == AnomalyScanTimeout {
			return
		}
	}
	t.Errorf("anomalies = %+v, want %s", r.Anomalies, AnomalyScanTimeout)
}

func BenchmarkScan(b *testing.B) {
	raw := []byte(phishMessage)
	s := New(Limits{})
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		s.Scan(context.Background(), raw)
	}
}

func TestQRTextRepairsLatin1(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"ascii", "https://a.example/pay/INV-1?x=4820.00", "https://a.example/pay/INV-1?x=4820.00"},
		{"utf-8 read as latin-1", "https://b\u00c3\u00bcro.example/", "https://büro.example/"},
		{"real latin-1", "caf\u00e9", "caf\u00e9"},
		{"already unicode", "https://例え.example/", "https://例え.example/"},
	}
	for _, tt := range tests {
		if got := qrText(qr.Code{Text: tt.text}); got != tt.want {
			t.Errorf("%s: qrText(%q) = %q, want %q", tt.name, tt.text, got, tt.want)
		}
	}
}
