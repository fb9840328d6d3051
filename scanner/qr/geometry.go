package qr

import "image"

// aspectAttempts corrects codes whose modules were stretched into
// rectangles (6×1, 1×6, ...), which defeats the finder-pattern ratio test.
// The module width and height are estimated from the shortest common dark
// runs along rows and along columns.
func aspectAttempts(f *frame) []attempt {
	p := f.work
	mw, mh := moduleRuns(p)
	if mw == 0 || mh == 0 {
		return nil
	}
	ratio := float64(mw) / float64(mh)
	if ratio > 0.7 && ratio < 1.45 {
		return nil
	}

	// Enlarge the thin axis when that stays within the work size, which
	// keeps every module; otherwise shrink the long axis.
	w, h := p.w, p.h
	if ratio > 1 {
		h = int(float64(h) * ratio)
	} else {
		w = int(float64(w) / ratio)
	}
	if w*h > maxWorkPixels {
		w, h = p.w, p.h
		if ratio > 1 {
			w = int(float64(w) / ratio)
		} else {
			h = int(float64(h) * ratio)
		}
	}
	q := p.resized(max(w, 1), max(h, 1))
	return []attempt{{plane: q}, {plane: q.inverted()}, {plane: q.padded(16, 255)}}
}

// moduleRuns returns a low percentile of the lengths of dark runs along
// rows and along columns: about one module's width and height.
func moduleRuns(p *plane) (int, int) {
	t := p.threshold()
	var hr, vr []int
	for y := 0; y < p.h; y++ {
		n := 0
		for x := 0; x <= p.w; x++ {
			if x < p.w && p.pix[y*p.w+x] < t {
				n++
			} else if n > 0 {
				hr = append(hr, n)
				n = 0
			}
		}
	}
	for x := 0; x < p.w; x++ {
		n := 0
		for y := 0; y <= p.h; y++ {
			if y < p.h && p.pix[y*p.w+x] < t {
				n++
			} else if n > 0 {
				vr = append(vr, n)
				n = 0
			}
		}
	}
	return lowPercentile(hr), lowPercentile(vr)
}

func lowPercentile(vs []int) int {
	if len(vs) < 20 {
		return 0
	}
	median(vs)
	return vs[len(vs)/5]
}

// splitAttempts joins a code cut into two halves with a gap between them:
// the widest band of light columns (or rows) strictly inside the dark
// content is removed. The same is tried on the negative for light codes.
func splitAttempts(f *frame) []attempt {
	var out []attempt
	for _, p := range []*plane{f.work, f.work.inverted()} {
		t := p.threshold()
		content := darkBounds(p, t)
		if content.Dx() < 21 || content.Dy() < 21 {
			continue
		}
		if q := removeGap(p, t, content, false); q != nil {
			out = append(out, attempt{plane: q.padded(16, 255)})
		}
		if q := removeGap(p, t, content, true); q != nil {
			out = append(out, attempt{plane: q.padded(16, 255)})
		}
	}
	return out
}

func darkBounds(p *plane, t byte) image.Rectangle {
	r := image.Rectangle{Min: image.Pt(p.w, p.h)}
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			if p.pix[y*p.w+x] < t {
				r.Min.X = min(r.Min.X, x)
				r.Min.Y = min(r.Min.Y, y)
				r.Max.X = max(r.Max.X, x+1)
				r.Max.Y = max(r.Max.Y, y+1)
			}
		}
	}
	if r.Empty() {
		return image.Rectangle{}
	}
	return r
}

// removeGap returns p without the widest run of all-light columns (rows
// when byRow) inside content, or nil when there is none at least two
// pixels wide.
func removeGap(p *plane, t byte, content image.Rectangle, byRow bool) *plane {
	lo, hi := content.Min.X, content.Max.X
	if byRow {
		lo, hi = content.Min.Y, content.Max.Y
	}
	light := func(i int) bool {
		if byRow {
			for x := content.Min.X; x < content.Max.X; x++ {
				if p.pix[i*p.w+x] < t {
					return false
				}
			}
			return true
		}
		for y := content.Min.Y; y < content.Max.Y; y++ {
			if p.pix[y*p.w+i] < t {
				return false
			}
		}
		return true
	}

	bestStart, bestLen, start := 0, 0, -1
	for i := lo; i < hi; i++ {
		if light(i) {
			if start < 0 {
				start = i
			}
			if i-start+1 > bestLen {
				bestStart, bestLen = start, i-start+1
			}
		} else {
			start = -1
		}
	}
	if bestLen < 2 {
		return nil
	}
	return cutBand(p, bestStart, bestLen, byRow)
}

// cutBand returns p with n columns (rows when byRow) removed from start.
// The mapping to original pixels ignores the cut, so regions found right of
// or below it are reported shifted by n pixels.
func cutBand(p *plane, start, n int, byRow bool) *plane {
	if byRow {
		q := p.derive(p.w, p.h-n, 1, 1, 0, 0)
		copy(q.pix, p.pix[:start*p.w])
		copy(q.pix[start*p.w:], p.pix[(start+n)*p.w:])
		return q
	}
	q := p.derive(p.w-n, p.h, 1, 1, 0, 0)
	for y := 0; y < p.h; y++ {
		row := p.pix[y*p.w : (y+1)*p.w]
		dst := q.pix[y*q.w : (y+1)*q.w]
		copy(dst, row[:start])
		copy(dst[start:], row[start+n:])
	}
	return q
}

// withoutFrame returns the dark content of p without the mostly dark rows
// and columns along its edges, for a code drawn right against a dark
// frame, or nil when there is no such frame. At most an eighth of each
// side is removed.
func (p *plane) withoutFrame() *plane {
	t := p.threshold()
	c := darkBounds(p, t)
	if c.Dx() < 21 || c.Dy() < 21 {
		return nil
	}
	darkRow := func(y int) bool {
		return darkShare(p.pix[y*p.w+c.Min.X:y*p.w+c.Max.X], 1, t) >= 0.9
	}
	darkCol := func(x int) bool {
		return darkShare(p.pix[c.Min.Y*p.w+x:c.Max.Y*p.w], p.w, t) >= 0.9
	}
	r := c
	for r.Min.Y < c.Min.Y+c.Dy()/8 && darkRow(r.Min.Y) {
		r.Min.Y++
	}
	for r.Max.Y > c.Max.Y-c.Dy()/8 && darkRow(r.Max.Y-1) {
		r.Max.Y--
	}
	for r.Min.X < c.Min.X+c.Dx()/8 && darkCol(r.Min.X) {
		r.Min.X++
	}
	for r.Max.X > c.Max.X-c.Dx()/8 && darkCol(r.Max.X-1) {
		r.Max.X--
	}
	if r == c || r.Empty() {
		return nil
	}
	return p.cropped(r)
}

// darkShare returns the share of pixels below t in pix[0], pix[step], ...
func darkShare(pix []byte, step int, t byte) float64 {
	n, dark := 0, 0
	for i := 0; i < len(pix); i += step {
		n++
		if pix[i] < t {
			dark++
		}
	}
	return float64(dark) / float64(max(n, 1))
}
