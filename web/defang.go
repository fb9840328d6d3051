package web

import (
	"regexp"
	"strings"
)

// defangedSchemes maps URL schemes to the spelling shown on the pages, so
// a copied link does not open when pasted into a browser.
var defangedSchemes = map[string]string{
	"http":  "hxxp",
	"https": "hxxps",
	"ftp":   "fxp",
	"ftps":  "fxps",
}

// urlPattern finds URLs with an authority in free text: evidence, QR
// text, header values and bodies.
var urlPattern = regexp.MustCompile(`(?i)\b(?:https?|ftps?)://[^\s<>"'` + "`" + `]+`)

// defangURL rewrites a URL so it cannot be followed: the scheme becomes
// "hxxp"/"hxxps" and every dot of the host becomes "[.]", so
// "https://evil.example/x" reads "hxxps://evil[.]example/x". Text without
// "://" is treated as a host, so all its dots are defanged.
func defangURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return defangHost(u)
	}
	if d, ok := defangedSchemes[strings.ToLower(scheme)]; ok {
		scheme = d
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	return scheme + "://" + defangHost(rest[:end]) + rest[end:]
}

// defangHost writes each dot of a host or domain as "[.]". Input that is
// already defanged stays as it is.
func defangHost(host string) string {
	return strings.ReplaceAll(strings.ReplaceAll(host, "[.]", "."), ".", "[.]")
}

// defangText defangs every URL found in free text and leaves the rest.
// Punctuation that ends a sentence is not taken as part of the URL.
func defangText(s string) string {
	return urlPattern.ReplaceAllStringFunc(s, func(u string) string {
		trimmed := strings.TrimRight(u, ".,;:!?)]")
		return defangURL(trimmed) + u[len(trimmed):]
	})
}
