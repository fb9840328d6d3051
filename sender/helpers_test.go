package sender

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/holdfast/holdfast/policy"
	"github.com/holdfast/holdfast/sender/dnsclient"
	"github.com/holdfast/holdfast/sender/dnstest"
	"github.com/holdfast/holdfast/sender/geo"
	"github.com/holdfast/holdfast/store"
)

// testNow is the fixed time of every test.
var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// testGeo places the documentation ranges: 203.0.113.0/24 is a Chinese
// mail server network, 198.51.100.0/25 a Singapore broadband network,
// 198.51.100.128/25 a Dutch VPS provider, 192.0.2.0/24 a German office.
var testGeo = geo.Table{
	netip.MustParsePrefix("203.0.113.0/24"):    {Country: "CN", ASN: "AS64496", Org: "Example Mail CN"},
	netip.MustParsePrefix("198.51.100.0/25"):   {Country: "SG", ASN: "AS64497", Org: "Example Broadband SG"},
	netip.MustParsePrefix("198.51.100.128/25"): {Country: "NL", ASN: "AS64500", Org: "Example VPS Hosting BV"},
	netip.MustParsePrefix("192.0.2.0/24"):      {Country: "DE", ASN: "AS64498", Org: "Example Office DE"},
}

// testKey is an Ed25519 DKIM key for s1._domainkey.example.cn.
type testKey struct {
	priv ed25519.PrivateKey
	txt  string
}

func newTestKey(t testing.TB) testKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{priv, "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}
}

// sign returns msg with a DKIM-Signature by domain and selector s1.
func (k testKey) sign(t testing.TB, domain, msg string) string {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, strings.NewReader(msg), &dkim.SignOptions{
		Domain: domain, Selector: "s1", Signer: k.priv,
	})
	if err != nil {
		t.Fatalf("dkim.Sign: %v", err)
	}
	return out.String()
}

// testZone serves example.cn: SPF for 203.0.113.0/24, DMARC p=reject and
// the key's selector; example.org with no records at all.
func testZone(key testKey) map[string][]string {
	return map[string][]string{
		"example.cn":                {`TXT "v=spf1 ip4:203.0.113.0/24 -all"`, `MX 10 mx.example.cn.`},
		"mx.example.cn":             {`A 203.0.113.25`},
		"_dmarc.example.cn":         {`TXT "v=DMARC1; p=reject"`},
		"s1._domainkey.example.cn":  {`TXT "` + key.txt + `"`},
		"example.net":               {`TXT "v=spf1 ip4:192.0.2.0/24 ~all"`},
		"_dmarc.example.net":        {`TXT "v=DMARC1; p=quarantine; aspf=s"`},
		"helo.example.net":          {`TXT "v=spf1 a:helo.example.net -all"`, `A 192.0.2.80`},
		"s1._domainkey.example.net": {`TXT "` + key.txt + `"`},
	}
}

// newTestChecker returns a Checker with the test geo table, hist, and a
// resolver pointed at srv when srv is not nil.
func newTestChecker(t testing.TB, cfg Config, hist store.History, srv *dnstest.Server) *Checker {
	t.Helper()
	deps := Deps{Geo: testGeo, Now: func() time.Time { return testNow }}
	if hist != nil {
		deps.History = hist
	}
	if srv != nil {
		r, err := dnsclient.New(dnsclient.Config{
			Servers: []string{srv.Addr},
			Timeout: dnsclient.Duration(300 * time.Millisecond),
		})
		if err != nil {
			t.Fatalf("dnsclient.New: %v", err)
		}
		deps.Resolver = r
	}
	hosting, err := geo.NewHosting(geo.Config{HostingASNs: []string{"AS64500"}})
	if err != nil {
		t.Fatal(err)
	}
	deps.Hosting = hosting
	c, err := New(cfg, deps)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// parseMessage fills Input.Headers, Raw and From from a message in CRLF
// or LF form.
func parseMessage(raw string) Input {
	raw = strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\n", "\r\n")
	in := Input{Raw: []byte(raw)}
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(in.Headers) > 0 {
			in.Headers[len(in.Headers)-1].Value += "\r\n" + line
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		in.Headers = append(in.Headers, Header{Name: name, Value: strings.TrimSpace(value)})
		if strings.EqualFold(name, "From") {
			in.From = strings.TrimSpace(value)
		}
	}
	return in
}

// signal returns the signal named name, and false when it was not raised.
func signal(a Assessment, name string) (policy.Signal, bool) {
	for _, s := range a.Signals {
		if s.Name == name {
			return s, true
		}
	}
	return policy.Signal{}, false
}

func signalNames(a Assessment) []string {
	var out []string
	for _, s := range a.Signals {
		out = append(out, s.Name)
	}
	return out
}

// matureHistory returns a fake history that learnt 600 messages from a
// German correspondent, one every 8 hours from 212 days ago, then one
// outbound message to partner@example.net and its reply: 203 days carry
// mail.
func matureHistory(t testing.TB) *fakeHistory {
	t.Helper()
	h := newFakeHistory()
	ctx := context.Background()
	start := testNow.AddDate(0, 0, -212)
	for i := 0; i < 600; i++ {
		obs := store.Observation{
			Time: start.Add(time.Duration(i) * 8 * time.Hour), Direction: store.Inbound,
			SenderAddress: "anna@example.de", SenderDomain: "example.de", DisplayName: "Anna Example",
			LinkDomains: []string{"example.de"}, OriginCountry: "DE", OriginASN: "AS64498",
		}
		if err := h.Learn(ctx, obs); err != nil {
			t.Fatal(err)
		}
	}
	h.Learn(ctx, store.Observation{
		Time: testNow.AddDate(0, 0, -10), Direction: store.Outbound,
		SenderAddress: "staff@org.example", SenderDomain: "org.example", LocalAccount: "staff",
		Recipients: []string{"partner@example.net"}, OriginCountry: "DE",
	})
	h.Learn(ctx, store.Observation{
		Time: testNow.AddDate(0, 0, -5), Direction: store.Inbound,
		SenderAddress: "partner@example.net", SenderDomain: "example.net", DisplayName: "Pat Partner",
	})
	return h
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
