package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/holdfast/holdfast/quarantine"
)

// pageSize is the number of entries per list page.
const pageSize = 50

// maxFilterBytes bounds each text filter of the list. Arbitrary: longer
// than any address or signal name.
const maxFilterBytes = 320

// dateLayout is the form of the list's date filters, as an HTML date
// input sends it. Dates are UTC days.
const dateLayout = "2006-01-02"

// page is the layout template's data, with the page's own data inside.
type page struct {
	Title string
	// User is the logged-in staff member, "" on the login page.
	User string
	// CSRF is the session's form token, for the logout form.
	CSRF string
	Data any
}

// funcs are the template helpers. Each returns text, which html/template
// escapes like any other value.
var funcs = template.FuncMap{
	"defang":     defangURL,
	"defangText": defangText,
	"defangHost": defangHost,
	"utc": func(t time.Time) string {
		if t.IsZero() {
			return "unknown"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"join": strings.Join,
	"actionName": func(a string) string {
		if act, ok := actions[a]; ok {
			return act.Label
		}
		return a
	},
}

// withUser fills the layout fields of a logged-in page.
func withUser(r *http.Request, title string, data any) page {
	sess := sessionFrom(r.Context())
	return page{Title: title, User: sess.User, CSRF: sess.CSRF, Data: data}
}

// fail shows an error page with status and a message for the staff
// member. The message must not carry internal detail; log that instead.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	p := page{Title: http.StatusText(status), Data: message}
	if sess := sessionFrom(r.Context()); sess != nil {
		p.User, p.CSRF = sess.User, sess.CSRF
	}
	s.render(w, r, status, "error", p)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/messages", http.StatusSeeOther)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, "There is no page at this address.")
}

// listData is the list page's data.
type listData struct {
	Form     listForm
	Entries  []quarantine.Entry
	Total    int
	First    int
	Last     int
	PrevURL  string
	NextURL  string
	Statuses []quarantine.Status
	Problem  string
}

// listForm is the filter form as submitted, echoed back into its fields.
type listForm struct {
	Status, Since, Until, Sender, Recipient, Signal, Campaign string
	Page                                                      int
}

// parseDayRange parses the from and to dates of a filter form. It returns
// the start of the from day and the start of the day after the to day, so
// the to date counts whole; an empty or invalid date yields the zero time
// and, when invalid, a problem for the page.
func parseDayRange(from, to string) (since, dayAfter time.Time, problems []string) {
	if from != "" {
		t, err := time.Parse(dateLayout, from)
		if err != nil {
			problems = append(problems, "the from date is not a date")
		}
		since = t
	}
	if to != "" {
		t, err := time.Parse(dateLayout, to)
		if err != nil {
			problems = append(problems, "the to date is not a date")
		} else {
			dayAfter = t.AddDate(0, 0, 1)
		}
	}
	return since, dayAfter, problems
}

// parseListForm reads the filters from the query. Bad values are reported
// in problem and left out of the filter.
func parseListForm(q url.Values) (form listForm, f quarantine.Filter, problem string) {
	get := func(key string) string {
		v := strings.TrimSpace(q.Get(key))
		if len(v) > maxFilterBytes {
			v = v[:maxFilterBytes]
		}
		return v
	}
	form = listForm{
		Status: get("status"), Since: get("since"), Until: get("until"),
		Sender: get("sender"), Recipient: get("recipient"),
		Signal: get("signal"), Campaign: get("campaign"),
	}
	var problems []string

	switch st := quarantine.Status(form.Status); st {
	case "", quarantine.Held, quarantine.Released, quarantine.Deleted:
		f.Status = st
	default:
		problems = append(problems, "unknown status")
		form.Status = ""
	}
	since, dayAfter, dateProblems := parseDayRange(form.Since, form.Until)
	problems = append(problems, dateProblems...)
	f.Since = since
	if !dayAfter.IsZero() {
		// The filter's Until is inclusive, so it ends just before the day
		// after the to date.
		f.Until = dayAfter.Add(-time.Nanosecond)
	}
	f.Sender, f.Recipient = form.Sender, form.Recipient
	f.Signal, f.Campaign = form.Signal, form.Campaign

	form.Page, _ = strconv.Atoi(q.Get("page"))
	if form.Page < 1 {
		form.Page = 1
	}
	f.Limit = pageSize
	f.Offset = (form.Page - 1) * pageSize
	if len(problems) > 0 {
		problem = "Some filters were ignored: " + strings.Join(problems, ", ") + "."
	}
	return form, f, problem
}

// query writes the form back as a query string for page links.
func (f listForm) query(pageNo int) string {
	q := url.Values{}
	for _, kv := range [][2]string{
		{"status", f.Status}, {"since", f.Since}, {"until", f.Until},
		{"sender", f.Sender}, {"recipient", f.Recipient},
		{"signal", f.Signal}, {"campaign", f.Campaign},
	} {
		if kv[1] != "" {
			q.Set(kv[0], kv[1])
		}
	}
	if pageNo > 1 {
		q.Set("page", strconv.Itoa(pageNo))
	}
	if len(q) == 0 {
		return "/messages"
	}
	return "/messages?" + q.Encode()
}

// list shows the entries matching the filters, a page at a time.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	form, f, problem := parseListForm(r.URL.Query())
	entries, total, err := s.q.List(r.Context(), f)
	if err != nil {
		s.log.Error("web: list quarantine failed", "user", sessionFrom(r.Context()).User, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "The quarantine could not be read. Try again later.")
		return
	}
	d := listData{
		Form: form, Entries: entries, Total: total, Problem: problem,
		Statuses: []quarantine.Status{quarantine.Held, quarantine.Released, quarantine.Deleted},
	}
	if len(entries) > 0 {
		d.First = f.Offset + 1
		d.Last = f.Offset + len(entries)
	}
	if form.Page > 1 {
		d.PrevURL = form.query(form.Page - 1)
	}
	if f.Offset+len(entries) < total {
		d.NextURL = form.query(form.Page + 1)
	}
	s.render(w, r, http.StatusOK, "list", withUser(r, "Quarantine", d))
}

// entryID reads the {id} path value. Only the canonical decimal form is
// accepted ("1", not "+1" or "01"), so each entry has one address.
func entryID(r *http.Request) (int64, bool) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	return id, err == nil && id > 0 && strconv.FormatInt(id, 10) == raw
}

// loadEntry fetches the entry of the request's {id}, or shows an error
// page and returns nil.
func (s *Server) loadEntry(w http.ResponseWriter, r *http.Request) *quarantine.Entry {
	id, ok := entryID(r)
	if !ok {
		s.notFound(w, r)
		return nil
	}
	e, err := s.q.Get(r.Context(), id)
	if err != nil || e == nil {
		if err != nil && !errors.Is(err, quarantine.ErrNotFound) {
			s.log.Error("web: get entry failed", "id", id, "user", sessionFrom(r.Context()).User, "err", err)
			s.fail(w, r, http.StatusInternalServerError, "The message could not be read. Try again later.")
			return nil
		}
		s.fail(w, r, http.StatusNotFound, fmt.Sprintf("There is no held message %d.", id))
		return nil
	}
	return e
}

// detail shows one entry with its evidence, message text and audit trail.
func (s *Server) detail(w http.ResponseWriter, r *http.Request) {
	e := s.loadEntry(w, r)
	if e == nil {
		return
	}
	user := sessionFrom(r.Context()).User
	d, err := s.detailData(r.Context(), e)
	if err != nil {
		s.log.Error("web: read entry failed", "id", e.ID, "user", user, "err", err)
		s.fail(w, r, http.StatusInternalServerError, "The message could not be read. Try again later.")
		return
	}
	s.render(w, r, http.StatusOK, "detail", withUser(r, "Message "+strconv.FormatInt(e.ID, 10), d))
}

// action is one staff action on an entry.
type action struct {
	// Label is the button text; Verb describes the effect on the
	// confirmation page.
	Label, Verb string
	// HeldOnly reports that the action applies only to held entries.
	HeldOnly bool
	do       func(q Quarantine) func(ctx context.Context, id int64, actor, remote string) error
}

// actions are keyed by the path segment of their form.
var actions = map[string]action{
	"release": {Label: "Release", HeldOnly: true,
		Verb: "deliver this message to its recipients",
		do:   func(q Quarantine) func(context.Context, int64, string, string) error { return q.Release }},
	"delete": {Label: "Delete", HeldOnly: true,
		Verb: "delete this message for good: it will not be delivered",
		do:   func(q Quarantine) func(context.Context, int64, string, string) error { return q.Delete }},
	"mark-safe": {Label: "Mark safe",
		Verb: "record that this message is safe, so holdfast learns from the mistake",
		do:   func(q Quarantine) func(context.Context, int64, string, string) error { return q.MarkSafe }},
	"mark-phish": {Label: "Mark phishing",
		Verb: "record that this message is phishing and block what is listed below",
		do:   func(q Quarantine) func(context.Context, int64, string, string) error { return q.MarkPhish }},
}

// actionOrder is the order of the action buttons.
var actionOrder = []string{"release", "delete", "mark-safe", "mark-phish"}

// actionLink is one button of the detail page.
type actionLink struct {
	Name, Label string
}

// allowedActions lists the actions offered for an entry.
func allowedActions(e *quarantine.Entry) []actionLink {
	var out []actionLink
	for _, name := range actionOrder {
		a := actions[name]
		if a.HeldOnly && e.Status != quarantine.Held {
			continue
		}
		out = append(out, actionLink{Name: name, Label: a.Label})
	}
	return out
}

type confirmData struct {
	Entry  *quarantine.Entry
	Action string
	Label  string
	Verb   string
	CSRF   string
	// Plan is what mark-phish blocks, with domains defanged; nil for
	// the other actions.
	Plan *planView
}

// planView is a quarantine.BlockPlan as the confirmation page shows it.
type planView struct {
	Sender  string
	Domains []string
	Skipped []quarantine.SkippedDomain
}

func viewPlan(p quarantine.BlockPlan) *planView {
	v := &planView{Sender: p.Sender}
	for _, d := range p.Domains {
		v.Domains = append(v.Domains, defangHost(d))
	}
	for _, d := range p.Skipped {
		v.Skipped = append(v.Skipped, quarantine.SkippedDomain{Domain: defangHost(d.Domain), Reason: d.Reason})
	}
	return v
}

// confirm shows the confirmation page of an action, whose form posts it.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("action")
	a, ok := actions[name]
	if !ok {
		s.notFound(w, r)
		return
	}
	e := s.loadEntry(w, r)
	if e == nil {
		return
	}
	sess := sessionFrom(r.Context())
	d := confirmData{Entry: e, Action: name, Label: a.Label, Verb: a.Verb, CSRF: sess.CSRF}
	if name == "mark-phish" {
		d.Plan = viewPlan(s.q.PhishBlockPlan(e))
	}
	s.render(w, r, http.StatusOK, "confirm", withUser(r, a.Label+"?", d))
}

// act performs a confirmed action; requireLogin has checked its CSRF token.
func (s *Server) act(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("action")
	a, ok := actions[name]
	id, idOK := entryID(r)
	if !ok || !idOK {
		s.notFound(w, r)
		return
	}
	user := sessionFrom(r.Context()).User
	remote := remoteHost(r)
	if err := a.do(s.q)(r.Context(), id, user, remote); err != nil {
		s.log.Error("web: action failed",
			"action", name,
			"id", id,
			"user", user,
			"remote", remote,
			"err", err)
		status, message := actionFailure(err, a.Label)
		s.fail(w, r, status, message)
		return
	}
	s.log.Info("web: action", "action", name, "id", id, "user", user, "remote", remote)
	http.Redirect(w, r, "/messages/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// actionFailure turns an action's error into a status and a message for
// staff, naming the cause when the quarantine reports a known one.
func actionFailure(err error, label string) (int, string) {
	switch {
	case errors.Is(err, quarantine.ErrNotFound):
		return http.StatusNotFound, "There is no such message."
	case errors.Is(err, quarantine.ErrNotHeld):
		return http.StatusConflict, label + " failed: the message was already released or deleted."
	case errors.Is(err, quarantine.ErrNotInMTA):
		return http.StatusConflict, label + " failed: the mail server no longer holds the message. " +
			"It can still be deleted here."
	case errors.Is(err, quarantine.ErrPurged):
		return http.StatusGone, label + " failed: the stored copy was purged by retention."
	case errors.Is(err, quarantine.ErrUnavailable):
		return http.StatusNotImplemented, label + " is not available in this setup."
	}
	return http.StatusInternalServerError,
		label + " failed. The server log has the reason. Check the message's audit trail before trying again."
}
