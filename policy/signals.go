package policy

// Signal is one named, weighted observation with evidence a person can check.
type Signal struct {
	// Name is a stable identifier from the Signals table.
	Name string `json:"name"`
	// Score is the weight the signal added to the verdict's score.
	Score float64 `json:"score"`
	// Evidence says what was observed, in words and values a person can
	// check against the message.
	Evidence string `json:"evidence"`
	// Scale multiplies the configured weight, for a signal whose strength
	// depends on how much is known (novelty on a young history). Zero
	// means 1; Decide clamps it to [0, 1] otherwise.
	Scale float64 `json:"-"`
}

// Definition documents one signal name: its default weight and what
// triggers it. The README's signal table is generated from Signals.
type Definition struct {
	Name    string
	Weight  float64
	Trigger string
}

// Signal names. Each is documented in Signals.
const (
	LinkTextMismatch       = "LINK_TEXT_MISMATCH"
	CredentialForm         = "CREDENTIAL_FORM"
	HTMLAttachment         = "HTML_ATTACHMENT"
	ExecutableAttachment   = "EXECUTABLE_ATTACHMENT"
	DoubleExtension        = "DOUBLE_EXTENSION"
	AttachmentTypeMismatch = "ATTACHMENT_TYPE_MISMATCH"
	ScriptRedirect         = "SCRIPT_REDIRECT"
	MetaRefresh            = "META_REFRESH"
	LinkIPHost             = "LINK_IP_HOST"
	LinkUserinfo           = "LINK_USERINFO"
	MessageTooLarge        = "MESSAGE_TOO_LARGE"
	LimitReached           = "SCAN_LIMIT_REACHED"
	ParseAnomaly           = "PARSE_ANOMALY"
	QRCodeLink             = "QR_CODE_LINK"
	QRCodeDrawn            = "QR_CODE_DRAWN"
	OfficeMacros           = "OFFICE_MACROS"
	OfficeMacroDisguised   = "OFFICE_MACRO_DISGUISED"
	OfficeRemoteTemplate   = "OFFICE_REMOTE_TEMPLATE"
	OfficeDDE              = "OFFICE_DDE"
	OfficeEmbeddedObject   = "OFFICE_EMBEDDED_OBJECT"
	PDFJavaScript          = "PDF_JAVASCRIPT"
	PDFLaunch              = "PDF_LAUNCH"
	PDFEmbeddedFile        = "PDF_EMBEDDED_FILE"
	EncryptedAttachment    = "ENCRYPTED_ATTACHMENT"
	ArchivePathTraversal   = "ARCHIVE_PATH_TRAVERSAL"
	PolyglotFile           = "POLYGLOT_FILE"
	UnscannedContent       = "UNSCANNED_CONTENT"
	Blocklisted            = "BLOCKLISTED"
	NestingTooDeep         = "NESTING_TOO_DEEP"
)

// Sender signal names. Each is documented in Signals.
const (
	SenderFirstContact   = "SENDER_FIRST_CONTACT"
	AddressFirstContact  = "ADDRESS_FIRST_CONTACT"
	KnownCorrespondent   = "KNOWN_CORRESPONDENT"
	DisplayNameNew       = "DISPLAY_NAME_NEW"
	LinkDomainNew        = "LINK_DOMAIN_NEW"
	QRLinkDomainNew      = "QR_LINK_DOMAIN_NEW"
	SPFPass              = "SPF_PASS"
	SPFFail              = "SPF_FAIL"
	SPFSoftFail          = "SPF_SOFTFAIL"
	SPFNeutral           = "SPF_NEUTRAL"
	SPFNone              = "SPF_NONE"
	SPFTempError         = "SPF_TEMPERROR"
	SPFPermError         = "SPF_PERMERROR"
	DKIMPass             = "DKIM_PASS"
	DKIMFail             = "DKIM_FAIL"
	DKIMTempError        = "DKIM_TEMPERROR"
	DMARCFail            = "DMARC_FAIL"
	SPFPassOriginAbroad  = "SPF_PASS_ORIGIN_ABROAD"
	OriginHostingNetwork = "ORIGIN_HOSTING_NETWORK"
	LoginCountryNew      = "LOGIN_COUNTRY_NEW"
)

// Cross-message signal names: campaigns and outbound account behaviour.
// Each is documented in Signals.
const (
	Campaign                   = "CAMPAIGN"
	AccountLoginNewCountry     = "ACCOUNT_LOGIN_NEW_COUNTRY"
	AccountLoginHosting        = "ACCOUNT_LOGIN_HOSTING"
	OutboundBurstNewRecipients = "OUTBOUND_BURST_NEW_RECIPIENTS"
	OutboundBurstRiskyContent  = "OUTBOUND_BURST_RISKY_CONTENT"
)

// Signals lists every signal with its default weight and trigger. Weights
// are starting points chosen so that two strong content signals, or one
// strong signal and two weak ones, reach the default hold score of 8; the
// [policy.weights] table overrides any of them.
var Signals = []Definition{
	{LinkTextMismatch, 4.0, "an HTML link whose visible text shows one domain while its href goes to another registrable domain"},
	{CredentialForm, 5.0, "an HTML form with a password field, in the body or an attachment"},
	{HTMLAttachment, 1.5, "an attachment whose bytes or name are HTML (a local page can post credentials anywhere)"},
	{ExecutableAttachment, 8.0, "an attachment whose bytes are a Windows, Linux or macOS executable, or whose name Windows runs on a double click"},
	{DoubleExtension, 3.0, "an attachment name hiding an executable extension behind a document one, such as invoice.pdf.exe"},
	{AttachmentTypeMismatch, 2.0, "an attachment whose bytes are not what its name's extension says"},
	{ScriptRedirect, 3.0, "an HTML script that sends the reader to another URL (location assignment, window.open, atob payload)"},
	{MetaRefresh, 1.5, "an HTML meta refresh that sends the reader to another URL"},
	{LinkIPHost, 2.0, "a link whose host is a bare IP address"},
	{LinkUserinfo, 2.5, "a link with a user name before the host, as in https://bank.example@evil.example/"},
	{MessageTooLarge, 2.0, "the message exceeded the scanner's size cap and only its first part was scanned"},
	{LimitReached, 2.0, "a resource limit was reached while scanning (MIME depth or parts, decoded bytes, HTML size, scan time)"},
	{QRCodeLink, 2.0, "a QR code in an image, a document or an HTML body encodes a URL (phone cameras open it outside the gateway's view)"},
	{QRCodeDrawn, 3.0, "a QR code drawn with HTML table cells or Unicode block characters, a form built to pass image scanners"},
	{OfficeMacros, 4.0, "an Office document carries macros (vbaProject.bin, a macro-enabled content type, Excel 4.0 macro sheets)"},
	{OfficeMacroDisguised, 3.0, "an Office document with macros is named with a macro-free extension such as .docx"},
	{OfficeRemoteTemplate, 5.0, "an Office document loads its template or content from a remote URL when opened"},
	{OfficeDDE, 5.0, "an Office document holds a DDE field, which can start a program"},
	{OfficeEmbeddedObject, 2.0, "an Office document embeds an OLE object or an ActiveX control"},
	{PDFJavaScript, 3.0, "a PDF carries JavaScript"},
	{PDFLaunch, 5.0, "a PDF asks the viewer to launch a program or open a file"},
	{PDFEmbeddedFile, 1.5, "a PDF carries an embedded file"},
	{EncryptedAttachment, 3.0, "an encrypted archive or PDF, whose content no scanner can inspect"},
	{ArchivePathTraversal, 3.0, "an archive entry name climbs out of its folder (../) or is absolute"},
	{PolyglotFile, 3.0, "a file carries data before its archive (a PDF that is also a zip), a form built to fool type checks"},
	{Blocklisted, 8.0, "the sender address, its domain or a link domain was marked as phishing by staff in the review pages or with holdfast quarantine mark-phish"},
	{NestingTooDeep, 8.0, "files nested inside files deeper than the scanner opens (an archive in an archive, seven levels and more), a way to hide an executable from scanners"},
	{UnscannedContent, 2.0, "part of the message could not be inspected (7z or rar archive, legacy Office file, unreadable image, QR time budget spent)"},
	{ParseAnomaly, 1.0, "the message needed leniency to parse (bad boundaries, header lines, encodings); once per message, every anomaly in the evidence"},
	{SenderFirstContact, 3.0, "an inbound sender's registrable domain never seen in the history; scaled down while the history is younger than [sender] history_full_days or smaller than history_full_messages, not raised on an empty one"},
	{AddressFirstContact, 1.0, "an inbound sender address never seen at a domain the history knows; scaled like SENDER_FIRST_CONTACT"},
	{KnownCorrespondent, -3.0, "the organisation's users wrote to the sender address before (half weight when only to other addresses at its domain)"},
	{DisplayNameNew, 1.5, "a known sender address arrives with a display name never seen with it; scaled like SENDER_FIRST_CONTACT"},
	{LinkDomainNew, 1.5, "a link to a registrable domain the history never saw, other than the sender's and the local domains; scaled like SENDER_FIRST_CONTACT"},
	{QRLinkDomainNew, 4.0, "a QR code links to a registrable domain the history never saw; scaled like SENDER_FIRST_CONTACT"},
	{SPFPass, -0.5, "SPF pass for the connecting IP and the MAIL FROM (or HELO) domain"},
	{SPFFail, 3.0, "SPF fail: the domain's record excludes the connecting IP"},
	{SPFSoftFail, 1.5, "SPF softfail: the domain's record says the connecting IP is probably not allowed"},
	{SPFNeutral, 0.5, "SPF neutral: the domain's record makes no statement about the connecting IP"},
	{SPFNone, 0.5, "SPF none: the MAIL FROM (or HELO) domain publishes no SPF record"},
	{SPFTempError, 0.5, "SPF temperror: a DNS lookup failed or timed out; the failed lookups are in the evidence"},
	{SPFPermError, 1.0, "SPF permerror: the domain's record is invalid or needs too many lookups"},
	{DKIMPass, -0.5, "a valid DKIM signature"},
	{DKIMFail, 2.0, "DKIM signatures present and none valid (bad signature, body hash, or missing key)"},
	{DKIMTempError, 0.5, "no valid DKIM signature, and a key lookup failed or timed out"},
	{DMARCFail, 4.0, "DMARC fail: neither SPF nor DKIM passes aligned with the From domain; scaled by the domain's policy (reject 1, quarantine 0.75, none 0.5)"},
	{SPFPassOriginAbroad, 3.5, "SPF passes, but the client logged in from a country other than the connecting IP's, the domain's ccTLD country and every login origin seen before for the domain"},
	{OriginHostingNetwork, 2.5, "the sender's client logged in from a hosting, VPS or VPN network ([geo] hosting lists)"},
	{LoginCountryNew, 2.5, "a local account sends outbound mail from a country never seen for it; scaled like SENDER_FIRST_CONTACT"},
	{Campaign, 5.0, "the message shares a key (QR target, attachment SHA-256, sender domain, link domain, attachment name shape) with messages that reached [campaign] min_recipients recipients from min_senders senders, require_new_senders of them new, within the window; later messages with the key join the campaign; scaled by the key kind (QR target and SHA-256 1, domains and QR hosting platform 0.75, name shape and link hosting platform 0.5)"},
	{AccountLoginNewCountry, 2.5, "a local account logs in from a country (or, at scale 0.4, a network in a known country) it never used, or first used within [account] new_origin_period; left out when LOGIN_COUNTRY_NEW covers the country"},
	{AccountLoginHosting, 2.5, "a local account logs in from a hosting, VPS or VPN network it never used; left out when ORIGIN_HOSTING_NETWORK is raised"},
	{OutboundBurstNewRecipients, 3.0, "a message to a first-contact recipient while its local account wrote to at least [account] burst_min_recipients first-contact recipients within burst_window, and at least burst_factor times its median daily count"},
	{OutboundBurstRiskyContent, 2.5, "a message within such a burst carries an HTML attachment or a link to a domain the history never saw"},
}

// defaultWeights indexes Signals by name.
var defaultWeights = func() map[string]float64 {
	m := make(map[string]float64, len(Signals))
	for _, d := range Signals {
		m[d.Name] = d.Weight
	}
	return m
}()
