package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/store"
)

// campaignWindow is the sliding window of the test campaigns.
const campaignWindow = 6 * time.Hour

// goneReleaser replaces the MTA in tests. It reports ErrNotInMTA for the
// queue ids in gone and succeeds for the rest.
type goneReleaser struct {
	gone map[string]bool
}

func (g goneReleaser) Release(_ context.Context, e *quarantine.Entry, _ []byte, _ string, _ time.Time) (string, error) {
	if g.gone[e.QueueID] {
		return "", fmt.Errorf("test releaser: queue id %s: %w", e.QueueID, quarantine.ErrNotInMTA)
	}
	return "released by the test", nil
}

func (g goneReleaser) Delete(_ context.Context, e *quarantine.Entry) (string, error) {
	if g.gone[e.QueueID] {
		return "", fmt.Errorf("test releaser: queue id %s: %w", e.QueueID, quarantine.ErrNotInMTA)
	}
	return "deleted by the test", nil
}

// lockedBuffer is a log destination that tests read while servers write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// campaignEnv is the review server on real SQLite and the real quarantine
// service, with campaign data written through the store's campaign API.
type campaignEnv struct {
	*testEnv
	st   *store.Store
	svc  *quarantine.Service
	logs *lockedBuffer
	// gone lists the queue ids the MTA no longer holds.
	gone map[string]bool
	// base is the arrival time of the first member of every campaign.
	base time.Time
	seq  int
}

func newCampaignEnv(t *testing.T) *campaignEnv {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DSN: filepath.Join(t.TempDir(), "holdfast.db")})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.AddUser(ctx, testUser, testPass, time.Now()); err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	gone := map[string]bool{}
	svc := quarantine.NewService(st.Quarantine(), goneReleaser{gone: gone}, nil, nil, quarantine.Config{}, log)
	s, err := New(Config{}, svc, st, st, log)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &campaignEnv{
		testEnv: &testEnv{t: t, srv: srv, web: s},
		st:      st, svc: svc, logs: logs, gone: gone,
		base: time.Now().UTC().Add(-3 * time.Hour).Truncate(time.Second),
	}
}

// member is one message to add to a campaign.
type member struct {
	sender  string
	verdict string
	// hold stores the message in the quarantine, and verdict is then
	// "hold".
	hold bool
}

// addCampaign observes the members in order under key, one minute apart,
// and starts the campaign with the first member that is held, or with
// the last one when none is. Earlier members join as the ones accepted
// before it was detected. It returns the campaign id and the entry ids
// of the held members.
func (e *campaignEnv) addCampaign(key store.CampaignKey, members ...member) (int64, []int64) {
	e.t.Helper()
	ctx := context.Background()
	start := len(members) - 1
	for i, m := range members {
		if m.hold {
			start = i
			break
		}
	}
	var campaign int64
	var entries []int64
	for i, m := range members {
		e.seq++
		at := e.base.Add(time.Duration(i) * time.Minute)
		queueID := "Q" + strconv.Itoa(e.seq) + "X"
		obs, err := e.st.ObserveCampaign(ctx, store.CampaignObservation{
			Time: at, Window: campaignWindow, MessageID: "<m" + strconv.Itoa(e.seq) + "@test>",
			QueueID: queueID, Sender: m.sender, NewSender: true,
			Recipients: []string{"u" + strconv.Itoa(i) + "@example.test"},
			Keys:       []store.CampaignKey{key},
		})
		if err != nil {
			e.t.Fatalf("ObserveCampaign(%s): %v", m.sender, err)
		}
		if i >= start {
			c, err := e.st.JoinCampaign(ctx, obs.Message, key, campaignWindow)
			if err != nil {
				e.t.Fatalf("JoinCampaign(%s): %v", m.sender, err)
			}
			campaign = c.ID
		}
		var entryID int64
		if m.hold {
			entryID = e.hold(queueID, m.sender, at, key.Kind+":"+key.Value)
			entries = append(entries, entryID)
		}
		if err := e.st.RecordCampaignVerdict(ctx, obs.Message, m.verdict, entryID); err != nil {
			e.t.Fatalf("RecordCampaignVerdict(%s): %v", m.sender, err)
		}
	}
	return campaign, entries
}

// hold puts a message from sender into the quarantine with a campaign
// label and returns its entry id.
func (e *campaignEnv) hold(queueID, sender string, at time.Time, label string) int64 {
	e.t.Helper()
	entry := &quarantine.Entry{
		QueueID: queueID, ReceivedAt: at, MailFrom: sender, Rcpts: []string{"victim@example.test"},
		Subject: "Scan to confirm your salary", Verdict: "hold", Score: 9, Campaign: label,
	}
	raw := "From: " + sender + "\r\nSubject: Scan to confirm your salary\r\n\r\nScan the code.\r\n"
	id, err := e.svc.Hold(context.Background(), entry, []byte(raw))
	if err != nil {
		e.t.Fatalf("Hold(%s): %v", queueID, err)
	}
	return id
}

// entryStatus returns the quarantine status of entry id.
func (e *campaignEnv) entryStatus(id int64) quarantine.Status {
	e.t.Helper()
	got, err := e.svc.Get(context.Background(), id)
	if err != nil {
		e.t.Fatalf("Get(%d): %v", id, err)
	}
	return got.Status
}

var qrCampaignKey = store.CampaignKey{Kind: store.KeyQRDomain, Value: "evil.example"}

// qrCampaign adds the usual test campaign: two messages accepted before
// detection, then three held ones.
func (e *campaignEnv) qrCampaign() (int64, []int64) {
	return e.addCampaign(qrCampaignKey,
		member{sender: "a@x.example", verdict: "accept"},
		member{sender: "b@y.example", verdict: "accept"},
		member{sender: "c@z.example", verdict: "hold", hold: true},
		member{sender: "d@z.example", verdict: "hold", hold: true},
		member{sender: "e@w.example", verdict: "hold", hold: true},
	)
}

func TestCampaignListShowsCampaigns(t *testing.T) {
	env := newCampaignEnv(t)
	id, entries := env.qrCampaign()
	if err := env.svc.Release(context.Background(), entries[0], "bob", ""); err != nil {
		t.Fatalf("Release(%d): %v", entries[0], err)
	}
	c := env.client()
	env.login(c, testUser, testPass)

	resp, body := env.get(c, "/campaigns")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /campaigns: status %d, want 200\n%s", resp.StatusCode, body)
	}
	row := fmt.Sprintf(`<td><a href="/campaigns/%d"><code>evil[.]example</code></a></td>`, id)
	for _, want := range []string{
		row,
		"<td>QR code target</td>",
		`<td class="num">5</td>`, // members
		`<td class="num">2</td>`, // held now: one of three was released
		"Campaigns 1–1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("campaign list lacks %q\n%s", want, body)
		}
	}
	if strings.Contains(body, "evil.example") {
		t.Errorf("campaign list shows the domain evil.example without defanging")
	}
}

func TestCampaignListFilters(t *testing.T) {
	env := newCampaignEnv(t)
	qrID, _ := env.qrCampaign()
	shaKey := store.CampaignKey{Kind: store.KeyAttachmentSHA256, Value: strings.Repeat("ab", 32)}
	shaID, _ := env.addCampaign(shaKey,
		member{sender: "a@x.example", verdict: "accept"},
		member{sender: "b@x.example", verdict: "hold", hold: true},
	)
	day := env.base.Format(dateLayout)
	next := env.base.AddDate(0, 0, 2).Format(dateLayout)
	c := env.client()
	env.login(c, testUser, testPass)

	for _, tc := range []struct {
		name    string
		query   string
		want    []int64
		problem bool
	}{
		{"all", "", []int64{qrID, shaID}, false},
		{"kind", "kind=" + store.KeyAttachmentSHA256, []int64{shaID}, false},
		{"value substring", "value=EVIL.ex", []int64{qrID}, false},
		{"defanged value", "value=evil[.]example", []int64{qrID}, false},
		{"no match", "value=nosuch", nil, false},
		{"date range", "since=" + day + "&until=" + day, []int64{qrID, shaID}, false},
		{"after last seen", "since=" + next, nil, false},
		{"unknown kind ignored", "kind=bogus", []int64{qrID, shaID}, true},
		{"bad date ignored", "since=yesterday", []int64{qrID, shaID}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := env.get(c, "/campaigns?"+tc.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /campaigns?%s: status %d, want 200", tc.query, resp.StatusCode)
			}
			for _, id := range []int64{qrID, shaID} {
				link := fmt.Sprintf(`href="/campaigns/%d"`, id)
				want := containsID(tc.want, id)
				if got := strings.Contains(body, link); got != want {
					t.Errorf("GET /campaigns?%s: lists campaign %d = %v, want %v", tc.query, id, got, want)
				}
			}
			if got := strings.Contains(body, `class="problem"`); got != tc.problem {
				t.Errorf("GET /campaigns?%s: shows a problem = %v, want %v", tc.query, got, tc.problem)
			}
		})
	}
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestCampaignListPaging(t *testing.T) {
	env := newCampaignEnv(t)
	for i := range pageSize + 1 {
		key := store.CampaignKey{Kind: store.KeyLinkDomain, Value: fmt.Sprintf("d%02d.example", i)}
		env.addCampaign(key, member{sender: "a@x.example", verdict: "accept"})
	}
	c := env.client()
	env.login(c, testUser, testPass)

	_, body := env.get(c, "/campaigns?kind="+store.KeyLinkDomain)
	if !strings.Contains(body, "Campaigns 1–50") {
		t.Errorf("first page lacks the count 1–50")
	}
	next := `href="/campaigns?kind=link-domain&amp;page=2"`
	if !strings.Contains(body, next) {
		t.Fatalf("first page lacks the link %s", next)
	}
	_, body = env.get(c, "/campaigns?kind=link-domain&page=2")
	if !strings.Contains(body, "Campaigns 51–51") {
		t.Errorf("second page lacks the count 51–51")
	}
	if strings.Contains(body, "page=3") {
		t.Errorf("second page links a third page")
	}
	if !strings.Contains(body, `href="/campaigns?kind=link-domain"`) {
		t.Errorf("second page lacks the link back to the first")
	}
}

func TestCampaignDetailListsMembers(t *testing.T) {
	env := newCampaignEnv(t)
	id, entries := env.qrCampaign()
	c := env.client()
	env.login(c, testUser, testPass)

	resp, body := env.get(c, "/campaigns/"+strconv.FormatInt(id, 10))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET campaign %d: status %d, want 200\n%s", id, resp.StatusCode, body)
	}
	for _, want := range []string{
		"QR code target <code>evil[.]example</code>",
		"<tr><th>Members</th><td>5</td></tr>",
		"<tr><th>Held on arrival</th><td>3</td></tr>",
		"<tr><th>Held now</th><td>3</td></tr>",
		"<td>" + utcText(env.base) + "</td>",
		"a@x[.]example",
		"e@w[.]example",
		fmt.Sprintf(`href="/campaigns/%d/confirm/release"`, id),
		fmt.Sprintf(`href="/campaigns/%d/confirm/delete"`, id),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("campaign page lacks %q", want)
		}
	}
	for _, entry := range entries {
		link := fmt.Sprintf(`<a href="/messages/%d">message %d</a> <span class="status status-held">held</span>`,
			entry, entry)
		if !strings.Contains(body, link) {
			t.Errorf("campaign page lacks the held entry %d: %s", entry, link)
		}
	}
	if n := strings.Count(body, "accepted before the campaign was detected"); n != 2 {
		t.Errorf("campaign page marks %d members accepted before detection, want 2", n)
	}
	if strings.Contains(body, "a@x.example") {
		t.Errorf("campaign page shows a sender domain without defanging")
	}
}

// utcText is how the pages write a time.
func utcText(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func TestCampaignDetailUnknown(t *testing.T) {
	env := newCampaignEnv(t)
	id, _ := env.qrCampaign()
	c := env.client()
	env.login(c, testUser, testPass)

	for _, path := range []string{"/campaigns/999", "/campaigns/x", "/campaigns/0",
		"/campaigns/999/confirm/release", fmt.Sprintf("/campaigns/%d/confirm/mark-safe", id)} {
		if resp, _ := env.get(c, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestCampaignHostileValuesEscaped(t *testing.T) {
	env := newCampaignEnv(t)
	key := store.CampaignKey{Kind: store.KeyAttachmentName, Value: payloadOnerror + payloadScript + ".html"}
	sender := "x" + payloadScript + "@evil.example"
	id, entries := env.addCampaign(key,
		member{sender: sender, verdict: "accept"},
		member{sender: payloadRemote + "@evil.example", verdict: "hold", hold: true},
	)
	domainKey := store.CampaignKey{Kind: store.KeyLinkDomain, Value: "pay." + payloadScript + ".example"}
	env.addCampaign(domainKey, member{sender: sender, verdict: "accept"})
	c := env.client()
	env.login(c, testUser, testPass)

	for _, path := range []string{
		"/campaigns",
		"/campaigns/" + strconv.FormatInt(id, 10),
		"/campaigns/" + strconv.FormatInt(id, 10) + "/confirm/release",
		"/messages/" + strconv.FormatInt(entries[0], 10),
	} {
		resp, body := env.get(c, path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d, want 200\n%s", path, resp.StatusCode, body)
		}
		for _, raw := range []string{"<script", "<img", "onerror=\""} {
			if strings.Contains(strings.ToLower(body), raw) {
				t.Errorf("GET %s: page contains the markup %q unescaped", path, raw)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("GET %s: page does not show the key or sender escaped", path)
		}
	}
}

func TestCampaignBulkActionsNeedCSRF(t *testing.T) {
	env := newCampaignEnv(t)
	id, entries := env.qrCampaign()
	c := env.client()
	env.login(c, testUser, testPass)

	for _, action := range []string{"release", "delete"} {
		path := fmt.Sprintf("/campaigns/%d/%s", id, action)
		for _, form := range []url.Values{{}, {"csrf": {"forged"}}} {
			resp, _ := env.post(c, path, form)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with csrf %q: status %d, want 403", path, form.Get("csrf"), resp.StatusCode)
			}
		}
	}
	for _, entry := range entries {
		if st := env.entryStatus(entry); st != quarantine.Held {
			t.Errorf("entry %d after forged posts is %s, want held", entry, st)
		}
	}
}

func TestCampaignLoggedOutSeesNothing(t *testing.T) {
	env := newCampaignEnv(t)
	id, entries := env.qrCampaign()
	c := env.client()
	p := "/campaigns/" + strconv.FormatInt(id, 10)

	for _, path := range []string{"/campaigns", p, p + "/confirm/release", "/campaigns?kind=qr-domain"} {
		resp, body := env.get(c, path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Errorf("GET %s logged out: status %d, Location %q, want 303 to /login",
				path, resp.StatusCode, resp.Header.Get("Location"))
		}
		if strings.Contains(body, "evil") {
			t.Errorf("GET %s logged out leaks campaign data: %q", path, body)
		}
	}
	for _, action := range []string{"release", "delete"} {
		resp, body := env.post(c, p+"/"+action, url.Values{"csrf": {"x"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s logged out: status %d, want 401", action, resp.StatusCode)
		}
		if strings.Contains(body, "evil") {
			t.Errorf("POST %s logged out leaks campaign data: %q", action, body)
		}
	}
	for _, entry := range entries {
		if st := env.entryStatus(entry); st != quarantine.Held {
			t.Errorf("entry %d after logged-out posts is %s, want held", entry, st)
		}
	}
}

func TestCampaignBulkReleaseReportsEachEntry(t *testing.T) {
	env := newCampaignEnv(t)
	id, entries := env.qrCampaign()
	ctx := context.Background()
	// The first entry was released on its own, and the MTA lost the second.
	if err := env.svc.Release(ctx, entries[0], "bob", ""); err != nil {
		t.Fatalf("Release(%d): %v", entries[0], err)
	}
	lost, err := env.svc.Get(ctx, entries[1])
	if err != nil {
		t.Fatal(err)
	}
	env.gone[lost.QueueID] = true
	c := env.client()
	csrf := env.login(c, testUser, testPass)

	p := "/campaigns/" + strconv.FormatInt(id, 10)
	_, body := env.get(c, p+"/confirm/release")
	if !strings.Contains(body, `action="`+p+`/release"`) || !strings.Contains(body, "<tr><th>Held now</th><td>2</td></tr>") {
		t.Errorf("confirmation page lacks the form or the held count of 2:\n%s", body)
	}
	resp, body := env.post(c, p+"/release", url.Values{"csrf": {formToken(t, body)}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST release: status %d, want 200\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		"3 held members, 2 failed.",
		fmt.Sprintf(`message %d</a></td>
<td><span class="failed">not released: it was already released or deleted</span>`, entries[0]),
		fmt.Sprintf(`message %d</a></td>
<td><span class="failed">not released: the mail server no longer holds it, but it can still be deleted</span>`, entries[1]),
		fmt.Sprintf("message %d</a></td>\n<td>released</td>", entries[2]),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("result page lacks %q\n%s", want, body)
		}
	}

	want := map[int64]quarantine.Status{
		entries[0]: quarantine.Released, entries[1]: quarantine.Held, entries[2]: quarantine.Released,
	}
	for entry, st := range want {
		if got := env.entryStatus(entry); got != st {
			t.Errorf("entry %d after the bulk release is %s, want %s", entry, got, st)
		}
	}
	audit, err := env.svc.Audit(ctx, entries[2])
	if err != nil {
		t.Fatal(err)
	}
	if last := audit[len(audit)-1]; last.Name != "release" || last.Actor != testUser || last.Remote != "127.0.0.1" {
		t.Errorf("last audit record of entry %d = %+v, want release by %s from 127.0.0.1", entries[2], last, testUser)
	}
	logs := env.logs.String()
	line := fmt.Sprintf(`msg="web: campaign action" action=release campaign=%d kind=qr-domain entries=3 failed=2 user=%s remote=127.0.0.1`,
		id, testUser)
	if !strings.Contains(logs, line) {
		t.Errorf("log lacks the campaign action line %s\n%s", line, logs)
	}

	// The lost message can still be deleted with the rest.
	_, body = env.get(c, p+"/confirm/delete")
	_, body = env.post(c, p+"/delete", url.Values{"csrf": {csrf}})
	if !strings.Contains(body, "3 held members, 2 failed.") ||
		!strings.Contains(body, fmt.Sprintf("message %d</a></td>\n<td>deleted</td>", entries[1])) {
		t.Errorf("bulk delete did not delete the message the MTA lost:\n%s", body)
	}
	if got := env.entryStatus(entries[1]); got != quarantine.Deleted {
		t.Errorf("entry %d after the bulk delete is %s, want deleted", entries[1], got)
	}
}

func TestDetailLinksCampaign(t *testing.T) {
	env := newCampaignEnv(t)
	id, entries := env.qrCampaign()
	orphan := env.hold("QORPHAN1", "f@v.example", env.base, store.KeyLinkDomain+":nosuch.example")
	c := env.client()
	env.login(c, testUser, testPass)

	_, body := env.get(c, "/messages/"+strconv.FormatInt(entries[0], 10))
	link := fmt.Sprintf(`campaign <a href="/campaigns/%d">QR code target evil[.]example</a>`, id)
	if !strings.Contains(body, link) {
		t.Errorf("detail of entry %d lacks the campaign link %s", entries[0], link)
	}
	_, body = env.get(c, "/messages/"+strconv.FormatInt(orphan, 10))
	if !strings.Contains(body, "campaign link domain nosuch[.]example") {
		t.Errorf("detail of entry %d lacks the campaign label as text", orphan)
	}
	if strings.Contains(body, `href="/campaigns/`) {
		t.Errorf("detail of entry %d links a campaign its label does not name", orphan)
	}
}

func TestDetailPicksCampaignThatHeldEntry(t *testing.T) {
	env := newCampaignEnv(t)
	first, firstEntries := env.qrCampaign()
	// The key comes back after a quiet spell longer than the window, so a
	// second campaign starts.
	env.base = env.base.Add(2 * campaignWindow)
	second, _ := env.qrCampaign()
	if first == second {
		t.Fatalf("the second wave joined campaign %d, want a new campaign", first)
	}
	c := env.client()
	env.login(c, testUser, testPass)

	_, body := env.get(c, "/messages/"+strconv.FormatInt(firstEntries[0], 10))
	if link := fmt.Sprintf(`href="/campaigns/%d"`, first); !strings.Contains(body, link) {
		t.Errorf("detail of entry %d lacks the link to its own campaign %s", firstEntries[0], link)
	}
}

func TestCampaignPagesOffWithoutStore(t *testing.T) {
	env := newTestEnv(t, Config{})
	c := env.client()
	env.login(c, testUser, testPass)
	for _, path := range []string{"/campaigns", "/campaigns/1", "/campaigns/1/confirm/release"} {
		if resp, _ := env.get(c, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s without a campaign store: status %d, want 404", path, resp.StatusCode)
		}
	}
}
