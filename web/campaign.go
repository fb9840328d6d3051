package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/store"
)

// maxStatusLookups bounds the quarantine reads one campaign page makes to
// learn which members are still held: one read per entry. Arbitrary:
// chosen so that a campaign of a few thousand held messages is counted
// whole, while a larger one cannot make one page read the whole
// quarantine. Past it, the page says how many entries it checked.
const maxStatusLookups = 5000

// kindNames are the campaign key kinds in words, in the order of the
// list's kind filter.
var kindNames = []struct{ Kind, Name string }{
	{store.KeyQRDomain, "QR code target"},
	{store.KeyAttachmentSHA256, "attachment SHA-256"},
	{store.KeyLinkDomain, "link domain"},
	{store.KeyAttachmentName, "attachment name shape"},
	{store.KeySenderDomain, "sender domain"},
	{store.KeyQRPlatform, "QR code hosting platform"},
	{store.KeyLinkPlatform, "link hosting platform"},
}

// kindName returns a key kind in words, or the kind itself when unknown.
func kindName(kind string) string {
	for _, k := range kindNames {
		if k.Kind == kind {
			return k.Name
		}
	}
	return kind
}

func knownKind(kind string) bool {
	return kindName(kind) != kind
}

// keyText returns a key value as shown: domains defanged, and URLs in a
// name shape defanged.
func keyText(k store.CampaignKey) string {
	switch k.Kind {
	case store.KeyQRDomain, store.KeyLinkDomain, store.KeySenderDomain,
		store.KeyQRPlatform, store.KeyLinkPlatform:
		return defangHost(k.Value)
	case store.KeyAttachmentSHA256:
		return k.Value
	}
	return defangText(k.Value)
}

// defangAddress defangs the domain of an address and any URL in its
// local part.
func defangAddress(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return defangText(addr)
	}
	return defangText(addr[:at]) + "@" + defangHost(addr[at+1:])
}

// parseLabel splits a quarantine.Entry.Campaign label, "kind:value".
func parseLabel(label string) (store.CampaignKey, bool) {
	kind, value, ok := strings.Cut(label, ":")
	if !ok || kind == "" || value == "" {
		return store.CampaignKey{}, false
	}
	return store.CampaignKey{Kind: kind, Value: strings.ToLower(value)}, true
}

// labelText returns a campaign label as shown: the kind in words and the
// defanged key, or the whole label defanged when it is not "kind:value".
func labelText(label string) string {
	k, ok := parseLabel(label)
	if !ok {
		return defangText(label)
	}
	return kindName(k.Kind) + " " + keyText(k)
}

// campaignView is one campaign as the list and detail pages show it.
type campaignView struct {
	ID        int64
	Kind      string
	Key       string
	FirstSeen time.Time
	LastSeen  time.Time
	Members   int64
	// HeldEntries counts the members that were held when they arrived,
	// Checked how many of those the page looked up, and HeldNow how many
	// of the checked ones are held now.
	HeldEntries int
	Checked     int
	HeldNow     int
}

// AllChecked reports that HeldNow counts every member held at arrival.
func (v campaignView) AllChecked() bool { return v.Checked == v.HeldEntries }

func viewCampaign(c store.Campaign) campaignView {
	return campaignView{
		ID: c.ID, Kind: kindName(c.Key.Kind), Key: keyText(c.Key),
		FirstSeen: c.FirstSeen, LastSeen: c.LastSeen, Members: c.Members,
	}
}

// statusLookup reads quarantine statuses, at most a budget of them, so
// one page cannot make unbounded reads.
type statusLookup struct {
	q      Quarantine
	budget int
	status map[int64]quarantine.Status
}

func newStatusLookup(q Quarantine) *statusLookup {
	return &statusLookup{q: q, budget: maxStatusLookups, status: map[int64]quarantine.Status{}}
}

// get returns the status of entry id, "" for an entry that no longer
// exists. ok is false once the budget is spent.
func (l *statusLookup) get(ctx context.Context, id int64) (st quarantine.Status, ok bool, err error) {
	if st, seen := l.status[id]; seen {
		return st, true, nil
	}
	if l.budget == 0 {
		return "", false, nil
	}
	l.budget--
	e, err := l.q.Get(ctx, id)
	switch {
	case errors.Is(err, quarantine.ErrNotFound):
		st = ""
	case err != nil:
		return "", false, err
	default:
		st = e.Status
	}
	l.status[id] = st
	return st, true, nil
}

// countHeld fills the held counts of v from the campaign's held entries.
func (s *Server) countHeld(ctx context.Context, v *campaignView, l *statusLookup) error {
	ids, err := s.campaigns.CampaignMemberEntries(ctx, v.ID)
	if err != nil {
		return err
	}
	v.HeldEntries = len(ids)
	for _, id := range ids {
		st, ok, err := l.get(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		v.Checked++
		if st == quarantine.Held {
			v.HeldNow++
		}
	}
	return nil
}

// campaignListData is the campaign list's data.
type campaignListData struct {
	Form      campaignForm
	Campaigns []campaignView
	Kinds     []struct{ Kind, Name string }
	First     int
	Last      int
	PrevURL   string
	NextURL   string
	Problem   string
}

// campaignForm is the campaign filter form as submitted.
type campaignForm struct {
	Kind, Value, Since, Until string
	Page                      int
}

// parseCampaignForm reads the filters from the query. Bad values are
// reported in problem and left out of the filter.
func parseCampaignForm(q url.Values) (form campaignForm, f store.CampaignFilter, problem string) {
	get := func(key string) string {
		v, _ := cutText(strings.TrimSpace(q.Get(key)), maxFilterBytes)
		return v
	}
	form = campaignForm{Kind: get("kind"), Value: get("value"), Since: get("since"), Until: get("until")}
	var problems []string

	if form.Kind != "" && !knownKind(form.Kind) {
		problems = append(problems, "unknown kind")
		form.Kind = ""
	}
	f.Kind = form.Kind
	// Staff may paste a value copied from these pages, where domains are
	// defanged.
	f.Value = strings.ReplaceAll(form.Value, "[.]", ".")
	// The store's Until bound is exclusive, so the day after the to date
	// keeps the to date whole.
	since, dayAfter, dateProblems := parseDayRange(form.Since, form.Until)
	problems = append(problems, dateProblems...)
	f.Since, f.Until = since, dayAfter

	form.Page, _ = strconv.Atoi(q.Get("page"))
	form.Page = max(form.Page, 1)
	// One row more than a page shows whether there is a next page.
	f.Limit = pageSize + 1
	f.Offset = (form.Page - 1) * pageSize
	if len(problems) > 0 {
		problem = "Some filters were ignored: " + strings.Join(problems, ", ") + "."
	}
	return form, f, problem
}

// query writes the form back as a query string for page links.
func (f campaignForm) query(pageNo int) string {
	q := url.Values{}
	for _, kv := range [][2]string{
		{"kind", f.Kind}, {"value", f.Value}, {"since", f.Since}, {"until", f.Until},
	} {
		if kv[1] != "" {
			q.Set(kv[0], kv[1])
		}
	}
	if pageNo > 1 {
		q.Set("page", strconv.Itoa(pageNo))
	}
	if len(q) == 0 {
		return "/campaigns"
	}
	return "/campaigns?" + q.Encode()
}

// campaignsOff shows that the server has no campaign data, and reports
// whether it did.
func (s *Server) campaignsOff(w http.ResponseWriter, r *http.Request) bool {
	if s.campaigns != nil {
		return false
	}
	s.fail(w, r, http.StatusNotFound, "Campaign review is not available: this server has no campaign store.")
	return true
}

// campaignList shows the campaigns matching the filters, most recently
// active first, a page at a time.
func (s *Server) campaignList(w http.ResponseWriter, r *http.Request) {
	if s.campaignsOff(w, r) {
		return
	}
	ctx := r.Context()
	user := sessionFrom(ctx).User
	form, f, problem := parseCampaignForm(r.URL.Query())
	list, err := s.campaigns.Campaigns(ctx, f)
	if err != nil {
		s.log.Error("web: list campaigns failed", "user", user, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "The campaigns could not be read. Try again later.")
		return
	}
	d := campaignListData{Form: form, Kinds: kindNames, Problem: problem}
	if len(list) > pageSize {
		list = list[:pageSize]
		d.NextURL = form.query(form.Page + 1)
	}
	if form.Page > 1 {
		d.PrevURL = form.query(form.Page - 1)
	}

	lookup := newStatusLookup(s.q)
	for _, c := range list {
		v := viewCampaign(c)
		if err := s.countHeld(ctx, &v, lookup); err != nil {
			s.log.Error("web: count held campaign members failed", "campaign", c.ID, "user", user, "err", err)
			s.fail(w, r, http.StatusInternalServerError, "The campaigns could not be read. Try again later.")
			return
		}
		d.Campaigns = append(d.Campaigns, v)
	}
	if len(list) > 0 {
		d.First = f.Offset + 1
		d.Last = f.Offset + len(list)
	}
	s.render(w, r, http.StatusOK, "campaigns", withUser(r, "Campaigns", d))
}

// loadCampaign fetches the campaign of the request's {id}, or shows an
// error page and returns false.
func (s *Server) loadCampaign(w http.ResponseWriter, r *http.Request) (store.Campaign, bool) {
	if s.campaignsOff(w, r) {
		return store.Campaign{}, false
	}
	id, ok := entryID(r)
	if !ok {
		s.notFound(w, r)
		return store.Campaign{}, false
	}
	c, err := s.campaigns.CampaignByID(r.Context(), id)
	if errors.Is(err, store.ErrCampaignNotFound) {
		s.fail(w, r, http.StatusNotFound, fmt.Sprintf("There is no campaign %d.", id))
		return store.Campaign{}, false
	}
	if err != nil {
		s.log.Error("web: get campaign failed", "campaign", id, "user", sessionFrom(r.Context()).User, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "The campaign could not be read. Try again later.")
		return store.Campaign{}, false
	}
	return c, true
}
