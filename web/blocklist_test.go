package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/quarantine"
)

func TestMarkPhishConfirmListsPlan(t *testing.T) {
	env := newTestEnv(t, Config{})
	e, raw := qrPhishEntry(time.Now())
	e.Links = append(e.Links, quarantine.Link{URL: "https://partner.example/x", Domain: "partner.example"})
	env.q.add(e, raw)
	c := env.client()
	env.login(c, testUser, testPass)

	_, body := env.get(c, "/messages/1/confirm/mark-phish")
	for _, want := range []string{
		"sender address <code>hr@fastflavor-shack.cn</code>",
		"link domain <code>sssafjeuihiolsw[.]bond</code>",
		"Nothing else is blocked.",
		"<code>partner[.]example</code>: " + quarantine.SkipSeenBefore,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("mark-phish confirmation page lacks %q", want)
		}
	}
	if strings.Contains(body, "sssafjeuihiolsw.bond") {
		t.Error("mark-phish confirmation page shows a domain that is not defanged")
	}

	_, body = env.get(c, "/messages/1/confirm/release")
	if strings.Contains(body, "What will be blocked") {
		t.Error("release confirmation page shows a block plan")
	}
}

// blockedEnv is a logged-in test server whose blocklist has a domain and
// a sender that marking entry 1 as phishing put there.
func blockedEnv(t *testing.T) (*testEnv, *http.Client, string) {
	t.Helper()
	env := newTestEnv(t, Config{})
	env.q.add(qrPhishEntry(time.Now()))
	at := time.Date(2026, 3, 11, 9, 30, 0, 0, time.UTC)
	env.q.blocks = []quarantine.Block{
		{Kind: quarantine.BlockDomain, Value: "sssafjeuihiolsw.bond", AddedAt: at, Actor: "bob", EntryID: 1},
		{Kind: quarantine.BlockSender, Value: "hr@fastflavor-shack.cn", AddedAt: at, Actor: "bob", EntryID: 1},
	}
	c := env.client()
	token := env.login(c, testUser, testPass)
	return env, c, token
}

func TestBlocklistPageListsEntries(t *testing.T) {
	env, c, _ := blockedEnv(t)

	_, messages := env.get(c, "/messages")
	if !strings.Contains(messages, `href="/blocklist"`) {
		t.Error("page header lacks the blocklist link")
	}
	resp, body := env.get(c, "/blocklist")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /blocklist: status %d, want 200", resp.StatusCode)
	}
	for _, want := range []string{
		"<code>sssafjeuihiolsw[.]bond</code>",
		"<code>hr@fastflavor-shack.cn</code>",
		"2026-03-11 09:30 UTC",
		"<td>bob</td>",
		`href="/messages/1"`,
		`href="/blocklist/confirm?kind=domain&amp;value=sssafjeuihiolsw.bond"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("blocklist page lacks %q", want)
		}
	}
}

func TestBlocklistRemoveNeedsConfirmation(t *testing.T) {
	env, c, token := blockedEnv(t)

	resp, body := env.get(c, "/blocklist/confirm?kind=domain&value=sssafjeuihiolsw.bond")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `action="/blocklist/remove"`) {
		t.Fatalf("remove confirmation: status %d, want 200 with the remove form", resp.StatusCode)
	}
	if blocks := env.q.blockCopy(); len(blocks) != 2 {
		t.Errorf("viewing the confirmation page removed a block: %+v", blocks)
	}
	if resp, _ := env.get(c, "/blocklist/confirm?kind=domain&value=nosuch.example"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("confirm removal of an unknown value: status %d, want 404", resp.StatusCode)
	}

	form := url.Values{"kind": {"domain"}, "value": {"sssafjeuihiolsw.bond"}}
	if resp, _ := env.post(c, "/blocklist/remove", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST remove without CSRF token: status %d, want 403", resp.StatusCode)
	}
	if resp, _ := env.post(env.client(), "/blocklist/remove", form); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST remove logged out: status %d, want 401", resp.StatusCode)
	}
	if blocks := env.q.blockCopy(); len(blocks) != 2 {
		t.Fatalf("a remove without a valid session and token ran: %+v", blocks)
	}

	form.Set("csrf", token)
	resp, _ = env.post(c, "/blocklist/remove", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/blocklist" {
		t.Errorf("POST remove: status %d, Location %q, want 303 to /blocklist",
			resp.StatusCode, resp.Header.Get("Location"))
	}
	if blocks := env.q.blockCopy(); len(blocks) != 1 || blocks[0].Kind != quarantine.BlockSender {
		t.Errorf("blocklist after remove = %+v, want only the sender", blocks)
	}
	got := env.q.actions()
	if len(got) != 1 || got[0].Name != "unblock" || got[0].Actor != testUser || got[0].Remote != "127.0.0.1" {
		t.Errorf("remove recorded as %+v, want unblock by alice from 127.0.0.1", got)
	}

	if resp, _ := env.post(c, "/blocklist/remove", form); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST remove twice: status %d, want 404", resp.StatusCode)
	}
	form.Set("kind", "ip")
	if resp, _ := env.post(c, "/blocklist/remove", form); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST remove of kind ip: status %d, want 400", resp.StatusCode)
	}
}
