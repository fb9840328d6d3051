package qr

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// symbol encodes text as a QR module matrix, without a quiet zone. Each
// rune below U+0100 becomes one byte, so a string of byte values encodes
// those bytes unchanged and without an ECI designator.
func symbol(t testing.TB, text string) [][]bool {
	t.Helper()
	hints := map[gozxing.EncodeHintType]interface{}{
		gozxing.EncodeHintType_MARGIN:        0,
		gozxing.EncodeHintType_CHARACTER_SET: "ISO-8859-1",
	}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		t.Fatalf("encode %q: %v", text, err)
	}
	out := make([][]bool, m.GetHeight())
	for y := range out {
		out[y] = make([]bool, m.GetWidth())
		for x := range out[y] {
			out[y][x] = m.Get(x, y)
		}
	}
	return out
}

// drawing describes how a fixture draws a symbol.
type drawing struct {
	module, quiet int         // pixels per module; quiet zone in modules
	modW, modH    int         // module width and height when not square
	ink, paper    color.Color // dark modules, light modules and margin
}

func (d drawing) size(modules int) (int, int) {
	mw, mh := d.modW, d.modH
	if mw == 0 {
		mw, mh = d.module, d.module
	}
	return (modules + 2*d.quiet) * mw, (modules + 2*d.quiet) * mh
}

// draw renders m onto img at (x0, y0).
func (d drawing) draw(img *image.NRGBA, m [][]bool, x0, y0 int) {
	mw, mh := d.modW, d.modH
	if mw == 0 {
		mw, mh = d.module, d.module
	}
	w, h := d.size(len(m))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			mx, my := x/mw-d.quiet, y/mh-d.quiet
			c := d.paper
			if mx >= 0 && my >= 0 && mx < len(m) && my < len(m) && m[my][mx] {
				c = d.ink
			}
			img.Set(x0+x, y0+y, c)
		}
	}
}

func (d drawing) image(m [][]bool) *image.NRGBA {
	w, h := d.size(len(m))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	d.draw(img, m, 0, 0)
	return img
}

var plain = drawing{module: 4, quiet: 4, ink: color.Black, paper: color.White}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatalf("png: %v", err)
	}
	return b.Bytes()
}

// pngHeaderOnly returns a PNG signature, an IHDR chunk declaring a w×h
// 1-bit greyscale image, and IEND: what a decompression bomb shows
// DecodeConfig.
func pngHeaderOnly(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(kind), data...)
		b.Write(body)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 1, 0, 0, 0, 0) // depth 1, greyscale, no interlace
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return b.Bytes()
}

func texts(codes []Code) []string {
	var out []string
	for _, c := range codes {
		out = append(out, c.Text)
	}
	return out
}

func hasAnomaly(res Result, name string) bool {
	for _, a := range res.Anomalies {
		if a.Name == name {
			return true
		}
	}
	return false
}
