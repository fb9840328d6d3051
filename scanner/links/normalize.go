package links

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Errors returned by Normalize. Callers branch on them with errors.Is.
var (
	// ErrRelative means the URL has no scheme and no base was given.
	ErrRelative = errors.New("links: relative URL without base")
	// ErrInvalidURL means the URL cannot be read even leniently.
	ErrInvalidURL = errors.New("links: invalid URL")
)

// maxQuotedInput is the number of bytes of a bad URL echoed in an error or
// an anomaly detail, so that hostile input cannot flood a log line.
const maxQuotedInput = 120

// defaultPorts maps each special scheme to the port that Normalize drops.
var defaultPorts = map[string]string{
	"http":  "80",
	"https": "443",
	"ftp":   "21",
	"ws":    "80",
	"wss":   "443",
}

// hostProfile is UTS 46 processing with the WHATWG URL Standard settings:
// non-transitional, no STD3 rules (browsers accept "_" in host names) and
// no hyphen checks. Bidi and joiner rules stay on, as in browsers.
var hostProfile = idna.New(
	idna.MapForLookup(),
	idna.StrictDomainName(false),
	idna.CheckHyphens(false),
	idna.CheckJoiners(true),
	idna.BidiRule(),
	idna.Transitional(false),
)

// urlFlags are facts about a URL that Normalize tolerates but a caller may
// score.
type urlFlags struct {
	userinfo  bool // the authority had a user name or password before "@"
	numericIP bool // the host was an IPv4 address not in dotted-decimal form
}

// Normalize parses raw the way a browser does and returns the absolute URL,
// resolving a relative reference against base. base may be nil, and then a
// relative raw returns ErrRelative.
//
// For the special schemes (http, https, ftp, ws, wss) it removes tab, CR, LF
// and other control characters anywhere, trims leading and trailing spaces,
// turns "\" into "/" before the query, accepts any number of slashes after
// the scheme, lower-cases scheme and host, percent-decodes the host, maps
// it to IDNA ToASCII form, removes trailing dots, reads IPv4 hosts written
// in decimal, hex or octal, and drops the default port. Userinfo is kept, so
// that "https://paypal.com@evil.example" has the host evil.example and the
// user "paypal.com". Other schemes come back opaque with only the scheme
// lower-cased.
//
// Errors wrap ErrRelative or ErrInvalidURL.
func Normalize(raw string, base *url.URL) (*url.URL, error) {
	u, _, err := normalize(raw, base)
	return u, err
}

func normalize(raw string, base *url.URL) (*url.URL, urlFlags, error) {
	s := cleanURLText(raw)
	scheme, rest, ok := splitScheme(s)
	if !ok {
		return resolveRelative(s, base)
	}
	if _, special := defaultPorts[scheme]; !special {
		return &url.URL{Scheme: scheme, Opaque: rest}, urlFlags{}, nil
	}

	rest = backslashesToSlashes(rest)

	// "https:path" with a base of the same scheme is relative to the base,
	// but with any other base it names a host, as the URL Standard says.
	if !strings.HasPrefix(rest, "/") && base != nil && base.Scheme == scheme {
		return resolveRelative(rest, base)
	}
	return parseSpecial(scheme, strings.TrimLeft(rest, "/"))
}

// cleanURLText trims C0 controls and spaces at both ends and removes every
// other control character, because browsers drop tab, CR and LF inside a
// URL and attackers split hosts with them.
func cleanURLText(raw string) string {
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' })
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// splitScheme returns the lower-cased scheme and what follows its colon.
func splitScheme(s string) (scheme, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return strings.ToLower(s[:i]), s[i+1:], true
		default:
			return "", s, false
		}
	}
	return "", s, false
}

// backslashesToSlashes turns "\" into "/" up to the query or fragment,
// because browsers read "https:\\evil.example\x" as "https://evil.example/x".
func backslashesToSlashes(s string) string {
	end := strings.IndexAny(s, "?#")
	if end < 0 {
		end = len(s)
	}
	return strings.ReplaceAll(s[:end], `\`, "/") + s[end:]
}

func resolveRelative(s string, base *url.URL) (*url.URL, urlFlags, error) {
	if base == nil {
		return nil, urlFlags{}, fmt.Errorf("%w: %q", ErrRelative, quoteCut(s))
	}
	if _, special := defaultPorts[base.Scheme]; special {
		s = backslashesToSlashes(s)
	}

	// A scheme-relative reference names a new host, so it goes through
	// the same host checks as an absolute URL.
	if strings.HasPrefix(s, "//") {
		return normalize(base.Scheme+":"+s, nil)
	}
	ref, err := url.Parse(fixPercentEscapes(s))
	if err != nil {
		return nil, urlFlags{}, fmt.Errorf("%w: %q: %v", ErrInvalidURL, quoteCut(s), err)
	}
	return normalize(base.ResolveReference(ref).String(), nil)
}

// parseSpecial parses the authority and the rest of a special-scheme URL
// whose leading slashes are already removed.
func parseSpecial(scheme, s string) (*url.URL, urlFlags, error) {
	var flags urlFlags
	end := strings.IndexAny(s, "/?#")
	if end < 0 {
		end = len(s)
	}
	authority, tail := s[:end], s[end:]

	u := &url.URL{Scheme: scheme}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		u.User = parseUserinfo(authority[:at])
		authority = authority[at+1:]
		flags.userinfo = true
	}
	hostport, numeric, err := normalizeHostPort(scheme, authority)
	if err != nil {
		return nil, flags, err
	}
	u.Host = hostport
	flags.numericIP = numeric

	ref, err := url.Parse("http://h" + fixPercentEscapes(tail))
	if err != nil {
		return nil, flags, fmt.Errorf("%w: %q: %v", ErrInvalidURL, quoteCut(tail), err)
	}
	u.Path, u.RawPath = ref.Path, ref.RawPath
	if u.Path == "" {
		u.Path = "/"
	}
	u.RawQuery = strings.ReplaceAll(ref.RawQuery, " ", "%20")
	u.Fragment, u.RawFragment = ref.Fragment, ref.RawFragment
	return u, flags, nil
}

func parseUserinfo(s string) *url.Userinfo {
	user, pass, hasPass := strings.Cut(s, ":")
	if hasPass {
		return url.UserPassword(percentDecode(user), percentDecode(pass))
	}
	return url.User(percentDecode(user))
}

// normalizeHostPort returns "host" or "host:port" with the default port
// removed, and whether the host was an IPv4 address written in a form other
// than dotted decimal.
func normalizeHostPort(scheme, authority string) (string, bool, error) {
	host, port, err := splitHostPort(authority)
	if err != nil {
		return "", false, err
	}
	if port == defaultPorts[scheme] {
		port = ""
	}
	host, numeric, err := normalizeHost(host)
	if err != nil {
		return "", false, err
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return host, numeric, nil
}

func splitHostPort(authority string) (host, port string, err error) {
	host = authority
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return "", "", fmt.Errorf("%w: unclosed IPv6 host %q", ErrInvalidURL, quoteCut(authority))
		}
		host, port = authority[:end+1], strings.TrimPrefix(authority[end+1:], ":")
	} else if colon := strings.LastIndexByte(authority, ':'); colon >= 0 {
		host, port = authority[:colon], authority[colon+1:]
	}
	if port == "" {
		return host, "", nil
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return "", "", fmt.Errorf("%w: invalid port %q", ErrInvalidURL, quoteCut(port))
	}
	return host, strconv.FormatUint(n, 10), nil
}

// normalizeHost returns the host in the form a browser connects to, and
// whether it was an IPv4 address written in a form other than dotted
// decimal.
func normalizeHost(raw string) (string, bool, error) {
	if strings.HasPrefix(raw, "[") {
		addr, err := netip.ParseAddr(strings.Trim(raw, "[]"))
		if err != nil || !addr.Is6() {
			return "", false, fmt.Errorf("%w: invalid IPv6 host %q", ErrInvalidURL, quoteCut(raw))
		}
		return addr.String(), false, nil
	}

	host := percentDecode(raw)
	if !utf8.ValidString(host) {
		return "", false, fmt.Errorf("%w: host %q is not UTF-8", ErrInvalidURL, quoteCut(raw))
	}
	ascii, err := hostProfile.ToASCII(host)
	if err != nil {
		// QUIRK: browsers still open ASCII names that fail the UTS 46
		// checks, such as labels with leading hyphens.
		if !isASCII(host) {
			return "", false, fmt.Errorf("%w: host %q: %v", ErrInvalidURL, quoteCut(raw), err)
		}
		ascii = strings.ToLower(host)
	}
	ascii = strings.TrimRight(ascii, ".")
	if ascii == "" {
		return "", false, fmt.Errorf("%w: empty host in %q", ErrInvalidURL, quoteCut(raw))
	}
	if i := strings.IndexAny(ascii, forbiddenHostChars); i >= 0 {
		return "", false, fmt.Errorf("%w: host %q contains %q", ErrInvalidURL, quoteCut(raw), ascii[i])
	}

	if endsInNumber(ascii) {
		ip, err := parseIPv4(ascii)
		if err != nil {
			return "", false, fmt.Errorf("%w: host %q: %v", ErrInvalidURL, quoteCut(raw), err)
		}
		dotted := ip.String()
		return dotted, dotted != ascii, nil
	}
	return ascii, false, nil
}

// forbiddenHostChars are the ASCII characters the URL Standard rejects in a
// domain, apart from "%" which is decoded before this check.
const forbiddenHostChars = " #%/:<>?@[\\]^|"

// RegistrableDomain returns the registrable domain of host (the public
// suffix plus one label, using the public suffix list including its private
// section, so that each github.io site is its own domain). An IP literal,
// a name with no label under its public suffix and an empty host come back
// unchanged apart from case and a trailing dot.
func RegistrableDomain(host string) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if _, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return h
	}
	domain, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		return h
	}
	return domain
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func quoteCut(s string) string {
	if len(s) <= maxQuotedInput {
		return s
	}
	return s[:maxQuotedInput] + "..."
}
