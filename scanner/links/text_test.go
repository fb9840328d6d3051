package links

import (
	"slices"
	"testing"
)

func TestFromText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"plain", "see https://example.com/a for details", []string{"https://example.com/a"}},
		{"sentence end", "Go to https://example.com/a.", []string{"https://example.com/a"}},
		{"in parentheses", "(https://example.com/a)", []string{"https://example.com/a"}},
		{"balanced parentheses kept", "https://en.example.org/wiki/Go_(language)",
			[]string{"https://en.example.org/wiki/Go_(language)"}},
		{"angle brackets", "<https://example.com/x>", []string{"https://example.com/x"}},
		{"quoted", `"https://example.com/x"`, []string{"https://example.com/x"}},
		{"trailing comma and bracket", "[https://example.com/x],", []string{"https://example.com/x"}},
		{"full-width punctuation", "请访问https://example.com/x。", []string{"https://example.com/x"}},
		{"www host", "visit www.example.com/login today", []string{"http://www.example.com/login"}},
		{"www in email", "mail user@www.example.com now", nil},
		{"www inside word", "awww.example.com", nil},
		{"ftp", "ftp://files.example.com/f.zip", []string{"ftp://files.example.com/f.zip"}},
		{"upper case scheme", "HTTPS://EXAMPLE.COM/", []string{"https://example.com/"}},
		{"mailto is not a link", "mailto:user@example.com", nil},
		{"scheme inside word", "xhttp://example.com/", nil},
		{"bare scheme", "http:// example.com", nil},
		{"two urls", "a http://one.example/ b https://two.example/",
			[]string{"http://one.example/", "https://two.example/"}},
		{"nested query", "http://h0.example.org/?u=http://h1.example.org/ now",
			[]string{"http://h0.example.org/?u=http://h1.example.org/"}},
		{"userinfo", "https://paypal.com@evil.example/x", []string{"https://paypal.com@evil.example/x"}},
		{"non-breaking space ends url", "https://example.com/a\u00a0next", []string{"https://example.com/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range FromText(tt.text, "body") {
				got = append(got, l.URL)
				if l.Via != "text" || l.Source != "body" {
					t.Errorf("FromText(%q) link %q has Via %q Source %q", tt.text, l.URL, l.Via, l.Source)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("FromText(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestFromTextFlags(t *testing.T) {
	tests := []struct {
		name, text, host, domain string
		flags                    []string
	}{
		{"userinfo", "https://paypal.com@evil.example/", "evil.example", "evil.example",
			[]string{AnomalyUserinfo}},
		{"numeric host", "http://0x7f000001/", "127.0.0.1", "127.0.0.1",
			[]string{AnomalyNumericHost}},
		{"plain", "https://a.b.example.co.uk/", "a.b.example.co.uk", "example.co.uk", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromText(tt.text, "body")
			if len(got) != 1 {
				t.Fatalf("FromText(%q) returned %d links, want 1", tt.text, len(got))
			}
			if got[0].Host != tt.host {
				t.Errorf("Host = %q, want %q", got[0].Host, tt.host)
			}
			if got[0].Domain != tt.domain {
				t.Errorf("Domain = %q, want %q", got[0].Domain, tt.domain)
			}
			if !slices.Equal(got[0].Flags, tt.flags) {
				t.Errorf("Flags = %q, want %q", got[0].Flags, tt.flags)
			}
		})
	}
}
