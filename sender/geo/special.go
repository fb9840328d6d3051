package geo

import "net/netip"

// specialRange is an address block that never locates a mail client.
type specialRange struct {
	prefix netip.Prefix
	// documentation marks the blocks reserved for examples, which a test
	// Source may place in countries.
	documentation bool
	name          string
}

var specialRanges = func() []specialRange {
	rows := []struct {
		cidr string
		doc  bool
		name string
	}{
		{"0.0.0.0/8", false, "this-network (RFC 791)"},
		{"10.0.0.0/8", false, "private (RFC 1918)"},
		{"100.64.0.0/10", false, "shared carrier-grade NAT (RFC 6598)"},
		{"127.0.0.0/8", false, "loopback (RFC 1122)"},
		{"169.254.0.0/16", false, "link-local (RFC 3927)"},
		{"172.16.0.0/12", false, "private (RFC 1918)"},
		{"192.0.0.0/24", false, "IETF protocol assignments (RFC 6890)"},
		{"192.0.2.0/24", true, "documentation (RFC 5737)"},
		{"192.168.0.0/16", false, "private (RFC 1918)"},
		{"198.18.0.0/15", false, "benchmarking (RFC 2544)"},
		{"198.51.100.0/24", true, "documentation (RFC 5737)"},
		{"203.0.113.0/24", true, "documentation (RFC 5737)"},
		{"224.0.0.0/4", false, "multicast (RFC 5771)"},
		{"240.0.0.0/4", false, "reserved (RFC 1112)"},
		{"::/128", false, "unspecified (RFC 4291)"},
		{"::1/128", false, "loopback (RFC 4291)"},
		{"fc00::/7", false, "unique local (RFC 4193)"},
		{"fe80::/10", false, "link-local (RFC 4291)"},
		{"ff00::/8", false, "multicast (RFC 4291)"},
		{"2001:db8::/32", true, "documentation (RFC 3849)"},
	}
	out := make([]specialRange, len(rows))
	for i, r := range rows {
		out[i] = specialRange{netip.MustParsePrefix(r.cidr), r.doc, r.name}
	}
	return out
}()

// Special returns the name of the special-purpose block ip belongs to,
// such as "private (RFC 1918)", and whether the block is reserved for
// documentation. The name is "" when ip is a public unicast address. A special address
// places a client inside some network, not in a country.
func Special(ip netip.Addr) (name string, documentation bool) {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return "invalid", false
	}
	for _, r := range specialRanges {
		if r.prefix.Contains(ip) {
			return r.name, r.documentation
		}
	}
	return "", false
}

// Table is a Source that places addresses by prefix, for tests and for
// placing documentation ranges (192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24, 2001:db8::/32) in countries. The longest matching
// prefix wins.
type Table map[netip.Prefix]Info

// Lookup returns the Info of the longest prefix containing ip.
func (t Table) Lookup(ip netip.Addr) Info {
	ip = ip.Unmap()
	var best netip.Prefix
	var info Info
	for p, i := range t {
		if p.Contains(ip) && (!best.IsValid() || p.Bits() > best.Bits()) {
			best, info = p, i
		}
	}
	return info
}
