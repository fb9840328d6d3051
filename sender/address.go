package sender

import (
	"net/mail"
	"sort"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// senderIdentity returns the lower-case sender address and display name:
// the From header's, else the envelope sender's with no name.
func senderIdentity(in Input) (address, name string) {
	if addr, err := mail.ParseAddress(in.From); err == nil {
		return strings.ToLower(addr.Address), strings.TrimSpace(addr.Name)
	}
	// QUIRK: RFC 5322 §3.4 — a From that net/mail rejects (bare
	// non-ASCII names, unbalanced quotes) still names its address in
	// angle brackets, or as the one word with an "@".
	if i := strings.LastIndexByte(in.From, '<'); i >= 0 {
		if j := strings.IndexByte(in.From[i:], '>'); j > 0 {
			addr := strings.TrimSpace(in.From[i+1 : i+j])
			if strings.Contains(addr, "@") {
				name := strings.Trim(strings.TrimSpace(in.From[:i]), `"`)
				return strings.ToLower(addr), strings.TrimSpace(name)
			}
		}
	}
	for _, w := range strings.Fields(in.From) {
		if strings.Contains(w, "@") {
			return strings.ToLower(strings.Trim(w, "<>\",;")), ""
		}
	}
	return strings.ToLower(strings.Trim(in.MailFrom, "<> ")), ""
}

// domainOf returns the lower-case domain of an address, "" when it has
// none.
func domainOf(address string) string {
	i := strings.LastIndexByte(address, '@')
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(strings.Trim(address[i+1:], "<>[] ")), ".")
}

// registrableDomain returns the public-suffix-plus-one of domain, or
// domain itself when it has none (an address literal, a bare TLD).
func registrableDomain(domain string) string {
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	if domain == "" {
		return ""
	}
	if r, err := publicsuffix.EffectiveTLDPlusOne(domain); err == nil {
		return r
	}
	return domain
}

// isLocal reports whether domain is one of local or a subdomain of one.
func isLocal(domain string, local []string) bool {
	if domain == "" {
		return false
	}
	for _, l := range local {
		l = strings.TrimSuffix(strings.ToLower(l), ".")
		if domain == l || strings.HasSuffix(domain, "."+l) {
			return true
		}
	}
	return false
}

// linkDomains returns the registrable domains of links, sorted and
// without duplicates.
func linkDomains(links []Link) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range links {
		d := registrableDomain(l.Domain)
		if d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// defang writes a domain, or the domain part of an address, with each dot
// as "[.]" so that evidence cannot be clicked: "evil[.]example".
func defang(s string) string {
	return strings.ReplaceAll(s, ".", "[.]")
}

// defangAddress defangs the domain of an address and leaves the local
// part as written.
func defangAddress(address string) string {
	i := strings.LastIndexByte(address, '@')
	if i < 0 {
		return defang(address)
	}
	return address[:i+1] + defang(address[i+1:])
}
