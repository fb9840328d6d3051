package ooxml

import "testing"

func TestParseField(t *testing.T) {
	tests := []struct {
		name     string
		instr    string
		wantName string
		wantURL  string
		wantTip  string
	}{
		{"quoted url", ` HYPERLINK "http://a.test/x y" `, "HYPERLINK", "http://a.test/x y", ""},
		{"unquoted url", `HYPERLINK http://a.test/`, "HYPERLINK", "http://a.test/", ""},
		{"lower-case name", `hyperlink "http://a.test/"`, "HYPERLINK", "http://a.test/", ""},
		{"anchor switch", `HYPERLINK "http://a.test/" \l "sec 2"`, "HYPERLINK", "http://a.test/#sec 2", ""},
		{"tooltip switch", `HYPERLINK "http://a.test/" \o "https://bank.test/"`, "HYPERLINK", "http://a.test/", "https://bank.test/"},
		{"switch before url", `HYPERLINK \o "tip" \m "http://a.test/"`, "HYPERLINK", "http://a.test/", "tip"},
		{"bookmark only", `HYPERLINK \l "top"`, "HYPERLINK", "", ""},
		{"escaped backslashes", `HYPERLINK "\\\\host\\share\\f.docx"`, "HYPERLINK", `\\host\share\f.docx`, ""},
		{"escaped quote", `HYPERLINK "http://a.test/\"q"`, "HYPERLINK", `http://a.test/"q`, ""},
		{"typographic quotes", `HYPERLINK “http://a.test/”`, "HYPERLINK", "http://a.test/", ""},
		{"unterminated quote", `HYPERLINK "http://a.test/`, "HYPERLINK", "http://a.test/", ""},
		{"empty", `   `, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := parseField(tt.instr)
			if fc.name != tt.wantName {
				t.Errorf("parseField(%q).name = %q, want %q", tt.instr, fc.name, tt.wantName)
			}
			if got := fc.hyperlinkURL(); got != tt.wantURL {
				t.Errorf("parseField(%q) URL = %q, want %q", tt.instr, got, tt.wantURL)
			}
			if got := fc.switches[`\o`]; got != tt.wantTip {
				t.Errorf("parseField(%q) tooltip = %q, want %q", tt.instr, got, tt.wantTip)
			}
		})
	}
}

func TestRelsSource(t *testing.T) {
	tests := []struct{ rels, want string }{
		{"_rels/.rels", ""},
		{"word/_rels/document.xml.rels", "word/document.xml"},
		{"word/_rels/footer1.xml.rels", "word/footer1.xml"},
		{"xl/worksheets/_rels/sheet1.xml.rels", "xl/worksheets/sheet1.xml"},
		{"odd/place.xml.rels", "odd/place.xml"},
	}
	for _, tt := range tests {
		if got := relsSource(tt.rels); got != tt.want {
			t.Errorf("relsSource(%q) = %q, want %q", tt.rels, got, tt.want)
		}
	}
}

func TestResolveTarget(t *testing.T) {
	tests := []struct{ source, target, want string }{
		{"word/document.xml", "media/image1.png", "word/media/image1.png"},
		{"word/document.xml", "../customXml/item1.xml", "customXml/item1.xml"},
		{"word/document.xml", "/word/afchunk.mht", "word/afchunk.mht"},
		{"", "word/document.xml", "word/document.xml"},
		{"word/document.xml", "../../../../etc/passwd", "etc/passwd"},
		{"word/document.xml", "footer1.xml#frag", "word/footer1.xml"},
	}
	for _, tt := range tests {
		if got := resolveTarget(tt.source, tt.target); got != tt.want {
			t.Errorf("resolveTarget(%q, %q) = %q, want %q", tt.source, tt.target, got, tt.want)
		}
	}
}
