package quarantine

// DefaultNeverBlock is the starter never_block list: registrable domains
// that unrelated people and companies share, so blocking one would hold
// mail from, or linking to, everyone who uses the platform. It is merged
// with Config.NeverBlock unless never_block_defaults is false.
//
// Only platforms that keep their customers under the platform's own
// registrable domain are listed. A customer host under a private public
// suffix (bucket.s3.amazonaws.com, d111.cloudfront.net, x.github.io) is
// its own registrable domain with one owner, so blocking it is precise.
// Listing amazonaws.com, cloudfront.net or github.io here would only
// stop those precise blocks. The shared names themselves
// (s3.amazonaws.com, cloudfront.net) are public suffixes, which
// PhishBlockPlan never blocks.
var DefaultNeverBlock = []string{
	// Freemail: one address is one person, the domain is everyone.
	"gmail.com", "googlemail.com",
	"outlook.com", "hotmail.com", "live.com", "msn.com",
	"yahoo.com", "aol.com",
	"icloud.com", "me.com",
	"proton.me", "protonmail.com",
	"gmx.de", "gmx.net", "web.de", "t-online.de",
	"mail.ru", "yandex.ru",
	"qq.com", "163.com", "126.com",

	// Document, file and form hosting where customer content sits under
	// the platform's registrable domain (docs.google.com,
	// contoso.sharepoint.com, onedrive.live.com, dl.dropboxusercontent.com).
	"google.com", "googleusercontent.com",
	"microsoft.com", "microsoftonline.com", "office.com", "office365.com",
	"sharepoint.com", "1drv.ms",
	"dropbox.com", "dropboxusercontent.com",
	"github.com",
	"apple.com", "amazon.com",
}

// NeverBlocked reports whether domain is, or is under, a domain of the
// effective never_block list: NeverBlock, plus DefaultNeverBlock unless
// NeverBlockDefaults is false. Local domains are not included.
func (c Config) NeverBlocked(domain string) bool {
	d := normalizeDomain(domain)
	if coveredBy(d, c.NeverBlock) {
		return true
	}
	return (c.NeverBlockDefaults == nil || *c.NeverBlockDefaults) && coveredBy(d, DefaultNeverBlock)
}
