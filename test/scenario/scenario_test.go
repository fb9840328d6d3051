// Package scenario replays, through `holdfast learn` and `holdfast serve`,
// the attack holdfast exists for: a campaign from a real foreign company
// domain whose SPF passes for its own servers, sent by accounts that
// logged in from another country, with a DOCX whose QR code points at a
// domain the organisation never saw. The organisation's ordinary mail, in
// several languages and with attachments, must still be accepted.
//
// Every address, DNS record and country is the test's own: a DNS server
// on 127.0.0.1 answers for the scenario's domains, and [[geo.networks]]
// places its documentation-range addresses in countries.
package scenario

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/sender/dnstest"
	"github.com/holdfast/holdfast/test/harness"
)

func TestCampaignHeldOrdinaryMailAccepted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs holdfast; skipped with -short")
	}
	dns := dnstest.Start(t, zone())
	dir := t.TempDir()
	addr := harness.FreePort(t)
	cfg := harness.WriteFile(t, dir, "holdfast.toml", fmt.Sprintf(`[milter]
listen = "inet:%s"
[org]
local_domains = [%q]
[store]
dsn = %q
[dns]
servers = [%q]
[web]
listen = ""
[log]
format = "json"
%s`, addr, orgDomain, filepath.Join(dir, "history.db"), dns.Addr, geoNetworks()))

	bin := harness.Build(t)
	now := time.Now()
	mbox := harness.WriteFile(t, dir, "history.mbox", string(history(now)))
	out := harness.Run(t, bin, "learn", "--config", cfg, mbox)
	if !strings.Contains(out, "learnt 600 messages (300 inbound, 300 outbound)") {
		t.Fatalf("learn output = %q, want 600 messages, half of them outbound", out)
	}

	srv := harness.Serve(t, bin, cfg, addr)

	t.Run("campaign is held", func(t *testing.T) {
		senders := []string{"m.weber", "s.klein", "t.braun"}
		for i := 0; i < 12; i++ {
			from := senders[i%len(senders)] + "@" + campaignDomain
			rcpt := orgUsers[i] + "@" + orgDomain
			url := fmt.Sprintf("https://%s/view?doc=%d", campaignQRHost, 1000+i)
			raw := message("Hanse Logistik <"+from+">", rcpt, "Lieferavis / shipping notice", now.Format(time.RFC1123Z),
				"Bitte scannen Sie den Code im Dokument. Please scan the code in the document.",
				map[string][]byte{"Lieferavis.docx": docx("Lieferavis", url)},
				"Received: from [198.51.100.23] by mail."+campaignDomain+" with ESMTPSA; "+now.Format(time.RFC1123Z),
				"X-Originating-IP: ["+campaignLogin+"]")
			res, err := harness.Send(srv.Addr, harness.Envelope{
				ClientIP: campaignServer, Helo: "mail." + campaignDomain, MailFrom: from, Rcpts: []string{rcpt},
			}, raw)
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			if res.Action != "hold" {
				t.Errorf("campaign message %d to %s: action %q, want hold; headers %v", i, rcpt, res.Action, res.Headers)
			}
			signals := res.Header("X-Holdfast-Signals")
			for _, want := range []string{"SPF_PASS", "SPF_PASS_ORIGIN_ABROAD", "QR_LINK_DOMAIN_NEW", "SENDER_FIRST_CONTACT"} {
				if !hasSignal(signals, want) {
					t.Errorf("campaign message %d: signals %q lack %s", i, signals, want)
				}
			}
		}
	})

	t.Run("known correspondents are accepted", func(t *testing.T) {
		for i, c := range correspondents {
			rcpt := orgUsers[i] + "@" + orgDomain
			raw := message(fmt.Sprintf("%s <%s>", c.name, c.address), rcpt, c.subject, now.Format(time.RFC1123Z), c.body,
				map[string][]byte{"beleg.pdf": fakePDF(c.subject), "notiz.docx": docx(c.subject, "")})
			res, err := harness.Send(srv.Addr, harness.Envelope{
				ClientIP: c.serverIP, Helo: "mx." + c.linkHost, MailFrom: c.address, Rcpts: []string{rcpt},
			}, raw)
			if err != nil {
				t.Fatalf("%s: %v", c.address, err)
			}
			if v := res.Header("X-Holdfast-Verdict"); res.Action != "accept" || v != "accept" {
				t.Errorf("%s: action %q verdict %q, want accept; signals %q reasons %q",
					c.address, res.Action, v, res.Header("X-Holdfast-Signals"), res.Headers["X-Holdfast-Reason"])
			}
			if signals := res.Header("X-Holdfast-Signals"); !hasSignal(signals, "KNOWN_CORRESPONDENT") {
				t.Errorf("%s: signals %q lack KNOWN_CORRESPONDENT", c.address, signals)
			}
		}
	})

	t.Run("first contact without links is accepted", func(t *testing.T) {
		raw := message("Neukunde GmbH <"+newcomerAddress+">", "alice@"+orgDomain, "Anfrage zu Ihren Produkten",
			now.Format(time.RFC1123Z), "Guten Tag, wir interessieren uns für Ihre Produkte. Mit freundlichen Grüßen", nil)
		res, err := harness.Send(srv.Addr, harness.Envelope{
			ClientIP: newcomerServer, Helo: "mail.neukunde.de", MailFrom: newcomerAddress, Rcpts: []string{"alice@" + orgDomain},
		}, raw)
		if err != nil {
			t.Fatal(err)
		}
		if v := res.Header("X-Holdfast-Verdict"); res.Action != "accept" || v != "accept" {
			t.Errorf("newcomer: action %q verdict %q, want accept; signals %q reasons %q",
				res.Action, v, res.Header("X-Holdfast-Signals"), res.Headers["X-Holdfast-Reason"])
		}
		if signals := res.Header("X-Holdfast-Signals"); !hasSignal(signals, "SPF_PASS") || !hasSignal(signals, "SENDER_FIRST_CONTACT") {
			t.Errorf("newcomer: signals %q, want SPF_PASS and SENDER_FIRST_CONTACT", signals)
		}
	})

	t.Run("campaign members are in the quarantine", func(t *testing.T) {
		var list struct {
			Total   int `json:"total"`
			Entries []struct {
				ID       int64    `json:"id"`
				MailFrom string   `json:"mail_from"`
				Rcpts    []string `json:"rcpts"`
				Origin   struct {
					LoginCountry  string `json:"login_country"`
					ClientCountry string `json:"client_country"`
				} `json:"origin"`
				QRCodes []struct {
					Text string `json:"text"`
				} `json:"qr_codes"`
			} `json:"entries"`
		}
		out := harness.Run(t, bin, "quarantine", "list", "--config", cfg, "--json")
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("quarantine list --json: %v\n%s", err, out)
		}
		if list.Total != 12 {
			t.Fatalf("quarantine holds %d entries, want the 12 campaign messages", list.Total)
		}
		e := list.Entries[0]
		if e.Origin.LoginCountry != "NG" || e.Origin.ClientCountry != "DE" {
			t.Errorf("entry %d origin = %+v, want login NG and client DE", e.ID, e.Origin)
		}
		if len(e.QRCodes) != 1 || !strings.Contains(e.QRCodes[0].Text, campaignQRHost) {
			t.Errorf("entry %d QR codes = %+v, want one pointing at %s", e.ID, e.QRCodes, campaignQRHost)
		}

		// Staff mark one member as phishing: its sender's next message is
		// held even without a QR code.
		harness.Run(t, bin, "quarantine", "mark-phish", "--config", cfg, strconv.FormatInt(e.ID, 10))
		from := e.MailFrom
		raw := message("Hanse Logistik <"+from+">", "alice@"+orgDomain, "Erinnerung", now.Format(time.RFC1123Z),
			"Haben Sie das Dokument gesehen?", nil)
		res, err := harness.Send(srv.Addr, harness.Envelope{
			ClientIP: campaignServer, Helo: "mail." + campaignDomain, MailFrom: from, Rcpts: []string{"alice@" + orgDomain},
		}, raw)
		if err != nil {
			t.Fatal(err)
		}
		if signals := res.Header("X-Holdfast-Signals"); !hasSignal(signals, "BLOCKLISTED") || res.Action != "hold" {
			t.Errorf("after mark-phish: action %q signals %q, want hold with BLOCKLISTED", res.Action, signals)
		}
	})

	if t.Failed() {
		t.Logf("holdfast serve log:\n%s", srv.Log())
	}
}

func hasSignal(list, name string) bool {
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == name {
			return true
		}
	}
	return false
}
