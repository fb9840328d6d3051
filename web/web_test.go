package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/quarantine"
)

const (
	testUser = "alice"
	testPass = "correct horse battery"
)

// testEnv is a review server on an httptest listener with fakes behind it.
type testEnv struct {
	t   *testing.T
	srv *httptest.Server
	q   *fakeQuarantine
	web *Server
}

func newTestEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	q := newFakeQuarantine()
	accounts := newFakeAccounts(map[string]string{testUser: testPass, "bob": "bob password 1"})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := New(cfg, q, accounts, nil, log)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &testEnv{t: t, srv: srv, q: q, web: s}
}

// client returns a client with its own cookie jar that does not follow
// redirects, so each test checks the status of the first response.
func (e *testEnv) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// get fetches path and returns the response and its body.
func (e *testEnv) get(c *http.Client, path string) (*http.Response, string) {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (e *testEnv) post(c *http.Client, path string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	resp, err := c.PostForm(e.srv.URL+path, form)
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// formToken returns the CSRF token of the first form in body.
func formToken(t *testing.T, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", body)
	}
	return m[1]
}

// login logs c in as user and returns the session's CSRF token.
func (e *testEnv) login(c *http.Client, user, pass string) string {
	e.t.Helper()
	_, body := e.get(c, "/login")
	resp, body := e.post(c, "/login", url.Values{
		"csrf": {formToken(e.t, body)}, "name": {user}, "password": {pass},
	})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/messages" {
		e.t.Fatalf("login as %s: status %d, Location %q, want 303 to /messages\n%s",
			user, resp.StatusCode, resp.Header.Get("Location"), body)
	}
	_, body = e.get(c, "/messages")
	return formToken(e.t, body)
}

func TestLoggedOutSeesOnlyLogin(t *testing.T) {
	env := newTestEnv(t, Config{})
	id := env.q.add(hostileEntry(time.Now()))
	c := env.client()

	for _, path := range []string{"/", "/messages", "/messages/1", "/messages/1/confirm/release",
		"/messages/99", "/nosuch", "/messages?status=held",
		"/blocklist", "/blocklist/confirm?kind=domain&value=evil.example"} {
		resp, body := env.get(c, path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Errorf("GET %s logged out: status %d, Location %q, want 303 to /login",
				path, resp.StatusCode, resp.Header.Get("Location"))
		}
		if strings.Contains(body, "Invoice") || strings.Contains(body, "evil.example") {
			t.Errorf("GET %s logged out leaks entry data: %q", path, body)
		}
	}
	for _, action := range []string{"release", "delete", "mark-safe", "mark-phish"} {
		resp, _ := env.post(c, "/messages/1/"+action, url.Values{"csrf": {"x"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s logged out: status %d, want 401", action, resp.StatusCode)
		}
	}
	if got := env.q.actions(); len(got) != 0 {
		t.Errorf("entry %d: actions recorded without login: %+v", id, got)
	}

	resp, body := env.get(c, "/login")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Errorf("GET /login: status %d, want 200 with a password field", resp.StatusCode)
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	env := newTestEnv(t, Config{})
	env.q.add(qrPhishEntry(time.Now()))
	c := env.client()
	env.login(c, testUser, testPass)

	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; " +
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
		"Cache-Control":          "no-store",
	}
	for _, path := range []string{"/login", "/messages", "/messages/1", "/messages/1/confirm/delete",
		"/static/style.css", "/nosuch", "/messages/77"} {
		resp, _ := env.get(c, path)
		for k, v := range want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("GET %s: header %s = %q, want %q", path, k, got, v)
			}
		}
	}
	resp, _ := env.get(c, "/static/style.css")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("style.css Content-Type = %q, want text/css", ct)
	}
}

func TestLoginWrongPassword(t *testing.T) {
	env := newTestEnv(t, Config{})
	c := env.client()
	_, body := env.get(c, "/login")
	resp, body := env.post(c, "/login", url.Values{
		"csrf": {formToken(t, body)}, "name": {testUser}, "password": {"not the password"},
	})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d, want 401", resp.StatusCode)
	}
	if !strings.Contains(body, "Wrong user name or password") {
		t.Errorf("wrong password page lacks the message:\n%s", body)
	}
	if resp, _ := env.get(c, "/messages"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after failed login GET /messages: status %d, want 303", resp.StatusCode)
	}
}

func TestLoginNeedsFormToken(t *testing.T) {
	env := newTestEnv(t, Config{})
	c := env.client()
	env.get(c, "/login")
	tests := []struct {
		name  string
		token string
	}{
		{"missing", ""},
		{"wrong", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"name": {testUser}, "password": {testPass}}
			if tt.token != "" {
				form.Set("csrf", tt.token)
			}
			resp, _ := env.post(c, "/login", form)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("login with %s token: status %d, want 403", tt.name, resp.StatusCode)
			}
		})
	}
}

func TestLoginRateLimit(t *testing.T) {
	env := newTestEnv(t, Config{LoginMaxFailures: 3, LoginFailureWindow: time.Minute})
	now := time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)
	env.web.now = func() time.Time { return now }
	c := env.client()

	try := func(pass string) int {
		_, body := env.get(c, "/login")
		resp, _ := env.post(c, "/login", url.Values{
			"csrf": {formToken(t, body)}, "name": {testUser}, "password": {pass},
		})
		return resp.StatusCode
	}
	for i := range 3 {
		if got := try("wrong password " + string(rune('a'+i))); got != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, got)
		}
	}
	if got := try(testPass); got != http.StatusTooManyRequests {
		t.Errorf("right password after 3 failures: status %d, want 429", got)
	}

	now = now.Add(time.Minute)
	if got := try(testPass); got != http.StatusSeeOther {
		t.Errorf("right password after the window: status %d, want 303", got)
	}
}

func TestCSRFRejectsPostsWithoutToken(t *testing.T) {
	env := newTestEnv(t, Config{})
	id := env.q.add(hostileEntry(time.Now()))
	alice := env.client()
	token := env.login(alice, testUser, testPass)
	bob := env.client()
	bobToken := env.login(bob, "bob", "bob password 1")

	tests := []struct {
		name string
		form url.Values
	}{
		{"no token", url.Values{}},
		{"empty token", url.Values{"csrf": {""}}},
		{"wrong token", url.Values{"csrf": {token[:len(token)-2] + "xx"}}},
		{"other session's token", url.Values{"csrf": {bobToken}}},
		{"token in query only", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/messages/1/release"
			if tt.form == nil {
				path += "?csrf=" + url.QueryEscape(token)
				tt.form = url.Values{}
			}
			resp, _ := env.post(alice, path, tt.form)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST release with %s: status %d, want 403", tt.name, resp.StatusCode)
			}
		})
	}
	if resp, _ := env.post(alice, "/logout", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /logout without token: status %d, want 403", resp.StatusCode)
	}
	if got := env.q.actions(); len(got) != 0 {
		t.Fatalf("entry %d: actions ran without a valid token: %+v", id, got)
	}

	resp, _ := env.post(alice, "/messages/1/release", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/messages/1" {
		t.Errorf("POST release with token: status %d, Location %q, want 303 to /messages/1",
			resp.StatusCode, resp.Header.Get("Location"))
	}
	got := env.q.actions()
	if len(got) != 1 {
		t.Fatalf("actions after release = %+v, want one", got)
	}
	if got[0].Name != "release" || got[0].Actor != testUser || got[0].Remote != "127.0.0.1" {
		t.Errorf("release recorded as %+v, want release by alice from 127.0.0.1", got[0])
	}
}

func TestActionsNeedConfirmationPage(t *testing.T) {
	env := newTestEnv(t, Config{})
	env.q.add(qrPhishEntry(time.Now()))
	c := env.client()
	env.login(c, testUser, testPass)

	_, detail := env.get(c, "/messages/1")
	for _, name := range actionOrder {
		link := `href="/messages/1/confirm/` + name + `"`
		if !strings.Contains(detail, link) {
			t.Errorf("detail page lacks the %s link %s", name, link)
		}
		if strings.Contains(detail, `action="/messages/1/`+name+`"`) {
			t.Errorf("detail page posts %s directly, without confirmation", name)
		}
		resp, body := env.get(c, "/messages/1/confirm/"+name)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("confirm %s: status %d, want 200", name, resp.StatusCode)
		}
		if !strings.Contains(body, `action="/messages/1/`+name+`"`) {
			t.Errorf("confirm %s page lacks its form", name)
		}
	}
	if got := env.q.actions(); len(got) != 0 {
		t.Errorf("viewing confirmation pages ran actions: %+v", got)
	}
	if resp, _ := env.get(c, "/messages/1/confirm/explode"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("confirm unknown action: status %d, want 404", resp.StatusCode)
	}
}

func TestLogoutEndsSession(t *testing.T) {
	env := newTestEnv(t, Config{})
	c := env.client()
	token := env.login(c, testUser, testPass)
	u, _ := url.Parse(env.srv.URL)
	cookies := c.Jar.Cookies(u)

	resp, _ := env.post(c, "/logout", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("logout: status %d, Location %q, want 303 to /login",
			resp.StatusCode, resp.Header.Get("Location"))
	}
	// The old cookie must not work even when replayed.
	replay := env.client()
	replay.Jar.SetCookies(u, cookies)
	if resp, _ := env.get(replay, "/messages"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("replayed cookie after logout: status %d, want 303", resp.StatusCode)
	}
}

func TestSessionExpires(t *testing.T) {
	env := newTestEnv(t, Config{SessionTimeout: time.Hour})
	now := time.Now()
	env.web.now = func() time.Time { return now }
	c := env.client()
	env.login(c, testUser, testPass)
	now = now.Add(time.Hour)
	if resp, _ := env.get(c, "/messages"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /messages after session_timeout: status %d, want 303", resp.StatusCode)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	for _, secure := range []bool{false, true} {
		env := newTestEnv(t, Config{CookieSecure: &secure})
		c := env.client()
		_, body := env.get(c, "/login")
		// The jar keeps Secure cookies away from http:// URLs, so the
		// token is read from the page and the cookie sent by hand.
		req, _ := http.NewRequest("POST", env.srv.URL+"/login", strings.NewReader(url.Values{
			"csrf": {formToken(t, body)}, "name": {testUser}, "password": {testPass},
		}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: env.web.loginCookieName(), Value: formToken(t, body)})
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()

		var got *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == env.web.sessionCookieName() {
				got = ck
			}
		}
		if got == nil {
			t.Fatalf("secure=%v: no session cookie in %v", secure, resp.Header["Set-Cookie"])
		}
		if len(got.Value) != 43 {
			t.Errorf("secure=%v: token %d characters, want 43 (256 bits)", secure, len(got.Value))
		}
		if !got.HttpOnly || got.SameSite != http.SameSiteStrictMode || got.Path != "/" || got.Secure != secure {
			t.Errorf("secure=%v: cookie %+v, want HttpOnly, SameSite=Strict, Path=/, Secure=%v",
				secure, got, secure)
		}
		if secure && !strings.HasPrefix(got.Name, "__Host-") {
			t.Errorf("secure cookie name %q, want the __Host- prefix", got.Name)
		}
	}
}

func TestHostileContentIsEscaped(t *testing.T) {
	env := newTestEnv(t, Config{})
	env.q.add(hostileEntry(time.Now()))
	c := env.client()
	env.login(c, testUser, testPass)

	pages := map[string]string{}
	_, pages["list"] = env.get(c, "/messages")
	_, pages["detail"] = env.get(c, "/messages/1")
	_, pages["confirm"] = env.get(c, "/messages/1/confirm/release")
	for name, body := range pages {
		// The payloads may appear as escaped text, never as markup.
		for _, bad := range []string{"<script", "<img", `href="javascript`, `href="http`} {
			if strings.Contains(body, bad) {
				t.Errorf("%s page contains raw %q", name, bad)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s page lacks the escaped payload &lt;script&gt;", name)
		}
	}
	detail := pages["detail"]
	for _, want := range []string{
		"hxxp://198[.]51[.]100[.]7/track.png", // link and evidence, defanged
		"&lt;img src=x onerror=",              // file name, escaped
		"hxxps://evil[.]example/pay",          // body link, defanged
		"Pay now",                             // HTML body shown as text
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail page lacks %q", want)
		}
	}
}

func TestDetailShowsEvidence(t *testing.T) {
	env := newTestEnv(t, Config{})
	env.q.add(qrPhishEntry(time.Now()))
	c := env.client()
	env.login(c, testUser, testPass)
	_, body := env.get(c, "/messages/1")
	for _, want := range []string{
		"This sender&#39;s mail client logged in from Singapore (SG); the sending server is in China (CN).",
		"sssafjeuihiolsw[.]bond",
		"hxxps://sssafjeuihiolsw[.]bond/pay",
		"Link domains never seen before",
		"通知文件.docx › word/media/image1.png",
		"3b1f8c0e9d2a7c64f5e1b0a9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39281706f",
		"QR_LINK_DOMAIN_NEW",
		"SPF_PASS_ORIGIN_ABROAD",
		"Scan the QR code with your phone",
		"X-Originating-IP",
		"Example Hosting Pte (AS64500)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("detail page lacks %q", want)
		}
	}
}

func TestListPaging(t *testing.T) {
	env := newTestEnv(t, Config{})
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 120 {
		e, raw := qrPhishEntry(start.Add(time.Duration(i) * time.Hour))
		env.q.add(e, raw)
	}
	c := env.client()
	env.login(c, testUser, testPass)

	tests := []struct {
		query          string
		rows           int
		count          string
		hasPrev        bool
		nextHasPage    string
		wantOffset     int
		wantNoNextLink bool
	}{
		{"", 50, "Messages 1–50 of 120", false, "page=2", 0, false},
		{"?page=2", 50, "Messages 51–100 of 120", true, "page=3", 50, false},
		{"?page=3", 20, "Messages 101–120 of 120", true, "", 100, true},
		{"?page=-4", 50, "Messages 1–50 of 120", false, "page=2", 0, false},
	}
	for _, tt := range tests {
		resp, body := env.get(c, "/messages"+tt.query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /messages%s: status %d", tt.query, resp.StatusCode)
		}
		if got := strings.Count(body, "<tr>") - 1; got != tt.rows {
			t.Errorf("GET /messages%s: %d rows, want %d", tt.query, got, tt.rows)
		}
		if !strings.Contains(body, tt.count) {
			t.Errorf("GET /messages%s lacks %q", tt.query, tt.count)
		}
		if got := strings.Contains(body, "Newer</a>"); got != tt.hasPrev {
			t.Errorf("GET /messages%s: newer link %v, want %v", tt.query, got, tt.hasPrev)
		}
		if tt.nextHasPage != "" && !strings.Contains(body, tt.nextHasPage+`">Older`) {
			t.Errorf("GET /messages%s: older link lacks %q", tt.query, tt.nextHasPage)
		}
		if tt.wantNoNextLink && strings.Contains(body, "Older</a>") {
			t.Errorf("GET /messages%s: older link on the last page", tt.query)
		}
		if env.q.lastFilter.Offset != tt.wantOffset || env.q.lastFilter.Limit != pageSize {
			t.Errorf("GET /messages%s: filter offset %d limit %d, want %d and %d", tt.query,
				env.q.lastFilter.Offset, env.q.lastFilter.Limit, tt.wantOffset, pageSize)
		}
	}
}

func TestListFilters(t *testing.T) {
	env := newTestEnv(t, Config{})
	env.q.add(qrPhishEntry(time.Date(2026, 3, 11, 8, 0, 0, 0, time.UTC)))
	env.q.add(hostileEntry(time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)))
	c := env.client()
	env.login(c, testUser, testPass)

	tests := []struct {
		name     string
		query    string
		want     quarantine.Filter
		subjects []string
		problem  bool
	}{
		{"status", "status=held", quarantine.Filter{Status: quarantine.Held}, []string{"salary", "Invoice"}, false},
		{"sender", "sender=fastflavor", quarantine.Filter{Sender: "fastflavor"}, []string{"salary"}, false},
		{"recipient", "recipient=victim", quarantine.Filter{Recipient: "victim"}, []string{"Invoice"}, false},
		{"signal", "signal=QR_LINK_DOMAIN_NEW", quarantine.Filter{Signal: "QR_LINK_DOMAIN_NEW"}, []string{"salary"}, false},
		{"campaign", "campaign=salary-statement-0311", quarantine.Filter{Campaign: "salary-statement-0311"},
			[]string{"salary"}, false},
		{"date range", "since=2026-03-12&until=2026-03-12", quarantine.Filter{
			Since: time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC),
			Until: time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond),
		}, []string{"Invoice"}, false},
		{"bad status", "status=%3Cscript%3E", quarantine.Filter{}, []string{"salary", "Invoice"}, true},
		{"bad date", "since=yesterday", quarantine.Filter{}, []string{"salary", "Invoice"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := env.get(c, "/messages?"+tt.query)
			got := env.q.lastFilter
			got.Limit, got.Offset = 0, 0
			if got != tt.want {
				t.Errorf("filter = %+v, want %+v", got, tt.want)
			}
			for _, s := range tt.subjects {
				if !strings.Contains(body, s) {
					t.Errorf("list lacks subject %q", s)
				}
			}
			if rows := strings.Count(body, "<tr>") - 1; rows != len(tt.subjects) {
				t.Errorf("list has %d rows, want %d", rows, len(tt.subjects))
			}
			if got := strings.Contains(body, "Some filters were ignored"); got != tt.problem {
				t.Errorf("problem shown = %v, want %v", got, tt.problem)
			}
			if strings.Contains(body, "<script>") {
				t.Error("list echoes a filter value unescaped")
			}
		})
	}
}

func TestDetailUnknownEntry(t *testing.T) {
	env := newTestEnv(t, Config{})
	c := env.client()
	env.login(c, testUser, testPass)
	for _, path := range []string{"/messages/5", "/messages/0", "/messages/abc", "/messages/-1"} {
		if resp, _ := env.get(c, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestStaticServesOnlyFiles(t *testing.T) {
	env := newTestEnv(t, Config{})
	c := env.client()

	resp, body := env.get(c, "/static/style.css")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("GET /static/style.css: status %d, Content-Type %q, want 200 text/css",
			resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if len(body) == 0 {
		t.Error("GET /static/style.css: empty body")
	}
	for _, path := range []string{"/static/", "/static/style.css/", "/static/nosuch.css"} {
		resp, body := env.get(c, path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
		if strings.Contains(body, "style.css") {
			t.Errorf("GET %s lists the static files: %q", path, body)
		}
	}
}

func TestEntryIDMustBeCanonical(t *testing.T) {
	env := newTestEnv(t, Config{})
	env.q.add(qrPhishEntry(time.Now()))
	c := env.client()
	token := env.login(c, testUser, testPass)

	if resp, _ := env.get(c, "/messages/1"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /messages/1: status %d, want 200", resp.StatusCode)
	}
	for _, id := range []string{"+1", "01", "1.0", "0x1", "%2B1", "-1", "0", " 1"} {
		path := "/messages/" + url.PathEscape(id)
		if id == "%2B1" {
			path = "/messages/" + id
		}
		if resp, _ := env.get(c, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
		if resp, _ := env.post(c, path+"/release", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s/release: status %d, want 404", path, resp.StatusCode)
		}
	}
	if got := env.q.actions(); len(got) != 0 {
		t.Errorf("actions ran on a non-canonical id: %+v", got)
	}
}
