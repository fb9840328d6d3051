package links

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// linkKey is the part of a Link that the table tests compare.
func linkKey(l Link) string {
	if l.Text != "" {
		return fmt.Sprintf("%s %s %q", l.Via, l.URL, l.Text)
	}
	return l.Via + " " + l.URL
}

func anomalyNames(h HTML) []string {
	var names []string
	for _, a := range h.Anomalies {
		names = append(names, a.Name)
	}
	return names
}

func TestFromHTMLLinks(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"anchor text", `<p>Go <a href="https://evil.example/x">https://bank.example/</a></p>`,
			[]string{`href https://evil.example/x "https://bank.example/"`}},
		{"anchor text nested", `<a href="https://a.example/"><b>Sign</b> <i>in</i></a>`,
			[]string{`href https://a.example/ "Sign in"`}},
		{"duplicate href keeps first", `<a href="http://good.example/" href="http://evil.example/">x</a>`,
			[]string{`href http://good.example/ "x"`}},
		{"noscript", `<noscript><a href="http://noscript.example/">Verify</a></noscript>`,
			[]string{`href http://noscript.example/ "Verify"`}},
		{"resources", `<img src="https://i.example/a.png"><iframe src="https://f.example/"></iframe>` +
			`<script src="https://s.example/x.js"></script><embed src="https://e.example/">` +
			`<video poster="https://v.example/p.jpg"><source src="https://v.example/v.mp4"></video>`,
			[]string{"src https://i.example/a.png", "src https://f.example/", "src https://s.example/x.js",
				"src https://e.example/", "src https://v.example/p.jpg", "src https://v.example/v.mp4"}},
		{"frame", `<frameset><frame src="https://fr.example/"></frameset>`,
			[]string{"src https://fr.example/"}},
		{"background", `<table background="https://bg.example/t.png"><tr><td background="https://bg.example/c.png">x</td></tr></table>`,
			[]string{"background https://bg.example/t.png", "background https://bg.example/c.png"}},
		{"srcset", `<img srcset="https://a.example/1x.png 1x, https://a.example/2x.png 2x">`,
			[]string{"src https://a.example/1x.png", "src https://a.example/2x.png"}},
		{"base resolves earlier links", `<a href="login">x</a><base href="https://base.example/dir/">`,
			[]string{`href https://base.example/dir/login "x"`}},
		{"relative without base dropped", `<a href="login">x</a><a href="#top">y</a>`, nil},
		{"schemeless email href dropped", `<a href="user.name@example.com">user.name@example.com</a>`, nil},
		{"mailto and tel dropped", `<a href="mailto:a@example.com">a</a><a href="tel:+100">b</a>`, nil},
		{"style attribute", `<div style="background:url('https://css.example/a.png')">x</div>`,
			[]string{"css-url https://css.example/a.png"}},
		{"style block", `<style>@import "https://css.example/i.css"; .a{background:URL( https://css.example/b.png )}</style>`,
			[]string{"css-url https://css.example/b.png", "css-url https://css.example/i.css"}},
		{"css escape", `<div style="background:url(https://css\2e example/\61 .png)">x</div>`,
			[]string{"css-url https://css.example/a.png"}},
		{"conditional comment", `<!--[if mso]><v:roundrect href="https://mso.example/btn"><a href="https://mso.example/a">A</a></v:roundrect><![endif]-->`,
			[]string{"href https://mso.example/btn", `href https://mso.example/a "A"`}},
		{"plain comment ignored", `<!-- <a href="https://hidden.example/">x</a> -->`, nil},
		{"area", `<map><area href="https://area.example/"></map>`, []string{"href https://area.example/"}},
		{"backslash href", `<a href="https:\\evil.example\x">x</a>`, []string{`href https://evil.example/x "x"`}},
		{"tab in href", "<a href=\"ht&#9;tps://evil.example/\">x</a>", []string{`href https://evil.example/ "x"`}},
		{"entity encoded href", `<a href="https&#58;//evil&#46;example/">x</a>`, []string{`href https://evil.example/ "x"`}},
		{"javascript href", `<a href="javascript:location.href='https://js.example/'">x</a>`,
			[]string{"script https://js.example/"}},
		{"event handler", `<body onload="window.open('https://open.example/')">`,
			[]string{"script https://open.example/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := FromHTML([]byte(tt.doc), "part 1", Limits{})
			var got []string
			for _, l := range h.Links {
				got = append(got, linkKey(l))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("FromHTML(%q) links\n got %q\nwant %q", tt.doc, got, tt.want)
			}
		})
	}
}

func TestFromHTMLDeepNesting(t *testing.T) {
	doc := strings.Repeat("<div>", 600) + `<a href="http://deep.example/">deep</a>` +
		`<noscript><a href="http://ns.example/">ns</a></noscript>` +
		`<a href="http://dup.example/1" href="http://dup.example/2">d</a>` +
		strings.Repeat("</div>", 600)
	h := FromHTML([]byte(doc), "part 1", Limits{})

	var got []string
	for _, l := range h.Links {
		got = append(got, linkKey(l))
	}
	want := []string{`href http://deep.example/ "deep"`, `href http://ns.example/ "ns"`, `href http://dup.example/1 "d"`}
	if !slices.Equal(got, want) {
		t.Errorf("links = %q, want %q", got, want)
	}
	names := anomalyNames(h)
	if !slices.Contains(names, AnomalyTooDeep) {
		t.Errorf("anomalies %q lack %s", names, AnomalyTooDeep)
	}
}

func TestFromHTMLForms(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want Form
	}{
		{"password post", `<form action="https://collect.example.ru/p.php" method="post">` +
			`<input type="hidden" name="a"><input type="HIDDEN"><input type="password"></form>`,
			Form{Action: "https://collect.example.ru/p.php", Host: "collect.example.ru",
				Domain: "example.ru", Method: "POST", Password: true, Hidden: 2}},
		{"empty action without base", `<form action=""><input type="text"></form>`,
			Form{Method: "GET"}},
		{"missing action with base", `<base href="https://site.example/a/"><form><input type=password></form>`,
			Form{Action: "https://site.example/a/", Host: "site.example", Domain: "site.example",
				Method: "GET", Password: true}},
		{"relative action with base", `<base href="https://site.example/a/"><form action="post.php" method=Post></form>`,
			Form{Action: "https://site.example/a/post.php", Host: "site.example",
				Domain: "site.example", Method: "POST"}},
		{"input by form attribute", `<form id="f" action="https://x.example/"></form><input form="f" type="password">`,
			Form{Action: "https://x.example/", Host: "x.example", Domain: "x.example",
				Method: "GET", Password: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := FromHTML([]byte(tt.doc), "part 1", Limits{})
			if len(h.Forms) != 1 {
				t.Fatalf("FromHTML(%q) returned %d forms, want 1", tt.doc, len(h.Forms))
			}
			got := h.Forms[0]
			tt.want.Source = "part 1"
			if got != tt.want {
				t.Errorf("form\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFromHTMLRedirects(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		wantURL   string
		wantVia   string
		wantDelay time.Duration
	}{
		{"meta refresh", `<meta http-equiv="Refresh" content="5; URL='https://r.example/x'">`,
			"https://r.example/x", "meta-refresh", 5 * time.Second},
		{"meta refresh comma", `<meta http-equiv="refresh" content="0,https://r.example/">`,
			"https://r.example/", "meta-refresh", 0},
		{"location assign", `<script>window.location = "https://s.example/a";</script>`,
			"https://s.example/a", "script", 0},
		{"location href", `<script>document.location.href='https://s.example/b'</script>`,
			"https://s.example/b", "script", 0},
		{"location replace", "<script>location.replace(`https://s.example/c`)</script>",
			"https://s.example/c", "script", 0},
		{"window open", `<script>window.open( "https://s.example/d" )</script>`,
			"https://s.example/d", "script", 0},
		// "location.href='https://atob.example/p'" in base64.
		{"atob payload", `<script>eval(atob("bG9jYXRpb24uaHJlZj0naHR0cHM6Ly9hdG9iLmV4YW1wbGUvcCc="))</script>`,
			"https://atob.example/p", "script", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := FromHTML([]byte(tt.doc), "part 1", Limits{})
			if len(h.Redirects) != 1 {
				t.Fatalf("FromHTML(%q) returned redirects %+v, want 1", tt.doc, h.Redirects)
			}
			r := h.Redirects[0]
			if r.URL != tt.wantURL {
				t.Errorf("URL = %q, want %q", r.URL, tt.wantURL)
			}
			if r.Via != tt.wantVia {
				t.Errorf("Via = %q, want %q", r.Via, tt.wantVia)
			}
			if r.Delay != tt.wantDelay {
				t.Errorf("Delay = %v, want %v", r.Delay, tt.wantDelay)
			}
		})
	}
}

func TestFromHTMLAtobURLs(t *testing.T) {
	// "var u = 'https://drop.example/k';" in base64.
	doc := `<script>var p = atob('dmFyIHUgPSAnaHR0cHM6Ly9kcm9wLmV4YW1wbGUvayc7');</script>`
	h := FromHTML([]byte(doc), "part 1", Limits{})
	if len(h.Links) != 1 {
		t.Fatalf("links = %+v, want 1", h.Links)
	}
	if h.Links[0].URL != "https://drop.example/k" {
		t.Errorf("URL = %q, want https://drop.example/k", h.Links[0].URL)
	}
	if h.Links[0].Source != "part 1 (atob)" {
		t.Errorf("Source = %q, want %q", h.Links[0].Source, "part 1 (atob)")
	}
}

func TestFromHTMLImages(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want Image
	}{
		{"cid", `<img src="cid:part1.abc%40example">`, Image{Via: "src", CID: "part1.abc@example"}},
		{"data base64", `<img src="data:image/png;base64,iVBO Rw0K">`,
			Image{Via: "src", MediaType: "image/png", Data: []byte("\x89PNG\r\n"), Size: 6}},
		{"data percent", `<div style="background-image:url(data:,a%20b)">`,
			Image{Via: "css-url", MediaType: "text/plain", Data: []byte("a b"), Size: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := FromHTML([]byte(tt.doc), "part 1", Limits{})
			if len(h.Images) != 1 {
				t.Fatalf("FromHTML(%q) returned %d images, want 1", tt.doc, len(h.Images))
			}
			got := h.Images[0]
			tt.want.Source = "part 1"
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("image\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFromHTMLText(t *testing.T) {
	doc := `<html><head><title>T</title><style>p{}</style></head><body>
		<p>Hello   <b>world</b></p><script>var x = 1;</script><div>next&nbsp;line</div></body></html>`
	h := FromHTML([]byte(doc), "part 1", Limits{})
	want := "Hello world\nnext line"
	if h.Text != want {
		t.Errorf("Text = %q, want %q", h.Text, want)
	}
}

func TestFromHTMLLimits(t *testing.T) {
	manyLinks := strings.Repeat(`<a href="https://l.example/">x</a>`, 5)
	tests := []struct {
		name       string
		doc        string
		lim        Limits
		anomaly    string
		detail     string
		wantLinks  int
		wantImages int
	}{
		{"links", manyLinks, Limits{MaxLinks: 3}, AnomalyTooManyLinks, "5 > 3 URL references", 3, 0},
		{"document", manyLinks, Limits{MaxDocumentBytes: 40}, AnomalyTooLarge,
			fmt.Sprintf("%d > 40 bytes", len(manyLinks)), 1, 0},
		{"data uri", `<img src="data:image/png;base64,AAAAAAAA">`, Limits{MaxDataURIBytes: 4},
			AnomalyDataURITooLarge, "image/png 6 > 4 bytes", 0, 1},
		{"text", `<p>abcdefghij</p>`, Limits{MaxTextBytes: 4}, AnomalyTextTooLong,
			"10 > 4 bytes of text", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := FromHTML([]byte(tt.doc), "part 1", tt.lim)
			var found *Anomaly
			for i := range h.Anomalies {
				if h.Anomalies[i].Name == tt.anomaly {
					found = &h.Anomalies[i]
				}
			}
			if found == nil {
				t.Fatalf("anomalies %q lack %s", anomalyNames(h), tt.anomaly)
			}
			if found.Detail != tt.detail {
				t.Errorf("detail = %q, want %q", found.Detail, tt.detail)
			}
			if len(h.Links) != tt.wantLinks {
				t.Errorf("got %d links, want %d", len(h.Links), tt.wantLinks)
			}
			if len(h.Images) != tt.wantImages {
				t.Errorf("got %d images, want %d", len(h.Images), tt.wantImages)
			}
		})
	}
}

func TestFromHTMLAnomalies(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"userinfo", `<a href="https://paypal.com@evil.example/">x</a>`, AnomalyUserinfo},
		{"numeric host", `<a href="http://3232235777/">x</a>`, AnomalyNumericHost},
		{"invalid url", `<a href="http://exa mple.com/">x</a>`, AnomalyInvalidURL},
		{"data href", `<a href="data:text/html;base64,PGgxPg==">x</a>`, AnomalyDataURIHref},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := FromHTML([]byte(tt.doc), "part 1", Limits{})
			if names := anomalyNames(h); !slices.Contains(names, tt.want) {
				t.Errorf("FromHTML(%q) anomalies %q lack %s", tt.doc, names, tt.want)
			}
		})
	}
}

func TestFromHTMLAnomalyCap(t *testing.T) {
	doc := strings.Repeat(`<a href="http://exa mple.com/">x</a>`, maxAnomalies+5)
	h := FromHTML([]byte(doc), "part 1", Limits{})
	if len(h.Anomalies) != maxAnomalies+1 {
		t.Fatalf("got %d anomalies, want %d", len(h.Anomalies), maxAnomalies+1)
	}
	last := h.Anomalies[len(h.Anomalies)-1]
	want := Anomaly{Name: AnomalyTooManyAnomalies, Detail: fmt.Sprintf("%d > %d anomalies", maxAnomalies+5, maxAnomalies)}
	if last != want {
		t.Errorf("last anomaly = %+v, want %+v", last, want)
	}
}

func BenchmarkFromHTML(b *testing.B) {
	row := `<tr><td style="background:url(https://cdn.example/bg.png)"><a href="https://click.example/?id=1">` +
		`Offer</a> <img src="https://img.example/p.gif"></td></tr>`
	doc := []byte("<html><body><table>" + strings.Repeat(row, 300) + "</table></body></html>")
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		FromHTML(doc, "part 1", Limits{})
	}
}
