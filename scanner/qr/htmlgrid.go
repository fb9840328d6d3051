package qr

import (
	"bytes"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// FromHTMLGrid finds QR codes drawn in an HTML document as a grid of
// coloured cells and decodes them. It reads tables whose cells take their
// colour from bgcolor or a background style, with colspan, rowspan and
// pixel widths spanning several modules, and grids of divs or spans with
// background colours, in rows or separated by <br>. Each grid of at least
// 21×21 mostly black and white cells is decoded in both polarities. Codes
// carry Pass "html-table" or "html-grid" and no Region.
func FromHTMLGrid(doc []byte) []Code {
	root, err := html.Parse(bytes.NewReader(doc))
	if err != nil {
		return nil
	}
	var res Result
	grids := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if grids >= maxGrids {
			return
		}
		if n.Type == html.ElementNode {
			if n.DataAtom == atom.Table {
				if g := tableGrid(n); g.plausible() {
					grids++
					res.addCodes(decodeModules(g, "html-table"))
				}
			} else if g := blockGrid(n); g.plausible() {
				grids++
				res.addCodes(decodeModules(g, "html-grid"))
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return res.Codes
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// background returns the colour an element paints itself with.
func background(n *html.Node) (byte, bool) {
	if v, ok := styleColour(attr(n, "style")); ok {
		return v, true
	}
	if b := attr(n, "bgcolor"); b != "" {
		return parseColour(b)
	}
	return 0, false
}

// elementChildren returns n's element children, skipping text and
// comments.
func elementChildren(n *html.Node) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			out = append(out, c)
		}
	}
	return out
}

// tableRows returns the rows of t, including those inside thead, tbody and
// tfoot but not those of nested tables.
func tableRows(t *html.Node) []*html.Node {
	var rows []*html.Node
	for _, c := range elementChildren(t) {
		switch c.DataAtom {
		case atom.Tr:
			rows = append(rows, c)
		case atom.Thead, atom.Tbody, atom.Tfoot:
			for _, r := range elementChildren(c) {
				if r.DataAtom == atom.Tr {
					rows = append(rows, r)
				}
			}
		}
	}
	return rows
}

// tableCell is one td or th with its colour and extent in grid units.
type tableCell struct {
	lum        byte
	cols, rows int
	width      int // pixel width when set and colspan is absent
}

// tableGrid lays out a table's cells the way a browser does, with colspan
// and rowspan, and returns the grid of cell colours, or nil when the table
// cannot be a code.
func tableGrid(t *html.Node) grid {
	rows := tableRows(t)
	if len(rows) < minGridModules || len(rows) > maxGridModules {
		return nil
	}
	tableLum, ok := background(t)
	if !ok {
		tableLum = 255
	}

	// Collect cells, and the narrowest pixel width as the module width for
	// cells that span modules by width instead of colspan.
	cells := make([][]tableCell, len(rows))
	unit := 0
	for i, r := range rows {
		rowLum, ok := background(r)
		if !ok {
			rowLum = tableLum
		}
		for _, c := range elementChildren(r) {
			if c.DataAtom != atom.Td && c.DataAtom != atom.Th {
				continue
			}
			cell := tableCell{lum: rowLum, cols: span(attr(c, "colspan")), rows: span(attr(c, "rowspan"))}
			if v, ok := background(c); ok {
				cell.lum = v
			}
			if cell.cols == 1 {
				cell.width = max(pixels(attr(c, "width")), styleLength(attr(c, "style"), "width"))
				if cell.width > 0 && (unit == 0 || cell.width < unit) {
					unit = cell.width
				}
			}
			cells[i] = append(cells[i], cell)
			if len(cells[i]) > maxGridModules {
				return nil
			}
		}
	}
	return layoutCells(cells, unit, tableLum)
}

// layoutCells places cells row by row, skipping slots taken by rowspans
// from rows above.
func layoutCells(cells [][]tableCell, unit int, fill byte) grid {
	g := make(grid, len(cells))
	taken := make([][]bool, len(cells))
	for y := range cells {
		x := 0
		for _, c := range cells[y] {
			cols := c.cols
			if c.width > 0 && unit > 0 {
				cols = max(1, (c.width+unit/2)/unit)
			}
			for x < len(taken[y]) && taken[y][x] {
				x++
			}
			for dy := 0; dy < c.rows && y+dy < len(cells); dy++ {
				for dx := 0; dx < cols; dx++ {
					if x+dx >= maxGridModules {
						return nil
					}
					g[y+dy] = setCell(g[y+dy], x+dx, c.lum, fill)
					taken[y+dy] = setTaken(taken[y+dy], x+dx)
				}
			}
			x += cols
		}
	}
	return g
}

func setCell(row []byte, x int, v, fill byte) []byte {
	for len(row) <= x {
		row = append(row, fill)
	}
	row[x] = v
	return row
}

func setTaken(row []bool, x int) []bool {
	for len(row) <= x {
		row = append(row, false)
	}
	row[x] = true
	return row
}

// span parses a colspan or rowspan value, 1 when absent or invalid.
func span(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, maxGridModules)
}

// blockGrid returns the grid drawn by n's children when they are coloured
// blocks: rows of coloured elements, coloured elements separated by <br>,
// or a square number of coloured elements wrapped by a fixed width.
func blockGrid(n *html.Node) grid {
	kids := elementChildren(n)
	if len(kids) < minGridModules {
		return nil
	}
	if g := rowsOfBlocks(kids); g != nil {
		return g
	}
	return flatBlocks(kids)
}

// blockRow returns the colours of a row element's children when they are
// all blocks and at least one has a colour, else nil.
func blockRow(row *html.Node) []byte {
	kids := elementChildren(row)
	if len(kids) < minGridModules || len(kids) > maxGridModules {
		return nil
	}
	out := make([]byte, len(kids))
	coloured := false
	for i, k := range kids {
		if k.FirstChild != nil && strings.TrimSpace(textOf(k)) != "" {
			return nil
		}
		v, ok := background(k)
		if !ok {
			v = 255
		}
		coloured = coloured || ok
		out[i] = v
	}
	if !coloured {
		return nil
	}
	return out
}

func rowsOfBlocks(kids []*html.Node) grid {
	var g grid
	for _, k := range kids {
		if k.DataAtom == atom.Br {
			continue
		}
		row := blockRow(k)
		if row == nil {
			return nil
		}
		g = append(g, row)
	}
	return g
}

// flatBlocks reads coloured leaf elements split into rows by <br>, or,
// without <br>, a square number of them.
func flatBlocks(kids []*html.Node) grid {
	var g grid
	var row []byte
	brs, coloured := 0, 0
	for _, k := range kids {
		if k.DataAtom == atom.Br {
			brs++
			g = append(g, row)
			row = nil
			continue
		}
		if k.FirstChild != nil && strings.TrimSpace(textOf(k)) != "" {
			return nil
		}
		v, ok := background(k)
		if ok {
			coloured++
		} else {
			v = 255
		}
		row = append(row, v)
	}
	if len(row) > 0 {
		g = append(g, row)
	}
	if coloured == 0 {
		return nil
	}
	if brs > 0 {
		return g
	}
	return squareGrid(g[0])
}

func squareGrid(cells []byte) grid {
	side := 0
	for side*side < len(cells) {
		side++
	}
	if side*side != len(cells) || side < minGridModules || side > maxGridModules {
		return nil
	}
	g := make(grid, side)
	for y := range g {
		g[y] = cells[y*side : (y+1)*side]
	}
	return g
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
