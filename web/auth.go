package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Cookie names. The "__Host-" prefix makes the browser insist on Secure,
// Path=/ and no Domain, so it is used only when the cookie is Secure.
const (
	sessionCookie       = "holdfast_session"
	secureSessionCookie = "__Host-holdfast_session"
	// loginCookie carries the token of the login form, which has no
	// session yet to derive one from.
	loginCookie       = "holdfast_login"
	secureLoginCookie = "__Host-holdfast_login"
)

// tokenBytes is the size of session and login tokens: 256 bits.
const tokenBytes = 32

// maxNameBytes and maxPasswordBytes bound what the login form passes on,
// so a huge field costs nothing. They match the store's limits.
const (
	maxNameBytes     = 128
	maxPasswordBytes = 72
)

// csrfLabel separates CSRF tokens from any other use of the session token
// as an HMAC key.
const csrfLabel = "holdfast csrf v1"

// session is the logged-in staff member of a request.
type session struct {
	User string
	// CSRF is the token every form of the session must send back.
	CSRF string
	hash []byte
}

type sessionKey struct{}

// sessionFrom returns the session that requireLogin stored in ctx.
func sessionFrom(ctx context.Context) *session {
	s, _ := ctx.Value(sessionKey{}).(*session)
	return s
}

// newToken returns 256 random bits, base64url-encoded.
func newToken() string {
	b := make([]byte, tokenBytes)
	// Since Go 1.24, crypto/rand.Read never returns an error: it crashes
	// the program when the system source fails.
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validToken reports whether s has the form newToken gives.
func validToken(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == tokenBytes
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// csrfToken derives a session's CSRF token from its session token, so the
// server stores nothing more and a page from another site, which cannot
// read the cookie, cannot compute it.
func csrfToken(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte(csrfLabel))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// tokensEqual compares two tokens in constant time.
func tokensEqual(a, b string) bool {
	return a != "" && hmac.Equal([]byte(a), []byte(b))
}

func (s *Server) sessionCookieName() string {
	if *s.cfg.CookieSecure {
		return secureSessionCookie
	}
	return sessionCookie
}

func (s *Server) loginCookieName() string {
	if *s.cfg.CookieSecure {
		return secureLoginCookie
	}
	return loginCookie
}

// cookie returns a cookie with the attributes every holdfast cookie has.
func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   *s.cfg.CookieSecure,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	}
}

// requireLogin passes requests with a live session to next, with the
// session in the context. A POST must also carry the session's CSRF token
// in the "csrf" form field, or it gets 403. Without a session, GET and
// HEAD are sent to the login page and other methods get 401, with no data.
func (s *Server) requireLogin(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.sessionOf(r)
		if sess == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost && !tokensEqual(r.PostFormValue("csrf"), sess.CSRF) {
			s.log.Warn("web: request without a valid CSRF token rejected",
				"user", sess.User,
				"remote", remoteHost(r),
				"path", r.URL.Path)
			s.fail(w, r, http.StatusForbidden, "The form was stale or did not come from this site. "+
				"Go back, reload the page and try again.")
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	})
}

// sessionOf returns the request's live session, or nil.
func (s *Server) sessionOf(r *http.Request) *session {
	c, err := r.Cookie(s.sessionCookieName())
	if err != nil || len(c.Value) > 2*tokenBytes {
		return nil
	}
	hash := hashToken(c.Value)
	user, err := s.accounts.SessionUser(r.Context(), hash, s.now())
	if err != nil {
		return nil
	}
	return &session{User: user, CSRF: csrfToken(c.Value), hash: hash}
}

type loginData struct {
	CSRF    string
	Name    string
	Message string
}

// loginPage shows the login form. It sets a fresh login token cookie that
// the form must echo, so another site cannot log a browser in to an
// account of its choosing.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if s.sessionOf(r) != nil {
		http.Redirect(w, r, "/messages", http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, "", "")
}

// showLogin renders the login form. It keeps the browser's login token
// when it has one, because a browser may load the login page twice at
// once (a favicon request is sent there too), and a new token would make
// the form shown first stale.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, name, message string) {
	token := ""
	if c, err := r.Cookie(s.loginCookieName()); err == nil && validToken(c.Value) {
		token = c.Value
	} else {
		token = newToken()
	}
	http.SetCookie(w, s.cookie(s.loginCookieName(), token, int(time.Hour.Seconds())))
	s.render(w, r, status, "login", page{
		Title: "Log in",
		Data:  loginData{CSRF: token, Name: name, Message: message},
	})
}

// login checks the form and, on success, starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	remote := remoteHost(r)
	c, err := r.Cookie(s.loginCookieName())
	if err != nil || !tokensEqual(r.PostFormValue("csrf"), c.Value) {
		s.log.Warn("web: login without a valid form token rejected", "remote", remote)
		s.fail(w, r, http.StatusForbidden, "The login form was stale. Reload the login page and try again.")
		return
	}

	name := r.PostFormValue("name")
	password := r.PostFormValue("password")
	now := s.now()
	account := accountKey(remote, name)
	if wait, why := s.loginWait(remote, account, now); wait > 0 {
		s.log.Warn("web: login rejected: too many failed logins",
			"user", cutLogValue(name),
			"remote", remote,
			"limit", why,
			"retry_in", wait)
		w.Header().Set("Retry-After", retrySeconds(wait))
		s.showLogin(w, r, http.StatusTooManyRequests, name,
			"Too many failed logins "+why+". Try again in "+wait.Round(time.Minute).String()+".")
		return
	}
	if name == "" || len(name) > maxNameBytes || password == "" || len(password) > maxPasswordBytes {
		s.loginFailed(remote, account, now)
		s.showLogin(w, r, http.StatusUnauthorized, name, "Wrong user name or password.")
		return
	}
	if err := s.accounts.CheckPassword(r.Context(), name, password); err != nil {
		s.loginFailed(remote, account, now)
		s.log.Warn("web: login failed", "user", name, "remote", remote, "err", err)
		s.showLogin(w, r, http.StatusUnauthorized, name, "Wrong user name or password.")
		return
	}

	token := newToken()
	expires := now.Add(s.cfg.SessionTimeout)
	if err := s.accounts.CreateSession(r.Context(), hashToken(token), name, now, expires); err != nil {
		s.log.Error("web: create session failed", "user", name, "remote", remote, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "The login could not be recorded. Try again.")
		return
	}
	// The per-address count stays: one known password must not reset
	// the ceiling for guesses at other accounts.
	s.accountLimiter.succeed(account)
	s.log.Info("web: login", "user", name, "remote", remote)
	http.SetCookie(w, s.cookie(s.loginCookieName(), "", -1))
	http.SetCookie(w, s.cookie(s.sessionCookieName(), token, int(s.cfg.SessionTimeout.Seconds())))
	http.Redirect(w, r, "/messages", http.StatusSeeOther)
}

// logout ends the session on the server and clears the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	if err := s.accounts.DeleteSession(r.Context(), sess.hash); err != nil {
		s.log.Error("web: delete session failed", "user", sess.User, "err", err)
	}
	s.log.Info("web: logout", "user", sess.User, "remote", remoteHost(r))
	http.SetCookie(w, s.cookie(s.sessionCookieName(), "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// accountKey names one user name tried from one remote address in the
// login limiter. The name is cut, so a huge field costs nothing.
func accountKey(remote, name string) string {
	name, _ = cutText(name, maxNameBytes)
	return remote + " " + name
}

// loginWait returns how long a login for account from remote must wait,
// 0 when it may try now, and the limit that applies in words.
func (s *Server) loginWait(remote, account string, now time.Time) (time.Duration, string) {
	if wait := s.ipLimiter.blocked(remote, now); wait > 0 {
		return wait, "from your address"
	}
	if wait := s.accountLimiter.blocked(account, now); wait > 0 {
		return wait, "for this user name from your address"
	}
	return 0, ""
}

// loginFailed counts a failed login against both limits.
func (s *Server) loginFailed(remote, account string, now time.Time) {
	s.ipLimiter.fail(remote, now)
	s.accountLimiter.fail(account, now)
}

// remoteHost returns the client IP of the request: the TCP peer, or the
// address a trusted proxy reported, which ServeHTTP put in the context.
// Forwarding headers from other peers are ignored, because any client
// can set them.
func remoteHost(r *http.Request) string {
	if client, ok := r.Context().Value(clientKey{}).(string); ok {
		return client
	}
	return peerHost(r)
}

type clientKey struct{}

// peerHost returns the IP of the request's TCP connection.
func peerHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// forwardedClient returns the client address that a trusted proxy put
// last in X-Forwarded-For, and false when the peer is not a trusted
// proxy or the entry is not an IP address.
func (s *Server) forwardedClient(r *http.Request) (string, bool) {
	if len(s.trustedProxies) == 0 {
		return "", false
	}
	peer, err := netip.ParseAddr(peerHost(r))
	if err != nil || !slices.ContainsFunc(s.trustedProxies, func(p netip.Prefix) bool {
		return p.Contains(peer.Unmap())
	}) {
		return "", false
	}
	headers := r.Header.Values("X-Forwarded-For")
	if len(headers) == 0 {
		return "", false
	}
	last := headers[len(headers)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	client, err := netip.ParseAddr(strings.TrimSpace(last))
	if err != nil {
		return "", false
	}
	return client.Unmap().String(), true
}

// retrySeconds formats d as a Retry-After value: whole seconds, rounded up.
func retrySeconds(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}

// maxTrackedRemotes bounds the keys (addresses, or address and user
// name pairs) each login limiter remembers. Arbitrary: far more than the
// staff of one gateway, small enough that the map stays under a few MiB.
const maxTrackedRemotes = 10000

// loginLimiter counts failed logins per key (a remote address, or an
// address and user name) in a fixed window that starts at the first
// failure.
type loginLimiter struct {
	max    int
	window time.Duration

	mu      sync.Mutex
	remotes map[string]*failures
}

type failures struct {
	count int
	since time.Time
}

func newLoginLimiter(max int, window time.Duration) *loginLimiter {
	return &loginLimiter{max: max, window: window, remotes: make(map[string]*failures)}
}

// blocked returns how long remote must wait before it may try again, or
// 0 when it may try now.
func (l *loginLimiter) blocked(remote string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.remotes[remote]
	if !ok {
		// NOTE: with the table full of other addresses, a new address is
		// refused until entries expire: under a guessing attack from many
		// addresses the form stays shut rather than forgetting counts.
		if len(l.remotes) >= maxTrackedRemotes {
			l.expire(now)
			if len(l.remotes) >= maxTrackedRemotes {
				return l.window
			}
		}
		return 0
	}
	end := f.since.Add(l.window)
	if !now.Before(end) {
		delete(l.remotes, remote)
		return 0
	}
	if f.count < l.max {
		return 0
	}
	return end.Sub(now)
}

func (l *loginLimiter) fail(remote string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.remotes[remote]
	if !ok || !now.Before(f.since.Add(l.window)) {
		l.remotes[remote] = &failures{count: 1, since: now}
		return
	}
	f.count++
}

func (l *loginLimiter) succeed(remote string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.remotes, remote)
}

// expire drops the addresses whose window has passed. l.mu must be held.
func (l *loginLimiter) expire(now time.Time) {
	for remote, f := range l.remotes {
		if !now.Before(f.since.Add(l.window)) {
			delete(l.remotes, remote)
		}
	}
}
