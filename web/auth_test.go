package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// tryLogin posts one login for name from c, with X-Forwarded-For set to
// forwarded unless it is "", and returns the status.
func (e *testEnv) tryLogin(c *http.Client, name, pass, forwarded string) int {
	e.t.Helper()
	_, body := e.get(c, "/login")
	form := url.Values{"csrf": {formToken(e.t, body)}, "name": {name}, "password": {pass}}
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if forwarded != "" {
		req.Header.Set("X-Forwarded-For", forwarded)
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("POST /login: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestLoginLimitPerUserName(t *testing.T) {
	env := newTestEnv(t, Config{LoginMaxFailures: 3, LoginFailureWindow: time.Minute})
	env.web.now = func() time.Time { return time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC) }
	c := env.client()

	// Someone mistypes bob's password until bob's name is locked.
	for i := range 3 {
		if got := env.tryLogin(c, "bob", "wrong", ""); got != http.StatusUnauthorized {
			t.Fatalf("bob failure %d: status %d, want 401", i+1, got)
		}
	}
	if got := env.tryLogin(c, "bob", "bob password 1", ""); got != http.StatusTooManyRequests {
		t.Errorf("bob after 3 failures: status %d, want 429", got)
	}

	// Alice, behind the same proxy address, still logs in.
	if got := env.tryLogin(env.client(), testUser, testPass, ""); got != http.StatusSeeOther {
		t.Errorf("alice from the same address: status %d, want 303", got)
	}
}

func TestLoginLimitPerAddressCeiling(t *testing.T) {
	env := newTestEnv(t, Config{LoginMaxFailures: 2, LoginIPMaxFailures: 6, LoginFailureWindow: time.Minute})
	now := time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)
	env.web.now = func() time.Time { return now }
	c := env.client()

	// A password spray: one guess each at many names from one address.
	for i := range 6 {
		name := "user" + string(rune('a'+i))
		if got := env.tryLogin(c, name, "Summer2026!", ""); got != http.StatusUnauthorized {
			t.Fatalf("spray guess %d: status %d, want 401", i+1, got)
		}
	}
	if got := env.tryLogin(c, testUser, testPass, ""); got != http.StatusTooManyRequests {
		t.Errorf("alice after the address ceiling: status %d, want 429", got)
	}

	now = now.Add(time.Minute)
	if got := env.tryLogin(c, testUser, testPass, ""); got != http.StatusSeeOther {
		t.Errorf("alice after the window: status %d, want 303", got)
	}
}

func TestLoginLimitTrustedProxy(t *testing.T) {
	tests := []struct {
		name    string
		proxies []string
		// sameClient reports that two different X-Forwarded-For
		// clients still count as one address.
		sameClient bool
	}{
		{"proxy trusted", []string{"127.0.0.0/8"}, false},
		{"proxy trusted by address", []string{"127.0.0.1"}, false},
		{"no trusted proxies", nil, true},
		{"other proxy trusted", []string{"192.0.2.0/24"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, Config{LoginMaxFailures: 2, LoginIPMaxFailures: 2,
				LoginFailureWindow: time.Minute, TrustedProxies: tt.proxies})
			c := env.client()
			// The client forges an earlier hop; only the last one counts.
			for range 2 {
				env.tryLogin(c, "bob", "wrong", "198.51.100.1, 203.0.113.5")
			}
			got := env.tryLogin(env.client(), testUser, testPass, "203.0.113.77")
			want := http.StatusSeeOther
			if tt.sameClient {
				want = http.StatusTooManyRequests
			}
			if got != want {
				t.Errorf("alice from another forwarded client: status %d, want %d", got, want)
			}
			if got := env.tryLogin(env.client(), testUser, testPass, "198.51.100.9, 203.0.113.5"); got != http.StatusTooManyRequests {
				t.Errorf("alice with the locked last hop: status %d, want 429", got)
			}
		})
	}
}

func TestTrustedProxyInAuditTrail(t *testing.T) {
	env := newTestEnv(t, Config{TrustedProxies: []string{"127.0.0.1/32"}})
	env.q.add(qrPhishEntry(time.Now()))
	c := env.client()
	token := env.login(c, testUser, testPass)

	req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/messages/1/mark-safe",
		strings.NewReader(url.Values{"csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "203.0.113.5")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := env.q.actions()
	if len(got) != 1 || got[0].Remote != "203.0.113.5" {
		t.Errorf("mark-safe through the proxy recorded as %+v, want remote 203.0.113.5", got)
	}
}
