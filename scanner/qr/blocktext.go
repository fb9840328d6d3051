package qr

import (
	"html"
	"regexp"
	"strings"
)

// maxBlockTextBytes caps the text FromBlockText reads. Arbitrary: a
// version 40 code drawn with half blocks is about 90 lines of 185
// three-byte characters, 50 KB, so 4 MB leaves room for the text around it.
const maxBlockTextBytes = 4 << 20

// blockQuadrants gives, for each character from U+2580 to U+259F, which of
// its four quadrants are ink: bit 0 top left, 1 top right, 2 bottom left,
// 3 bottom right. Eighth blocks round to the nearest quadrants and shades
// count as ink from the medium shade up.
var blockQuadrants = [32]uint8{
	0x3, // ▀ upper half
	0xc, // ▁ lower eighth
	0xc, // ▂ lower quarter
	0xc, // ▃ lower three eighths
	0xc, // ▄ lower half
	0xc, // ▅ lower five eighths
	0xf, // ▆ lower three quarters
	0xf, // ▇ lower seven eighths
	0xf, // █ full
	0xf, // ▉ left seven eighths
	0xf, // ▊ left three quarters
	0x5, // ▋ left five eighths
	0x5, // ▌ left half
	0x5, // ▍ left three eighths
	0x5, // ▎ left quarter
	0x5, // ▏ left eighth
	0xa, // ▐ right half
	0x0, // ░ light shade
	0xf, // ▒ medium shade
	0xf, // ▓ dark shade
	0x3, // ▔ upper eighth
	0xa, // ▕ right eighth
	0x4, // ▖ lower left
	0x8, // ▗ lower right
	0x1, // ▘ upper left
	0xd, // ▙ upper left, lower left, lower right
	0x9, // ▚ upper left, lower right
	0x7, // ▛ upper left, upper right, lower left
	0xb, // ▜ upper left, upper right, lower right
	0x2, // ▝ upper right
	0x6, // ▞ upper right, lower left
	0xe, // ▟ upper right, lower left, lower right
}

// htmlTag matches a tag; htmlBreak matches the tags that end a line.
var (
	htmlTag   = regexp.MustCompile(`<[^>]*>`)
	htmlBreak = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/tr|/li)\b[^>]*>`)
)

// FromBlockText finds QR codes drawn with Unicode block characters
// (U+2580 to U+259F) in plain text or HTML and decodes them. Each character
// is one module wide and two high, as `qrencode -t UTF8` draws them; a grid
// that uses quadrant or left and right half blocks is read at two modules
// per character in both directions. Spaces are modules too. Both
// polarities are tried, since such output assumes either a dark or a light
// terminal. Codes carry Pass "block-text" and no Region.
func FromBlockText(text string) []Code {
	if len(text) > maxBlockTextBytes {
		text = text[:maxBlockTextBytes]
	}
	if strings.Contains(text, "<") {
		text = htmlBreak.ReplaceAllString(text, "\n")
		text = htmlTag.ReplaceAllString(text, "")
	}
	if strings.Contains(text, "&") {
		text = html.UnescapeString(text)
	}

	var res Result
	lines := strings.Split(text, "\n")
	for start := 0; start < len(lines); {
		if !hasBlocks(lines[start]) {
			start++
			continue
		}
		end := start
		for end < len(lines) && hasBlocks(lines[end]) {
			end++
		}
		if g := blockLines(lines[start:end]); g != nil {
			res.addCodes(decodeModules(g, "block-text"))
		}
		start = end
	}
	return res.Codes
}

func isBlock(r rune) bool { return r >= 0x2580 && r <= 0x259f }

// hasBlocks reports whether a line carries enough block characters to be a
// row of a code: at least a third of the narrowest symbol.
func hasBlocks(line string) bool {
	n := 0
	for _, r := range line {
		if isBlock(r) {
			n++
		}
	}
	return n >= minGridModules/3
}

// blockLines turns consecutive lines of block characters into a module
// grid. Columns count from the leftmost block character of any line, so
// leading spaces inside the drawing stay modules.
func blockLines(lines []string) grid {
	if len(lines) > maxGridModules {
		return nil
	}
	rows := make([][]rune, len(lines))
	left, right := -1, 0
	quadrants := false
	for i, line := range lines {
		rows[i] = []rune(strings.TrimRight(line, "\r"))
		for x, r := range rows[i] {
			if !isBlock(r) {
				continue
			}
			if left < 0 || x < left {
				left = x
			}
			right = max(right, x+1)
			if q := blockQuadrants[r-0x2580]; q != 0 && q != 0x3 && q != 0xc && q != 0xf {
				quadrants = true
			}
		}
	}
	if left < 0 || right-left > maxGridModules {
		return nil
	}

	// Each character is a 2×2 cell of quadrants. Half-block drawings have
	// equal left and right quadrants, so their columns are read once.
	colsPerChar := 1
	if quadrants {
		colsPerChar = 2
	}
	g := make(grid, 2*len(rows))
	for i, row := range rows {
		top := make([]byte, 0, (right-left)*colsPerChar)
		bottom := make([]byte, 0, (right-left)*colsPerChar)
		for x := left; x < right; x++ {
			q := uint8(0)
			if x < len(row) && isBlock(row[x]) {
				q = blockQuadrants[row[x]-0x2580]
			}
			top = append(top, ink(q&1 != 0))
			bottom = append(bottom, ink(q&4 != 0))
			if quadrants {
				top = append(top, ink(q&2 != 0))
				bottom = append(bottom, ink(q&8 != 0))
			}
		}
		g[2*i], g[2*i+1] = top, bottom
	}
	return g
}

// ink draws block ink dark; decodeModules also tries the other polarity.
func ink(on bool) byte {
	if on {
		return 0
	}
	return 255
}
