package web

import (
	"image"
	"time"

	"github.com/holdfast/holdfast/quarantine"
)

// Payloads that would run script, change the title or load a remote image
// if any of them reached the page as markup. 198.51.100.7 is a
// documentation address (RFC 5737): a request to it must never be made.
const (
	payloadScript  = `<script>document.title='pwned';window.__pwned='script'</script>`
	payloadOnerror = `<img src=x onerror="window.__pwned='onerror';document.title='pwned'">`
	payloadRemote  = `<img src="http://198.51.100.7/track.png">`
)

// hostileEntry is a held message whose every displayed field carries the
// payloads.
func hostileEntry(at time.Time) (quarantine.Entry, string) {
	e := quarantine.Entry{
		QueueID:    "4XyZ1" + payloadScript,
		MessageID:  "<" + payloadOnerror + "@evil.example>",
		ReceivedAt: at,
		ClientIP:   "203.0.113.7",
		Helo:       payloadRemote,
		MailFrom:   "billing@evil.example",
		Rcpts:      []string{"victim@example.test"},
		Subject:    "Invoice " + payloadScript + payloadOnerror,
		From:       `"` + payloadOnerror + `" <billing@evil.example>`,
		Verdict:    "hold",
		Score:      12.5,
		Signals: []quarantine.Signal{
			{Name: "HTML_ATTACHMENT", Score: 4, Evidence: "file " + payloadOnerror + ".html " + payloadRemote},
			{Name: "LINK_IP_HOST", Score: 3, Evidence: "link http://198.51.100.7/track.png " + payloadScript},
		},
		Links: []quarantine.Link{
			{URL: "http://198.51.100.7/track.png", Domain: "198.51.100.7", Via: "html", Source: "body"},
			{URL: "javascript:window.__pwned='link'", Domain: "", Via: "html", Source: payloadScript},
		},
		Attachments: []quarantine.Attachment{{
			Filename:    payloadOnerror + ".html",
			ContentType: "text/html",
			Sniffed:     "text/html",
			Size:        612,
			SHA256:      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			Source:      "part 2",
		}},
		Origin:   quarantine.Origin{ClientIP: "203.0.113.7", ClientCountry: "CN"},
		Campaign: "camp-" + payloadScript,
	}
	raw := "From: \"Billing\" <billing@evil.example>\r\n" +
		"To: victim@example.test\r\n" +
		"Subject: Invoice " + payloadScript + "\r\n" +
		"X-Track: " + payloadRemote + "\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b1\r\n" +
		"\r\n" +
		"--b1\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n" +
		"\r\n" +
		"<html><body><p>Pay now</p>" + payloadScript + payloadOnerror + payloadRemote +
		"<a href=\"https://evil.example/pay\">pay</a></body></html>\r\n" +
		"--b1\r\n" +
		"Content-Type: text/html; name=\"a.html\"\r\n" +
		"Content-Disposition: attachment; filename=\"a.html\"\r\n" +
		"\r\n" +
		payloadScript + "\r\n" +
		"--b1--\r\n"
	return e, raw
}

// qrPhishEntry is a held QR-code phishing message, the kind the detail
// page screenshot shows: a real sender domain whose login came from
// abroad, and a QR code in a DOCX pointing to a domain never seen before.
func qrPhishEntry(at time.Time) (quarantine.Entry, string) {
	e := quarantine.Entry{
		QueueID:    "4Qm7Lz0Hc9",
		MessageID:  "<20260311.8812@fastflavor-shack.cn>",
		ReceivedAt: at,
		ClientIP:   "203.0.113.7",
		Helo:       "mail.fastflavor-shack.cn",
		MailFrom:   "hr@fastflavor-shack.cn",
		Rcpts:      []string{"anna.berg@example.test"},
		Subject:    "Action required: new salary statement 通知文件",
		From:       "HR Department <hr@fastflavor-shack.cn>",
		Verdict:    "hold",
		Score:      14.5,
		Signals: []quarantine.Signal{
			{Name: "QR_LINK_DOMAIN_NEW", Score: 4,
				Evidence: "QR code in 通知文件.docx (word/media/image1.png) → https://sssafjeuihiolsw.bond/pay"},
			{Name: "SPF_PASS_ORIGIN_ABROAD", Score: 3.5,
				Evidence: "SPF pass for 203.0.113.7 (CN); client logged in from 198.51.100.9 (SG) per X-Originating-IP"},
			{Name: "SENDER_FIRST_CONTACT", Score: 3,
				Evidence: "no mail from fastflavor-shack[.]cn in 212 days of history"},
			{Name: "CAMPAIGN_BURST", Score: 4,
				Evidence: "27 near-identical messages to 27 recipients from 4 new senders in 3 hours"},
		},
		Links: []quarantine.Link{{
			URL: "https://sssafjeuihiolsw.bond/pay", Domain: "sssafjeuihiolsw.bond",
			Via: "qr", Source: "通知文件.docx › word/media/image1.png", New: true,
		}},
		QRCodes: []quarantine.QRCode{{
			Text:   "https://sssafjeuihiolsw.bond/pay",
			Source: "通知文件.docx › word/media/image1.png",
			Region: image.Rect(40, 40, 360, 360),
		}},
		Attachments: []quarantine.Attachment{{
			Filename:    "通知文件.docx",
			ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			Sniffed:     "application/zip (OOXML)",
			Size:        48211,
			SHA256:      "3b1f8c0e9d2a7c64f5e1b0a9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39281706f",
			Source:      "part 2",
		}},
		Origin: quarantine.Origin{
			ClientIP: "203.0.113.7", ClientCountry: "CN",
			LoginIP: "198.51.100.9", LoginCountry: "SG", LoginASN: "AS64500",
			LoginOrg: "Example Hosting Pte", LoginSource: "X-Originating-IP",
			DomainCountry: "CN", SPF: "pass", DKIM: "none", DMARC: "none",
		},
		Campaign: "salary-statement-0311",
		Size:     66120,
	}
	raw := "From: HR Department <hr@fastflavor-shack.cn>\r\n" +
		"To: anna.berg@example.test\r\n" +
		"Subject: =?UTF-8?B?QWN0aW9uIHJlcXVpcmVkOiBuZXcgc2FsYXJ5IHN0YXRlbWVudCDpgJrnn6Xmlofku7Y=?=\r\n" +
		"X-Originating-IP: [198.51.100.9]\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"Dear colleague,\r\n\r\nyour new salary statement is in the attached document.\r\n" +
		"Scan the QR code with your phone to confirm your bank details by Friday.\r\n\r\nHR\r\n"
	return e, raw
}
