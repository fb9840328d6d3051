package policy

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// NameShape returns an attachment name's shape, so that names a reader
// takes for the same word share one campaign key. It
//
//   - drops format and default-ignorable characters (zero-width spaces
//     and joiners, bidirectional controls, variation selectors),
//   - applies Unicode NFKC, which turns fullwidth letters and digits,
//     ligatures and other compatibility forms into plain ones,
//   - maps the Cyrillic and Greek letters in latinLookalikes to the
//     Latin letters they imitate,
//   - folds case, and
//   - replaces every run of digits with "#".
//
// So "Invoice_2024-118.PDF" becomes "invoice_#-#.pdf", and both
// "іnvоicе_7.pdf" (Cyrillic і, о, е) and "ｉｎvｏice_7.pdf" (fullwidth)
// become "invoice_#.pdf". Letters with marks ("í"), lookalikes from
// other scripts and characters outside the table keep their own shape:
// the table is a short list, not the Unicode confusables data (UTS #39).
// It returns "" for a name whose shape carries no information: an empty
// name, or one whose stem holds no letter ("#.pdf"), which scanners and
// phones give to every file.
func NameShape(name string) string {
	// Ignorable characters go before NFKC, so that a zero-width space
	// between a letter and its combining mark cannot keep them apart.
	name = strings.Map(dropIgnorable, name)
	name = norm.NFKC.String(name)
	name = strings.Map(latinLookalike, name)
	name = cases.Fold().String(strings.TrimSpace(name))

	var b strings.Builder
	digits := false
	for _, r := range name {
		if unicode.IsDigit(r) {
			if !digits {
				b.WriteByte('#')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteRune(r)
	}
	shape := b.String()
	stem := shape
	if dot := strings.LastIndexByte(shape, '.'); dot > 0 {
		stem = shape[:dot]
	}
	if !strings.ContainsFunc(stem, unicode.IsLetter) {
		return ""
	}
	return cutEvidence(shape)
}

// isIgnorable reports a format character (category Cf, such as U+200B
// ZERO WIDTH SPACE or U+202E RIGHT-TO-LEFT OVERRIDE), another
// default-ignorable code point (such as U+FFA0 HALFWIDTH HANGUL FILLER)
// or a variation selector. Most of them render as nothing.
func isIgnorable(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// dropIgnorable is a strings.Map function that deletes ignorable
// characters.
func dropIgnorable(r rune) rune {
	if isIgnorable(r) {
		return -1
	}
	return r
}

// latinLookalike is a strings.Map function that replaces a letter listed
// in latinLookalikes.
func latinLookalike(r rune) rune {
	if l, ok := latinLookalikes[r]; ok {
		return l
	}
	return r
}

// latinLookalikes maps Cyrillic and Greek letters that are drawn like a
// Latin letter in common fonts to that letter. Capitals and small letters
// are listed apart because they can imitate different letters: Greek Ν
// looks like N but ν like v. A small letter that is a small capital
// (Cyrillic в, к, м, н, т) maps to its capital's Latin letter in lower
// case. Case folding follows, so capitals may map to Latin capitals.
var latinLookalikes = map[rune]rune{
	// Cyrillic capitals: А В Е К М Н О Р С Т У Х Ѕ І Ј Ӏ Һ Ԛ Ԝ.
	'\u0410': 'A', '\u0412': 'B', '\u0415': 'E', '\u041A': 'K', '\u041C': 'M',
	'\u041D': 'H', '\u041E': 'O', '\u0420': 'P', '\u0421': 'C', '\u0422': 'T',
	'\u0423': 'Y', '\u0425': 'X', '\u0405': 'S', '\u0406': 'I', '\u0408': 'J',
	'\u04C0': 'I', '\u04BA': 'H', '\u051A': 'Q', '\u051C': 'W',

	// Cyrillic small letters: а в е к м н о р с т у х ѕ і ј ӏ һ ԁ ԛ ԝ.
	'\u0430': 'a', '\u0432': 'b', '\u0435': 'e', '\u043A': 'k', '\u043C': 'm',
	'\u043D': 'h', '\u043E': 'o', '\u0440': 'p', '\u0441': 'c', '\u0442': 't',
	'\u0443': 'y', '\u0445': 'x', '\u0455': 's', '\u0456': 'i', '\u0458': 'j',
	'\u04CF': 'l', '\u04BB': 'h', '\u0501': 'd', '\u051B': 'q', '\u051D': 'w',

	// Greek capitals: Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ.
	'\u0391': 'A', '\u0392': 'B', '\u0395': 'E', '\u0396': 'Z', '\u0397': 'H',
	'\u0399': 'I', '\u039A': 'K', '\u039C': 'M', '\u039D': 'N', '\u039F': 'O',
	'\u03A1': 'P', '\u03A4': 'T', '\u03A5': 'Y', '\u03A7': 'X',

	// Greek small letters: α η ι κ ν ο ρ τ υ χ.
	'\u03B1': 'a', '\u03B7': 'n', '\u03B9': 'i', '\u03BA': 'k', '\u03BD': 'v',
	'\u03BF': 'o', '\u03C1': 'p', '\u03C4': 't', '\u03C5': 'u', '\u03C7': 'x',
}
