package safezip

import "strings"

// unsafeReason returns why extracting an entry by name would be unsafe, or
// "" when the name stays inside the target folder on both Unix and Windows.
// Backslashes count as separators because Windows tools treat them so.
func unsafeReason(name string) string {
	if name == "" {
		return "empty name"
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "control character"
		}
	}

	slashed := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(slashed, "/") {
		return "absolute path"
	}
	if len(slashed) >= 2 && slashed[1] == ':' && isASCIILetter(slashed[0]) {
		return "drive letter"
	}
	for _, seg := range strings.Split(slashed, "/") {
		if seg == ".." {
			return "parent directory"
		}
	}
	return ""
}

func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
