package ooxml

import (
	"strings"
	"unicode"
)

// fieldToken is one word of a field instruction.
type fieldToken struct {
	text string
	// quoted reports whether the word was in quotes, which makes a leading
	// backslash literal rather than a switch.
	quoted bool
}

// tokenizeField splits a field instruction into words. Quoted words may
// contain spaces. Inside quotes, Word writes a backslash as "\\" and a quote
// as "\"". The typographic quotes “ and ” also delimit words, so that a
// field typed with smart quotes still yields its URL.
func tokenizeField(instr string) []fieldToken {
	var tokens []fieldToken
	rs := []rune(instr)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		if rs[i] == '"' || rs[i] == '“' {
			var b strings.Builder
			i++
			for i < len(rs) && rs[i] != '"' && rs[i] != '”' {
				if rs[i] == '\\' && i+1 < len(rs) && (rs[i+1] == '\\' || rs[i+1] == '"') {
					i++
				}
				b.WriteRune(rs[i])
				i++
			}
			i++ // the closing quote, if any
			tokens = append(tokens, fieldToken{text: b.String(), quoted: true})
			continue
		}
		start := i
		for i < len(rs) && !unicode.IsSpace(rs[i]) && rs[i] != '"' && rs[i] != '“' {
			i++
		}
		tokens = append(tokens, fieldToken{text: string(rs[start:i])})
	}
	return tokens
}

// fieldCode is a parsed field instruction.
type fieldCode struct {
	// name is the field type in upper case, such as "HYPERLINK".
	name string
	// arg is the first argument that is not a switch, "" when none.
	arg string
	// switches maps a lower-case switch such as `\l` to its argument, ""
	// for a switch that takes none.
	switches map[string]string
}

// switchesWithArgument lists the HYPERLINK and INCLUDE* switches that take
// an argument: \l location, \o tooltip, \t target frame, \c converter.
var switchesWithArgument = map[string]bool{`\l`: true, `\o`: true, `\t`: true, `\c`: true}

// parseField parses a field instruction such as
// ` HYPERLINK "http://x.test/" \l "top" \o "tip" `.
func parseField(instr string) fieldCode {
	tokens := tokenizeField(instr)
	fc := fieldCode{switches: map[string]string{}}
	if len(tokens) == 0 {
		return fc
	}
	fc.name = strings.ToUpper(tokens[0].text)

	for i := 1; i < len(tokens); i++ {
		tok := tokens[i]
		if !tok.quoted && strings.HasPrefix(tok.text, `\`) {
			sw := strings.ToLower(tok.text)
			if switchesWithArgument[sw] && i+1 < len(tokens) {
				i++
				fc.switches[sw] = tokens[i].text
			} else if _, seen := fc.switches[sw]; !seen {
				fc.switches[sw] = ""
			}
			continue
		}
		if fc.arg == "" {
			fc.arg = tok.text
		}
	}
	return fc
}

// hyperlinkURL returns the URL a HYPERLINK field opens, "" when it only
// jumps to a bookmark inside the document.
func (fc fieldCode) hyperlinkURL() string {
	if fc.arg == "" {
		return ""
	}
	if loc := fc.switches[`\l`]; loc != "" {
		return fc.arg + "#" + loc
	}
	return fc.arg
}

// isRemotePath reports whether an INCLUDEPICTURE or INCLUDETEXT argument
// names something outside the local disk: a URL or a UNC path.
func isRemotePath(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, `\\`) || strings.HasPrefix(s, "//")
}
