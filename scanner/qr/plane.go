package qr

import (
	"image"
	"image/color"
	"sort"
)

// plane is an 8-bit luminance image, 0 black and 255 white, with the
// mapping from its pixels back to the pixels of the original image:
// original = origin + scale*plane.
type plane struct {
	w, h int
	pix  []byte

	originX, originY float64
	scaleX, scaleY   float64
}

func newPlane(w, h int) *plane {
	return &plane{w: w, h: h, pix: make([]byte, w*h), scaleX: 1, scaleY: 1}
}

// derive returns a blank w×h plane that maps onto the same original pixels
// as p. It has sx and sy of its pixels per pixel of p, and its (dx, dy) is
// (0, 0) of p.
func (p *plane) derive(w, h int, sx, sy float64, dx, dy int) *plane {
	q := newPlane(w, h)
	q.scaleX = p.scaleX / sx
	q.scaleY = p.scaleY / sy
	q.originX = p.originX - float64(dx)*q.scaleX
	q.originY = p.originY - float64(dy)*q.scaleY
	return q
}

func (p *plane) clone() *plane {
	q := *p
	q.pix = append([]byte(nil), p.pix...)
	return &q
}

// toOriginal maps a rectangle of plane pixels to original image pixels.
func (p *plane) toOriginal(r image.Rectangle) image.Rectangle {
	x0 := int(p.originX + float64(r.Min.X)*p.scaleX)
	y0 := int(p.originY + float64(r.Min.Y)*p.scaleY)
	x1 := int(p.originX + float64(r.Max.X)*p.scaleX + 0.5)
	y1 := int(p.originY + float64(r.Max.Y)*p.scaleY + 0.5)
	return image.Rect(x0, y0, x1, y1)
}

// luma returns the Rec. 601 luma of an 8-bit RGB colour.
func luma(r, g, b uint32) byte {
	return byte((299*r + 587*g + 114*b + 500) / 1000)
}

// planeFromImage converts img to luminance, compositing any transparency
// on a background of the given grey level. It reports whether any pixel was
// not fully opaque.
func planeFromImage(img image.Image, background byte) (*plane, bool) {
	b := img.Bounds()
	p := newPlane(b.Dx(), b.Dy())
	translucent := false
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < p.h; y++ {
			copy(p.pix[y*p.w:(y+1)*p.w], m.Pix[y*m.Stride:])
		}
		return p, false
	case *image.YCbCr:
		for y := 0; y < p.h; y++ {
			copy(p.pix[y*p.w:(y+1)*p.w], m.Y[y*m.YStride:])
		}
		return p, false
	case *image.Paletted:
		lut, alpha := paletteLuma(m.Palette, background)
		for y := 0; y < p.h; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+p.w]
			for x, c := range row {
				p.pix[y*p.w+x] = lut[c]
			}
		}
		return p, alpha
	}

	bg := uint32(background) * 0x101
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if a != 0xffff {
				translucent = true
				r += (0xffff - a) * bg / 0xffff
				g += (0xffff - a) * bg / 0xffff
				bl += (0xffff - a) * bg / 0xffff
			}
			p.pix[i] = luma(r>>8, g>>8, bl>>8)
			i++
		}
	}
	return p, translucent
}

func paletteLuma(pal color.Palette, background byte) ([256]byte, bool) {
	var lut [256]byte
	translucent := false
	bg := uint32(background) * 0x101
	for i, c := range pal {
		if i > 255 {
			break
		}
		r, g, b, a := c.RGBA()
		if a != 0xffff {
			translucent = true
			r += (0xffff - a) * bg / 0xffff
			g += (0xffff - a) * bg / 0xffff
			b += (0xffff - a) * bg / 0xffff
		}
		lut[i] = luma(r>>8, g>>8, b>>8)
	}
	return lut, translucent
}

// channelPlanes returns the red, green and blue channels of img as planes,
// or nil for images without colour. A code drawn in two colours of equal
// luma still differs in at least one channel.
func channelPlanes(img image.Image) []*plane {
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		return nil
	}
	b := img.Bounds()
	planes := []*plane{newPlane(b.Dx(), b.Dy()), newPlane(b.Dx(), b.Dy()), newPlane(b.Dx(), b.Dy())}
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			r += 0xffff - a
			g += 0xffff - a
			bl += 0xffff - a
			planes[0].pix[i] = byte(min(r, 0xffff) >> 8)
			planes[1].pix[i] = byte(min(g, 0xffff) >> 8)
			planes[2].pix[i] = byte(min(bl, 0xffff) >> 8)
			i++
		}
	}
	return planes
}

func (p *plane) inverted() *plane {
	q := p.clone()
	for i, v := range q.pix {
		q.pix[i] = 255 - v
	}
	return q
}

// stretched maps the 1st..99th percentile of grey levels onto 0..255, so a
// code drawn in two close greys gets full contrast. It returns nil when the
// plane is flat.
func (p *plane) stretched() *plane {
	var hist [256]int
	for _, v := range p.pix {
		hist[v]++
	}
	cut := len(p.pix) / 100
	lo, hi := 0, 255
	for n := 0; lo < 255 && n+hist[lo] <= cut; lo++ {
		n += hist[lo]
	}
	for n := 0; hi > 0 && n+hist[hi] <= cut; hi-- {
		n += hist[hi]
	}
	if hi <= lo {
		return nil
	}
	var lut [256]byte
	for v := range lut {
		s := (v - lo) * 255 / (hi - lo)
		lut[v] = byte(max(0, min(255, s)))
	}
	q := p.clone()
	for i, v := range q.pix {
		q.pix[i] = lut[v]
	}
	return q
}

// padded returns p inside a border of the given grey level and width, which
// gives codes drawn without a quiet zone the margin the detector needs.
func (p *plane) padded(border int, level byte) *plane {
	q := p.derive(p.w+2*border, p.h+2*border, 1, 1, border, border)
	for i := range q.pix {
		q.pix[i] = level
	}
	for y := 0; y < p.h; y++ {
		copy(q.pix[(y+border)*q.w+border:], p.pix[y*p.w:(y+1)*p.w])
	}
	return q
}

// resized resamples p to w×h: area averaging when shrinking an axis (which
// also smooths noise) and nearest neighbour when enlarging it (which keeps
// module edges sharp).
func (p *plane) resized(w, h int) *plane {
	sx := float64(w) / float64(p.w)
	sy := float64(h) / float64(p.h)
	q := p.derive(w, h, sx, sy, 0, 0)
	for y := 0; y < h; y++ {
		y0 := y * p.h / h
		y1 := max(y0+1, (y+1)*p.h/h)
		for x := 0; x < w; x++ {
			x0 := x * p.w / w
			x1 := max(x0+1, (x+1)*p.w/w)
			sum, n := 0, 0
			for yy := y0; yy < y1; yy++ {
				row := p.pix[yy*p.w:]
				for xx := x0; xx < x1; xx++ {
					sum += int(row[xx])
					n++
				}
			}
			q.pix[y*w+x] = byte(sum / n)
		}
	}
	return q
}

// cropped returns the part of p inside r, which must lie within p.
func (p *plane) cropped(r image.Rectangle) *plane {
	q := p.derive(r.Dx(), r.Dy(), 1, 1, -r.Min.X, -r.Min.Y)
	for y := 0; y < q.h; y++ {
		copy(q.pix[y*q.w:(y+1)*q.w], p.pix[(y+r.Min.Y)*p.w+r.Min.X:])
	}
	return q
}

// fill paints r, clipped to p, with the given grey level.
func (p *plane) fill(r image.Rectangle, level byte) {
	r = r.Intersect(image.Rect(0, 0, p.w, p.h))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := p.pix[y*p.w+r.Min.X : y*p.w+r.Max.X]
		for i := range row {
			row[i] = level
		}
	}
}

// threshold returns the grey level halfway between the 5th and 95th
// percentiles, a cheap global split into dark and light.
func (p *plane) threshold() byte {
	var hist [256]int
	for _, v := range p.pix {
		hist[v]++
	}
	cut := len(p.pix) / 20
	lo, hi := 0, 255
	for n := 0; lo < 255 && n+hist[lo] <= cut; lo++ {
		n += hist[lo]
	}
	for n := 0; hi > 0 && n+hist[hi] <= cut; hi-- {
		n += hist[hi]
	}
	return byte((lo + hi + 1) / 2)
}

// median returns the median of vs, which it sorts.
func median(vs []int) int {
	if len(vs) == 0 {
		return 0
	}
	sort.Ints(vs)
	return vs[len(vs)/2]
}
