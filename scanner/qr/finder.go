package qr

import "image"

// maxFinderCandidates caps the finder-pattern-like spots a plane may show
// before the reader runs on it. gozxing tests every triple of candidates,
// so a grid of decoy squares makes one attempt cubic in their number, with
// no way to stop it: 400 decoy squares on a 600×600 image take 0.13 s per
// attempt (measured on the 2-core development machine), and a few thousand
// would take minutes. 200 candidates cost about a tenth of that. Real
// codes, pages of text and photographs of codes at an angle showed at most
// 75 in our labelled test images.
const maxFinderCandidates = 200

// finderCandidates estimates how many distinct places in p show the
// 1:1:3:1:1 run pattern of a finder pattern along a row, in either
// polarity. Candidates are counted once per cell of the pattern's own
// width, so the rows through one finder pattern count about once.
func finderCandidates(p *plane) int {
	t := p.threshold()
	seen := map[image.Point]bool{}
	runs := make([]int, 0, 64)
	for y := 0; y < p.h; y++ {
		runs = runs[:0]
		row := p.pix[y*p.w : (y+1)*p.w]
		dark := row[0] < t
		n := 0
		for _, v := range row {
			if (v < t) == dark {
				n++
				continue
			}
			runs = append(runs, n)
			dark, n = !dark, 1
		}
		runs = append(runs, n)

		x := 0
		for i := 0; i+5 <= len(runs); i++ {
			if total, ok := finderRatio(runs[i : i+5]); ok {
				cx := x + runs[i] + runs[i+1] + runs[i+2]/2
				if !crossCheck(p, t, cx, y, 0, 1, total) || !crossCheck(p, t, cx, y, 1, 1, total) {
					x += runs[i]
					continue
				}
				seen[image.Pt(cx/total, y/total)] = true
			}
			x += runs[i]
		}
	}
	return len(seen)
}

// crossCheck reports whether the line through (x, y) in direction
// (dx, dy) also shows the 1:1:3:1:1 pattern centred there, with a total
// length within half of the row's. Vertical and diagonal checks are the
// ones gozxing makes too: noise and data modules rarely pass all three,
// while finder patterns and decoy squares do.
func crossCheck(p *plane, t byte, x, y, dx, dy, total int) bool {
	dark := func(x, y int) bool { return p.pix[y*p.w+x] < t }
	inside := func(x, y int) bool { return x >= 0 && y >= 0 && x < p.w && y < p.h }
	centre := dark(x, y)
	var back, fwd [3]int
	for i, xx, yy := 0, x, y; i < 3; i++ {
		want := centre == (i%2 == 0)
		for inside(xx, yy) && dark(xx, yy) == want && back[i] <= total {
			back[i]++
			xx, yy = xx-dx, yy-dy
		}
	}
	for i, xx, yy := 0, x+dx, y+dy; i < 3; i++ {
		want := centre == (i%2 == 0)
		for inside(xx, yy) && dark(xx, yy) == want && fwd[i] <= total {
			fwd[i]++
			xx, yy = xx+dx, yy+dy
		}
	}
	runs := []int{back[2], back[1], back[0] + fwd[0], fwd[1], fwd[2]}
	length, ok := finderRatio(runs)
	return ok && 2*length > total && length < 2*total
}

// finderRatio reports whether five runs are in the ratio 1:1:3:1:1 within
// half a module each, and returns their total width.
func finderRatio(r []int) (int, bool) {
	total := r[0] + r[1] + r[2] + r[3] + r[4]
	if total < 7 {
		return 0, false
	}
	module := float64(total) / 7
	tol := module / 2
	for i, want := range [5]float64{1, 1, 3, 1, 1} {
		d := float64(r[i]) - want*module
		if d < -want*tol || d > want*tol {
			return 0, false
		}
	}
	return total, true
}
