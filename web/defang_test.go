package web

import (
	"strings"
	"testing"

	"github.com/holdfast/holdfast/quarantine"
)

func TestDefangURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"https", "https://evil.example/pay?a=b.c", "hxxps://evil[.]example/pay?a=b.c"},
		{"http with port", "http://198.51.100.7:8080/t.png", "hxxp://198[.]51[.]100[.]7:8080/t.png"},
		{"upper-case scheme", "HTTPS://Evil.Example", "hxxps://Evil[.]Example"},
		{"ftp", "ftp://files.evil.example/x", "fxp://files[.]evil[.]example/x"},
		{"already defanged", "hxxps://evil[.]example/", "hxxps://evil[.]example/"},
		{"bare domain", "evil.example", "evil[.]example"},
		{"no dots", "javascript:alert(1)", "javascript:alert(1)"},
		{"fragment", "https://a.example#x.y", "hxxps://a[.]example#x.y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := defangURL(tt.in); got != tt.want {
				t.Errorf("defangURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDefangTextFindsURLs(t *testing.T) {
	in := "QR code in a.docx → https://sssafjeuihiolsw.bond/pay, then see http://x.example."
	want := "QR code in a.docx → hxxps://sssafjeuihiolsw[.]bond/pay, then see hxxp://x[.]example."
	if got := defangText(in); got != want {
		t.Errorf("defangText(%q) = %q, want %q", in, got, want)
	}
	if got := defangText("no links here."); got != "no links here." {
		t.Errorf("defangText(plain) = %q, want it unchanged", got)
	}
}

func TestOriginSentences(t *testing.T) {
	tests := []struct {
		name string
		o    quarantine.Origin
		want []string
	}{
		{"login abroad", quarantine.Origin{LoginCountry: "SG", ClientCountry: "CN", LoginIP: "198.51.100.9"},
			[]string{"This sender's mail client logged in from Singapore (SG); the sending server is in China (CN). " +
				"These are different countries.",
				"The login came from the address 198.51.100.9."}},
		{"same country", quarantine.Origin{LoginCountry: "de", ClientCountry: "DE"},
			[]string{"This sender's mail client logged in from Germany (DE); the sending server is in Germany (DE)."}},
		{"login unknown", quarantine.Origin{ClientCountry: "US", ClientIP: "192.0.2.1"},
			[]string{"The message does not show where the sender's mail client logged in from.",
				"The sending server is in United States (US).",
				"The sending server's address is 192.0.2.1."}},
		{"domain country", quarantine.Origin{LoginCountry: "SG", DomainCountry: "CN", SPF: "pass", DMARC: "fail"},
			[]string{"This sender's mail client logged in from Singapore (SG).",
				"The sender's domain ends in the country code of China (CN). The login was from elsewhere.",
				"Sender checks: SPF pass, DMARC fail."}},
		{"unknown code", quarantine.Origin{LoginCountry: "ZZ"},
			[]string{"This sender's mail client logged in from ZZ."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := originSentences(tt.o)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("originSentences(%+v) =\n%s\nwant\n%s", tt.o,
					strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
