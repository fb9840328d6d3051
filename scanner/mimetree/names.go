package mimetree

import (
	"strings"
	"unicode"
)

// isBidiControl reports whether r changes the display order of text, which
// lets "inv\u202Efdp.exe" show as "invexe.pdf".
func isBidiControl(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// nameFlags records what normalizeName removed.
type nameFlags struct {
	bidi, control, path bool
}

// normalizeName strips bidi and control characters and directory parts
// from a file name, and the trailing dots and spaces Windows ignores.
func normalizeName(s string) (string, nameFlags) {
	var f nameFlags
	s = strings.Map(func(r rune) rune {
		switch {
		case isBidiControl(r):
			f.bidi = true
			return -1
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			f.control = true
			return -1
		}
		return r
	}, s)

	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		f.path = true
		s = s[i+1:]
	}
	s = strings.TrimRight(strings.TrimSpace(s), ". ")
	return s, f
}

// addNames decodes and normalises raw file names, reports what they hid,
// and adds the new ones to p.Names.
func (w *walker) addNames(p *Part, raw []string) {
	for _, r := range raw {
		decoded := DecodeHeader(r)
		name, f := normalizeName(decoded)
		if f.bidi {
			w.add(anomaly(AnomalyNameBidi, p.Path,
				"file name %q has bidi controls; read as %q", cut(decoded), cut(name)))
		}
		if f.control {
			w.add(anomaly(AnomalyNameControl, p.Path,
				"file name %q has control characters", cut(decoded)))
		}
		if f.path {
			w.add(anomaly(AnomalyNamePath, p.Path,
				"file name %q has directory parts; read as %q", cut(decoded), cut(name)))
		}
		if name == "" || containsString(p.Names, name) {
			continue
		}
		if len(p.Names) > 0 {
			w.add(anomaly(AnomalyNameConflict, p.Path, "part is named both %q and %q",
				cut(p.Names[0]), cut(name)))
		}
		p.Names = append(p.Names, name)
	}
	if p.Filename == "" && len(p.Names) > 0 {
		p.Filename = p.Names[0]
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
