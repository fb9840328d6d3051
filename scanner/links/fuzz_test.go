package links

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzFromHTML(f *testing.F) {
	f.Add([]byte(`<a href="https://a.example/">x</a><form action=p><input type=password></form>`))
	f.Add([]byte(`<!--[if mso]><a href="https://m.example/">m</a><![endif]--><noscript><a href=//n.example/>n</a></noscript>`))
	f.Add([]byte(`<base href="https://b.example/"><meta http-equiv=refresh content="0;url=x"><script>location='y'</script>`))
	f.Add([]byte(`<img src="data:image/png;base64,iVBORw0K"><div style="background:url(cid:a@b)">`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		lim := Limits{MaxLinks: 50, MaxDataURIBytes: 64, MaxTextBytes: 256}
		h := FromHTML(doc, "fuzz", lim)
		if len(h.Links) > lim.MaxLinks {
			t.Errorf("%d links > MaxLinks %d", len(h.Links), lim.MaxLinks)
		}
		if len(h.Text) > lim.MaxTextBytes {
			t.Errorf("%d bytes of text > MaxTextBytes %d", len(h.Text), lim.MaxTextBytes)
		}
		if !utf8.ValidString(h.Text) {
			t.Errorf("Text %q is not UTF-8", h.Text)
		}
		for _, img := range h.Images {
			if len(img.Data) > lim.MaxDataURIBytes {
				t.Errorf("image of %d bytes > MaxDataURIBytes %d", len(img.Data), lim.MaxDataURIBytes)
			}
		}
		for _, l := range h.Links {
			checkLink(t, l)
		}
	})
}

func FuzzFromText(f *testing.F) {
	f.Add("see https://example.com/a). and www.example.org/x,")
	f.Add("https://paypal.com@evil.example/ http://0x7f.1/ ftp://[::1]:21/")
	f.Fuzz(func(t *testing.T, text string) {
		for _, l := range FromText(text, "fuzz") {
			checkLink(t, l)
			if l.Via != "text" {
				t.Errorf("Via = %q, want text", l.Via)
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	f.Add("https:\\\\evil.example\\x", "")
	f.Add("../a?b#c", "https://base.example/d/e")
	f.Add("http://ex%61mple.com:0080/%zz", "")
	f.Fuzz(func(t *testing.T, raw, baseRaw string) {
		base, err := Normalize(baseRaw, nil)
		if err != nil {
			base = nil
		}
		u, err := Normalize(raw, base)
		if err != nil || u.Opaque != "" {
			return
		}

		// Normalising a normalised URL must change nothing.
		again, err := Normalize(u.String(), nil)
		if err != nil {
			t.Fatalf("Normalize(%q) = %q, which fails again: %v", raw, u, err)
		}
		if again.String() != u.String() {
			t.Errorf("Normalize(%q) = %q, then %q", raw, u, again)
		}
	})
}

// checkLink fails t when l is not a normalised web URL.
func checkLink(t *testing.T, l Link) {
	t.Helper()
	if !strings.HasPrefix(l.URL, "http://") && !strings.HasPrefix(l.URL, "https://") &&
		!strings.HasPrefix(l.URL, "ftp://") {
		t.Errorf("link %q is not http, https or ftp", l.URL)
	}
	if l.Host == "" || l.Host != strings.ToLower(l.Host) {
		t.Errorf("link %q has host %q", l.URL, l.Host)
	}
	if l.Domain == "" {
		t.Errorf("link %q has no domain", l.URL)
	}
}
