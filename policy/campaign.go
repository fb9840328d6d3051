package policy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/store"
)

// Campaign detection finds what only shows across messages: dozens of
// messages that share a QR target, an attachment or a sending domain and
// reach many recipients from several new senders within hours. It is
// configured by the [campaign] section (CampaignConfig) and keeps its
// counters in a CampaignStore.

// Defaults of CampaignConfig. A zero value selects the default.
const (
	// DefaultCampaignWindow is how far back the counts reach. A phishing
	// wave reaches its targets within hours; six hours spans a wave
	// spread over a working morning, while messages a day apart do not
	// add up.
	DefaultCampaignWindow = 6 * time.Hour

	// DefaultCampaignMinRecipients is how many distinct recipients a key
	// must reach within the window. Arbitrary: chosen so that a thread
	// among a team (a handful of people) never counts, while a wave
	// aimed at a department does.
	DefaultCampaignMinRecipients = 10

	// DefaultCampaignMinSenders is how many distinct senders must share
	// the key. Campaigns rotate senders to pass per-sender limits, while
	// one new vendor writing to many staff is one sender.
	DefaultCampaignMinSenders = 3

	// DefaultCampaignNewSenders is how many of those senders must be new
	// to the organisation. Known correspondents sharing an attachment or
	// a domain are ordinary business.
	DefaultCampaignNewSenders = 3
)

// CampaignConfig is the [campaign] section.
type CampaignConfig struct {
	// Window is the sliding window the counts cover, as "6h" or "1d".
	// Default DefaultCampaignWindow.
	Window store.Duration `toml:"window"`
	// MinRecipients is how many distinct recipients a key must reach
	// within the window. Default DefaultCampaignMinRecipients.
	MinRecipients int `toml:"min_recipients"`
	// MinSenders is how many distinct senders must share the key within
	// the window. Default DefaultCampaignMinSenders.
	MinSenders int `toml:"min_senders"`
	// RequireNewSenders is how many of those senders must have been new
	// to the organisation; -1 counts known senders too. Default
	// DefaultCampaignNewSenders.
	RequireNewSenders int `toml:"require_new_senders"`
	// Retention keeps a campaign for review this long after its last
	// member. Default store.DefaultCampaignRetention.
	Retention store.Duration `toml:"retention"`
	// MaxKeys bounds the keys counted at once; PruneCampaigns drops the
	// least recently seen beyond it. Default store.DefaultMaxCampaignKeys.
	MaxKeys int64 `toml:"max_keys"`
}

// Validate fills defaults and checks values, naming the key at fault.
func (c *CampaignConfig) Validate() error {
	if c.Window == 0 {
		c.Window = store.Duration(DefaultCampaignWindow)
	}
	if c.MinRecipients == 0 {
		c.MinRecipients = DefaultCampaignMinRecipients
	}
	if c.MinSenders == 0 {
		c.MinSenders = DefaultCampaignMinSenders
	}
	if c.RequireNewSenders == 0 {
		c.RequireNewSenders = DefaultCampaignNewSenders
	}
	if c.Retention == 0 {
		c.Retention = store.Duration(store.DefaultCampaignRetention)
	}
	if c.MaxKeys == 0 {
		c.MaxKeys = store.DefaultMaxCampaignKeys
	}
	switch {
	case c.Window < 0:
		return fmt.Errorf("policy: campaign window %s is invalid: use a positive duration such as \"6h\"",
			time.Duration(c.Window))
	case c.MinRecipients < 0 || c.MinSenders < 0 || c.MaxKeys < 0:
		return fmt.Errorf("policy: campaign min_recipients, min_senders and max_keys must be positive, or 0 for the default")
	case c.RequireNewSenders < -1:
		return fmt.Errorf("policy: campaign require_new_senders %d is invalid: use a count, 0 for the default or -1 for none",
			c.RequireNewSenders)
	case c.Retention < 0:
		return fmt.Errorf("policy: campaign retention %s is invalid: use a positive duration such as \"30d\"",
			time.Duration(c.Retention))
	}
	return nil
}

// Limits returns the bounds for store.PruneCampaigns.
func (c CampaignConfig) Limits() store.CampaignLimits {
	return store.CampaignLimits{Window: time.Duration(c.Window), Retention: time.Duration(c.Retention),
		MaxKeys: c.MaxKeys}
}

// CampaignStore keeps the campaign counters. *store.Store implements it.
type CampaignStore interface {
	// ObserveCampaign records a message under its keys and returns the
	// window's counts per key.
	ObserveCampaign(ctx context.Context, obs store.CampaignObservation) (store.CampaignObserved, error)
	// JoinCampaign adds the message to the key's active campaign,
	// starting one (with the key's earlier messages in the window) when
	// there is none.
	JoinCampaign(ctx context.Context, message int64, key store.CampaignKey, window time.Duration) (store.Campaign, error)
	// RecordCampaignVerdict stores the verdict and quarantine entry id of
	// an observed message.
	RecordCampaignVerdict(ctx context.Context, message int64, verdict string, entryID int64) error
}

// CampaignInput is the part of one inbound message campaign detection reads.
type CampaignInput struct {
	// Time is when the message arrived; zero means now.
	Time      time.Time
	MessageID string
	QueueID   string
	// Report is the scanner's report; nil leaves only the sender domain
	// as a key.
	Report *scanner.Report
	// SenderAddress is the lower-case sender (From, else MAIL FROM);
	// SenderDomain its registrable domain.
	SenderAddress string
	SenderDomain  string
	// NewSender reports that the history never saw SenderAddress before
	// this message (the sender checks raised SENDER_FIRST_CONTACT or
	// ADDRESS_FIRST_CONTACT, or the history has no row for it).
	NewSender bool
	// Recipients lists the envelope recipients.
	Recipients []string
	// LocalDomains lists [org] local_domains; they are never keys.
	LocalDomains []string
	// DomainsFirstSeen maps the sender domain, link domains and link
	// platforms (private public suffixes such as "pages.dev") found in
	// the history to the time it first saw each. A domain or platform
	// first seen before the window is not a key; one absent from the map
	// was never seen and is one. The milter's pipeline teaches and looks
	// up a link's platform beside its domain, so the history holds both.
	DomainsFirstSeen map[string]time.Time
}

// CampaignResult is the outcome of Campaigns.Observe for one message.
type CampaignResult struct {
	// Message identifies the message in the store, for Record.
	Message int64
	// Signals holds the CAMPAIGN signal when the message belongs to a
	// campaign; append it to Input.Sender before Decide.
	Signals []Signal
	// Campaigns lists the campaigns the message joined.
	Campaigns []store.Campaign
}

// Label returns the strongest campaign's key as "kind:value" (such as
// "qr-domain:evil.example") for quarantine.Entry.Campaign, "" when the
// message joined none.
func (r CampaignResult) Label() string {
	if len(r.Campaigns) == 0 {
		return ""
	}
	k := r.Campaigns[0].Key
	return k.Kind + ":" + k.Value
}

// Campaigns detects campaigns. It is safe for concurrent use when its
// store is.
type Campaigns struct {
	cfg   CampaignConfig
	store CampaignStore
}

// NewCampaigns validates cfg and returns a detector using st.
func NewCampaigns(cfg CampaignConfig, st CampaignStore) (*Campaigns, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Campaigns{cfg: cfg, store: st}, nil
}

// Config returns the effective configuration, defaults filled.
func (c *Campaigns) Config() CampaignConfig { return c.cfg }

// Observe records an inbound message under its keys and raises CAMPAIGN
// when one of its keys belongs to an active campaign or has just crossed
// the thresholds, in which case a campaign starts with the key's earlier
// messages as members. Call it before Decide, then Record after the
// verdict. On error the result is empty: the caller logs the error and
// judges the message without campaign signals.
func (c *Campaigns) Observe(ctx context.Context, in CampaignInput) (CampaignResult, error) {
	if in.Time.IsZero() {
		in.Time = time.Now()
	}
	window := time.Duration(c.cfg.Window)
	obs, err := c.store.ObserveCampaign(ctx, store.CampaignObservation{
		Time: in.Time, Window: window, MessageID: in.MessageID, QueueID: in.QueueID,
		Sender: in.SenderAddress, NewSender: in.NewSender, Recipients: in.Recipients,
		Keys: CampaignKeys(in, window),
	})
	if err != nil {
		return CampaignResult{}, fmt.Errorf("policy: campaign: %w", err)
	}

	res := CampaignResult{Message: obs.Message}
	var joined []store.KeyCounts
	for _, k := range obs.Keys {
		if k.Campaign == 0 && !c.crossed(k) {
			continue
		}
		camp, err := c.store.JoinCampaign(ctx, obs.Message, k.Key, window)
		if err != nil {
			return CampaignResult{Message: obs.Message}, fmt.Errorf("policy: campaign: %w", err)
		}
		res.Campaigns = append(res.Campaigns, camp)
		joined = append(joined, k)
	}
	if len(joined) > 0 {
		res.Signals = []Signal{c.signal(joined)}
	}
	return res, nil
}

// crossed reports whether a key's counts reach every threshold.
func (c *Campaigns) crossed(k store.KeyCounts) bool {
	newOK := c.cfg.RequireNewSenders < 0 || k.NewSenders >= int64(c.cfg.RequireNewSenders)
	return k.Recipients >= int64(c.cfg.MinRecipients) && k.Senders >= int64(c.cfg.MinSenders) && newOK
}

// Record stores the verdict given to an observed message and, when it
// was held, its quarantine entry id (0 for none), so the campaign's
// review lists them. Call it after Decide, and after quarantine.Put for
// a held message.
func (c *Campaigns) Record(ctx context.Context, res CampaignResult, v Verdict, entryID int64) error {
	if res.Message == 0 {
		return nil
	}
	if err := c.store.RecordCampaignVerdict(ctx, res.Message, v.Enforced.String(), entryID); err != nil {
		return fmt.Errorf("policy: campaign: %w", err)
	}
	return nil
}

// kindScale is the CAMPAIGN weight multiplier per key kind: how surely a
// shared key of that kind means a shared author. An identical file or a
// QR target is near proof; a link domain or sending domain may be a
// shared service; a name shape such as "invoice_#.pdf" is the weakest.
// A platform key sits one step below the domain key of its kind: every
// customer of a hosting platform shares it, so new senders linking to
// unrelated sites on one platform can reach the thresholds, while a
// registrable domain belongs to a single owner.
var kindScale = map[string]float64{
	store.KeyQRDomain:         1,
	store.KeyAttachmentSHA256: 1,
	store.KeySenderDomain:     0.75,
	store.KeyLinkDomain:       0.75,
	store.KeyQRPlatform:       0.75,
	store.KeyAttachmentName:   0.5,
	store.KeyLinkPlatform:     0.5,
}

// keyKindWords names a key kind in evidence.
var keyKindWords = map[string]string{
	store.KeyQRDomain:         "QR target",
	store.KeyAttachmentSHA256: "attachment SHA-256",
	store.KeySenderDomain:     "sender domain",
	store.KeyLinkDomain:       "link domain",
	store.KeyQRPlatform:       "QR target platform",
	store.KeyLinkPlatform:     "link platform",
	store.KeyAttachmentName:   "attachment name",
}

// signal builds one CAMPAIGN signal for the joined keys, scaled by the
// strongest kind among them.
func (c *Campaigns) signal(keys []store.KeyCounts) Signal {
	ev := evidence{}
	scale := 0.0
	for _, k := range keys {
		scale = max(scale, kindScale[k.Key.Kind])
		ev.add(Campaign, "%s %s: %s recipients from %s in %s", keyKindWords[k.Key.Kind], keyEvidence(k.Key),
			countWords(k.Recipients), senderWords(k), durationWords(time.Duration(c.cfg.Window)))
	}
	return Signal{Name: Campaign, Scale: scale, Evidence: ev[Campaign].String()}
}

func keyEvidence(k store.CampaignKey) string {
	switch k.Kind {
	case store.KeyAttachmentSHA256:
		return k.Value[:min(len(k.Value), 16)] + "…"
	case store.KeyAttachmentName:
		return fmt.Sprintf("%q", k.Value)
	}
	return defang(k.Value)
}

func senderWords(k store.KeyCounts) string {
	if k.NewSenders == k.Senders {
		return countWords(k.Senders) + " new senders"
	}
	return fmt.Sprintf("%s senders (%s new)", countWords(k.Senders), countWords(k.NewSenders))
}

// countWords writes a count, marking one that reached the store's cap.
func countWords(n int64) string {
	if n >= store.MaxCampaignCount {
		return fmt.Sprintf("at least %d", n)
	}
	return fmt.Sprint(n)
}

// durationWords writes whole hours as "6h" and other durations as
// time.Duration does.
func durationWords(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return strings.TrimSuffix(d.String(), "0s")
}
