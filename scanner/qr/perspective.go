package qr

import "math"

// perspectiveAttempts rectifies a code seen at an angle: the four extreme
// dark pixels of the content (smallest and largest x+y and x−y) are taken as
// the code's corners and the quadrilateral between them is warped onto a
// square. The finder patterns then look square again, which the detector's
// ratio tests need; its own transform corrects what remains.
func perspectiveAttempts(f *frame) []attempt {
	var out []attempt
	for _, p := range []*plane{f.work, f.work.inverted()} {
		q, ok := darkCorners(p)
		if !ok {
			continue
		}
		side := int(max(dist(q[0], q[1]), dist(q[1], q[2]), dist(q[2], q[3]), dist(q[3], q[0])))
		if side < 21 || side*side > maxWorkPixels {
			continue
		}
		w := warpQuad(p, q, side).padded(side/8, 255)
		out = append(out, attempt{plane: w}, attempt{plane: w, global: true})
	}
	return out
}

type point struct{ x, y float64 }

func dist(a, b point) float64 { return math.Hypot(a.x-b.x, a.y-b.y) }

// darkCorners returns the dark content's corners in the order top-left,
// top-right, bottom-right, bottom-left.
func darkCorners(p *plane) ([4]point, bool) {
	t := p.threshold()
	var c [4]point
	best := [4]int{math.MaxInt, math.MinInt, math.MinInt, math.MaxInt}
	found := false
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			if p.pix[y*p.w+x] >= t {
				continue
			}
			found = true
			s, d := x+y, x-y
			if s < best[0] {
				best[0], c[0] = s, point{float64(x), float64(y)}
			}
			if d > best[1] {
				best[1], c[1] = d, point{float64(x + 1), float64(y)}
			}
			if s > best[2] {
				best[2], c[2] = s, point{float64(x + 1), float64(y + 1)}
			}
			if d < best[3] {
				best[3], c[3] = d, point{float64(x), float64(y + 1)}
			}
		}
	}
	return c, found
}

// warpQuad samples the quadrilateral q of p onto a side×side plane with the
// projective map that takes the unit square's corners to q's corners. The
// result's mapping to original pixels keeps only q's bounding box, so
// regions found in it are approximate.
func warpQuad(p *plane, q [4]point, side int) *plane {
	m := squareToQuad(q)
	out := p.derive(side, side, 1, 1, 0, 0)
	minX := min(q[0].x, q[1].x, q[2].x, q[3].x)
	minY := min(q[0].y, q[1].y, q[2].y, q[3].y)
	out.originX = p.originX + minX*p.scaleX
	out.originY = p.originY + minY*p.scaleY
	for v := 0; v < side; v++ {
		for u := 0; u < side; u++ {
			x, y := m.apply((float64(u)+0.5)/float64(side), (float64(v)+0.5)/float64(side))
			out.pix[v*side+u] = p.sample(x, y)
		}
	}
	return out
}

// sample returns the bilinear interpolation of p at (x, y), white outside.
func (p *plane) sample(x, y float64) byte {
	x -= 0.5
	y -= 0.5
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	if x0 < 0 || y0 < 0 || x0+1 >= p.w || y0+1 >= p.h {
		return 255
	}
	fx, fy := x-float64(x0), y-float64(y0)
	i := y0*p.w + x0
	top := float64(p.pix[i])*(1-fx) + float64(p.pix[i+1])*fx
	bottom := float64(p.pix[i+p.w])*(1-fx) + float64(p.pix[i+p.w+1])*fx
	return byte(top*(1-fy) + bottom*fy + 0.5)
}

// homography is a 3×3 projective map in row-major order.
type homography [9]float64

func (m homography) apply(u, v float64) (float64, float64) {
	w := m[6]*u + m[7]*v + m[8]
	return (m[0]*u + m[1]*v + m[2]) / w, (m[3]*u + m[4]*v + m[5]) / w
}

// squareToQuad returns the projective map taking (0,0), (1,0), (1,1), (0,1)
// to q[0], q[1], q[2], q[3], in the closed form for a unit square.
func squareToQuad(q [4]point) homography {
	dx3 := q[0].x - q[1].x + q[2].x - q[3].x
	dy3 := q[0].y - q[1].y + q[2].y - q[3].y
	if dx3 == 0 && dy3 == 0 { // affine
		return homography{
			q[1].x - q[0].x, q[3].x - q[0].x, q[0].x,
			q[1].y - q[0].y, q[3].y - q[0].y, q[0].y,
			0, 0, 1,
		}
	}
	dx1, dx2 := q[1].x-q[2].x, q[3].x-q[2].x
	dy1, dy2 := q[1].y-q[2].y, q[3].y-q[2].y
	den := dx1*dy2 - dx2*dy1
	g := (dx3*dy2 - dx2*dy3) / den
	h := (dx1*dy3 - dx3*dy1) / den
	return homography{
		q[1].x - q[0].x + g*q[1].x, q[3].x - q[0].x + h*q[3].x, q[0].x,
		q[1].y - q[0].y + g*q[1].y, q[3].y - q[0].y + h*q[3].y, q[0].y,
		g, h, 1,
	}
}
