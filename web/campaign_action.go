package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/holdfast/holdfast/quarantine"
)

type campaignConfirmData struct {
	Campaign campaignView
	Action   string
	Label    string
	Verb     string
	CSRF     string
}

// campaignConfirm shows the confirmation page of a bulk action, whose
// form posts it.
func (s *Server) campaignConfirm(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("action")
	a, ok := campaignActions[name]
	if !ok {
		s.notFound(w, r)
		return
	}
	c, ok := s.loadCampaign(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v := viewCampaign(c)
	if err := s.countHeld(ctx, &v, newStatusLookup(s.q)); err != nil {
		s.log.Error("web: count held campaign members failed",
			"campaign", c.ID,
			"user", sessionFrom(ctx).User,
			"err", err)
		s.fail(w, r, http.StatusInternalServerError, "The campaign could not be read. Try again later.")
		return
	}
	d := campaignConfirmData{Campaign: v, Action: name, Label: a.Label, Verb: a.Verb,
		CSRF: sessionFrom(ctx).CSRF}
	s.render(w, r, http.StatusOK, "campaign_confirm", withUser(r, a.Label+"?", d))
}

// entryResult is the outcome of a bulk action for one entry.
type entryResult struct {
	EntryID int64
	// Failure is "" when the action succeeded, else the reason in words.
	Failure string
}

type campaignResultData struct {
	Campaign campaignView
	Label    string
	// Done is the past tense of the action, such as "released".
	Done    string
	Results []entryResult
	Failed  int
}

// campaignAct runs a confirmed bulk action on every held member of a
// campaign. requireLogin has checked its CSRF token. A member that fails
// does not stop the rest, and the result page lists each outcome.
func (s *Server) campaignAct(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("action")
	a, ok := campaignActions[name]
	if !ok {
		s.notFound(w, r)
		return
	}
	c, ok := s.loadCampaign(w, r)
	if !ok {
		return
	}
	user := sessionFrom(r.Context()).User
	remote := remoteHost(r)
	ids, err := s.campaigns.CampaignMemberEntries(r.Context(), c.ID)
	if err != nil {
		s.log.Error("web: list held campaign members failed", "campaign", c.ID, "user", user, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "The campaign could not be read. Nothing was changed.")
		return
	}

	// A confirmed action runs to the end even when the browser stops
	// waiting, so that what happened does not depend on when the staff
	// member closed the tab. NOTE: a campaign with many held members can
	// take longer than the server's write timeout, and then the browser
	// gets no result page: the campaign page shows the outcome instead.
	ctx := context.WithoutCancel(r.Context())
	d := campaignResultData{Campaign: viewCampaign(c), Label: a.Label, Done: name + "d"}
	do := a.do(s.q)
	for _, id := range ids {
		res := entryResult{EntryID: id}
		if err := do(ctx, id, user, remote); err != nil {
			res.Failure = entryFailure(err)
			d.Failed++
			s.log.Warn("web: campaign action failed for an entry",
				"action", name,
				"campaign", c.ID,
				"id", id,
				"user", user,
				"remote", remote,
				"err", err)
		}
		d.Results = append(d.Results, res)
	}
	s.log.Info("web: campaign action",
		"action", name,
		"campaign", c.ID,
		"kind", c.Key.Kind,
		"entries", len(ids),
		"failed", d.Failed,
		"user", user,
		"remote", remote)
	s.render(w, r, http.StatusOK, "campaign_result", withUser(r, a.Label, d))
}

// entryFailure words the error of one entry's action for the result page.
func entryFailure(err error) string {
	switch {
	case errors.Is(err, quarantine.ErrNotFound):
		return "there is no such message"
	case errors.Is(err, quarantine.ErrNotHeld):
		return "it was already released or deleted"
	case errors.Is(err, quarantine.ErrNotInMTA):
		return "the mail server no longer holds it, but it can still be deleted"
	case errors.Is(err, quarantine.ErrPurged):
		return "the stored copy was purged by retention"
	case errors.Is(err, quarantine.ErrUnavailable):
		return "the action is not available in this setup"
	}
	return "it failed, and the server log has the reason"
}
