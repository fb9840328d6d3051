package policy

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/publicsuffix"

	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/store"
)

// CampaignKeys derives a message's campaign keys, strongest kind first:
// QR target domains, attachment SHA-256 sums, the sender domain,
// attachment name shapes, then link domains. A domain key is left out
// when it is the sender's own domain (for links), a local domain, or a
// domain the organisation knew before the window (in.DomainsFirstSeen),
// because newsletters, signatures and big platforms share those domains
// with ordinary mail.
func CampaignKeys(in CampaignInput, window time.Duration) []store.CampaignKey {
	var keys []store.CampaignKey
	add := func(kind, value string) {
		if value != "" {
			keys = append(keys, store.CampaignKey{Kind: kind, Value: value})
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

	r := in.Report
	if r == nil {
		r = &scanner.Report{}
	}
	for _, l := range r.Links {
		if d := registrable(l.Domain); l.Via == "qr" && d != senderDomain && fresh(d) {
			add(store.KeyQRDomain, d)
		}
	}
	for _, a := range r.Attachments {
		add(store.KeyAttachmentSHA256, strings.ToLower(a.SHA256))
	}
	if fresh(senderDomain) {
		add(store.KeySenderDomain, senderDomain)
	}
	for _, a := range r.Attachments {
		if !imageKind(a) {
			add(store.KeyAttachmentName, NameShape(a.Filename))
		}
	}
	for _, l := range r.Links {
		if d := registrable(l.Domain); clickable(l.Via) && d != senderDomain && fresh(d) {
			add(store.KeyLinkDomain, d)
		}
	}
	return keys
}

// NameShape returns an attachment name's shape: case-folded, with every
// run of digits replaced by "#", so "Invoice_2024-118.PDF" becomes
// "invoice_#-#.pdf". It returns "" for a name whose shape carries no information:
// an empty name, or one whose stem holds no letter ("#.pdf"), which
// scanners and phones give to every file.
func NameShape(name string) string {
	name = strings.TrimSpace(name)
	var b strings.Builder
	digits := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsDigit(r) {
			if !digits {
				b.WriteByte('#')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteRune(r)
	}
	shape := b.String()
	stem := shape
	if dot := strings.LastIndexByte(shape, '.'); dot > 0 {
		stem = shape[:dot]
	}
	if !strings.ContainsFunc(stem, unicode.IsLetter) {
		return ""
	}
	return cutEvidence(shape)
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
