package scenario

import (
	"bytes"
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

// Networks of the cross-message scenarios, placed by [[geo.networks]].
const (
	officeNetwork  = "192.0.2.96/28" // the organisation's office, DE
	officeClient   = "192.0.2.100"
	hostingNetwork = "203.0.113.128/26" // a rented server abroad
	hostingClient  = "203.0.113.140"
	// waveNetwork is where the campaign's new senders send from, in
	// their own country, with SPF passing.
	waveNetwork = "198.51.100.0/25"
	waveServer  = "198.51.100.44"
	waveQRHost  = "parcel-track.delivery-check.top"
)

// waveDomains are the campaign's new senders: several unrelated domains.
var waveDomains = []string{"kurier-nord.de", "paket-sued.de", "versand-ost.de", "logistik-west.de",
	"spedition-mitte.de", "fracht-rhein.de"}

// crossConfig writes the config shared by the cross-message tests. The
// site weighs a new QR domain low (1.5 instead of 4), so a single wave
// message is only tagged and the campaign signal is what holds it.
func crossConfig(t *testing.T, dir, addr, dnsAddr string) string {
	nets := geoNetworks()
	add := func(prefix, country, asn, org string) {
		nets += fmt.Sprintf("[[geo.networks]]\nprefix = %q\ncountry = %q\nasn = %q\norg = %q\n\n", prefix, country, asn, org)
	}
	add(officeNetwork, "DE", "AS64510", "Acme Office Network")
	add(hostingNetwork, "SG", "AS64511", "Example Hosting VPS Pte")
	add(waveNetwork, "DE", "AS64512", "Example Telekom DE")
	return harness.WriteFile(t, dir, "holdfast.toml", fmt.Sprintf(`[milter]
listen = "inet:%s"
[org]
local_domains = [%q]
[store]
dsn = %q
[dns]
servers = [%q]
[web]
listen = ""
[policy.weights]
QR_LINK_DOMAIN_NEW = 1.5
[log]
format = "json"
[geo]
hosting_org_patterns = ["hosting vps"]
%s`, addr, orgDomain, filepath.Join(dir, "history.db"), dnsAddr, nets))
}

func crossZone() map[string][]string {
	z := zone()
	for _, d := range waveDomains {
		z[d+"."] = []string{fmt.Sprintf(`TXT "v=spf1 ip4:%s -all"`, waveNetwork)}
	}
	return z
}

func TestCampaignHeldFromThreshold(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs holdfast; skipped with -short")
	}
	dns := dnstest.Start(t, crossZone())
	dir := t.TempDir()
	addr := harness.FreePort(t)
	cfg := crossConfig(t, dir, addr, dns.Addr)
	bin := harness.Build(t)
	now := time.Now()
	harness.Run(t, bin, "learn", "--config", cfg, harness.WriteFile(t, dir, "history.mbox", string(history(now))))
	srv := harness.Serve(t, bin, cfg, addr)

	// 36 wave messages from 6 new senders to 36 recipients, with one
	// ordinary message from a known correspondent after every third.
	const wave = 36
	held := make([]bool, wave)
	for i := 0; i < wave; i++ {
		domain := waveDomains[i%len(waveDomains)]
		from := "versand@" + domain
		rcpt := fmt.Sprintf("staff%02d@%s", i, orgDomain)
		url := fmt.Sprintf("https://%s/t/%d", waveQRHost, 5000+i)
		raw := message("Paketdienst <"+from+">", rcpt, "Ihre Sendung wartet", now.Format(time.RFC1123Z),
			"Scannen Sie den Code, um die Zustellung zu bestätigen.",
			map[string][]byte{"Sendung.docx": docx("Sendung", url)})
		res, err := harness.Send(srv.Addr, harness.Envelope{
			ClientIP: waveServer, Helo: "mail." + domain, MailFrom: from, Rcpts: []string{rcpt},
		}, raw)
		if err != nil {
			t.Fatalf("wave message %d: %v", i, err)
		}
		held[i] = res.Action == "hold"
		campaign := hasSignal(res.Header("X-Holdfast-Signals"), "CAMPAIGN")
		// The default thresholds are 10 recipients from 3 new senders:
		// the tenth message crosses them.
		if i < 9 && (held[i] || campaign) {
			t.Errorf("wave message %d: action %q signals %q, want no hold and no CAMPAIGN before the threshold",
				i, res.Action, res.Header("X-Holdfast-Signals"))
		}
		if i >= 9 && (!held[i] || !campaign) {
			t.Errorf("wave message %d: action %q signals %q, want hold with CAMPAIGN from the threshold on",
				i, res.Action, res.Header("X-Holdfast-Signals"))
		}

		if i%3 == 2 {
			c := correspondents[(i/3)%len(correspondents)]
			raw := message(fmt.Sprintf("%s <%s>", c.name, c.address), rcpt, c.subject, now.Format(time.RFC1123Z), c.body,
				map[string][]byte{"beleg.pdf": fakePDF(c.subject)})
			res, err := harness.Send(srv.Addr, harness.Envelope{
				ClientIP: c.serverIP, Helo: "mx." + c.linkHost, MailFrom: c.address, Rcpts: []string{rcpt},
			}, raw)
			if err != nil {
				t.Fatal(err)
			}
			if res.Action == "hold" || hasSignal(res.Header("X-Holdfast-Signals"), "CAMPAIGN") {
				t.Errorf("ordinary mail from %s: action %q signals %q, want neither hold nor CAMPAIGN",
					c.address, res.Action, res.Header("X-Holdfast-Signals"))
			}
		}
	}

	// The QR-target campaign lists all 36 members, the early accepted
	// ones with their verdict at the time.
	var campaigns []struct {
		ID      int64  `json:"id"`
		Kind    string `json:"kind"`
		Value   string `json:"value"`
		Members int64  `json:"members"`
	}
	out := harness.Run(t, bin, "campaign", "list", "--config", cfg, "--json")
	if err := json.Unmarshal([]byte(out), &campaigns); err != nil {
		t.Fatalf("campaign list --json: %v\n%s", err, out)
	}
	var qrCampaign int64
	for _, c := range campaigns {
		if strings.Contains(c.Value, "delivery-check.top") {
			qrCampaign = c.ID
			if c.Members != wave {
				t.Errorf("campaign %s:%s has %d members, want %d", c.Kind, c.Value, c.Members, wave)
			}
		}
	}
	if qrCampaign == 0 {
		t.Fatalf("campaigns = %+v, want one keyed on the QR target domain", campaigns)
	}
	var show struct {
		Messages []struct {
			Verdict string
			EntryID int64
		} `json:"messages"`
	}
	out = harness.Run(t, bin, "campaign", "show", "--config", cfg, "--json", strconv.FormatInt(qrCampaign, 10))
	if err := json.Unmarshal([]byte(out), &show); err != nil {
		t.Fatalf("campaign show --json: %v\n%s", err, out)
	}
	if len(show.Messages) != wave {
		t.Fatalf("campaign show lists %d members, want %d", len(show.Messages), wave)
	}
	for i, m := range show.Messages {
		wantHeld := i >= 9
		if (m.EntryID != 0) != wantHeld || (m.Verdict == "hold") != wantHeld {
			t.Errorf("member %d: verdict %q entry %d, want held=%v", i, m.Verdict, m.EntryID, wantHeld)
		}
	}

	// Releasing the campaign acts on every held member. No Postfix runs
	// here, so each release fails at the MTA step; the command must report
	// every entry rather than stop at the first failure.
	cmdOut := runAllowFail(t, bin, "campaign", "release", "--config", cfg, strconv.FormatInt(qrCampaign, 10))
	reported := 0
	for _, line := range strings.Split(cmdOut, "\n") {
		if strings.HasPrefix(line, "entry ") {
			reported++
		}
	}
	if got := reported; got != wave-9 {
		t.Errorf("campaign release reported %d entries, want %d:\n%s", got, wave-9, cmdOut)
	}

	if t.Failed() {
		t.Logf("holdfast serve log:\n%s", srv.Log())
	}
}

// outboundHistory writes 21 days of three accounts' ordinary outbound mail
// from the office, each to its usual correspondents, as an mbox.
func outboundHistory(now time.Time, accounts []string) []byte {
	var b bytes.Buffer
	for d := 21; d > 0; d-- {
		for i, acct := range accounts {
			for k := 0; k < 4; k++ {
				c := correspondents[(i+k)%len(correspondents)]
				date := now.Add(-time.Duration(d)*24*time.Hour + time.Duration(k)*time.Hour)
				from := acct + "@" + orgDomain
				raw := message(from, c.address, "Re: "+c.subject, date.Format(time.RFC1123Z), "Danke, erledigt.", nil,
					fmt.Sprintf("Received: from [%s] by mx.%s with ESMTPSA id %d; %s", officeClient, orgDomain, d*10+k,
						date.Format(time.RFC1123Z)))
				fmt.Fprintf(&b, "From %s %s\n", from, date.Format(time.ANSIC))
				b.Write(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")))
				b.WriteString("\n")
			}
		}
	}
	return b.Bytes()
}

func TestCompromisedAccountBurstHeld(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs holdfast; skipped with -short")
	}
	dns := dnstest.Start(t, crossZone())
	dir := t.TempDir()
	addr := harness.FreePort(t)
	cfg := crossConfig(t, dir, addr, dns.Addr)
	bin := harness.Build(t)
	now := time.Now()
	accounts := []string{"alice", "bob", "carol"}
	out := harness.Run(t, bin, "learn", "--config", cfg,
		harness.WriteFile(t, dir, "outbound.mbox", string(outboundHistory(now, accounts))))
	if !strings.Contains(out, "252 outbound") {
		t.Fatalf("learn output = %q, want 252 outbound messages", out)
	}
	srv := harness.Serve(t, bin, cfg, addr)

	// Alice's account logs in from a rented server abroad and sends a
	// hundred messages with an HTML attachment to people nobody at the
	// organisation wrote to; bob and carol go on as usual from the office.
	heldBurst := 0
	for i := 0; i < 100; i++ {
		rcpt := fmt.Sprintf("target%03d@victims-%d.example", i, i%7)
		raw := message("Alice <alice@"+orgDomain+">", rcpt, "Invoice", now.Format(time.RFC1123Z), "Please see the invoice.",
			map[string][]byte{"invoice.html": []byte(`<html><body><p>Your invoice is ready.</p>` +
				`<a href="https://docs-share.example/inv">Open the invoice</a></body></html>`)})
		res, err := harness.Send(srv.Addr, harness.Envelope{
			ClientIP: hostingClient, Helo: "vps", MailFrom: "alice@" + orgDomain, Rcpts: []string{rcpt}, AuthUser: "alice@" + orgDomain,
		}, raw)
		if err != nil {
			t.Fatalf("burst message %d: %v", i, err)
		}
		if res.Action == "hold" {
			heldBurst++
		}
		if i == 0 && res.Action == "hold" {
			t.Errorf("first burst message held with signals %q: one message from a new place should only be tagged",
				res.Header("X-Holdfast-Signals"))
		}

		if i%10 == 0 {
			for k, acct := range accounts[1:] {
				c := correspondents[(i/10+k)%len(correspondents)]
				from := acct + "@" + orgDomain
				raw := message(from, c.address, "Re: "+c.subject, now.Format(time.RFC1123Z), "Danke, erledigt.", nil)
				res, err := harness.Send(srv.Addr, harness.Envelope{
					ClientIP: officeClient, Helo: "pc-" + acct, MailFrom: from, Rcpts: []string{c.address}, AuthUser: from,
				}, raw)
				if err != nil {
					t.Fatal(err)
				}
				if res.Action == "hold" {
					t.Errorf("%s's ordinary message %d: held with signals %q, want accepted",
						acct, i, res.Header("X-Holdfast-Signals"))
				}
			}
		}
	}
	if heldBurst < 80 {
		t.Errorf("held %d of 100 burst messages, want most of them (at least 80)", heldBurst)
	}
	t.Logf("held %d of 100 burst messages", heldBurst)
	if t.Failed() {
		t.Logf("holdfast serve log:\n%s", lastLines(srv.Log(), 40))
	}
}

// runAllowFail runs holdfast and returns its combined output whatever its
// exit status.
func runAllowFail(t *testing.T, bin string, args ...string) string {
	t.Helper()
	return harness.RunAllowFail(t, bin, args...)
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
