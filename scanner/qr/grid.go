package qr

// Some phishing mail draws its QR code with markup instead of an image:
// a table of black and white cells, a grid of coloured divs or spans, or
// lines of Unicode block characters. Link and image scanners see none of
// these. This file turns such grids into module matrices; decodeModules
// rasterises a matrix and runs a short ladder on it.

import (
	"image"
	"strconv"
	"strings"
)

// Bounds on grids. A QR symbol has 21 to 177 modules per side.
const (
	minGridModules = 21
	// maxGridModules allows version 40 plus a generous quiet zone.
	maxGridModules = 256
	// maxGrids caps the grids decoded per document. Arbitrary: chosen so
	// that a document of a thousand decoy tables costs a few dozen decodes.
	maxGrids = 32
	// gridModulePixels is the size of one module when a grid is drawn.
	gridModulePixels = 4
	// twoToneShare is the share of cells that must be clearly dark or
	// clearly light for a grid to be taken as a code.
	twoToneShare = 0.9
)

// grid is a matrix of cell luminances, 0 black to 255 white.
type grid [][]byte

func (g grid) width() int {
	w := 0
	for _, row := range g {
		w = max(w, len(row))
	}
	return w
}

// plausible reports whether g is large enough, small enough and two-toned
// enough to be a QR code.
func (g grid) plausible() bool {
	w, h := g.width(), len(g)
	if w < minGridModules || h < minGridModules || w > maxGridModules || h > maxGridModules {
		return false
	}
	cells, clear, dark := 0, 0, 0
	for _, row := range g {
		for _, v := range row {
			cells++
			if v < 96 || v > 160 {
				clear++
			}
			if v < 128 {
				dark++
			}
		}
	}
	return float64(clear) >= twoToneShare*float64(cells) && dark > cells/10 && dark < cells*9/10
}

// decodeModules draws g with square modules and a quiet zone and decodes
// it in both polarities. pass names the source for Code.Pass.
func decodeModules(g grid, pass string) []Code {
	if !g.plausible() {
		return nil
	}
	const quiet = 4
	w, h := g.width(), len(g)
	p := newPlane((w+2*quiet)*gridModulePixels, (h+2*quiet)*gridModulePixels)
	for i := range p.pix {
		p.pix[i] = 255
	}
	for y, row := range g {
		for x, v := range row {
			x0, y0 := (x+quiet)*gridModulePixels, (y+quiet)*gridModulePixels
			p.fill(image.Rect(x0, y0, x0+gridModulePixels, y0+gridModulePixels), v)
		}
	}

	// The rasterised grid maps to no image pixels, so regions stay empty.
	for _, a := range []attempt{
		{plane: p, pass: pass},
		{plane: p.inverted(), pass: pass + "-inverted"},
		{plane: p, pass: pass, global: true},
	} {
		codes, _ := a.run()
		if len(codes) > 0 {
			for i := range codes {
				codes[i].Region = image.Rectangle{}
			}
			return codes
		}
	}
	return nil
}

// parseColour returns the luminance of a CSS or HTML colour: #rgb,
// #rrggbb, rgb(r, g, b) or a common name. ok is false when it cannot tell.
func parseColour(s string) (byte, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(s, "!important")), ";")
	if v, ok := namedColours[s]; ok {
		return v, true
	}
	if strings.HasPrefix(s, "rgb") {
		open, end := strings.IndexByte(s, '('), strings.IndexByte(s, ')')
		if open < 0 || end < open {
			return 0, false
		}
		parts := strings.Split(s[open+1:end], ",")
		if len(parts) < 3 {
			return 0, false
		}
		var c [3]uint32
		for i := range c {
			n, err := strconv.Atoi(strings.TrimSpace(parts[i]))
			if err != nil || n < 0 || n > 255 {
				return 0, false
			}
			c[i] = uint32(n)
		}
		return luma(c[0], c[1], c[2]), true
	}
	s = strings.TrimPrefix(s, "#")
	if len(s) == 3 {
		s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
	}
	if len(s) != 6 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return 0, false
	}
	return luma(uint32(n>>16), uint32(n>>8&0xff), uint32(n&0xff)), true
}

// namedColours lists the colour names that draw codes in practice.
var namedColours = map[string]byte{
	"black": 0, "white": 255, "#000": 0, "#fff": 255,
	"red": luma(255, 0, 0), "blue": luma(0, 0, 255), "navy": luma(0, 0, 128),
	"green": luma(0, 128, 0), "gray": 128, "grey": 128,
	"silver": 192, "yellow": luma(255, 255, 0), "transparent": 255,
}

// styleColour returns the background colour set in a style attribute.
func styleColour(style string) (byte, bool) {
	for _, decl := range strings.Split(style, ";") {
		name, value, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "background-color":
			return parseColour(value)
		case "background":
			// The shorthand may list an image, position and repeat too;
			// the first word that parses as a colour wins.
			for _, word := range strings.Fields(value) {
				if v, ok := parseColour(word); ok {
					return v, true
				}
			}
		}
	}
	return 0, false
}

// styleLength returns a length in pixels from a style attribute, such as
// width:8px, or 0.
func styleLength(style, property string) int {
	for _, decl := range strings.Split(style, ";") {
		name, value, ok := strings.Cut(decl, ":")
		if ok && strings.EqualFold(strings.TrimSpace(name), property) {
			return pixels(value)
		}
	}
	return 0
}

// pixels parses "8", "8px" or "8.0px" as a whole number of pixels, 0 for
// anything else.
func pixels(s string) int {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "px")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 10000 {
		return 0
	}
	return int(f + 0.5)
}
