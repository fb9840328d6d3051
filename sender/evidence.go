package sender

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// cut shortens a value taken from the message to maxEvidenceValue bytes
// on a rune boundary, marking the cut with "…".
func cut(s string) string {
	if len(s) <= maxEvidenceValue {
		return s
	}
	end := maxEvidenceValue
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + "…"
}

// listItems joins up to maxEvidenceItems items and counts the rest.
func listItems(items []string) string {
	if len(items) <= maxEvidenceItems {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:maxEvidenceItems], ", "), len(items)-maxEvidenceItems)
}

// youngNote explains a scaled novelty signal.
func youngNote(f *HistoryFacts) string {
	if f.Maturity >= 1 {
		return ""
	}
	return fmt.Sprintf("; weight scaled to %.0f%% because the history is young", f.Maturity*100)
}

func untrustedNote(o *Origin) string {
	if o.Trusted {
		return ""
	}
	return ", a field written outside the trusted relays"
}

// placeLabel formats a place's country and network: "NL, AS64500 Example
// VPS".
func placeLabel(p Place) string {
	var parts []string
	if p.Country != "" {
		parts = append(parts, p.Country)
	}
	network := strings.TrimSpace(p.ASN + " " + cut(p.Org))
	if network != "" {
		parts = append(parts, network)
	}
	if len(parts) == 0 {
		return "unknown place"
	}
	return strings.Join(parts, ", ")
}

func ipString(r SPFResult) string {
	if !r.IP.IsValid() {
		return "an unknown address"
	}
	return r.IP.String()
}

func day(t time.Time) string {
	if t.IsZero() {
		return "an unknown day"
	}
	return t.UTC().Format("2006-01-02")
}

// containsName reports whether names holds name, ignoring case and runs
// of white space.
func containsName(names []string, name string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	want := norm(name)
	for _, n := range names {
		if norm(n) == want {
			return true
		}
	}
	return false
}

// messages formats a message count: "1 message", "212 messages".
func messages(n int64) string {
	if n == 1 {
		return "1 message"
	}
	return fmt.Sprintf("%d messages", n)
}
