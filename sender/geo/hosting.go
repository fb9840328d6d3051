package geo

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed hosting.txt
var hostingList string

// Hosting recognises networks that rent servers, VPS or VPN exits, by ASN
// or by a substring of the organisation name.
type Hosting struct {
	asns     map[string]string // "AS64500" to the list's name for it
	patterns []string          // lower-case substrings
}

// NewHosting returns the embedded list (hosting.txt) extended by the
// config's hosting_asns and hosting_org_patterns.
func NewHosting(cfg Config) (*Hosting, error) {
	h := &Hosting{asns: map[string]string{}}
	for n, line := range strings.Split(hostingList, "\n") {
		if err := h.addLine(line); err != nil {
			return nil, fmt.Errorf("geo: hosting.txt line %d: %w", n+1, err)
		}
	}
	for _, s := range cfg.HostingASNs {
		n, err := parseASN(s)
		if err != nil {
			return nil, fmt.Errorf("geo: hosting_asns: %q is invalid: use \"AS64500\" or \"64500\"", s)
		}
		h.asns[FormatASN(n)] = "hosting_asns"
	}
	for _, p := range cfg.HostingOrgPatterns {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			h.patterns = append(h.patterns, p)
		}
	}
	return h, nil
}

func (h *Hosting) addLine(line string) error {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return nil
	}
	if pattern, ok := strings.CutPrefix(line, "org "); ok {
		h.patterns = append(h.patterns, strings.ToLower(strings.TrimSpace(pattern)))
		return nil
	}
	asn, name, _ := strings.Cut(line, " ")
	n, err := parseASN(asn)
	if err != nil {
		return fmt.Errorf("%q is neither \"AS<number> name\" nor \"org pattern\"", line)
	}
	h.asns[FormatASN(n)] = strings.TrimSpace(name)
	return nil
}

// Match reports whether info's network is a hosting network, with the
// reason: "AS14061 is listed (DigitalOcean)" or "organisation matches
// \"vps\"".
func (h *Hosting) Match(info Info) (string, bool) {
	if name, ok := h.asns[info.ASN]; ok {
		return fmt.Sprintf("%s is listed (%s)", info.ASN, name), true
	}
	org := strings.ToLower(info.Org)
	if org == "" {
		return "", false
	}
	for _, p := range h.patterns {
		if strings.Contains(org, p) {
			return fmt.Sprintf("organisation matches %q", p), true
		}
	}
	return "", false
}
