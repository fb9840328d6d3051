package pdf

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func TestOpenLinks(t *testing.T) {
	objStmBody := "4 0 << /Type /Annot /Subtype /Link /A << /S /URI /URI (https://objstm.test/a) >> >>"
	objStm := deflate(t, []byte(objStmBody))

	tests := []struct {
		name string
		data []byte
		want string // linkList of the document
	}{
		{
			// The common phishing shape: one link annotation on page 1.
			name: "uri annotation",
			data: onePage("/Annots [4 0 R]",
				"<< /Type /Annot /Subtype /Link /A 5 0 R >>",
				"<< /S /URI /URI (https://phish.test/login) >>"),
			want: "uri-action https://phish.test/login @ t.pdf › page 1 › annotation",
		},
		{
			// The annotation lives only inside a compressed object stream.
			name: "annotation in object stream",
			data: onePage("/Annots [4 0 R]",
				"null",
				streamObj(fmt.Sprintf("/Type /ObjStm /N 1 /First %d /Filter /FlateDecode",
					len("4 0 ")), objStm)),
			want: "uri-action https://objstm.test/a @ t.pdf › page 1 › annotation",
		},
		{
			// Hex string, UTF-16BE with BOM, and #-escaped names.
			name: "escaped names and utf-16 uri",
			data: onePage("/Annots [<< /Subtype /Link /A << /#53 /U#52I /URI <feff0068007400740070003a002f002f0075002e0074002f> >> >>]"),
			want: "uri-action http://u.t/ @ t.pdf › page 1 › annotation",
		},
		{
			name: "submit form",
			data: onePage("",
				"<< /FT /Tx /A << /S /SubmitForm /F << /FS /URL /F (https://collect.test/post) >> >> >>"),
			want: "submit-form https://collect.test/post @ t.pdf › object 4",
		},
		{
			// A URL written in the page's text layer.
			name: "url in page text",
			data: onePage("/Contents 4 0 R",
				streamObj("", []byte("BT /F1 12 Tf 72 700 Td (Pay at https://pay.test/inv) Tj ET"))),
			want: "text https://pay.test/inv @ t.pdf › page 1 › text",
		},
		{
			// Incremental update: the second definition of object 5 wins.
			name: "later definition wins",
			data: append(onePage("/Annots [4 0 R]",
				"<< /Subtype /Link /A 5 0 R >>",
				"<< /S /URI /URI (https://old.test/) >>"),
				[]byte("5 0 obj << /S /URI /URI (https://new.test/) >> endobj\n%%EOF\n")...),
			want: "uri-action https://new.test/ @ t.pdf › page 1 › annotation",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Open(tt.data, "t.pdf", Limits{})
			if got := linkList(doc); got != tt.want {
				t.Errorf("links:\n got %s\nwant %s", got, tt.want)
			}
			if doc.Pages != 1 {
				t.Errorf("Pages = %d, want 1", doc.Pages)
			}
		})
	}
}

func TestOpenActiveContent(t *testing.T) {
	truncated := onePage("/Annots [<< /A << /S /URI /URI (https://kept.test/) >> >>]",
		streamObj("/Filter /FlateDecode", deflate(t, bytes.Repeat([]byte("q Q "), 200))))

	tests := []struct {
		name          string
		data          []byte
		wantAnomalies []string
		check         func(t *testing.T, doc *Document)
	}{
		{
			name:          "launch action",
			data:          onePage("/Annots [<< /Subtype /Link /A << /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >> >>]"),
			wantAnomalies: []string{AnomalyLaunchAction},
			check: func(t *testing.T, doc *Document) {
				want := Launch{Target: "cmd.exe", Parameters: "/c calc", Source: "t.pdf › page 1 › annotation"}
				if len(doc.Launches) != 1 || doc.Launches[0] != want {
					t.Errorf("Launches = %+v, want [%+v]", doc.Launches, want)
				}
			},
		},
		{
			// /J#61vaScript and /J#53 spell /JavaScript and /JS.
			name: "open action javascript with escaped names",
			data: buildPDF("<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>",
				"<< /Type /Pages /Kids [] /Count 0 >>",
				`<< /S /J#61vaScript /J#53 (app.launchURL\("https://js.test/x"\)) >>`),
			wantAnomalies: []string{AnomalyAutoAction, AnomalyJavaScript},
			check: func(t *testing.T, doc *Document) {
				if !doc.JavaScript {
					t.Error("JavaScript = false, want true")
				}
				want := "javascript https://js.test/x @ t.pdf › catalog › open action"
				if got := linkList(doc); got != want {
					t.Errorf("links = %q, want %q", got, want)
				}
			},
		},
		{
			name: "embedded file",
			data: buildPDF("<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(a) 3 0 R] >> >> >>",
				"<< /Type /Pages /Kids [] /Count 0 >>",
				"<< /Type /Filespec /F (payload.exe) /EF << /F 4 0 R >> >>",
				streamObj("/Type /EmbeddedFile /Filter /ASCIIHexDecode", []byte("4D5A90>"))),
			wantAnomalies: []string{AnomalyEmbeddedFile},
			check: func(t *testing.T, doc *Document) {
				if len(doc.EmbeddedFiles) != 1 {
					t.Fatalf("EmbeddedFiles = %d, want 1", len(doc.EmbeddedFiles))
				}
				f := doc.EmbeddedFiles[0]
				if f.Name != "payload.exe" {
					t.Errorf("Name = %q, want payload.exe", f.Name)
				}
				if string(f.Data) != "MZ\x90" {
					t.Errorf("Data = %q, want MZ\\x90", f.Data)
				}
			},
		},
		{
			// Strings of an encrypted file are ciphertext: no link is taken.
			name: "encrypted",
			data: append(onePage("/Annots [<< /A << /S /URI /URI (\x8a\x13garbage) >> >>]",
				"<< /Filter /Standard /V 2 /R 3 /O (x) /U (y) /P -4 >>"),
				[]byte("trailer << /Root 1 0 R /Encrypt 4 0 R >>\n%%EOF\n")...),
			wantAnomalies: []string{AnomalyEncrypted},
			check: func(t *testing.T, doc *Document) {
				if !doc.Encrypted {
					t.Error("Encrypted = false, want true")
				}
				if len(doc.Links) != 0 {
					t.Errorf("links = %q, want none from ciphertext", linkList(doc))
				}
			},
		},
		{
			// The string of object 1 never closes: object 2 is still read.
			name:          "unterminated string",
			data:          []byte("%PDF-1.4\n1 0 obj (x\n2 0 obj << /S /JavaScript /JS (y) >> endobj\n%%EOF\n"),
			wantAnomalies: []string{AnomalyJavaScript, AnomalyMalformed},
		},
		{
			// Cut inside the stream of object 4: the annotation is kept.
			name:          "truncated",
			data:          truncated[:len(truncated)-60],
			wantAnomalies: []string{AnomalyMalformed},
			check: func(t *testing.T, doc *Document) {
				if len(doc.Links) != 1 {
					t.Errorf("links = %q, want the one before the cut", linkList(doc))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Open(tt.data, "t.pdf", Limits{})
			if got := strings.Join(names(doc), " "); got != strings.Join(tt.wantAnomalies, " ") {
				t.Errorf("anomalies = %q, want %q (%+v)", got, strings.Join(tt.wantAnomalies, " "), doc.Anomalies)
			}
			if tt.check != nil {
				tt.check(t, doc)
			}
		})
	}
}

// grayRaster returns a w×h 8-bit grey raster with a dark left half.
func grayRaster(w, h int) []byte {
	out := make([]byte, w*h)
	for y := range h {
		for x := range w {
			if x >= w/2 {
				out[y*w+x] = 255
			}
		}
	}
	return out
}

func TestOpenImages(t *testing.T) {
	var jpg bytes.Buffer
	src := image.NewGray(image.Rect(0, 0, 16, 8))
	if err := jpeg.Encode(&jpg, src, nil); err != nil {
		t.Fatal(err)
	}
	predicted := append([]byte{0}, grayRaster(8, 1)...) // PNG predictor row, type None
	predicted = bytes.Repeat(predicted, 4)

	tests := []struct {
		name       string
		image      string // object 4, used by the page as /Im1
		wantFormat string
		wantGray   []uint8 // expected pixels of row 0 when the format is png
	}{
		{
			name:       "flate gray raster",
			image:      streamObj("/Type /XObject /Subtype /Image /Width 8 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", deflate(t, grayRaster(8, 4))),
			wantFormat: "png",
			wantGray:   []uint8{0, 0, 0, 0, 255, 255, 255, 255},
		},
		{
			name:       "flate with png predictor",
			image:      streamObj("/Subtype /Image /Width 8 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter [/FlateDecode] /DecodeParms [<< /Predictor 15 /Columns 8 >>]", deflate(t, predicted)),
			wantFormat: "png",
			wantGray:   []uint8{0, 0, 0, 0, 255, 255, 255, 255},
		},
		{
			// One bit per pixel, inverted by /Decode [1 0].
			name:       "inverted 1-bit",
			image:      streamObj("/Subtype /Image /Width 8 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 1 /Decode [1 0]", []byte{0xF0, 0xF0}),
			wantFormat: "png",
			wantGray:   []uint8{0, 0, 0, 0, 255, 255, 255, 255},
		},
		{
			name:       "dct image",
			image:      streamObj("/Subtype /Image /Width 16 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", jpg.Bytes()),
			wantFormat: "jpeg",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Open(onePage("/Resources << /XObject << /Im1 4 0 R >> >>", tt.image), "t.pdf", Limits{})
			if len(doc.Images) != 1 {
				t.Fatalf("Images = %d, want 1 (anomalies %+v)", len(doc.Images), doc.Anomalies)
			}
			img := doc.Images[0]
			if img.Format != tt.wantFormat {
				t.Errorf("Format = %s, want %s", img.Format, tt.wantFormat)
			}
			if want := "t.pdf › page 1 › image /Im1"; img.Source != want {
				t.Errorf("Source = %q, want %q", img.Source, want)
			}
			if tt.wantFormat == "jpeg" && !bytes.Equal(img.Data, jpg.Bytes()) {
				t.Error("JPEG bytes differ from the stream's bytes")
			}
			if tt.wantGray != nil {
				checkRow(t, img.Data, tt.wantGray)
			}
		})
	}
}

// checkRow decodes a PNG and compares the grey values of its first row.
func checkRow(t *testing.T, data []byte, want []uint8) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	for x, w := range want {
		if got := color.GrayModel.Convert(img.At(x, 0)).(color.Gray).Y; got != w {
			t.Errorf("pixel %d = %d, want %d", x, got, w)
		}
	}
}

func TestOpenUnscannedImage(t *testing.T) {
	doc := Open(onePage("/Resources << /XObject << /Im1 4 0 R >> >>",
		streamObj("/Subtype /Image /Width 8 /Height 8 /Filter /JBIG2Decode", []byte("jb2"))), "t.pdf", Limits{})
	if len(doc.Images) != 0 || !hasAnomaly(doc, AnomalyImageUnscanned) {
		t.Errorf("Images = %d, anomalies %q; want 0 and %s", len(doc.Images), names(doc), AnomalyImageUnscanned)
	}
}
