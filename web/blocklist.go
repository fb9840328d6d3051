package web

import (
	"errors"
	"net/http"

	"github.com/holdfast/holdfast/quarantine"
)

// blockView is one blocklist entry as the pages show it. Display is the
// value with a domain defanged, and Value the value as stored, for the
// remove form.
type blockView struct {
	quarantine.Block
	Display string
}

func viewBlock(b quarantine.Block) blockView {
	v := blockView{Block: b, Display: b.Value}
	if b.Kind == quarantine.BlockDomain {
		v.Display = defangHost(b.Value)
	}
	return v
}

type blocklistData struct {
	Blocks []blockView
}

// blocklist lists every blocked sender address and domain, with who
// blocked it, when, and from which entry.
func (s *Server) blocklist(w http.ResponseWriter, r *http.Request) {
	blocks, err := s.q.Blocklist(r.Context())
	if err != nil {
		s.log.Error("web: read blocklist failed", "user", sessionFrom(r.Context()).User, "err", err)
		status, message := actionFailure(err, "Reading the blocklist")
		s.fail(w, r, status, message)
		return
	}
	d := blocklistData{}
	for _, b := range blocks {
		d.Blocks = append(d.Blocks, viewBlock(b))
	}
	s.render(w, r, http.StatusOK, "blocklist", withUser(r, "Blocklist", d))
}

type unblockConfirmData struct {
	Block blockView
	CSRF  string
}

// unblockConfirm shows the confirmation page of a removal, whose form
// posts it. A value that is not on the blocklist gets 404.
func (s *Server) unblockConfirm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind, value := q.Get("kind"), q.Get("value")
	blocks, err := s.q.Blocklist(r.Context())
	if err != nil {
		s.log.Error("web: read blocklist failed", "user", sessionFrom(r.Context()).User, "err", err)
		status, message := actionFailure(err, "Reading the blocklist")
		s.fail(w, r, status, message)
		return
	}
	for _, b := range blocks {
		if b.Kind == kind && b.Value == value {
			d := unblockConfirmData{Block: viewBlock(b), CSRF: sessionFrom(r.Context()).CSRF}
			s.render(w, r, http.StatusOK, "blocklist_confirm", withUser(r, "Remove from the blocklist?", d))
			return
		}
	}
	s.fail(w, r, http.StatusNotFound, "This value is not on the blocklist.")
}

// unblock removes a confirmed value; requireLogin has checked its CSRF
// token. The quarantine records the removal with the staff login and
// the client address.
func (s *Server) unblock(w http.ResponseWriter, r *http.Request) {
	kind, value := r.PostFormValue("kind"), r.PostFormValue("value")
	if kind != quarantine.BlockDomain && kind != quarantine.BlockSender {
		s.fail(w, r, http.StatusBadRequest, "The form named no blocklist kind. Go back and try again.")
		return
	}
	user := sessionFrom(r.Context()).User
	remote := remoteHost(r)
	if err := s.q.Unblock(r.Context(), kind, value, user, remote); err != nil {
		s.log.Error("web: unblock failed",
			"kind", kind,
			"value", cutLogValue(value),
			"user", user,
			"remote", remote,
			"err", err)
		if errors.Is(err, quarantine.ErrNotBlocked) {
			s.fail(w, r, http.StatusNotFound, "This value is not on the blocklist any more.")
			return
		}
		status, message := actionFailure(err, "Removing from the blocklist")
		s.fail(w, r, status, message)
		return
	}
	s.log.Info("web: unblock", "kind", kind, "value", value, "user", user, "remote", remote)
	http.Redirect(w, r, "/blocklist", http.StatusSeeOther)
}

// maxLogValueBytes bounds a form value written to the log. Arbitrary:
// longer than any address or domain.
const maxLogValueBytes = 320

// cutLogValue quotes and cuts a form value for a log line.
func cutLogValue(v string) string {
	v, _ = cutText(v, maxLogValueBytes)
	return v
}
