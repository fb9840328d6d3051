// Package web serves the staff review pages of the quarantine: a login, a
// list of held messages with filters, a detail page per message, and
// release, delete, mark-safe and mark-phishing actions, each behind a
// confirmation page. Campaign pages list the campaigns the store found,
// each with its members, and release or delete all held members of one
// campaign at once. The blocklist page lists what marking phishing
// blocked and removes an entry, also behind a confirmation page. Pages are rendered on the server with html/template
// and need no JavaScript. The style sheet is embedded in the binary.
//
// It never renders message HTML, never links to a URL found in a message
// and never fetches anything a message names: links and campaign domains
// are shown defanged as text (hxxps://evil[.]example), and bodies as
// escaped plain text. It does
// no more than the CLI can: every action goes through the Quarantine it is
// handed, which records the audit trail.
//
// Security: sessions are random 256-bit tokens in a cookie (HttpOnly,
// SameSite=Strict, Path=/, Secure as configured). The server keeps only
// their SHA-256. Every form carries a CSRF token derived from the session
// token, and a POST without the right one gets 403. Failed logins are
// limited per remote address and user name, under a higher ceiling per
// remote address. Every response carries a Content-Security-
// Policy that allows no scripts, no frames and no loads from other origins.
//
// Failure: handlers log their errors with slog and show the staff member
// a generic page with the HTTP status.
//
// Config keys, in the [web] section (see Config): listen, session_timeout,
// cookie_secure, login_max_failures, login_ip_max_failures,
// login_failure_window, trusted_proxies.
//
// Limitations: the server speaks plain HTTP. Put a TLS-terminating proxy
// in front of it for access from other hosts. Behind such a proxy, and
// without trusted_proxies, every login comes from the proxy's address, so
// all staff share the per-address ceiling (login_ip_max_failures). Only
// one proxy hop is believed.
package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/store"
)

// Quarantine is the quarantine interface of the review pages. The actions
// record the staff login that did them and the client address of the
// request.
type Quarantine interface {
	List(ctx context.Context, f quarantine.Filter) ([]quarantine.Entry, int, error)
	Get(ctx context.Context, id int64) (*quarantine.Entry, error)
	Raw(ctx context.Context, id int64) ([]byte, error)
	Audit(ctx context.Context, id int64) ([]quarantine.Action, error)
	Release(ctx context.Context, id int64, actor, remote string) error
	Delete(ctx context.Context, id int64, actor, remote string) error
	MarkSafe(ctx context.Context, id int64, actor, remote string) error
	MarkPhish(ctx context.Context, id int64, actor, remote string) error
	// PhishBlockPlan returns what MarkPhish would block for e.
	PhishBlockPlan(e *quarantine.Entry) quarantine.BlockPlan
	// Blocklist returns every blocklist entry, newest first.
	Blocklist(ctx context.Context) ([]quarantine.Block, error)
	// Unblock removes one blocklist entry, or returns an error wrapping
	// quarantine.ErrNotBlocked.
	Unblock(ctx context.Context, kind, value, actor, remote string) error
}

// Accounts checks staff passwords and keeps login sessions, keyed by the
// SHA-256 of the session token. store.Store implements it.
type Accounts interface {
	// CheckPassword returns nil only when password is name's password.
	CheckPassword(ctx context.Context, name, password string) error
	CreateSession(ctx context.Context, tokenHash []byte, user string, now, expires time.Time) error
	// SessionUser returns the user of a session that has not expired, or
	// an error.
	SessionUser(ctx context.Context, tokenHash []byte, now time.Time) (string, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
}

// Campaigns reads the campaigns that the milter found. store.Store
// implements it.
type Campaigns interface {
	Campaigns(ctx context.Context, f store.CampaignFilter) ([]store.Campaign, error)
	// CampaignByID returns an error wrapping store.ErrCampaignNotFound for
	// an unknown id.
	CampaignByID(ctx context.Context, id int64) (store.Campaign, error)
	// CampaignMembers returns the members oldest first, with the verdict
	// each got and its quarantine entry id when it was held.
	CampaignMembers(ctx context.Context, id int64) ([]store.CampaignMember, error)
	// CampaignMemberEntries returns the entry ids of all held members.
	CampaignMemberEntries(ctx context.Context, id int64) ([]int64, error)
}

//go:embed templates/*.html static/*
var assets embed.FS

// Server is the review UI as an http.Handler. It is safe for concurrent
// use.
type Server struct {
	cfg      Config
	q        Quarantine
	accounts Accounts
	// campaigns is nil when the server was built without campaign data,
	// and then the campaign pages return 404.
	campaigns Campaigns
	log       *slog.Logger
	pages     map[string]*template.Template
	// ipLimiter counts failed logins per remote address, and
	// accountLimiter per remote address and user name.
	ipLimiter      *loginLimiter
	accountLimiter *loginLimiter
	// trustedProxies are the parsed Config.TrustedProxies.
	trustedProxies []netip.Prefix
	mux            *http.ServeMux
	// now is time.Now, replaced by tests.
	now func() time.Time
}

// New builds the review UI. cfg is validated and its zero fields take
// their defaults. campaigns may be nil, which turns the campaign pages
// off.
func New(cfg Config, q Quarantine, accounts Accounts, campaigns Campaigns,
	log *slog.Logger) (*Server, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	proxies, err := parsePrefixes(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	s := &Server{
		trustedProxies: proxies,
		cfg:            cfg,
		q:              q,
		accounts:       accounts,
		campaigns:      campaigns,
		log:            log,
		pages:          pages,
		ipLimiter:      newLoginLimiter(cfg.LoginIPMaxFailures, cfg.LoginFailureWindow),
		accountLimiter: newLoginLimiter(cfg.LoginMaxFailures, cfg.LoginFailureWindow),
		now:            time.Now,
	}
	s.routes()
	return s, nil
}

// routes registers every path. Only /login and /static/ serve a visitor
// who is not logged in, and requireLogin guards the rest.
func (s *Server) routes() {
	static, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err) // the embedded tree always has static/
	}
	m := http.NewServeMux()
	m.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(static)))
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	m.Handle("POST /logout", s.requireLogin(s.logout))
	m.Handle("GET /{$}", s.requireLogin(s.home))
	m.Handle("GET /messages", s.requireLogin(s.list))
	m.Handle("GET /messages/{id}", s.requireLogin(s.detail))
	m.Handle("GET /messages/{id}/confirm/{action}", s.requireLogin(s.confirm))
	m.Handle("POST /messages/{id}/{action}", s.requireLogin(s.act))
	m.Handle("GET /campaigns", s.requireLogin(s.campaignList))
	m.Handle("GET /campaigns/{id}", s.requireLogin(s.campaignDetail))
	m.Handle("GET /campaigns/{id}/confirm/{action}", s.requireLogin(s.campaignConfirm))
	m.Handle("POST /campaigns/{id}/{action}", s.requireLogin(s.campaignAct))
	m.Handle("GET /blocklist", s.requireLogin(s.blocklist))
	m.Handle("GET /blocklist/confirm", s.requireLogin(s.unblockConfirm))
	m.Handle("POST /blocklist/remove", s.requireLogin(s.unblock))
	m.Handle("/", s.requireLogin(s.notFound))
	s.mux = m
}

// staticFiles serves the files of fsys and returns 404 for a directory
// or a missing name, so the assets are never listed.
func staticFiles(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		info, err := fs.Stat(fsys, name)
		if name == "" || err != nil || info.IsDir() {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// ServeHTTP sets the security headers on every response, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	}
	if client, ok := s.forwardedClient(r); ok {
		r = r.WithContext(context.WithValue(r.Context(), clientKey{}, client))
	}
	s.mux.ServeHTTP(w, r)
}

// ContentSecurityPolicy allows the page's own style sheet and images and
// nothing else: no script at all, no frames, no plugins, and forms only
// to this server.
const ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// maxFormBytes bounds a POST body. The largest form is the login: a user
// name, a password and a token, well under 1 KiB. Arbitrary: 64 KiB.
const maxFormBytes = 64 << 10

// HTTPServer wraps s in an http.Server with timeouts, so a slow client
// cannot hold connections open.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// render executes a page template with data. A template error after the
// first byte cannot change the status any more, so it is only logged.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.log.Error("web: no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.ExecuteTemplate(w, "layout", data); err != nil {
		s.log.Error("web: render page failed", "page", page, "path", r.URL.Path, "err", err)
	}
}

// parsePages parses each page template together with the layout.
func parsePages() (map[string]*template.Template, error) {
	names := []string{"login", "list", "detail", "confirm", "error",
		"campaigns", "campaign", "campaign_confirm", "campaign_result",
		"blocklist", "blocklist_confirm"}
	pages := make(map[string]*template.Template, len(names))
	for _, name := range names {
		t, err := template.New(name).Funcs(funcs).ParseFS(assets,
			"templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}
