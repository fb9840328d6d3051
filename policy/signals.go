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
	{ParseAnomaly, 1.0, "the message needed leniency to parse (bad boundaries, header lines, encodings); once per message, every anomaly in the evidence"},
}

// defaultWeights indexes Signals by name.
var defaultWeights = func() map[string]float64 {
	m := make(map[string]float64, len(Signals))
	for _, d := range Signals {
		m[d.Name] = d.Weight
	}
	return m
}()
