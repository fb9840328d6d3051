package policy

import (
	"net/netip"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/store"
)

// CampaignKeys derives a message's campaign keys, strongest kind first:
// QR target domains and their platforms, attachment SHA-256 sums, the
// sender domain, attachment name shapes, then link domains and their
// platforms. A domain key is left out when it is the sender's own domain
// (for links), a local domain, or a domain the organisation knew before
// the window (in.DomainsFirstSeen), because newsletters, signatures and
// big platforms share those domains with ordinary mail. A platform key
// (see platform) comes only with a QR target or link that yields a
// domain key, and the same rules leave it out.
func CampaignKeys(in CampaignInput, window time.Duration) []store.CampaignKey {
	var keys []store.CampaignKey
	seen := map[store.CampaignKey]bool{}
	add := func(kind, value string) {
		k := store.CampaignKey{Kind: kind, Value: value}
		if value != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	senderDomain := registrable(in.SenderDomain)
	fresh := func(domain string) bool {
		if domain == "" || isLocalDomain(domain, in.LocalDomains) {
			return false
		}
		first, known := in.DomainsFirstSeen[domain]
		return !known || !first.Before(in.Time.Add(-window))
	}

	// Links on a hosting platform get a new registrable domain per site,
	// so a campaign that puts each message's target on its own site
	// shares only the platform.
	addLinkKeys := func(domainKind, platformKind string, follow func(via string) bool) {
		var domains []string
		for _, l := range in.links() {
			if d := registrable(l.Domain); follow(l.Via) && d != senderDomain && fresh(d) {
				add(domainKind, d)
				domains = append(domains, d)
			}
		}
		for _, d := range domains {
			if p := platform(d); fresh(p) {
				add(platformKind, p)
			}
		}
	}

	addLinkKeys(store.KeyQRDomain, store.KeyQRPlatform, isQR)
	for _, a := range in.attachments() {
		add(store.KeyAttachmentSHA256, strings.ToLower(a.SHA256))
	}
	if fresh(senderDomain) {
		add(store.KeySenderDomain, senderDomain)
	}
	for _, a := range in.attachments() {
		if !imageKind(a) {
			add(store.KeyAttachmentName, NameShape(a.Filename))
		}
	}
	addLinkKeys(store.KeyLinkDomain, store.KeyLinkPlatform, clickable)
	return keys
}

// links returns the links of the scanner's report, nil without one.
func (in CampaignInput) links() []scanner.Link {
	if in.Report == nil {
		return nil
	}
	return in.Report.Links
}

// attachments returns the attachments of the scanner's report, nil
// without one.
func (in CampaignInput) attachments() []scanner.Attachment {
	if in.Report == nil {
		return nil
	}
	return in.Report.Attachments
}

// platform returns the private public suffix a registrable domain lies
// under, such as "pages.dev" for "evil.pages.dev" or "s3.amazonaws.com"
// for "evil.s3.amazonaws.com". Hosting platforms list themselves in the
// private section of the Public Suffix List so that each customer's site
// is its own registrable domain. It returns "" for a domain under an
// ICANN suffix ("co.uk", "com"), under no listed suffix, for an IP
// address, and for the suffix itself.
func platform(domain string) string {
	if domain == "" {
		return ""
	}
	if _, err := netip.ParseAddr(strings.Trim(domain, "[]")); err == nil {
		return ""
	}
	suffix, icann := publicsuffix.PublicSuffix(domain)

	// When no rule matches, PublicSuffix applies the default rule "*":
	// it returns the last label, with icann false. A platform's entry is
	// a domain under an ICANN suffix, so it has at least two labels.
	if icann || suffix == domain || !strings.Contains(suffix, ".") {
		return ""
	}
	return suffix
}

// imageKind reports an image attachment. Their names are left out of the
// name keys because signature logos ("image001.png") reach every
// recipient from every sender.
func imageKind(a scanner.Attachment) bool {
	switch a.Sniffed {
	case scanner.KindPNG, scanner.KindJPEG, scanner.KindGIF, scanner.KindBMP,
		scanner.KindTIFF, scanner.KindWebP:
		return true
	}
	return strings.HasPrefix(strings.ToLower(a.ContentType), "image/")
}

func isQR(via string) bool { return via == "qr" }

// clickable reports a link a reader follows, as opposed to a resource
// the page loads itself (images, style sheets), whose hosts mailing
// services share across unrelated senders.
func clickable(via string) bool {
	switch via {
	case "src", "css-url", "qr":
		return false
	}
	return true
}

// registrable returns the lower-case registrable domain of a host or
// domain, or the host itself when it has none (an IP address).
func registrable(host string) string {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if h == "" {
		return ""
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(h); err == nil {
		return d
	}
	return h
}

// isLocalDomain reports whether domain is one of the organisation's
// domains or below one.
func isLocalDomain(domain string, local []string) bool {
	for _, l := range local {
		l = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(l)), ".")
		if l != "" && (domain == l || strings.HasSuffix(domain, "."+l)) {
			return true
		}
	}
	return false
}
