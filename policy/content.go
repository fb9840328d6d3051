package policy

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/holdfast/holdfast/scanner"
)

// Input is everything Decide judges for one message.
type Input struct {
	// Report is the scanner's report; nil means the content was not scanned.
	Report *scanner.Report
	// Sender holds signals already raised by the sender checks.
	Sender []Signal
	// Truncated reports that the message exceeded the size cap and only
	// ScannedBytes of its Size bytes were scanned.
	Truncated    bool
	Size         int64
	ScannedBytes int64
	// Limits describes other caps the message hit before it was scanned,
	// such as the MTA session's header caps, one "key: observed > limit"
	// each.
	Limits []string
}

// maxEvidenceItems caps how many items one signal's evidence lists: enough
// for a person to see the pattern, short enough for a header line.
const maxEvidenceItems = 3

// contentSignals derives the content signals from the report. Each signal
// is raised at most once per message, with its evidence listing up to
// maxEvidenceItems occurrences.
func contentSignals(in Input) []Signal {
	var out []Signal
	if in.Truncated {
		out = append(out, Signal{Name: MessageTooLarge,
			Evidence: fmt.Sprintf("message size %d > limit %d; first %d bytes scanned", in.Size, in.ScannedBytes, in.ScannedBytes)})
	}
	ev := evidence{}
	for _, l := range in.Limits {
		ev.add(LimitReached, "%s", l)
	}
	if r := in.Report; r != nil {
		linkSignals(r, ev)
		attachmentSignals(r, ev)
		htmlSignals(r, ev)
		anomalySignals(r, ev)
		qrSignals(r, ev)
	}
	for _, def := range Signals {
		if items, ok := ev[def.Name]; ok {
			out = append(out, Signal{Name: def.Name, Evidence: items.String()})
		}
	}
	return out
}

// evidence collects occurrences per signal name.
type evidence map[string]*evidenceList

type evidenceList struct {
	items []string
	total int
}

func (e evidence) add(name, format string, args ...any) {
	l := e[name]
	if l == nil {
		l = &evidenceList{}
		e[name] = l
	}
	l.total++
	if len(l.items) < maxEvidenceItems {
		l.items = append(l.items, fmt.Sprintf(format, args...))
	}
}

func (l *evidenceList) String() string {
	s := strings.Join(l.items, "; ")
	if l.total > len(l.items) {
		s += fmt.Sprintf("; and %d more", l.total-len(l.items))
	}
	return s
}

// displayedDomainPattern finds a domain-looking token in an anchor's visible text.
var displayedDomainPattern = regexp.MustCompile(`(?i)(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})\b`)

func linkSignals(r *scanner.Report, ev evidence) {
	for _, l := range r.Links {
		if l.Via == "href" && l.Text != "" {
			if shown := displayedDomain(l.Text); shown != "" && l.Domain != "" && shown != l.Domain {
				ev.add(LinkTextMismatch, "text shows %s, link goes to %s (%s)", defang(shown), defang(l.Domain), l.Source)
			}
		}
		if host := linkHost(l); host != "" && net.ParseIP(strings.Trim(host, "[]")) != nil {
			ev.add(LinkIPHost, "%s (%s)", defang(l.URL), l.Source)
		}
		if u, err := url.Parse(l.URL); err == nil && u.User != nil && (u.Scheme == "http" || u.Scheme == "https") {
			ev.add(LinkUserinfo, "%s shows %q before the host %s (%s)", defang(l.URL), u.User.Username(), defang(u.Hostname()), l.Source)
		}
	}
}

// displayedDomain returns the registrable domain a link's text shows, or
// "" when the text shows none.
func displayedDomain(text string) string {
	m := displayedDomainPattern.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	host := strings.ToLower(m[1])
	if _, icann := publicsuffix.PublicSuffix(host); !icann {
		return ""
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return ""
	}
	return d
}

func linkHost(l scanner.Link) string {
	if l.Host != "" {
		return l.Host
	}
	if u, err := url.Parse(l.URL); err == nil {
		return u.Hostname()
	}
	return ""
}

func attachmentSignals(r *scanner.Report, ev evidence) {
	for _, a := range r.Attachments {
		names := append([]string{a.Filename}, a.Names...)
		if executableKind(a.Sniffed) || anyName(names, scanner.IsExecutableName) {
			ev.add(ExecutableAttachment, "%q is %s (%s)", a.Filename, kindWords(a), a.Source)
		}
		for _, n := range names {
			if decoy, ok := scanner.DoubleExtension(n); ok {
				ev.add(DoubleExtension, "%q hides an executable behind %s (%s)", n, decoy, a.Source)
				break
			}
		}
		if a.Sniffed == scanner.KindHTML || anyName(names, scanner.IsHTMLName) {
			ev.add(HTMLAttachment, "%q (%s)", a.Filename, a.Source)
		}
	}
}

func executableKind(k scanner.Kind) bool {
	return k == scanner.KindPE || k == scanner.KindELF || k == scanner.KindMachO
}

func kindWords(a scanner.Attachment) string {
	if executableKind(a.Sniffed) {
		return "an executable (" + string(a.Sniffed) + " bytes)"
	}
	return "named to run on a double click"
}

func anyName(names []string, pred func(string) bool) bool {
	for _, n := range names {
		if n != "" && pred(n) {
			return true
		}
	}
	return false
}

func htmlSignals(r *scanner.Report, ev evidence) {
	for _, f := range r.Forms {
		if f.HasPassword {
			ev.add(CredentialForm, "password form posting to %s (%s)", defang(orSelf(f.Action)), f.Source)
		}
	}
	for _, l := range r.Redirects {
		switch l.Via {
		case "meta-refresh":
			ev.add(MetaRefresh, "refresh to %s (%s)", defang(l.URL), l.Source)
		default:
			ev.add(ScriptRedirect, "script sends the reader to %s (%s)", defang(l.URL), l.Source)
		}
	}
}

func orSelf(action string) string {
	if action == "" {
		return "the page itself"
	}
	return action
}

// limitAnomaly matches the anomaly names that report a resource limit.
var limitAnomaly = regexp.MustCompile(`(LIMIT|TOO_|_DEPTH|_PARTS|TIMEOUT|OVERSIZE|BOMB|TRUNCATED)`)

// anomalySignal maps anomaly names from the scanner to the signal each
// raises. An empty signal means the anomaly is recorded but not scored:
// the feature is common in legitimate files.
var anomalySignal = map[string]string{
	scanner.AnomalyTypeMismatch:     AttachmentTypeMismatch,
	scanner.AnomalyArchiveUnscanned: UnscannedContent,
	scanner.AnomalyLegacyOffice:     UnscannedContent,
	"OOXML_MACROS":                  OfficeMacros,
	"OOXML_MACRO_MISMATCH":          OfficeMacroDisguised,
	"OOXML_REMOTE_TEMPLATE":         OfficeRemoteTemplate,
	"OOXML_DDE_FIELD":               OfficeDDE,
	"OOXML_OLE_OBJECT":              OfficeEmbeddedObject,
	"OOXML_ACTIVEX":                 OfficeEmbeddedObject,
	"OOXML_EXTERNAL_IMAGE":          "",
	"PDF_JAVASCRIPT":                PDFJavaScript,
	"PDF_LAUNCH_ACTION":             PDFLaunch,
	"PDF_EMBEDDED_FILE":             PDFEmbeddedFile,
	"PDF_AUTO_ACTION":               "",
	"PDF_ENCRYPTED":                 EncryptedAttachment,
	"ZIP_ENCRYPTED":                 EncryptedAttachment,
	"ZIP_UNSAFE_NAME":               ArchivePathTraversal,
	scanner.AnomalyTarUnsafeName:    ArchivePathTraversal,
	scanner.AnomalyFileDepth:        NestingTooDeep,
	scanner.AnomalyRTFObject:        OfficeEmbeddedObject,
	"ZIP_PREPENDED_DATA":            PolyglotFile,
	"IMAGE_UNSCANNED":               UnscannedContent,
	"IMAGE_UNREADABLE":              UnscannedContent,
	"PDF_IMAGE_UNSCANNED":           UnscannedContent,
	"QR_BUDGET_EXCEEDED":            UnscannedContent,
	"QR_FINDER_CANDIDATES":          UnscannedContent,
	"IMAGE_CMYK_AMBIGUOUS":          "",
}

func anomalySignals(r *scanner.Report, ev evidence) {
	for _, a := range r.Anomalies {
		name, mapped := anomalySignal[a.Name]
		switch {
		case mapped && name == "":
		case mapped:
			ev.add(name, "%s (%s)", a.Detail, a.Source)
		case limitAnomaly.MatchString(a.Name):
			ev.add(LimitReached, "%s: %s", a.Name, a.Detail)
		default:
			ev.add(ParseAnomaly, "%s: %s", a.Name, a.Detail)
		}
	}
}

// qrSignals raises a signal for every QR code that carries a link, and
// another for codes drawn without an image.
func qrSignals(r *scanner.Report, ev evidence) {
	for _, l := range r.Links {
		if l.Via == "qr" {
			ev.add(QRCodeLink, "%s (%s)", defang(l.URL), l.Source)
		}
	}
	for _, q := range r.QRCodes {
		if strings.Contains(q.Source, "html grid qr") || strings.Contains(q.Source, "block character qr") {
			ev.add(QRCodeDrawn, "%q (%s)", cutEvidence(q.Text), q.Source)
		}
	}
}

// maxEvidenceText is how much of a decoded text one evidence item quotes.
const maxEvidenceText = 120

func cutEvidence(s string) string {
	if len(s) > maxEvidenceText {
		return s[:maxEvidenceText] + "…"
	}
	return s
}

// defang makes a URL or domain unclickable in mail clients and review
// pages: "https://evil.example" becomes "hxxps://evil[.]example".
func defang(s string) string {
	if strings.HasPrefix(s, "http") {
		s = "hxxp" + s[len("http"):]
	}
	return strings.ReplaceAll(s, ".", "[.]")
}
