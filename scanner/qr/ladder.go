package qr

import (
	"image"
	"math"
)

// maxWorkPixels bounds the plane that one reader run reads. gozxing cannot
// be cancelled, so this size bounds the slowest single attempt. With
// TRY_HARDER an attempt costs roughly 50 ms per megapixel (an estimate from
// timing pages on the 2-vCPU development machine). Larger images are
// scanned downscaled to this size and then in tiles of this size.
const maxWorkPixels = 2_500_000

// frame is one still picture to scan, in the forms the rungs need.
type frame struct {
	// work is the luminance at full size, or downscaled to maxWorkPixels,
	// with any transparency composited on white.
	work *plane
	// full is the luminance at full size when work is downscaled, else nil.
	full *plane
	// onBlack is the luminance with transparency composited on black, nil
	// when the image is opaque.
	onBlack *plane
	// img is the decoded image, kept for the colour-channel rung.
	img image.Image
}

func newFrame(img image.Image) *frame {
	f := &frame{img: img}
	work, translucent := planeFromImage(img, 255)
	if translucent {
		f.onBlack, _ = planeFromImage(img, 0)
	}
	f.work = work
	if work.w*work.h > maxWorkPixels {
		f.full = work
		f.work = fitPixels(work, maxWorkPixels)
		if f.onBlack != nil {
			f.onBlack = fitPixels(f.onBlack, maxWorkPixels)
		}
	}
	return f
}

// fitPixels downscales p, keeping its aspect ratio, to at most n pixels.
func fitPixels(p *plane, n int) *plane {
	if p.w*p.h <= n {
		return p
	}
	s := math.Sqrt(float64(n) / float64(p.w*p.h))
	return p.resized(max(1, int(float64(p.w)*s)), max(1, int(float64(p.h)*s)))
}

// rung is one step of the ladder: a name for Code.Pass and the attempts it
// makes, built only when the ladder reaches it.
type rung struct {
	name     string
	attempts func(f *frame) []attempt
}

// ladder lists the rungs in order of cost and of how often they succeed;
// scanning stops at the first rung that decodes anything. Tiles come early
// because they exist only for images above maxWorkPixels, where a small
// code is more often lost to downscaling than to anything later rungs fix.
var ladder = []rung{
	{"hybrid", func(f *frame) []attempt {
		return []attempt{{plane: f.work}}
	}},
	{"inverted", func(f *frame) []attempt {
		return []attempt{{plane: f.work.inverted()}}
	}},
	{"tiles", tileAttempts},
	{"global", func(f *frame) []attempt {
		return []attempt{{plane: f.work, global: true}, {plane: f.work.inverted(), global: true}}
	}},
	{"quiet-zone", quietZoneAttempts},
	{"contrast", contrastAttempts},
	{"alpha-black", func(f *frame) []attempt {
		if f.onBlack == nil {
			return nil
		}
		return []attempt{{plane: f.onBlack}, {plane: f.onBlack.inverted()}}
	}},
	{"upscale", upscaleAttempts},
	{"downscale", downscaleAttempts},
	{"aspect", smallOnly(aspectAttempts)},
	{"split", smallOnly(splitAttempts)},
	{"perspective", smallOnly(perspectiveAttempts)},
	{"channel", smallOnly(channelAttempts)},
	{"pure", func(f *frame) []attempt {
		return []attempt{{plane: f.work, pure: true}, {plane: f.work.inverted(), pure: true}}
	}},
}

// maxGeometryPixels bounds the images that get the geometric corrections
// (aspect, split, perspective) and the colour-channel rung. Those rungs fix
// an image that is one code. On a page with a code among text they find
// nothing, yet each attempt costs roughly 50 ms per megapixel.
// Arbitrary: chosen to cover a code drawn at up to 1200×1200 pixels.
const maxGeometryPixels = 1_500_000

func smallOnly(attempts func(f *frame) []attempt) func(f *frame) []attempt {
	return func(f *frame) []attempt {
		if f.work.w*f.work.h > maxGeometryPixels {
			return nil
		}
		return attempts(f)
	}
}

// quietZoneAttempts pads the image with a white border, and its negative
// too, for codes drawn right up to the image edge or inside a dark frame.
func quietZoneAttempts(f *frame) []attempt {
	border := max(8, min(f.work.w, f.work.h)/8)
	out := []attempt{
		{plane: f.work.padded(border, 255)},
		{plane: f.work.inverted().padded(border, 255)},
		{plane: f.work.padded(border, 0).inverted()},
	}
	if t := f.work.withoutFrame(); t != nil {
		out = append(out, attempt{plane: t.padded(border, 255)})
	}
	return out
}

func contrastAttempts(f *frame) []attempt {
	s := f.work.stretched()
	if s == nil {
		return nil
	}
	inv := s.inverted()
	return []attempt{
		{plane: s}, {plane: s, global: true},
		{plane: inv}, {plane: inv, global: true},
	}
}

// upscaleAttempts enlarges small images 2× and 3×, so one-pixel modules
// become wide enough for the finder-pattern scan.
func upscaleAttempts(f *frame) []attempt {
	var out []attempt
	for _, k := range []int{2, 3} {
		if f.work.w*f.work.h*k*k > maxWorkPixels {
			break
		}
		up := f.work.resized(f.work.w*k, f.work.h*k).padded(8*k, 255)
		out = append(out, attempt{plane: up}, attempt{plane: up.inverted()})
	}
	return out
}

// downscaleAttempts halves and thirds the image: averaging smooths noise,
// JPEG blocks and blur ringing into cleaner modules.
func downscaleAttempts(f *frame) []attempt {
	var out []attempt
	for _, k := range []int{2, 3} {
		w, h := f.work.w/k, f.work.h/k
		if min(w, h) < 60 {
			break
		}
		d := f.work.resized(w, h)
		out = append(out, attempt{plane: d}, attempt{plane: d, global: true},
			attempt{plane: d.inverted()})
	}
	return out
}

// channelAttempts scans the red, green and blue channels on their own, for
// codes whose two colours have the same luma but different hues.
func channelAttempts(f *frame) []attempt {
	if f.full != nil {
		return nil
	}
	var out []attempt
	for _, c := range channelPlanes(f.img) {
		if s := c.stretched(); s != nil {
			out = append(out, attempt{plane: s}, attempt{plane: s.inverted()})
		}
	}
	return out
}

// tileAttempts scans a large image at full resolution in overlapping
// tiles, for a small code in a corner of a page that downscaling blurs.
func tileAttempts(f *frame) []attempt {
	if f.full == nil {
		return nil
	}
	side := int(math.Sqrt(maxWorkPixels))
	step := side * 3 / 4
	var out []attempt
	for y := 0; y < f.full.h; y += step {
		for x := 0; x < f.full.w; x += step {
			r := image.Rect(x, y, x+side, y+side).Intersect(image.Rect(0, 0, f.full.w, f.full.h))
			out = append(out, attempt{plane: f.full.cropped(r)})
			if r.Max.X == f.full.w {
				break
			}
		}
		if y+side >= f.full.h {
			break
		}
	}
	return out
}
