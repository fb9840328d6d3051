package scenario

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"mime"
	"strings"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// org is the organisation of the scenario: its mail domain and its users.
const orgDomain = "acme.test"

var orgUsers = []string{"alice", "bob", "chen", "olga", "fatima", "dmitri", "ines", "kofi",
	"lena", "marco", "noor", "pavel", "rosa", "sven", "tariq", "yuki"}

// correspondent is a company the organisation writes to and hears from, in
// its own language, from its own mail servers.
type correspondent struct {
	address  string
	name     string
	charset  string
	subject  string
	body     string
	linkHost string
	// network is the prefix of its mail servers, listed in its SPF record.
	network  string
	country  string
	serverIP string
}

var correspondents = []correspondent{
	{"kunde@lieferant.de", "Klaus Müller", "utf-8", "Lieferschein und Rechnung für März",
		"Sehr geehrte Damen und Herren, anbei der Lieferschein. Katalog: https://www.lieferant.de/katalog",
		"www.lieferant.de", "192.0.2.0/28", "DE", "192.0.2.5"},
	{"jean@fournisseur.fr", "Jean Dupont", "utf-8", "Facture n° 2024-118 — échéance",
		"Bonjour, veuillez trouver ci-joint la facture. Détails : https://espace.fournisseur.fr/factures",
		"espace.fournisseur.fr", "192.0.2.16/28", "FR", "192.0.2.20"},
	{"wang@gongying.cn", "王伟", "utf-8", "关于下季度订单的报价单",
		"您好，附件是报价单。详情请见 https://www.gongying.cn/baojia 谢谢。",
		"www.gongying.cn", "192.0.2.32/28", "CN", "192.0.2.40"},
	{"ivan@postavka.ru", "Иван Петров", "utf-8", "Счёт на оплату и акт сверки",
		"Добрый день! Счёт во вложении. Реквизиты: https://lk.postavka.ru/schet",
		"lk.postavka.ru", "192.0.2.48/28", "RU", "192.0.2.50"},
}

// campaign is the attack: a real foreign company domain whose SPF passes
// for its own servers, whose senders logged in from another country, with
// a DOCX carrying a QR code to a domain nobody at the organisation saw.
const (
	campaignDomain   = "hanse-logistik.de"
	campaignNetwork  = "203.0.113.0/26"
	campaignServer   = "203.0.113.9"
	campaignLoginNet = "198.51.100.0/24"
	campaignLogin    = "198.51.100.23"
	campaignQRHost   = "hanse-docs.portal-view.top"
)

// newcomer is a company writing for the first time, plainly and from its
// own country.
const (
	newcomerAddress = "info@neukunde.de"
	newcomerNetwork = "192.0.2.64/28"
	newcomerServer  = "192.0.2.70"
)

// zone returns the DNS records of every domain in the scenario.
func zone() map[string][]string {
	z := map[string][]string{
		campaignDomain + ".": {fmt.Sprintf(`TXT "v=spf1 ip4:%s -all"`, campaignNetwork)},
		"neukunde.de.":       {fmt.Sprintf(`TXT "v=spf1 ip4:%s -all"`, newcomerNetwork)},
	}
	for _, c := range correspondents {
		domain := c.address[strings.IndexByte(c.address, '@')+1:]
		z[domain+"."] = []string{fmt.Sprintf(`TXT "v=spf1 ip4:%s -all"`, c.network)}
	}
	return z
}

// geoNetworks places every network of the scenario in its country, as
// [[geo.networks]] config entries.
func geoNetworks() string {
	var b strings.Builder
	add := func(prefix, country, asn, org string) {
		fmt.Fprintf(&b, "[[geo.networks]]\nprefix = %q\ncountry = %q\nasn = %q\norg = %q\n\n", prefix, country, asn, org)
	}
	for _, c := range correspondents {
		add(c.network, c.country, "AS64501", "Example Carrier "+c.country)
	}
	add(campaignNetwork, "DE", "AS64502", "Example Telekom DE")
	add(campaignLoginNet, "NG", "AS64503", "Example Broadband NG")
	add(newcomerNetwork, "DE", "AS64502", "Example Telekom DE")
	return b.String()
}

// message assembles a MIME message; attachments are name → bytes.
func message(from, to, subject, date, text string, attachments map[string][]byte, extra ...string) []byte {
	var b bytes.Buffer
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%d.%s>\r\nMIME-Version: 1.0\r\n",
		from, to, mime.BEncoding.Encode("utf-8", subject), date, time.Now().UnixNano(), strings.ReplaceAll(from, "@", "."))
	if len(attachments) == 0 {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		b.WriteString(wrap64([]byte(text)))
		return b.Bytes()
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=\"==scenario==\"\r\n\r\n")
	b.WriteString("--==scenario==\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(wrap64([]byte(text)))
	for name, data := range attachments {
		fmt.Fprintf(&b, "--==scenario==\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"+
			"Content-Disposition: attachment; filename=\"%s\"\r\n\r\n", mime.BEncoding.Encode("utf-8", name))
		b.WriteString(wrap64(data))
	}
	b.WriteString("--==scenario==--\r\n")
	return b.Bytes()
}

func wrap64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	return b.String() + enc + "\r\n"
}

// fakePDF is a small PDF-looking attachment with no links.
func fakePDF(title string) []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Title (" + title + ") >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// docx builds a minimal Word document; with a qrURL its only image is a
// QR code of that URL.
func docx(text, qrURL string) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	put := func(name, content string) {
		w, _ := z.Create(name)
		w.Write([]byte(content))
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)
	rels := `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
	if qrURL != "" {
		rels += `<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>`
		w, _ := z.Create("word/media/image1.png")
		w.Write(qrPNG(qrURL))
	}
	put("word/_rels/document.xml.rels", rels+`</Relationships>`)
	put("word/document.xml", `<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>`+text+`</w:t></w:r></w:p></w:body></w:document>`)
	z.Close()
	return buf.Bytes()
}

// qrPNG encodes url as a QR code image.
func qrPNG(url string) []byte {
	m, err := qrcode.NewQRCodeWriter().Encode(url, gozxing.BarcodeFormat_QR_CODE, 240, 240, nil)
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// history writes the organisation's ordinary mail of the last 60 days as
// an mbox: every user writes to and hears from the correspondents, in
// their languages, with attachments and links to the correspondents' own
// sites.
func history(now time.Time) []byte {
	var b bytes.Buffer
	const days, perDay = 60, 10
	n := 0
	for d := days; d > 0; d-- {
		for i := 0; i < perDay; i++ {
			// Each correspondent gets one outbound and one inbound message in
			// turn, so every one of them is a known correspondent.
			c := correspondents[(n/2)%len(correspondents)]
			user := orgUsers[n%len(orgUsers)] + "@" + orgDomain
			date := now.Add(-time.Duration(d)*24*time.Hour + time.Duration(i)*time.Hour).Format(time.RFC1123Z)
			var raw []byte
			if n%2 == 0 {
				raw = message(user, c.address, "Re: "+c.subject, date, "Danke / thanks / 谢谢 / спасибо", nil)
			} else {
				raw = message(fmt.Sprintf("%s <%s>", c.name, c.address), user, c.subject, date, c.body,
					map[string][]byte{"dokument.pdf": fakePDF(c.subject)})
			}
			fmt.Fprintf(&b, "From %s %s\n", c.address, now.Format(time.ANSIC))
			b.Write(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")))
			b.WriteString("\n")
			n++
		}
	}
	return b.Bytes()
}
