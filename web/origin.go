package web

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/holdfast/holdfast/quarantine"
)

// countryName writes an ISO 3166 alpha-2 code as "Singapore (SG)", or
// the code alone when it is not a known region.
func countryName(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	region, err := language.ParseRegion(code)
	if err != nil || !region.IsCountry() {
		return code
	}
	name := display.English.Regions().Name(region)
	if name == "" || strings.EqualFold(name, code) {
		return code
	}
	return name + " (" + code + ")"
}

// originSentences explains in plain words where the sender was: where its
// mail client logged in, where the sending server is, and what country
// its domain names. Empty facts are left out. An unknown login origin
// gets a sentence of its own.
func originSentences(o quarantine.Origin) []string {
	var out []string

	switch {
	case o.LoginCountry != "" && o.ClientCountry != "":
		s := fmt.Sprintf("This sender's mail client logged in from %s; the sending server is in %s.",
			countryName(o.LoginCountry), countryName(o.ClientCountry))
		if !strings.EqualFold(o.LoginCountry, o.ClientCountry) {
			s += " These are different countries."
		}
		out = append(out, s)
	case o.LoginCountry != "":
		out = append(out, fmt.Sprintf("This sender's mail client logged in from %s.",
			countryName(o.LoginCountry)))
	case o.LoginIP != "":
		out = append(out, "This sender's mail client logged in from an address in an unknown country.")
	default:
		out = append(out, "The message does not show where the sender's mail client logged in from.")
	}
	if o.LoginCountry == "" && o.ClientCountry != "" {
		out = append(out, fmt.Sprintf("The sending server is in %s.", countryName(o.ClientCountry)))
	}

	if o.LoginIP != "" {
		s := "The login came from the address " + o.LoginIP
		if o.LoginOrg != "" || o.LoginASN != "" {
			s += ", on the network of " + joinNonEmpty(o.LoginOrg, o.LoginASN)
		}
		if o.LoginSource != "" {
			s += " (found in " + o.LoginSource + ")"
		}
		out = append(out, s+".")
	}
	if o.ClientIP != "" {
		out = append(out, "The sending server's address is "+o.ClientIP+".")
	}

	if o.DomainCountry != "" {
		s := fmt.Sprintf("The sender's domain ends in the country code of %s.", countryName(o.DomainCountry))
		if o.LoginCountry != "" && !strings.EqualFold(o.DomainCountry, o.LoginCountry) {
			s += " The login was from elsewhere."
		}
		out = append(out, s)
	}

	if checks := authChecks(o); checks != "" {
		out = append(out, "Sender checks: "+checks+".")
	}
	return out
}

// authChecks lists the SPF, DKIM and DMARC results that are known.
func authChecks(o quarantine.Origin) string {
	var parts []string
	for _, c := range []struct{ name, result string }{
		{"SPF", o.SPF}, {"DKIM", o.DKIM}, {"DMARC", o.DMARC},
	} {
		if c.result != "" {
			parts = append(parts, c.name+" "+c.result)
		}
	}
	return strings.Join(parts, ", ")
}

// joinNonEmpty writes "org (ASN)", or whichever of the two is set.
func joinNonEmpty(org, asn string) string {
	switch {
	case org != "" && asn != "":
		return org + " (" + asn + ")"
	case org != "":
		return org
	}
	return asn
}
