package geo

import (
	"strings"
)

// genericCCTLDs lists two-letter top-level domains that are marketed and
// used worldwide, so a name under them says nothing about where its owner
// is. Each entry gives the territory and the reason.
var genericCCTLDs = map[string]string{
	"ac": "Ascension Island; sold as 'academic'",
	"ai": "Anguilla; sold for artificial-intelligence names",
	"am": "Armenia; sold for radio (AM) names",
	"cc": "Cocos (Keeling) Islands; sold as a generic alternative to .com",
	"cf": "Central African Republic; long given away free, mass-registered",
	"co": "Colombia; sold as 'company'",
	"eu": "European Union; a region, not a country",
	"fm": "Micronesia; sold for radio (FM) names",
	"ga": "Gabon; long given away free, mass-registered",
	"gg": "Guernsey; sold for gaming names",
	"gq": "Equatorial Guinea; long given away free, mass-registered",
	"io": "British Indian Ocean Territory; sold for technology names",
	"la": "Laos; sold for Los Angeles names",
	"ly": "Libya; used by link shorteners worldwide",
	"me": "Montenegro; sold for personal names",
	"ml": "Mali; long given away free, mass-registered",
	"nu": "Niue; sold as 'new' and in Scandinavia",
	"pw": "Palau; sold as 'professional web'",
	"sh": "Saint Helena; used for shell and developer names",
	"su": "Soviet Union; no current country",
	"tk": "Tokelau; long given away free, mass-registered",
	"to": "Tonga; sold for names ending in 'to'",
	"tv": "Tuvalu; sold for television and video names",
	"vc": "Saint Vincent; sold for venture-capital names",
	"ws": "Samoa; sold as 'website'",
}

// idnCCTLDs maps internationalised country-code TLDs, in their ASCII
// (Punycode) form, to the country.
var idnCCTLDs = map[string]string{
	"xn--p1ai":       "RU", // .рф
	"xn--fiqs8s":     "CN", // .中国
	"xn--fiqz9s":     "CN", // .中國
	"xn--j6w193g":    "HK", // .香港
	"xn--3e0b707e":   "KR", // .한국
	"xn--j1amh":      "UA", // .укр
	"xn--90ais":      "BY", // .бел
	"xn--mgbaam7a8h": "AE", // .امارات
}

// DomainCountry returns the country that domain's top-level domain
// implies, as an ISO 3166-1 alpha-2 code, or "" for a generic TLD (.com,
// .org) or a ccTLD used worldwide (see genericCCTLDs). .uk maps to GB.
func DomainCountry(domain string) string {
	domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	if cc, ok := idnCCTLDs[tld]; ok {
		return cc
	}
	if len(tld) != 2 || tld[0] < 'a' || tld[0] > 'z' || tld[1] < 'a' || tld[1] > 'z' {
		return ""
	}
	if _, generic := genericCCTLDs[tld]; generic {
		return ""
	}
	if tld == "uk" {
		return "GB"
	}
	return strings.ToUpper(tld)
}

// GenericCCTLD returns why a two-letter TLD is treated as generic, ""
// when it is not.
func GenericCCTLD(tld string) string {
	return genericCCTLDs[strings.ToLower(tld)]
}
