package web

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/store"
)

// chromiumPath is Debian's chromium package.
const chromiumPath = "/usr/bin/chromium"

var updateScreenshot = flag.Bool("update-screenshot", false,
	"write the detail page screenshot of the browser test to docs/review-detail.png")

// testReleaser replaces Postfix in the test. It releases and deletes nothing.
type testReleaser struct{}

func (testReleaser) Release(context.Context, *quarantine.Entry, []byte, string, time.Time) (string, error) {
	return "released by the browser test", nil
}

func (testReleaser) Delete(context.Context, *quarantine.Entry) (string, error) {
	return "deleted by the browser test", nil
}

// browserEnv is the review server on real SQLite with the real
// quarantine service, on a loopback port.
type browserEnv struct {
	base    string
	store   *store.Store
	hostile int64
	qrPhish int64
	// campaign has a hostile key and sender, and the QR phishing entry as
	// its held member.
	campaign int64
	listenOn string
}

func startBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, store.Config{DSN: filepath.Join(t.TempDir(), "holdfast.db")})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.AddUser(ctx, testUser, testPass, time.Now()); err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	q := quarantine.NewService(st.Quarantine(), testReleaser{}, nil, st, quarantine.Config{}, log)

	env := &browserEnv{store: st}
	now := time.Now().UTC()
	for i := range 3 {
		e, raw := qrPhishEntry(now.Add(-time.Duration(i+2) * time.Hour))
		e.Rcpts = []string{"user" + strconv.Itoa(i) + "@example.test"}
		e.Subject = "Quarterly report " + strconv.Itoa(i)
		e.Signals, e.Links, e.QRCodes, e.Campaign = nil, nil, nil, ""
		if _, err := q.Hold(ctx, &e, []byte(raw)); err != nil {
			t.Fatalf("Hold(filler %d): %v", i, err)
		}
	}
	e, raw := hostileEntry(now.Add(-time.Hour))
	if env.hostile, err = q.Hold(ctx, &e, []byte(raw)); err != nil {
		t.Fatalf("Hold(hostile): %v", err)
	}
	e, raw = qrPhishEntry(now.Add(-30 * time.Minute))
	if env.qrPhish, err = q.Hold(ctx, &e, []byte(raw)); err != nil {
		t.Fatalf("Hold(qr phish): %v", err)
	}

	// A blocked domain and sender carrying the payloads, as if a hostile
	// message had been marked as phishing.
	hostileDomain := "x" + payloadScript + ".evil.example"
	hostileSender := "a" + payloadOnerror + "@evil.example"
	if err := st.Block(ctx, []string{hostileDomain}, hostileSender, "bob", env.hostile); err != nil {
		t.Fatalf("Block: %v", err)
	}

	if env.campaign, err = addHostileCampaign(ctx, st, env.qrPhish, now); err != nil {
		t.Fatalf("add hostile campaign: %v", err)
	}

	listen := "127.0.0.1:0"
	srv, err := New(Config{Listen: &listen}, q, st, st, log)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	hs := srv.HTTPServer()
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	env.listenOn = ln.Addr().String()
	env.base = "http://" + env.listenOn
	return env
}

// addHostileCampaign records two messages under an attachment name shape
// made of the payloads, from a sender carrying one: the first accepted,
// the second held as entry heldEntry. It returns the campaign's id.
func addHostileCampaign(ctx context.Context, st *store.Store, heldEntry int64, now time.Time) (int64, error) {
	key := store.CampaignKey{Kind: store.KeyAttachmentName, Value: payloadOnerror + payloadScript + ".html"}
	var campaign int64
	for i, verdict := range []string{"accept", "hold"} {
		obs, err := st.ObserveCampaign(ctx, store.CampaignObservation{
			Time: now.Add(time.Duration(i-2) * time.Minute), Window: 6 * time.Hour,
			QueueID: "4Qm7Lz0Hc" + strconv.Itoa(i), Sender: "x" + payloadScript + "@evil.example",
			Recipients: []string{"anna.berg@example.test"}, Keys: []store.CampaignKey{key},
		})
		if err != nil {
			return 0, err
		}
		var entry int64
		if verdict == "hold" {
			c, err := st.JoinCampaign(ctx, obs.Message, key, 6*time.Hour)
			if err != nil {
				return 0, err
			}
			campaign, entry = c.ID, heldEntry
		}
		if err := st.RecordCampaignVerdict(ctx, obs.Message, verdict, entry); err != nil {
			return 0, err
		}
	}
	return campaign, nil
}

// startChromium starts Debian's chromium headless with a fresh profile.
// Its proxy is a closed loopback port, so a request to any other host
// fails at once even if a page were to make one. The network events
// record the attempt either way.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	e2e := os.Getenv("HOLDFAST_E2E") == "1"
	if !e2e {
		t.Skip("browser test with a real headless chromium: set HOLDFAST_E2E=1 to run it " +
			"(needs the Debian package chromium at " + chromiumPath + ")")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("HOLDFAST_E2E=1 but chromium is missing: %v (apt-get install chromium)", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("proxy-server", "http://127.0.0.1:9"),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("HOLDFAST_E2E=1 but chromium failed to start: %v", err)
	}
	return ctx
}

// requestLog records every request and response the page makes.
type requestLog struct {
	mu       sync.Mutex
	requests []string
	statuses map[string]int64
}

func (l *requestLog) listen(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		l.requests = append(l.requests, ev.Request.Method+" "+ev.Request.URL)
	case *network.EventResponseReceived:
		l.statuses[ev.Response.URL] = ev.Response.Status
	}
}

// offLoopback returns the requests to any host but 127.0.0.1.
func (l *requestLog) offLoopback() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var bad []string
	for _, r := range l.requests {
		_, raw, _ := strings.Cut(r, " ")
		u, err := url.Parse(raw)
		// about:blank is the first tab, and data: URLs are the icons of
		// chromium's own date inputs: neither leaves the process.
		if raw == "about:blank" || strings.HasPrefix(raw, "data:") {
			continue
		}
		if err != nil || u.Hostname() != "127.0.0.1" {
			bad = append(bad, r)
		}
	}
	return bad
}

func (l *requestLog) status(u string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.statuses[u]
}

// waitUntil evaluates a JavaScript condition every 50 ms until it is
// true. An evaluation cut short by a navigation counts as false.
func waitUntil(condition string) chromedp.Action[chromedp.Void] {
	check := chromedp.Evaluate[bool](condition)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			if ok, err := check(ctx, t); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("wait for %s: %w", condition, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// pageState is what the test reads back from the page after each step.
type pageState struct {
	Title   string `json:"title"`
	Pwned   any    `json:"pwned"`
	Scripts int    `json:"scripts"`
	Images  int    `json:"images"`
	Iframes int    `json:"iframes"`
	Text    string `json:"text"`
	URL     string `json:"url"`
}

const readState = `({
	title: document.title,
	pwned: window.__pwned === undefined ? null : String(window.__pwned),
	scripts: document.scripts.length,
	images: document.images.length,
	iframes: document.querySelectorAll('iframe, object, embed').length,
	text: document.body ? document.body.innerText : '',
	url: location.href,
})`

func state(t *testing.T, ctx context.Context) pageState {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](readState))
	if err != nil {
		t.Fatalf("read page state: %v", err)
	}
	return s
}

// checkInert fails when anything of a payload ran or was loaded.
func checkInert(t *testing.T, step string, s pageState) {
	t.Helper()
	if strings.Contains(s.Title, "pwned") {
		t.Errorf("%s: document.title = %q: a payload ran", step, s.Title)
	}
	if s.Pwned != nil {
		t.Errorf("%s: window.__pwned = %v: a payload ran", step, s.Pwned)
	}
	if s.Scripts != 0 || s.Images != 0 || s.Iframes != 0 {
		t.Errorf("%s: page has %d scripts, %d images, %d frames, want none",
			step, s.Scripts, s.Images, s.Iframes)
	}
}

func TestBrowserReview(t *testing.T) {
	ctx := startChromium(t)
	env := startBrowserEnv(t)
	reqs := &requestLog{statuses: map[string]int64{}}
	if err := chromedp.Listen(ctx, reqs.listen); err != nil {
		t.Fatalf("listen to network events: %v", err)
	}
	step := func(name string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			s, _ := chromedp.Run(ctx, chromedp.Evaluate[pageState](readState))
			t.Fatalf("%s: %v\npage %s:\n%s", name, err, s.URL, s.Text)
		}
	}
	detailURL := env.base + "/messages/" + strconv.FormatInt(env.hostile, 10)

	// A logged-out visitor is sent to the login page and gets no entry data.
	step("open detail logged out", chromedp.Navigate(detailURL), chromedp.WaitVisible(chromedp.CSS(`input[name=password]`)))
	s := state(t, ctx)
	if !strings.HasSuffix(s.URL, "/login") || strings.Contains(s.Text, "Invoice") {
		t.Errorf("logged out: at %s with text %q, want the login page only", s.URL, s.Text)
	}

	step("log in",
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), testUser),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPass),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.list`)),
	)
	s = state(t, ctx)
	checkInert(t, "list", s)
	if !strings.Contains(s.Text, "Messages 1–5 of 5") {
		t.Errorf("list after login lacks the count of 5 entries:\n%s", s.Text)
	}

	step("filter by sender",
		chromedp.SendKeys(chromedp.CSS(`input[name=sender]`), "billing@evil"),
		chromedp.Click(chromedp.CSS(`form.filters button`)),
		waitUntil(`location.search.includes('sender=') && document.readyState === 'complete'`),
		chromedp.WaitVisible(chromedp.CSS(`p.count`)),
	)
	s = state(t, ctx)
	checkInert(t, "filtered list", s)
	if !strings.Contains(s.URL, "sender=billing%40evil") || !strings.Contains(s.Text, "Messages 1–1 of 1") {
		t.Errorf("filtered list at %s lacks one match:\n%s", s.URL, s.Text)
	}

	step("open hostile detail",
		chromedp.Click(chromedp.CSS(`table.list tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`pre.body`)),
	)
	// Give a delayed payload (an image error handler, a remote load) time
	// to act before the page is read.
	time.Sleep(300 * time.Millisecond)
	s = state(t, ctx)
	checkInert(t, "hostile detail", s)
	if s.URL != detailURL {
		t.Errorf("detail at %s, want %s", s.URL, detailURL)
	}
	for _, want := range []string{"<script>document.title='pwned'", "hxxp://198[.]51[.]100[.]7/track.png",
		"<img src=x onerror="} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("hostile detail does not show %q as text", want)
		}
	}

	// A form posted without the CSRF token is rejected and changes nothing.
	releaseURL := detailURL + "/release"
	forge := chromedp.Evaluate[any](`(() => {
		const f = document.createElement('form');
		f.method = 'post';
		f.action = '` + releaseURL + `';
		document.body.appendChild(f);
		f.submit();
		return null;
	})()`)
	step("post release without token",
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := forge(ctx, t)
			return err
		}),
		chromedp.WaitVisible(chromedp.CSS(`p.problem`)),
	)
	if got := reqs.status(releaseURL); got != http.StatusForbidden {
		t.Errorf("release without CSRF token: status %d, want 403", got)
	}
	if e, err := env.store.Quarantine().Get(context.Background(), env.hostile); err != nil || e.Status != quarantine.Held {
		t.Errorf("hostile entry after the forged post: %+v, %v, want still held", e, err)
	}

	// The confirmation page's own form carries the token and works.
	step("release through confirmation",
		chromedp.Navigate(detailURL+"/confirm/release"),
		chromedp.Click(chromedp.CSS(`form.confirm button`)),
		chromedp.WaitVisible(chromedp.CSS(`pre.body`)),
	)
	s = state(t, ctx)
	checkInert(t, "detail after release", s)
	if !strings.Contains(s.Text, "released by the browser test") {
		t.Errorf("audit trail after release lacks the release:\n%s", s.Text)
	}
	audit, err := env.store.Quarantine().Audit(context.Background(), env.hostile)
	if err != nil || len(audit) == 0 || audit[len(audit)-1].Actor != testUser ||
		audit[len(audit)-1].Remote != "127.0.0.1" {
		t.Errorf("audit after release = %+v, %v, want the last record by %s from 127.0.0.1", audit, err, testUser)
	}

	step("open QR phishing detail",
		chromedp.Navigate(env.base+"/messages/"+strconv.FormatInt(env.qrPhish, 10)),
		chromedp.WaitVisible(chromedp.CSS(`ul.origin`)),
	)
	s = state(t, ctx)
	checkInert(t, "QR detail", s)
	for _, want := range []string{
		"This sender's mail client logged in from Singapore (SG); the sending server is in China (CN).",
		"hxxps://sssafjeuihiolsw[.]bond/pay",
		"Link domains never seen before",
	} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("QR detail lacks %q", want)
		}
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shotPath := filepath.Join(t.TempDir(), "review-detail.png")
	if *updateScreenshot {
		shotPath = filepath.Join("..", "docs", "review-detail.png")
	}
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatalf("write screenshot: %v", err)
	}
	t.Logf("detail page screenshot: %s (%d bytes)", shotPath, len(shot))

	// Campaign pages show the key and senders of hostile messages.
	step("open hostile campaign",
		chromedp.Navigate(env.base+"/campaigns/"+strconv.FormatInt(env.campaign, 10)),
		chromedp.WaitVisible(chromedp.CSS(`table.members`)),
	)
	time.Sleep(300 * time.Millisecond)
	s = state(t, ctx)
	checkInert(t, "hostile campaign", s)
	for _, want := range []string{
		"attachment name shape",
		"x<script>document.title='pwned';window.__pwned='script'</script>@evil[.]example",
		"accepted before the campaign was detected",
		"message " + strconv.FormatInt(env.qrPhish, 10),
	} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("hostile campaign page lacks %q\n%s", want, s.Text)
		}
	}

	// The blocklist shows values taken from hostile messages, and removes
	// one through its confirmation page.
	step("open blocklist",
		chromedp.Click(chromedp.CSS(`nav.top a[href="/blocklist"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.blocklist`)),
	)
	time.Sleep(300 * time.Millisecond)
	s = state(t, ctx)
	checkInert(t, "blocklist", s)
	if !strings.Contains(s.Text, "<script>document[.]title='pwned';window[.]__pwned='script'</script>[.]evil[.]example") {
		t.Errorf("blocklist page lacks the defanged hostile domain\n%s", s.Text)
	}
	step("remove through confirmation",
		chromedp.Click(chromedp.CSS(`table.blocklist a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`button.action-unblock`)),
		chromedp.Click(chromedp.CSS(`button.action-unblock`)),
		chromedp.WaitVisible(chromedp.CSS(`table.blocklist`)),
	)
	s = state(t, ctx)
	checkInert(t, "blocklist after remove", s)
	if n := strings.Count(s.Text, "Remove…"); n != 1 {
		t.Errorf("blocklist after one removal has %d entries, want 1\n%s", n, s.Text)
	}

	step("log out",
		chromedp.Click(chromedp.CSS(`form.logout button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=password]`)),
	)
	step("open detail after logout", chromedp.Navigate(detailURL), chromedp.WaitVisible(chromedp.CSS(`input[name=password]`)))
	s = state(t, ctx)
	if !strings.HasSuffix(s.URL, "/login") || strings.Contains(s.Text, "Invoice") {
		t.Errorf("after logout: at %s with text %q, want the login page only", s.URL, s.Text)
	}

	if bad := reqs.offLoopback(); len(bad) > 0 {
		t.Errorf("the browser requested hosts other than 127.0.0.1:\n%s", strings.Join(bad, "\n"))
	}
	if n := len(reqs.requests); n < 10 {
		t.Errorf("network log holds %d requests, want the whole session: is the listener attached?", n)
	}
}
