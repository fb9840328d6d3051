package quarantine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"
)

// Sentinel errors, tested with errors.Is. Service and Store methods wrap
// them with the entry id.
var (
	// ErrNotFound is returned for an id that names no entry.
	ErrNotFound = errors.New("quarantine: entry not found")

	// ErrNotHeld is returned when releasing or deleting an entry that was
	// already released or deleted.
	ErrNotHeld = errors.New("quarantine: entry is not held")

	// ErrNotInMTA is returned by a release when the MTA no longer holds
	// the message: someone released or deleted it in the MTA directly,
	// or the MTA expired it.
	ErrNotInMTA = errors.New("quarantine: message is no longer in the MTA's hold queue")

	// ErrPurged is returned by Raw, and by a release that needs the
	// stored copy, once retention dropped the stored message.
	ErrPurged = errors.New("quarantine: stored message was purged by retention")

	// ErrTruncated is returned by an SMTP release of a message the milter
	// stored only in part.
	ErrTruncated = errors.New("quarantine: stored message is truncated")

	// ErrInvalidQueueID is returned before running an MTA command with a
	// queue id that is not 5 to 32 ASCII letters and digits.
	ErrInvalidQueueID = errors.New("quarantine: invalid queue id")

	// ErrUnavailable is returned by MarkSafe, MarkPhish, Blocklist and
	// Unblock when the Service was built without the history or the
	// blocklist, and by
	// Purge when the Store does not implement Expirer.
	ErrUnavailable = errors.New("quarantine: action not available in this setup")

	// ErrNoSender is returned by MarkSafe for an entry with neither an
	// envelope sender nor a From address.
	ErrNoSender = errors.New("quarantine: entry has no sender address")
)

// Releaser acts on the MTA's side of a held message.
type Releaser interface {
	// Release delivers the held message on behalf of actor. raw is the
	// stored copy. It returns a detail for the audit record, and an
	// error wrapping ErrNotInMTA when the MTA no longer holds it.
	Release(ctx context.Context, e *Entry, raw []byte, actor string, at time.Time) (detail string, err error)
	// Delete removes the MTA's held copy. It returns a detail for the
	// audit record, and an error wrapping ErrNotInMTA when the MTA no
	// longer holds it.
	Delete(ctx context.Context, e *Entry) (detail string, err error)
}

// TeachFunc records that the organisation corresponds with the sender of
// e, as if a local user had written to them. MarkSafe calls it.
type TeachFunc func(ctx context.Context, e *Entry) error

// Service is what the review pages and the CLI call: it stores held
// messages, acts on them through a Releaser and leaves an audit record
// for every action. It is safe for concurrent use.
//
// State changes (release, delete, purge) run one at a time per Service,
// so a double click cannot release a message twice.
type Service struct {
	store    Store
	releaser Releaser
	teach    TeachFunc
	block    Blocklist
	cfg      Config
	log      *slog.Logger

	// now returns the current time; tests replace it.
	now func() time.Time

	// mu serialises the check, the MTA command and the status change of
	// each state change.
	mu sync.Mutex
}

// NewService returns a Service. teach and block may be nil, which makes
// MarkSafe, or MarkPhish and the blocklist methods, return
// ErrUnavailable. cfg is taken with its defaults applied.
func NewService(store Store, releaser Releaser, teach TeachFunc, block Blocklist,
	cfg Config, log *slog.Logger) *Service {
	return &Service{
		store:    store,
		releaser: releaser,
		teach:    teach,
		block:    block,
		cfg:      cfg.WithDefaults(),
		log:      log,
		now:      time.Now,
	}
}

// Hold stores a held message and returns its id. It sets e.Status to
// Held, e.ReceivedAt to now when zero, e.Size to len(raw) when zero, and
// e.ID to the new id. The store records the "hold" audit action.
func (s *Service) Hold(ctx context.Context, e *Entry, raw []byte) (int64, error) {
	if e == nil || len(raw) == 0 {
		return 0, errors.New("quarantine: hold: entry or message is empty")
	}
	e.Status = Held
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = s.now()
	}
	if e.Size == 0 {
		e.Size = int64(len(raw))
	}
	id, err := s.store.Put(ctx, e, raw)
	if err != nil {
		return 0, fmt.Errorf("quarantine: hold queue id %q: %w", e.QueueID, err)
	}
	e.ID = id
	return id, nil
}

// List returns one page of entries matching f, newest first, and the
// number of all matching entries.
func (s *Service) List(ctx context.Context, f Filter) ([]Entry, int, error) {
	return s.store.List(ctx, f)
}

// Get returns one entry, or an error wrapping ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (*Entry, error) {
	return s.store.Get(ctx, id)
}

// Raw returns the stored message, or an error wrapping ErrNotFound or
// ErrPurged.
func (s *Service) Raw(ctx context.Context, id int64) ([]byte, error) {
	return s.store.Raw(ctx, id)
}

// Audit returns the entry's audit records, oldest first.
func (s *Service) Audit(ctx context.Context, id int64) ([]Action, error) {
	return s.store.Audit(ctx, id)
}

// Release delivers a held message through the Releaser and marks the
// entry released. It returns an error wrapping ErrNotFound, ErrNotHeld or
// ErrNotInMTA; on ErrNotInMTA the entry stays held, so it can still be
// deleted. actor is the staff login or "cli:USER"; remote is the web
// client's address, "" for the CLI.
func (s *Service) Release(ctx context.Context, id int64, actor, remote string) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	e, err := s.heldEntry(ctx, id)
	if err != nil {
		return err
	}
	raw, err := s.store.Raw(ctx, id)
	if err != nil {
		return err
	}

	at := s.now()
	detail, err := s.releaser.Release(ctx, e, raw, actor, at)
	if err != nil {
		s.log.Warn("quarantine release failed", "id", id, "queue_id", e.QueueID, "actor", actor, "err", err)
		return fmt.Errorf("quarantine: release entry %d: %w", id, err)
	}

	// The MTA has delivered it: an error from here on must not read as
	// "nothing happened".
	a := Action{EntryID: id, At: at, Actor: actor, Remote: remote, Name: "release", Detail: detail}
	if err := s.store.SetStatus(ctx, id, Released, a); err != nil {
		s.log.Error("quarantine: message released but the status change was not stored",
			"id", id, "queue_id", e.QueueID, "err", err)
		return fmt.Errorf("quarantine: entry %d was released, but recording it failed: %w", id, err)
	}
	s.log.Info("quarantine released", "id", id, "queue_id", e.QueueID, "actor", actor, "remote", remote)
	return nil
}

// Delete removes a held message from the MTA and marks the entry deleted.
// A message the MTA no longer holds is marked deleted too, with that fact
// in the audit detail. It returns an error wrapping ErrNotFound or
// ErrNotHeld.
func (s *Service) Delete(ctx context.Context, id int64, actor, remote string) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	e, err := s.heldEntry(ctx, id)
	if err != nil {
		return err
	}
	detail, err := s.releaser.Delete(ctx, e)
	if errors.Is(err, ErrNotInMTA) {
		detail, err = "the MTA no longer held the message", nil
	}
	if err != nil {
		s.log.Warn("quarantine delete failed", "id", id, "queue_id", e.QueueID, "actor", actor, "err", err)
		return fmt.Errorf("quarantine: delete entry %d: %w", id, err)
	}

	a := Action{EntryID: id, At: s.now(), Actor: actor, Remote: remote, Name: "delete", Detail: detail}
	if err := s.store.SetStatus(ctx, id, Deleted, a); err != nil {
		return fmt.Errorf("quarantine: entry %d was deleted in the MTA, but recording it failed: %w", id, err)
	}
	s.log.Info("quarantine deleted", "id", id, "queue_id", e.QueueID, "actor", actor, "remote", remote)
	return nil
}

// MarkSafe teaches the history that the entry's sender is a
// correspondent, so later mail from them is not first contact. It does
// not release the message. It returns an error wrapping ErrNotFound,
// ErrNoSender or ErrUnavailable.
func (s *Service) MarkSafe(ctx context.Context, id int64, actor, remote string) error {
	if s.teach == nil {
		return fmt.Errorf("%w: mark-safe needs the correspondence history", ErrUnavailable)
	}
	e, err := s.store.Get(ctx, id)
	if err != nil {
		return err
	}
	sender := e.SenderAddress()
	if sender == "" {
		return fmt.Errorf("quarantine: mark-safe entry %d: %w", id, ErrNoSender)
	}
	if err := s.teach(ctx, e); err != nil {
		return fmt.Errorf("quarantine: mark-safe entry %d: %w", id, err)
	}

	a := Action{EntryID: id, At: s.now(), Actor: actor, Remote: remote, Name: "mark-safe",
		Detail: "sender " + sender + " recorded as a correspondent"}
	if err := s.store.Record(ctx, a); err != nil {
		return fmt.Errorf("quarantine: mark-safe entry %d: %w", id, err)
	}
	s.log.Info("quarantine marked safe", "id", id, "sender", sender, "actor", actor, "remote", remote)
	return nil
}

// MarkPhish puts what PhishBlockPlan lists on the blocklist: the sender
// address and the link domains new to the organisation that no rule
// spares. It does not delete the message. It returns an error wrapping
// ErrNotFound or ErrUnavailable.
func (s *Service) MarkPhish(ctx context.Context, id int64, actor, remote string) error {
	if s.block == nil {
		return fmt.Errorf("%w: mark-phish needs the blocklist", ErrUnavailable)
	}
	e, err := s.store.Get(ctx, id)
	if err != nil {
		return err
	}
	plan := s.PhishBlockPlan(e)
	if len(plan.Domains) > 0 || plan.Sender != "" {
		if err := s.block.Block(ctx, plan.Domains, plan.Sender, actor, id); err != nil {
			return fmt.Errorf("quarantine: mark-phish entry %d: %w", id, err)
		}
	}

	a := Action{EntryID: id, At: s.now(), Actor: actor, Remote: remote, Name: "mark-phish",
		Detail: blockDetail(plan)}
	if err := s.store.Record(ctx, a); err != nil {
		return fmt.Errorf("quarantine: mark-phish entry %d: %w", id, err)
	}
	s.log.Info("quarantine marked phishing", "id", id, "blocked", a.Detail, "actor", actor, "remote", remote)
	return nil
}

// heldEntry returns the entry, or an error wrapping ErrNotFound or
// ErrNotHeld.
func (s *Service) heldEntry(ctx context.Context, id int64) (*Entry, error) {
	e, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.Status != Held {
		return nil, fmt.Errorf("%w: entry %d is %s", ErrNotHeld, id, e.Status)
	}
	return e, nil
}

// blockDetail words a plan for the audit trail: what was blocked, and
// which link domains were left off.
func blockDetail(p BlockPlan) string {
	var parts []string
	if p.Sender != "" {
		parts = append(parts, "sender "+p.Sender)
	}
	if len(p.Domains) > 0 {
		parts = append(parts, "domains "+strings.Join(p.Domains, ","))
	}
	detail := "nothing to block: no sender address and no new link domain"
	if len(parts) > 0 {
		detail = "blocked " + strings.Join(parts, "; ")
	}
	if len(p.Skipped) > 0 {
		skipped := make([]string, len(p.Skipped))
		for i, d := range p.Skipped {
			skipped[i] = d.Domain
		}
		detail += "; not blocked: " + strings.Join(skipped, ",")
	}
	return detail
}

// SenderAddress returns the lower-case envelope sender, or the From
// address for a message with a null envelope sender; "" when neither is
// an address.
func (e *Entry) SenderAddress() string {
	if e.MailFrom != "" {
		return strings.ToLower(e.MailFrom)
	}
	if a, err := mail.ParseAddress(e.From); err == nil {
		return strings.ToLower(a.Address)
	}
	return ""
}
