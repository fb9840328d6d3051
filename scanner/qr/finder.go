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
				if !crossCheckColumn(p, t, cx, y, total) {
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

// crossCheckColumn reports whether the column through (x, y) also shows
// the 1:1:3:1:1 pattern centred on y, with a total width within half of
// the row's. Data modules rarely pass both tests; finder patterns and decoy
// squares do.
func crossCheckColumn(p *plane, t byte, x, y, total int) bool {
	dark := func(yy int) bool { return p.pix[yy*p.w+x] < t }
	centre := dark(y)
	var up, down [3]int
	for i, yy := 0, y; i < 3; i++ {
		want := centre == (i%2 == 0)
		for yy >= 0 && dark(yy) == want && up[i] <= total {
			up[i]++
			yy--
		}
	}
	for i, yy := 0, y+1; i < 3; i++ {
		want := centre == (i%2 == 0)
		for yy < p.h && dark(yy) == want && down[i] <= total {
			down[i]++
			yy++
		}
	}
	runs := []int{up[2], up[1], up[0] + down[0], down[1], down[2]}
	vertical, ok := finderRatio(runs)
	return ok && 2*vertical > total && vertical < 2*total
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
