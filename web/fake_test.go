package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/holdfast/holdfast/quarantine"
)

var errFakeNotFound = fmt.Errorf("fake: %w", quarantine.ErrNotFound)

// fakeQuarantine keeps entries in memory and records every action, so a
// test can check who did what and that nothing ran without permission.
type fakeQuarantine struct {
	mu      sync.Mutex
	entries []quarantine.Entry
	raw     map[int64][]byte
	audit   []quarantine.Action
	// lastFilter is the filter of the last List call.
	lastFilter quarantine.Filter
	blocks     []quarantine.Block
}

func newFakeQuarantine() *fakeQuarantine {
	return &fakeQuarantine{raw: map[int64][]byte{}}
}

func (f *fakeQuarantine) add(e quarantine.Entry, raw string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	e.ID = int64(len(f.entries) + 1)
	if e.Status == "" {
		e.Status = quarantine.Held
	}
	f.entries = append(f.entries, e)
	f.raw[e.ID] = []byte(raw)
	return e.ID
}

func (f *fakeQuarantine) List(_ context.Context, flt quarantine.Filter) ([]quarantine.Entry, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastFilter = flt
	var match []quarantine.Entry
	for i := len(f.entries) - 1; i >= 0; i-- {
		if e := f.entries[i]; fakeMatches(e, flt) {
			match = append(match, e)
		}
	}
	total := len(match)
	if flt.Offset >= total {
		return nil, total, nil
	}
	match = match[flt.Offset:]
	if flt.Limit > 0 && len(match) > flt.Limit {
		match = match[:flt.Limit]
	}
	return match, total, nil
}

func fakeMatches(e quarantine.Entry, f quarantine.Filter) bool {
	contains := func(s, sub string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(sub)) }
	switch {
	case f.Status != "" && e.Status != f.Status:
		return false
	case !f.Since.IsZero() && e.ReceivedAt.Before(f.Since):
		return false
	case !f.Until.IsZero() && e.ReceivedAt.After(f.Until):
		return false
	case f.Sender != "" && !contains(e.MailFrom, f.Sender) && !contains(e.From, f.Sender):
		return false
	case f.Recipient != "" && !contains(strings.Join(e.Rcpts, " "), f.Recipient):
		return false
	case f.Campaign != "" && e.Campaign != f.Campaign:
		return false
	}
	if f.Signal == "" {
		return true
	}
	for _, s := range e.Signals {
		if s.Name == f.Signal {
			return true
		}
	}
	return false
}

func (f *fakeQuarantine) Get(_ context.Context, id int64) (*quarantine.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id < 1 || id > int64(len(f.entries)) {
		return nil, errFakeNotFound
	}
	e := f.entries[id-1]
	return &e, nil
}

func (f *fakeQuarantine) Raw(_ context.Context, id int64) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	raw, ok := f.raw[id]
	if !ok {
		return nil, errFakeNotFound
	}
	return raw, nil
}

func (f *fakeQuarantine) Audit(_ context.Context, id int64) ([]quarantine.Action, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []quarantine.Action
	for _, a := range f.audit {
		if a.EntryID == id {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f *fakeQuarantine) act(id int64, name, actor, remote string, to quarantine.Status) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id < 1 || id > int64(len(f.entries)) {
		return errFakeNotFound
	}
	if to != "" {
		f.entries[id-1].Status = to
	}
	f.audit = append(f.audit, quarantine.Action{
		ID: int64(len(f.audit) + 1), EntryID: id, At: time.Now(),
		Actor: actor, Remote: remote, Name: name,
	})
	return nil
}

func (f *fakeQuarantine) Release(_ context.Context, id int64, actor, remote string) error {
	return f.act(id, "release", actor, remote, quarantine.Released)
}

func (f *fakeQuarantine) Delete(_ context.Context, id int64, actor, remote string) error {
	return f.act(id, "delete", actor, remote, quarantine.Deleted)
}

func (f *fakeQuarantine) MarkSafe(_ context.Context, id int64, actor, remote string) error {
	return f.act(id, "mark-safe", actor, remote, "")
}

func (f *fakeQuarantine) MarkPhish(_ context.Context, id int64, actor, remote string) error {
	return f.act(id, "mark-phish", actor, remote, "")
}

// actions returns a copy of the audit records.
func (f *fakeQuarantine) actions() []quarantine.Action {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]quarantine.Action(nil), f.audit...)
}

// fakeAccounts keeps plain-text passwords and sessions in memory.
type fakeAccounts struct {
	mu        sync.Mutex
	passwords map[string]string
	sessions  map[string]fakeSession
}

type fakeSession struct {
	user    string
	expires time.Time
}

func newFakeAccounts(users map[string]string) *fakeAccounts {
	return &fakeAccounts{passwords: users, sessions: map[string]fakeSession{}}
}

func (a *fakeAccounts) CheckPassword(_ context.Context, name, password string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	want, ok := a.passwords[name]
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(password)) != 1 {
		return errors.New("fake: wrong user name or password")
	}
	return nil
}

func (a *fakeAccounts) CreateSession(_ context.Context, hash []byte, user string, _, expires time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sessions[string(hash)] = fakeSession{user: user, expires: expires}
	return nil
}

func (a *fakeAccounts) SessionUser(_ context.Context, hash []byte, now time.Time) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[string(hash)]
	if !ok || !now.Before(s.expires) {
		return "", errors.New("fake: session not found or expired")
	}
	return s.user, nil
}

func (a *fakeAccounts) DeleteSession(_ context.Context, hash []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.sessions, string(hash))
	return nil
}

// PhishBlockPlan blocks the sender and every new link domain; the real
// rules are tested in package quarantine.
func (f *fakeQuarantine) PhishBlockPlan(e *quarantine.Entry) quarantine.BlockPlan {
	p := quarantine.BlockPlan{Sender: e.SenderAddress()}
	for _, l := range e.Links {
		if !l.New {
			p.Skipped = append(p.Skipped, quarantine.SkippedDomain{Domain: l.Domain, Reason: quarantine.SkipSeenBefore})
			continue
		}
		p.Domains = append(p.Domains, l.Domain)
	}
	return p
}

func (f *fakeQuarantine) Blocklist(context.Context) ([]quarantine.Block, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]quarantine.Block(nil), f.blocks...), nil
}

func (f *fakeQuarantine) Unblock(_ context.Context, kind, value, actor, remote string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, b := range f.blocks {
		if b.Kind == kind && b.Value == value {
			f.blocks = append(f.blocks[:i], f.blocks[i+1:]...)
			f.audit = append(f.audit, quarantine.Action{
				ID: int64(len(f.audit) + 1), EntryID: b.EntryID, At: time.Now(),
				Actor: actor, Remote: remote, Name: "unblock", Detail: kind + " " + value,
			})
			return nil
		}
	}
	return fmt.Errorf("fake: %w", quarantine.ErrNotBlocked)
}

// blockCopy returns a copy of the blocklist.
func (f *fakeQuarantine) blockCopy() []quarantine.Block {
	blocks, _ := f.Blocklist(context.Background())
	return blocks
}
