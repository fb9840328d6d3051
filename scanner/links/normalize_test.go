package links

import (
	"errors"
	"net/url"
	"testing"
)

func TestNormalize(t *testing.T) {
	base, _ := url.Parse("https://base.example.com/dir/page.html")
	tests := []struct {
		name string
		raw  string
		base *url.URL
		want string
	}{
		{"plain", "https://example.com/a?b=c#d", nil, "https://example.com/a?b=c#d"},
		{"upper scheme and host", "HTTPS://EXAMPLE.COM/Path", nil, "https://example.com/Path"},
		{"empty path", "http://example.com", nil, "http://example.com/"},
		{"surrounding space", "  \t https://example.com/ \n", nil, "https://example.com/"},
		{"tab and newline inside", "ht\ttps://exa\nmple.com/p\rath", nil, "https://example.com/path"},
		{"backslashes", `https:\\evil.example\path`, nil, "https://evil.example/path"},
		{"backslash in query kept", `https://e.example/p?q=a\b`, nil, `https://e.example/p?q=a\b`},
		{"one slash", "https:/evil.example/x", nil, "https://evil.example/x"},
		{"no slash", "https:evil.example/x", nil, "https://evil.example/x"},
		{"three slashes", "https:///evil.example/x", nil, "https://evil.example/x"},
		{"default port", "https://example.com:443/", nil, "https://example.com/"},
		{"other port", "http://example.com:8080/", nil, "http://example.com:8080/"},
		{"port leading zero", "http://example.com:0080/", nil, "http://example.com/"},
		{"trailing dot", "https://example.com./", nil, "https://example.com/"},
		{"percent host", "https://ex%61mple.com/", nil, "https://example.com/"},
		{"idn host", "https://bücher.example/", nil, "https://xn--bcher-kva.example/"},
		{"fullwidth dot", "https://example。com/", nil, "https://example.com/"},
		{"decimal ip", "http://2130706433/", nil, "http://127.0.0.1/"},
		{"hex ip", "http://0x7f.0x0.0x0.0x1/", nil, "http://127.0.0.1/"},
		{"octal ip", "http://0177.0.0.01/", nil, "http://127.0.0.1/"},
		{"short ip", "http://127.1/", nil, "http://127.0.0.1/"},
		{"ipv6", "http://[::FFFF:7f00:1]:80/", nil, "http://[::ffff:127.0.0.1]/"},
		{"userinfo", "https://paypal.com@evil.example/", nil, "https://paypal.com@evil.example/"},
		{"bad escape in path", "https://example.com/%zz", nil, "https://example.com/%25zz"},
		{"space in path", "https://example.com/a b", nil, "https://example.com/a%20b"},
		{"relative path", "other.html", base, "https://base.example.com/dir/other.html"},
		{"relative root", "/x?y", base, "https://base.example.com/x?y"},
		{"scheme relative", "//evil.example/x", base, "https://evil.example/x"},
		{"backslash scheme relative", `\\evil.example\x`, base, "https://evil.example/x"},
		{"same scheme no slash", "https:x.html", base, "https://base.example.com/dir/x.html"},
		{"mailto opaque", "MAILTO:user@example.com", nil, "mailto:user@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Normalize(tt.raw, tt.base)
			if err != nil {
				t.Fatalf("Normalize(%q) error: %v", tt.raw, err)
			}
			if got := u.String(); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestNormalizeUserinfoHost(t *testing.T) {
	u, err := Normalize("https://paypal.com@evil.example/login", nil)
	if err != nil {
		t.Fatalf("Normalize error: %v", err)
	}
	if u.Hostname() != "evil.example" {
		t.Errorf("host = %q, want evil.example", u.Hostname())
	}
	if u.User.Username() != "paypal.com" {
		t.Errorf("user = %q, want paypal.com", u.User.Username())
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want error
	}{
		{"relative without base", "page.html", ErrRelative},
		{"schemeless email", "user.name@example.com", ErrRelative},
		{"empty host", "https:///", ErrInvalidURL},
		{"bad port", "http://example.com:80x/", ErrInvalidURL},
		{"port too large", "http://example.com:70000/", ErrInvalidURL},
		{"ip part too large", "http://256.1.1.1/", ErrInvalidURL},
		{"too many ip parts", "http://1.2.3.4.5/", ErrInvalidURL},
		{"space in host", "http://exa mple.com/", ErrInvalidURL},
		{"unclosed ipv6", "http://[::1/", ErrInvalidURL},
		{"invalid utf-8 host", "http://%ff%fe.example/", ErrInvalidURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Normalize(tt.raw, nil)
			if !errors.Is(err, tt.want) {
				t.Errorf("Normalize(%q) = %v, %v; want error %v", tt.raw, u, err, tt.want)
			}
		})
	}
}

func TestRegistrableDomain(t *testing.T) {
	tests := []struct {
		name, host, want string
	}{
		{"subdomain", "www.example.com", "example.com"},
		{"two-label suffix", "mail.example.co.uk", "example.co.uk"},
		{"private suffix", "victim.github.io", "victim.github.io"},
		{"upper case and dot", "WWW.Example.COM.", "example.com"},
		{"ipv4", "192.0.2.1", "192.0.2.1"},
		{"ipv6 bracketed", "[2001:db8::1]", "[2001:db8::1]"},
		{"ipv6 bare", "2001:db8::1", "2001:db8::1"},
		{"suffix only", "co.uk", "co.uk"},
		{"single label", "localhost", "localhost"},
		{"unknown tld", "a.b.example.test", "example.test"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RegistrableDomain(tt.host); got != tt.want {
				t.Errorf("RegistrableDomain(%q) = %q, want %q", tt.host, got, tt.want)
			}
		})
	}
}
