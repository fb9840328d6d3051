package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/store"
)

// maxLabelCandidates bounds the campaigns read to find the one a message's
// campaign label names. The store matches the value as a substring, so a
// short domain can match many keys. Arbitrary: four pages of the store's
// largest list. A label whose campaign lies past them is shown as text.
const maxLabelCandidates = 4 * store.MaxCampaignListLimit

// Member statuses shown besides the quarantine's own.
const (
	// statusMissing is an entry the quarantine no longer has.
	statusMissing = "missing"
	// statusUnchecked is an entry past maxStatusLookups.
	statusUnchecked = "not checked"
)

// campaignData is the campaign page's data.
type campaignData struct {
	Campaign campaignView
	Members  []memberView
	// Unlisted counts the members past store.MaxCampaignMembersListed.
	Unlisted int64
	Actions  []actionLink
}

// memberView is one member as the campaign page shows it. Sender and
// QueueID came from the message and are escaped by the template.
type memberView struct {
	Time       time.Time
	QueueID    string
	Sender     string
	Recipients int
	Verdict    string
	// EntryID is the quarantine entry that held the member, 0 when none.
	EntryID int64
	// Status is the entry's quarantine status now, or statusMissing or
	// statusUnchecked.
	Status string
	// EarlyAccept marks a member delivered before the campaign was
	// detected.
	EarlyAccept bool
}

// campaignActions are the bulk actions of a campaign page, keyed like
// actions.
var campaignActions = map[string]action{
	"release": {Label: "Release all held members",
		Verb: "deliver every held message of this campaign to its recipients",
		do:   actions["release"].do},
	"delete": {Label: "Delete all held members",
		Verb: "delete every held message of this campaign for good: none will be delivered",
		do:   actions["delete"].do},
}

// campaignDetail shows one campaign with all its members.
func (s *Server) campaignDetail(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadCampaign(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	d, err := s.campaignData(ctx, c)
	if err != nil {
		s.log.Error("web: read campaign members failed",
			"campaign", c.ID,
			"user", sessionFrom(ctx).User,
			"err", err)
		s.fail(w, r, http.StatusInternalServerError, "The campaign could not be read. Try again later.")
		return
	}
	s.render(w, r, http.StatusOK, "campaign", withUser(r, "Campaign "+strconv.FormatInt(c.ID, 10), d))
}

// campaignData gathers the campaign's members and the current status of
// each held one.
func (s *Server) campaignData(ctx context.Context, c store.Campaign) (campaignData, error) {
	d := campaignData{Campaign: viewCampaign(c)}
	lookup := newStatusLookup(s.q)
	if err := s.countHeld(ctx, &d.Campaign, lookup); err != nil {
		return d, err
	}
	members, err := s.campaigns.CampaignMembers(ctx, c.ID)
	if err != nil {
		return d, err
	}
	d.Unlisted = max(c.Members-int64(len(members)), 0)
	for _, m := range members {
		v := memberView{
			Time: m.Time, QueueID: m.QueueID, Sender: defangAddress(m.Sender),
			Recipients: m.Recipients, Verdict: m.Verdict, EntryID: m.EntryID,
		}
		if m.EntryID != 0 {
			st, checked, err := lookup.get(ctx, m.EntryID)
			switch {
			case err != nil:
				return d, err
			case !checked:
				v.Status = statusUnchecked
			case st == "":
				v.Status = statusMissing
			default:
				v.Status = string(st)
			}
		}
		d.Members = append(d.Members, v)
	}
	markEarlyAccepts(d.Members)

	if d.Campaign.HeldNow > 0 || !d.Campaign.AllChecked() {
		for _, name := range []string{"release", "delete"} {
			d.Actions = append(d.Actions, actionLink{Name: name, Label: campaignActions[name].Label})
		}
	}
	return d, nil
}

// markEarlyAccepts marks the delivered members (verdict accept or tag)
// that arrived before the first member that was held or rejected.
//
// NOTE: the store does not record when a campaign was detected, so the
// first held or rejected member is taken as that moment. A campaign whose
// members were all delivered (observe mode, or a campaign weight too low
// to hold) has no such member, and none of its members is marked.
func markEarlyAccepts(members []memberView) {
	first := slices.IndexFunc(members, func(m memberView) bool {
		return m.EntryID != 0 || m.Verdict == "hold" || m.Verdict == "reject"
	})
	if first < 0 {
		return
	}
	for i := range members[:first] {
		if v := members[i].Verdict; v == "accept" || v == "tag" {
			members[i].EarlyAccept = true
		}
	}
}

// campaignOfEntry returns the id of the campaign that the entry's label
// names, 0 when none is found or the server has no campaign data.
func (s *Server) campaignOfEntry(ctx context.Context, e *quarantine.Entry) (int64, error) {
	key, ok := parseLabel(e.Campaign)
	if s.campaigns == nil || !ok {
		return 0, nil
	}
	var exact []store.Campaign
	for offset := 0; offset < maxLabelCandidates; offset += store.MaxCampaignListLimit {
		page, err := s.campaigns.Campaigns(ctx, store.CampaignFilter{
			Kind: key.Kind, Value: key.Value, Limit: store.MaxCampaignListLimit, Offset: offset,
		})
		if err != nil {
			return 0, err
		}
		for _, c := range page {
			if c.Key == key {
				exact = append(exact, c)
			}
		}
		if len(page) < store.MaxCampaignListLimit {
			break
		}
	}
	switch len(exact) {
	case 0:
		return 0, nil
	case 1:
		return exact[0].ID, nil
	}

	// A key has several campaigns when its messages stopped for longer
	// than the window and then came back. The one that held this entry
	// is meant, and failing that the most recently active one.
	for _, c := range exact {
		ids, err := s.campaigns.CampaignMemberEntries(ctx, c.ID)
		if err != nil {
			return 0, err
		}
		if slices.Contains(ids, e.ID) {
			return c.ID, nil
		}
	}
	return exact[0].ID, nil
}
