package qr

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

const (
	wantURL   = "https://login.example.test/reset?id=42"
	benignURL = "https://benign.example.test/"
)

func encodeJPEG(t *testing.T, img image.Image, quality int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatalf("jpeg: %v", err)
	}
	return b.Bytes()
}

// TestDecodeImages decodes generated codes drawn with the evasions the
// ladder exists for, in every raster format the package reads.
func TestDecodeImages(t *testing.T) {
	m := symbol(t, wantURL)
	grey := func(v uint8) color.Color { return color.Gray{v} }
	cases := []struct {
		name string
		data func(t *testing.T) []byte
		want []string
	}{
		{"png", func(t *testing.T) []byte { return encodePNG(t, plain.image(m)) }, []string{wantURL}},
		{"inverted", func(t *testing.T) []byte {
			d := plain
			d.ink, d.paper = color.White, color.Black
			return encodePNG(t, d.image(m))
		}, []string{wantURL}},
		{"no quiet zone", func(t *testing.T) []byte {
			d := plain
			d.quiet = 0
			return encodePNG(t, d.image(m))
		}, []string{wantURL}},
		{"low contrast", func(t *testing.T) []byte {
			d := plain
			d.ink, d.paper = grey(0x70), grey(0x90)
			return encodePNG(t, d.image(m))
		}, []string{wantURL}},
		{"black on transparent", func(t *testing.T) []byte {
			d := plain
			d.paper = color.Transparent
			return encodePNG(t, d.image(m))
		}, []string{wantURL}},
		{"white on transparent", func(t *testing.T) []byte {
			d := plain
			d.ink, d.paper = color.Transparent, color.White
			return encodePNG(t, d.image(m))
		}, []string{wantURL}},
		{"one-pixel modules", func(t *testing.T) []byte {
			d := plain
			d.module = 1
			return encodePNG(t, d.image(m))
		}, []string{wantURL}},
		{"stretched 1x5", func(t *testing.T) []byte {
			d := plain
			d.modW, d.modH = 1, 5
			return encodePNG(t, d.image(m))
		}, []string{wantURL}},
		{"two codes", func(t *testing.T) []byte {
			other := symbol(t, benignURL)
			w1, h1 := plain.size(len(other))
			w2, h2 := plain.size(len(m))
			img := image.NewNRGBA(image.Rect(0, 0, w1+w2+40, max(h1, h2)))
			draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
			plain.draw(img, other, 0, 0)
			plain.draw(img, m, w1+40, 0)
			return encodePNG(t, img)
		}, []string{benignURL, wantURL}},
		{"jpeg quality 30", func(t *testing.T) []byte { return encodeJPEG(t, plain.image(m), 30) }, []string{wantURL}},
		{"bmp", func(t *testing.T) []byte {
			var b bytes.Buffer
			if err := bmp.Encode(&b, plain.image(m)); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}, []string{wantURL}},
		{"tiff", func(t *testing.T) []byte {
			var b bytes.Buffer
			if err := tiff.Encode(&b, plain.image(m), nil); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}, []string{wantURL}},
		{"gif code in second frame", func(t *testing.T) []byte {
			img := plain.image(m)
			pal := color.Palette{color.White, color.Black}
			blank := image.NewPaletted(img.Bounds(), pal)
			code := image.NewPaletted(img.Bounds(), pal)
			draw.Draw(code, code.Bounds(), img, image.Point{}, draw.Src)
			var b bytes.Buffer
			g := &gif.GIF{Image: []*image.Paletted{blank, code}, Delay: []int{100, 100}}
			if err := gif.EncodeAll(&b, g); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}, []string{wantURL}},
		{"noise without code", func(t *testing.T) []byte {
			r := rand.New(rand.NewPCG(1, 2))
			img := image.NewGray(image.Rect(0, 0, 300, 300))
			for i := range img.Pix {
				img.Pix[i] = uint8(r.UintN(256))
			}
			return encodePNG(t, img)
		}, nil},
		{"blank page", func(t *testing.T) []byte {
			return encodePNG(t, image.NewGray(image.Rect(0, 0, 400, 600)))
		}, nil},
	}
	d := NewDecoder(Limits{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := d.Decode(context.Background(), tc.data(t))
			got := texts(res.Codes)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Decode: texts %q, want %q (anomalies %v)", got, tc.want, res.Anomalies)
			}
			if !res.Scanned {
				t.Errorf("Decode: Scanned false, anomalies %v", res.Anomalies)
			}
		})
	}
}

// TestDecodeUTF8WithoutECI checks that the raw bytes of a byte segment
// survive when the symbol declares no character set.
func TestDecodeUTF8WithoutECI(t *testing.T) {
	want := "https://büro.example.test/你好"
	var latin1 []rune
	for _, b := range []byte(want) {
		latin1 = append(latin1, rune(b))
	}
	data := encodePNG(t, plain.image(symbol(t, string(latin1))))
	res := NewDecoder(Limits{}).Decode(context.Background(), data)
	if len(res.Codes) != 1 {
		t.Fatalf("Decode: %d codes, want 1 (anomalies %v)", len(res.Codes), res.Anomalies)
	}
	if got := string(res.Codes[0].Bytes); got != want {
		t.Errorf("Decode: Bytes %q, want %q", got, want)
	}
}

// TestDecodeCMYK checks the luminance of CMYK pixels, which image/jpeg
// returns for 4-component JPEGs.
func TestDecodeCMYK(t *testing.T) {
	src := plain.image(symbol(t, wantURL))
	img := image.NewCMYK(src.Bounds())
	for y := 0; y < src.Bounds().Dy(); y++ {
		for x := 0; x < src.Bounds().Dx(); x++ {
			if src.NRGBAAt(x, y).R < 128 {
				img.SetCMYK(x, y, color.CMYK{K: 255})
			}
		}
	}
	f := newFrame(img)
	codes, _ := attempt{plane: f.work}.run()
	if got := texts(codes); !slices.Equal(got, []string{wantURL}) {
		t.Errorf("CMYK image: texts %q, want %q", got, []string{wantURL})
	}
}

func TestHasAdobeMarker(t *testing.T) {
	app14 := []byte{0xff, 0xee, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 2}
	sos := []byte{0xff, 0xda, 0, 2}
	cases := []struct {
		name string
		data []byte
		want bool
	}{
		{"with marker", append(append([]byte{0xff, 0xd8}, app14...), sos...), true},
		{"without marker", append([]byte{0xff, 0xd8}, sos...), false},
		{"marker after scan", append(append([]byte{0xff, 0xd8}, sos...), app14...), false},
		{"truncated", []byte{0xff, 0xd8, 0xff}, false},
	}
	for _, tc := range cases {
		if got := hasAdobeMarker(tc.data); got != tc.want {
			t.Errorf("hasAdobeMarker(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestDecodeRejects checks the inputs that must be refused before any
// decoding, each with its anomaly.
func TestDecodeRejects(t *testing.T) {
	emf := make([]byte, 64)
	emf[0] = 1
	copy(emf[40:], " EMF")
	cases := []struct {
		name    string
		lim     Limits
		data    []byte
		anomaly string
	}{
		{"png bomb header", Limits{}, pngHeaderOnly(30000, 30000), AnomalyTooLarge},
		{"over byte limit", Limits{MaxImageBytes: 10}, pngHeaderOnly(10, 10), AnomalyTooLarge},
		{"emf", Limits{}, emf, AnomalyUnscanned},
		{"wmf", Limits{}, []byte{0xd7, 0xcd, 0xc6, 0x9a, 0, 0}, AnomalyUnscanned},
		{"unknown", Limits{}, []byte("not an image"), AnomalyUnreadable},
		{"truncated png", Limits{}, []byte("\x89PNG\r\n\x1a\n\x00\x00"), AnomalyUnreadable},
	}
	for _, tc := range cases {
		res := NewDecoder(tc.lim).Decode(context.Background(), tc.data)
		if !hasAnomaly(res, tc.anomaly) {
			t.Errorf("Decode(%s): anomalies %v, want %s", tc.name, res.Anomalies, tc.anomaly)
		}
		if res.Scanned {
			t.Errorf("Decode(%s): Scanned true, want false", tc.name)
		}
	}
	res := NewDecoder(Limits{}).Decode(context.Background(), pngHeaderOnly(30000, 30000))
	if want := "30000x30000 = 900000000 px > limit 16000000"; res.Anomalies[0].Detail != want {
		t.Errorf("bomb detail %q, want %q", res.Anomalies[0].Detail, want)
	}
}

// TestDecodeFinderDecoys checks that a grid of finder-pattern-like squares
// is skipped with an anomaly instead of being handed to the reader.
func TestDecodeFinderDecoys(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 600, 600))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for y := 0; y+21 <= 600; y += 30 {
		for x := 0; x+21 <= 600; x += 30 {
			draw.Draw(img, image.Rect(x, y, x+21, y+21), image.Black, image.Point{}, draw.Src)
			draw.Draw(img, image.Rect(x+3, y+3, x+18, y+18), image.White, image.Point{}, draw.Src)
			draw.Draw(img, image.Rect(x+6, y+6, x+15, y+15), image.Black, image.Point{}, draw.Src)
		}
	}
	res := NewDecoder(Limits{}).Decode(context.Background(), encodePNG(t, img))
	if !hasAnomaly(res, AnomalyFinderDecoys) {
		t.Errorf("Decode: anomalies %v, want %s", res.Anomalies, AnomalyFinderDecoys)
	}
	if len(res.Codes) != 0 || res.Scanned {
		t.Errorf("Decode: codes %v, Scanned %v; want none and false", texts(res.Codes), res.Scanned)
	}
}

// TestDecodeGIFFrameLimit checks that frames past MaxFrames are dropped
// and reported.
func TestDecodeGIFFrameLimit(t *testing.T) {
	pal := color.Palette{color.White, color.Black}
	g := &gif.GIF{}
	for range 5 {
		g.Image = append(g.Image, image.NewPaletted(image.Rect(0, 0, 30, 30), pal))
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	res := NewDecoder(Limits{MaxFrames: 2}).Decode(context.Background(), b.Bytes())
	if !hasAnomaly(res, AnomalyFramesLimit) {
		t.Errorf("Decode: anomalies %v, want %s", res.Anomalies, AnomalyFramesLimit)
	}
	if res.Frames != 2 {
		t.Errorf("Decode: Frames %d, want 2", res.Frames)
	}
}

// TestDecodeBudget checks that a spent budget ends Decode with an anomaly
// rather than a wait.
func TestDecodeBudget(t *testing.T) {
	data := encodePNG(t, plain.image(symbol(t, wantURL)))

	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	res := NewDecoder(Limits{}).Decode(ctx, data)
	if !hasAnomaly(res, AnomalyBudgetExceeded) || res.Scanned {
		t.Errorf("expired message budget: Scanned %v, anomalies %v", res.Scanned, res.Anomalies)
	}

	res = NewDecoder(Limits{ImageBudget: time.Nanosecond}).Decode(context.Background(), data)
	if !hasAnomaly(res, AnomalyBudgetExceeded) || res.Scanned {
		t.Errorf("1 ns image budget: Scanned %v, anomalies %v", res.Scanned, res.Anomalies)
	}
}

// TestDecodeCache checks that a repeated image is answered from the cache
// and that the cache returns copies.
func TestDecodeCache(t *testing.T) {
	d := NewDecoder(Limits{CacheEntries: 1})
	data := encodePNG(t, plain.image(symbol(t, wantURL)))
	first := d.Decode(context.Background(), data)
	first.Codes[0].Text = "changed by the caller"
	second := d.Decode(context.Background(), data)
	if got := texts(second.Codes); !slices.Equal(got, []string{wantURL}) {
		t.Errorf("second Decode: texts %q, want %q", got, []string{wantURL})
	}
	if d.cache.order.Len() != 1 {
		t.Errorf("cache holds %d entries, want 1", d.cache.order.Len())
	}
	d.Decode(context.Background(), encodePNG(t, plain.image(symbol(t, benignURL))))
	if d.cache.order.Len() != 1 {
		t.Errorf("cache holds %d entries after eviction, want 1", d.cache.order.Len())
	}
}

func TestTruncateGIF(t *testing.T) {
	pal := color.Palette{color.White, color.Black}
	g := &gif.GIF{}
	for range 4 {
		g.Image = append(g.Image, image.NewPaletted(image.Rect(0, 0, 8, 8), pal))
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	out, total := truncateGIF(b.Bytes(), 3)
	if total != 4 {
		t.Errorf("truncateGIF: total %d, want 4", total)
	}
	back, err := gif.DecodeAll(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("decode truncated: %v", err)
	}
	if len(back.Image) != 3 {
		t.Errorf("truncated GIF has %d frames, want 3", len(back.Image))
	}
}
