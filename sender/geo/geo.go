// Package geo places IP addresses and domains. It looks up the country of
// an address (embedded data from github.com/phuslu/iploc, or a
// MaxMind-format database) and its autonomous system and organisation (a
// MaxMind-format ASN database). It recognises networks that rent servers
// or VPN exits, and the country a domain's country-code TLD implies.
//
// Lookups never fail: an address or domain that cannot be placed yields
// empty fields. Open fails when a configured database cannot be read.
//
// Config keys read (section [geo]): country_db, asn_db, hosting_asns,
// hosting_org_patterns, networks.
//
// Limitations: without asn_db there is no ASN or organisation, so the
// hosting check never matches on real traffic. The embedded country data
// is as fresh as the iploc module version in go.mod.
package geo

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/oschwald/maxminddb-golang"
	"github.com/phuslu/iploc"
)

// Info is the location and network of one IP address. Empty fields are
// unknown.
type Info struct {
	// Country is the ISO 3166-1 alpha-2 code, such as "SG".
	Country string `json:"country,omitempty"`
	// ASN is the autonomous system in "AS64500" form.
	ASN string `json:"asn,omitempty"`
	// Org is the autonomous system's organisation name.
	Org string `json:"org,omitempty"`
}

// Source places IP addresses. Implementations are safe for concurrent use.
type Source interface {
	Lookup(ip netip.Addr) Info
}

// Config is the [geo] section.
type Config struct {
	// CountryDB is the path of a MaxMind-format country or city database
	// (GeoLite2-Country.mmdb, DB-IP's country lite). Default "": the
	// country data embedded in the binary.
	CountryDB string `toml:"country_db"`
	// ASNDB is the path of a MaxMind-format ASN database
	// (GeoLite2-ASN.mmdb). Default "": no ASN or organisation lookups.
	ASNDB string `toml:"asn_db"`
	// HostingASNs adds autonomous systems, as "AS64500" or "64500", to
	// the embedded list of hosting, VPS and VPN networks.
	HostingASNs []string `toml:"hosting_asns"`
	// HostingOrgPatterns adds case-insensitive substrings of organisation
	// names, such as "vps", to the embedded list.
	HostingOrgPatterns []string `toml:"hosting_org_patterns"`
	// Networks places address ranges by hand, ahead of the databases: the
	// organisation's own offices and VPN exits, or a network the
	// databases place wrongly. Default: none.
	Networks []Network `toml:"networks"`
}

// Network is one hand-placed address range of [[geo.networks]].
type Network struct {
	// Prefix is a CIDR prefix such as "203.0.113.0/24".
	Prefix  string `toml:"prefix"`
	Country string `toml:"country"`
	ASN     string `toml:"asn"`
	Org     string `toml:"org"`
}

// Table returns the hand-placed networks as a Source, nil when none.
func (c *Config) Table() (Table, error) {
	if len(c.Networks) == 0 {
		return nil, nil
	}
	t := Table{}
	for _, n := range c.Networks {
		p, err := netip.ParsePrefix(strings.TrimSpace(n.Prefix))
		if err != nil {
			return nil, fmt.Errorf("geo: networks: prefix %q is invalid: use CIDR form such as \"203.0.113.0/24\"", n.Prefix)
		}
		asn := ""
		if n.ASN != "" {
			num, err := parseASN(n.ASN)
			if err != nil {
				return nil, fmt.Errorf("geo: networks: asn %q is invalid: use \"AS64500\" or \"64500\"", n.ASN)
			}
			asn = FormatASN(num)
		}
		t[p.Masked()] = Info{Country: strings.ToUpper(n.Country), ASN: asn, Org: n.Org}
	}
	return t, nil
}

// Layered places an address with the first source that returns its
// country.
type Layered []Source

// Lookup returns the first Info with a country, else the last one.
func (l Layered) Lookup(ip netip.Addr) Info {
	var info Info
	for _, s := range l {
		if s == nil {
			continue
		}
		if info = s.Lookup(ip); info.Country != "" {
			return info
		}
	}
	return info
}

// Validate checks values, naming the key at fault. It does not open the
// databases; Open does.
func (c *Config) Validate() error {
	for _, s := range c.HostingASNs {
		if _, err := parseASN(s); err != nil {
			return fmt.Errorf("geo: hosting_asns: %q is invalid: use \"AS64500\" or \"64500\"", s)
		}
	}
	for _, p := range c.HostingOrgPatterns {
		if strings.TrimSpace(p) == "" {
			return fmt.Errorf("geo: hosting_org_patterns: empty pattern would match every organisation")
		}
	}
	_, err := c.Table()
	return err
}

// parseASN accepts "AS64500", "as64500" and "64500".
func parseASN(s string) (uint32, error) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && strings.EqualFold(s[:2], "AS") {
		s = s[2:]
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, err
	}
	return uint32(n), nil
}

// FormatASN returns n in "AS64500" form, "" for 0.
func FormatASN(n uint32) string {
	if n == 0 {
		return ""
	}
	return "AS" + strconv.FormatUint(uint64(n), 10)
}

// DB places addresses with the embedded data or the configured databases.
type DB struct {
	country *maxminddb.Reader
	asn     *maxminddb.Reader
}

// Open opens the databases the config names.
func Open(cfg Config) (*DB, error) {
	db := &DB{}
	var err error
	if cfg.CountryDB != "" {
		if db.country, err = maxminddb.Open(cfg.CountryDB); err != nil {
			return nil, fmt.Errorf("geo: country_db %q: %w", cfg.CountryDB, err)
		}
	}
	if cfg.ASNDB != "" {
		if db.asn, err = maxminddb.Open(cfg.ASNDB); err != nil {
			db.Close()
			return nil, fmt.Errorf("geo: asn_db %q: %w", cfg.ASNDB, err)
		}
	}
	return db, nil
}

// Close releases the databases.
func (db *DB) Close() error {
	var first error
	for _, r := range []*maxminddb.Reader{db.country, db.asn} {
		if r == nil {
			continue
		}
		if err := r.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

type countryRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
}

type asnRecord struct {
	Number uint32 `maxminddb:"autonomous_system_number"`
	Org    string `maxminddb:"autonomous_system_organization"`
}

// Lookup places ip. A database read error leaves the fields it would have
// filled empty.
func (db *DB) Lookup(ip netip.Addr) Info {
	var info Info
	ip = ip.Unmap()
	if !ip.IsValid() {
		return info
	}
	if db.country != nil {
		var rec countryRecord
		if db.country.Lookup(net.IP(ip.AsSlice()), &rec) == nil {
			info.Country = rec.Country.ISOCode
			if info.Country == "" {
				info.Country = rec.RegisteredCountry.ISOCode
			}
		}
	} else {
		info.Country = iploc.IPCountry(ip)
	}
	// iploc and some databases use "ZZ" for "unknown".
	if info.Country == "ZZ" {
		info.Country = ""
	}
	if db.asn != nil {
		var rec asnRecord
		if db.asn.Lookup(net.IP(ip.AsSlice()), &rec) == nil {
			info.ASN = FormatASN(rec.Number)
			info.Org = rec.Org
		}
	}
	return info
}
