package qr

import (
	"bytes"
	"image"
	"math"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// maxCodesPerImage bounds how many codes one attempt collects from an
// image. Arbitrary: chosen so that a page tiled with codes still costs a few
// detector runs, while a real message carries one or two.
const maxCodesPerImage = 8

// source adapts a plane to gozxing's LuminanceSource without copying.
type source struct {
	gozxing.LuminanceSourceBase
	p *plane
}

func newSource(p *plane) *source {
	return &source{gozxing.LuminanceSourceBase{Width: p.w, Height: p.h}, p}
}

func (s *source) GetRow(y int, row []byte) ([]byte, error) {
	if len(row) < s.p.w {
		row = make([]byte, s.p.w)
	}
	copy(row, s.p.pix[y*s.p.w:(y+1)*s.p.w])
	return row, nil
}

func (s *source) GetMatrix() []byte               { return s.p.pix }
func (s *source) Invert() gozxing.LuminanceSource { return gozxing.NewInvertedLuminanceSource(s) }
func (s *source) String() string                  { return gozxing.LuminanceSourceString(s) }

// attempt is one run of the QR reader on one plane.
type attempt struct {
	pass   string
	plane  *plane
	global bool // GlobalHistogram binarizer in place of Hybrid
	pure   bool // PURE_BARCODE: the plane is the symbol and its margin only
}

// run decodes every code it can find in a.plane. After each success it
// paints the found symbol over with white and decodes again, which finds a
// second code that the single-code reader would never report. It returns
// the number of finder-pattern candidates instead of reading when that is
// above maxFinderCandidates.
func (a attempt) run() ([]Code, int) {
	if n := finderCandidates(a.plane); n > maxFinderCandidates {
		return nil, n
	}
	var codes []Code
	p := a.plane
	for len(codes) < maxCodesPerImage {
		res := readOnce(p, a.global, a.pure)
		if res == nil {
			break
		}
		box := symbolBox(res.GetResultPoints(), p)
		codes = append(codes, Code{
			Text:   res.GetText(),
			Bytes:  byteSegments(res),
			Region: p.toOriginal(box),
			Pass:   a.pass,
		})
		if a.pure || box.Empty() {
			break
		}
		if p == a.plane {
			p = p.clone()
		}
		p.fill(box, 255)
	}
	return codes, 0
}

// readOnce runs gozxing once. A panic inside the library on hostile input
// counts as "nothing found" rather than taking the caller down.
func readOnce(p *plane, global, pure bool) (res *gozxing.Result) {
	defer func() {
		if recover() != nil {
			res = nil
		}
	}()
	src := newSource(p)
	var bin gozxing.Binarizer
	if global {
		bin = gozxing.NewGlobalHistgramBinarizer(src)
	} else {
		bin = gozxing.NewHybridBinarizer(src)
	}
	bmp, err := gozxing.NewBinaryBitmap(bin)
	if err != nil {
		return nil
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	if pure {
		hints[gozxing.DecodeHintType_PURE_BARCODE] = true
	}
	res, err = qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return nil
	}
	return res
}

// byteSegments joins the symbol's raw byte-mode segments, which keep text
// the decoder may have read in the wrong character set, such as UTF-8
// without an ECI designator.
func byteSegments(res *gozxing.Result) []byte {
	segs, _ := res.GetResultMetadata()[gozxing.ResultMetadataType_BYTE_SEGMENTS].([][]byte)
	if len(segs) == 0 {
		return nil
	}
	return bytes.Join(segs, nil)
}

// symbolBox estimates the rectangle a symbol covers from its finder and
// alignment pattern centres. The finder centres sit 3.5 modules inside the
// symbol's corners, so the box grows by 5 modules, which also covers the
// corners of a symbol rotated by 45°. Without a module size it grows by a
// quarter of the centres' span, which is 3.5 modules for version 1 and more
// for larger versions.
func symbolBox(points []gozxing.ResultPoint, p *plane) image.Rectangle {
	if len(points) < 3 {
		return image.Rectangle{}
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	module := 0.0
	for _, pt := range points {
		minX = math.Min(minX, pt.GetX())
		maxX = math.Max(maxX, pt.GetX())
		minY = math.Min(minY, pt.GetY())
		maxY = math.Max(maxY, pt.GetY())
		if fp, ok := pt.(interface{ GetEstimatedModuleSize() float64 }); ok {
			module = math.Max(module, fp.GetEstimatedModuleSize())
		}
	}
	grow := 5*module + 1
	if module == 0 {
		grow = 0.25*math.Max(maxX-minX, maxY-minY) + 2
	}
	r := image.Rect(int(minX-grow), int(minY-grow), int(maxX+grow+1), int(maxY+grow+1))
	return r.Intersect(image.Rect(0, 0, p.w, p.h))
}
