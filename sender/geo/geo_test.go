package geo

import (
	"net/netip"
	"strings"
	"testing"
)

func TestDomainCountry(t *testing.T) {
	tests := []struct {
		domain string
		want   string
	}{
		{"shop.example.cn", "CN"},
		{"Example.DE.", "DE"},
		{"bank.co.uk", "GB"},
		{"startup.io", ""},
		{"brand.co", ""},
		{"name.me", ""},
		{"example.com", ""},
		{"example.xn--p1ai", "RU"},
		{"example.eu", ""},
		{"localhost", ""},
		{"", ""},
		{"example.1a", ""},
	}
	for _, tt := range tests {
		if got := DomainCountry(tt.domain); got != tt.want {
			t.Errorf("DomainCountry(%q) = %q, want %q", tt.domain, got, tt.want)
		}
	}
}

func TestSpecial(t *testing.T) {
	tests := []struct {
		ip      string
		wantRFC string
		wantDoc bool
	}{
		{"10.1.2.3", "RFC 1918", false},
		{"127.0.0.1", "RFC 1122", false},
		{"::1", "RFC 4291", false},
		{"100.64.1.1", "RFC 6598", false},
		{"fd00::1", "RFC 4193", false},
		{"192.0.2.1", "RFC 5737", true},
		{"198.51.100.9", "RFC 5737", true},
		{"203.0.113.7", "RFC 5737", true},
		{"2001:db8::1", "RFC 3849", true},
		{"::ffff:192.168.1.1", "RFC 1918", false},
		{"8.8.8.8", "", false},
		{"2a00:1450::1", "", false},
	}
	for _, tt := range tests {
		name, doc := Special(netip.MustParseAddr(tt.ip))
		if !strings.Contains(name, tt.wantRFC) || (tt.wantRFC == "" && name != "") {
			t.Errorf("Special(%s) name = %q, want it to cite %q", tt.ip, name, tt.wantRFC)
		}
		if doc != tt.wantDoc {
			t.Errorf("Special(%s) documentation = %v, want %v", tt.ip, doc, tt.wantDoc)
		}
	}
}

func TestTableLongestPrefix(t *testing.T) {
	table := Table{
		netip.MustParsePrefix("198.51.100.0/24"): {Country: "SG"},
		netip.MustParsePrefix("198.51.100.0/28"): {Country: "NL", ASN: "AS64500", Org: "Example VPS"},
	}
	tests := []struct {
		ip   string
		want Info
	}{
		{"198.51.100.3", Info{Country: "NL", ASN: "AS64500", Org: "Example VPS"}},
		{"198.51.100.200", Info{Country: "SG"}},
		{"::ffff:198.51.100.200", Info{Country: "SG"}},
		{"192.0.2.1", Info{}},
	}
	for _, tt := range tests {
		if got := table.Lookup(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("Lookup(%s) = %+v, want %+v", tt.ip, got, tt.want)
		}
	}
}

func TestEmbeddedCountry(t *testing.T) {
	db, err := Open(Config{})
	if err != nil {
		t.Fatalf("Open(Config{}): %v", err)
	}
	defer db.Close()
	if got := db.Lookup(netip.MustParseAddr("1.1.1.1")).Country; got == "" {
		t.Errorf("Lookup(1.1.1.1).Country is empty, want the embedded data's country")
	}
	if got := db.Lookup(netip.Addr{}); got != (Info{}) {
		t.Errorf("Lookup(invalid) = %+v, want zero", got)
	}
}

func TestOpenMissingDatabase(t *testing.T) {
	_, err := Open(Config{CountryDB: "/nonexistent/country.mmdb"})
	if err == nil || !strings.Contains(err.Error(), "country_db") {
		t.Errorf("Open error = %v, want one naming country_db", err)
	}
	_, err = Open(Config{ASNDB: "/nonexistent/asn.mmdb"})
	if err == nil || !strings.Contains(err.Error(), "asn_db") {
		t.Errorf("Open error = %v, want one naming asn_db", err)
	}
}

func TestHosting(t *testing.T) {
	h, err := NewHosting(Config{HostingASNs: []string{"AS64500"}, HostingOrgPatterns: []string{"Bulletproof"}})
	if err != nil {
		t.Fatalf("NewHosting: %v", err)
	}
	tests := []struct {
		name string
		info Info
		want bool
	}{
		{"embedded asn", Info{ASN: "AS14061"}, true},
		{"configured asn", Info{ASN: "AS64500"}, true},
		{"embedded pattern", Info{ASN: "AS64501", Org: "Example VPS Hosting Ltd"}, true},
		{"configured pattern", Info{ASN: "AS64502", Org: "BULLETPROOF NETWORKS"}, true},
		{"residential", Info{ASN: "AS64503", Org: "Example Telecom Broadband"}, false},
		{"unknown", Info{}, false},
	}
	for _, tt := range tests {
		reason, got := h.Match(tt.info)
		if got != tt.want {
			t.Errorf("%s: Match(%+v) = %v (%q), want %v", tt.name, tt.info, got, reason, tt.want)
		}
		if got && reason == "" {
			t.Errorf("%s: Match gave no reason", tt.name)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"zero", Config{}, ""},
		{"asn forms", Config{HostingASNs: []string{"AS64500", "as64501", "64502"}}, ""},
		{"bad asn", Config{HostingASNs: []string{"ASX"}}, "hosting_asns"},
		{"empty pattern", Config{HostingOrgPatterns: []string{" "}}, "hosting_org_patterns"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if tt.wantErr == "" && err != nil {
			t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: Validate() = %v, want an error naming %s", tt.name, err, tt.wantErr)
		}
	}
}

func TestConfigNetworksLayered(t *testing.T) {
	cfg := Config{Networks: []Network{
		{Prefix: "203.0.113.0/24", Country: "cn", ASN: "4134", Org: "Example Telecom"},
		{Prefix: "203.0.113.128/25", Country: "SG"},
	}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	table, err := cfg.Table()
	if err != nil {
		t.Fatal(err)
	}
	src := Layered{table, Table{netip.MustParsePrefix("0.0.0.0/0"): {Country: "ZZ"}}}
	tests := []struct {
		ip   string
		want Info
	}{
		{"203.0.113.7", Info{Country: "CN", ASN: "AS4134", Org: "Example Telecom"}},
		{"203.0.113.200", Info{Country: "SG"}},
		{"198.51.100.1", Info{Country: "ZZ"}},
	}
	for _, tt := range tests {
		if got := src.Lookup(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("Lookup(%s) = %+v, want %+v", tt.ip, got, tt.want)
		}
	}
	bad := Config{Networks: []Network{{Prefix: "nonsense"}}}
	if err := bad.Validate(); err == nil {
		t.Error("Validate() accepted prefix \"nonsense\"")
	}
}
