package qr

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// tableHTML draws m as an HTML table, one cell per module, with a quiet
// zone of four modules; cell renders each module.
func tableHTML(m [][]bool, cell func(dark bool) string) string {
	var b strings.Builder
	b.WriteString("<html><body><p>Scan to keep your mailbox</p><table cellspacing=0>")
	n := len(m) + 8
	for y := 0; y < n; y++ {
		b.WriteString("<tr>")
		for x := 0; x < n; x++ {
			mx, my := x-4, y-4
			dark := mx >= 0 && my >= 0 && mx < len(m) && my < len(m) && m[my][mx]
			b.WriteString(cell(dark))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table></body></html>")
	return b.String()
}

// runTableHTML draws each row's runs of equal modules as one cell with
// colspan, as table generators that compress their output do.
func runTableHTML(m [][]bool) string {
	var b strings.Builder
	b.WriteString("<table><tbody>")
	for _, row := range m {
		b.WriteString("<tr>")
		for x := 0; x < len(row); {
			n := 1
			for x+n < len(row) && row[x+n] == row[x] {
				n++
			}
			colour := "#ffffff"
			if row[x] {
				colour = "#000000"
			}
			fmt.Fprintf(&b, `<td colspan="%d" bgcolor="%s"></td>`, n, colour)
			x += n
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

func divGridHTML(m [][]bool) string {
	var b strings.Builder
	b.WriteString(`<div style="line-height:0">`)
	for _, row := range m {
		for _, dark := range row {
			colour := "white"
			if dark {
				colour = "black"
			}
			fmt.Fprintf(&b, `<span style="display:inline-block;width:4px;height:4px;background-color:%s"></span>`, colour)
		}
		b.WriteString("<br>")
	}
	b.WriteString("</div>")
	return b.String()
}

func TestFromHTMLGrid(t *testing.T) {
	m := symbol(t, wantURL)
	cases := []struct {
		name string
		doc  string
		want []string
	}{
		{"bgcolor cells", tableHTML(m, func(dark bool) string {
			if dark {
				return `<td bgcolor="#000000"></td>`
			}
			return `<td bgcolor="#fff"></td>`
		}), []string{wantURL}},
		{"style background", tableHTML(m, func(dark bool) string {
			if dark {
				return `<td style="width:4px;height:4px;background:#000 none"></td>`
			}
			return `<td style="width:4px;height:4px;background-color:rgb(255, 255, 255)"></td>`
		}), []string{wantURL}},
		{"inverted cells", tableHTML(m, func(dark bool) string {
			if dark {
				return `<td bgcolor="white"></td>`
			}
			return `<td bgcolor="black"></td>`
		}), []string{wantURL}},
		{"colspan runs", runTableHTML(m), []string{wantURL}},
		{"span grid with br", divGridHTML(m), []string{wantURL}},
		{"small table", "<table><tr><td bgcolor=black></td><td></td></tr></table>", nil},
		{"text table", tableHTML(m[:5], func(bool) string { return "<td>cell</td>" }), nil},
	}
	for _, tc := range cases {
		got := texts(FromHTMLGrid([]byte(tc.doc)))
		if !slices.Equal(got, tc.want) {
			t.Errorf("FromHTMLGrid(%s) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// blockText draws m as `qrencode -t UTF8` does: one character per column
// and two rows per line, with a quiet zone. ink tells which modules the
// characters' ink draws.
func blockText(m [][]bool, inkIsDark bool) string {
	n := len(m) + 4
	at := func(x, y int) bool {
		mx, my := x-2, y-2
		dark := mx >= 0 && my >= 0 && mx < len(m) && my < len(m) && m[my][mx]
		return dark == inkIsDark
	}
	var b strings.Builder
	for y := 0; y < n; y += 2 {
		for x := 0; x < n; x++ {
			top, bottom := at(x, y), y+1 < n && at(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteRune(' ')
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestFromBlockText(t *testing.T) {
	m := symbol(t, wantURL)
	cases := []struct {
		name string
		text string
		want []string
	}{
		{"light ink", "Scan this:\n" + blockText(m, false) + "Thanks", []string{wantURL}},
		{"dark ink", blockText(m, true), []string{wantURL}},
		{"html with entities", "<pre>" + strings.NewReplacer("█", "&#9608;", "\n", "<br>").Replace(
			blockText(m, false)) + "</pre>", []string{wantURL}},
		{"a bar chart", "▁▂▃▄▅▆▇█▇▆▅▄▃▂▁▂▃▄▅▆▇█\n▁▂▃▄▅▆▇█▇▆▅▄▃▂▁▂▃▄▅▆▇█\n", nil},
		{"no blocks", "plain text", nil},
	}
	for _, tc := range cases {
		got := texts(FromBlockText(tc.text))
		if !slices.Equal(got, tc.want) {
			t.Errorf("FromBlockText(%s) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseColour(t *testing.T) {
	cases := []struct {
		in     string
		want   byte
		wantOK bool
	}{
		{"#000", 0, true},
		{"#FFFFFF", 255, true},
		{"rgb(0, 0, 0)", 0, true},
		{" white !important", 255, true},
		{"#12", 0, false},
		{"url(x.png)", 0, false},
	}
	for _, tc := range cases {
		got, ok := parseColour(tc.in)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("parseColour(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}
