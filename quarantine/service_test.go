package quarantine_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/store"
)

// fakeReleaser records its calls and returns the configured errors.
type fakeReleaser struct {
	mu         sync.Mutex
	released   []string // queue ids
	deleted    []string
	releaseErr error
	deleteErr  error
	raws       [][]byte
	actors     []string
}

func (f *fakeReleaser) Release(_ context.Context, e *quarantine.Entry, raw []byte, actor string, _ time.Time) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.releaseErr != nil {
		return "", f.releaseErr
	}
	f.released = append(f.released, e.QueueID)
	f.raws = append(f.raws, raw)
	f.actors = append(f.actors, actor)
	return "fake release " + e.QueueID, nil
}

func (f *fakeReleaser) Delete(_ context.Context, e *quarantine.Entry) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deleteErr != nil {
		return "", f.deleteErr
	}
	f.deleted = append(f.deleted, e.QueueID)
	return "fake delete " + e.QueueID, nil
}

// hooks records what MarkSafe and MarkPhish passed on, and passes the
// blocks on to the store's blocklist.
type hooks struct {
	next    quarantine.Blocklist
	taught  []string
	domains []string
	sender  string
	actor   string
}

func (h *hooks) Block(ctx context.Context, domains []string, sender, actor string, entryID int64) error {
	h.domains, h.sender, h.actor = domains, sender, actor
	return h.next.Block(ctx, domains, sender, actor, entryID)
}

func (h *hooks) Blocklist(ctx context.Context) ([]quarantine.Block, error) {
	return h.next.Blocklist(ctx)
}

func (h *hooks) RemoveBlock(ctx context.Context, kind, value string) (quarantine.Block, bool, error) {
	return h.next.RemoveBlock(ctx, kind, value)
}

type fixture struct {
	svc      *quarantine.Service
	releaser *fakeReleaser
	hooks    *hooks
	store    *store.Store
}

func newFixture(t *testing.T, cfg quarantine.Config) *fixture {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{DSN: filepath.Join(t.TempDir(), "q.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{releaser: &fakeReleaser{}, hooks: &hooks{next: st}, store: st}
	teach := func(_ context.Context, e *quarantine.Entry) error {
		f.hooks.taught = append(f.hooks.taught, e.SenderAddress())
		return nil
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.svc = quarantine.NewService(st.Quarantine(), f.releaser, teach, f.hooks, cfg, log)
	return f
}

func (f *fixture) hold(t *testing.T, qid string, received time.Time) int64 {
	t.Helper()
	e := &quarantine.Entry{
		QueueID:    qid,
		ReceivedAt: received,
		MailFrom:   "Alert@Phish.test",
		From:       "Alert <alert@phish.test>",
		Rcpts:      []string{"bob@example.test"},
		Verdict:    "hold",
		Links: []quarantine.Link{
			{URL: "https://login.evil.test/a", Domain: "evil.test", New: true},
			{URL: "https://evil.test/b", Domain: "evil.test", New: true},
			{URL: "https://docs.example.com/x", Domain: "example.com", New: true},
			{URL: "https://intranet.example.test/", Domain: "example.test", New: true},
		},
	}
	id, err := f.svc.Hold(context.Background(), e, []byte("Subject: "+qid+"\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatalf("Hold(%s): %v", qid, err)
	}
	return id
}

func auditNames(t *testing.T, svc *quarantine.Service, id int64) []string {
	t.Helper()
	audit, err := svc.Audit(context.Background(), id)
	if err != nil {
		t.Fatalf("Audit(%d): %v", id, err)
	}
	var names []string
	for _, a := range audit {
		names = append(names, a.Name)
	}
	return names
}

var now = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func TestServiceRelease(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, quarantine.Config{})
	id := f.hold(t, "4A1B2C3D", now)

	if err := f.svc.Release(ctx, id, "staff1", "192.0.2.1"); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if !slices.Equal(f.releaser.released, []string{"4A1B2C3D"}) {
		t.Errorf("releaser called for %v, want [4A1B2C3D]", f.releaser.released)
	}
	if len(f.releaser.raws) != 1 || !strings.HasPrefix(string(f.releaser.raws[0]), "Subject: 4A1B2C3D") {
		t.Errorf("releaser got raw %q, want the stored message", f.releaser.raws)
	}
	e, err := f.svc.Get(ctx, id)
	if err != nil || e.Status != quarantine.Released {
		t.Errorf("Get after release = %+v, %v; want status released", e, err)
	}
	audit, _ := f.svc.Audit(ctx, id)
	last := audit[len(audit)-1]
	if last.Name != "release" || last.Actor != "staff1" || last.Remote != "192.0.2.1" ||
		last.Detail != "fake release 4A1B2C3D" {
		t.Errorf("release record = %+v", last)
	}

	if err := f.svc.Release(ctx, id, "staff1", ""); !errors.Is(err, quarantine.ErrNotHeld) {
		t.Errorf("second Release error = %v, want ErrNotHeld", err)
	}
	if err := f.svc.Delete(ctx, id, "staff1", ""); !errors.Is(err, quarantine.ErrNotHeld) {
		t.Errorf("Delete of released error = %v, want ErrNotHeld", err)
	}
	if len(f.releaser.released) != 1 || len(f.releaser.deleted) != 0 {
		t.Errorf("releaser called after invalid transitions: released %v deleted %v",
			f.releaser.released, f.releaser.deleted)
	}
	if err := f.svc.Release(ctx, id+10, "staff1", ""); !errors.Is(err, quarantine.ErrNotFound) {
		t.Errorf("Release(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestServiceReleaseNotInMTA(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, quarantine.Config{})
	id := f.hold(t, "4A1B2C3D", now)
	f.releaser.releaseErr = quarantine.ErrNotInMTA

	err := f.svc.Release(ctx, id, "staff1", "")
	if !errors.Is(err, quarantine.ErrNotInMTA) {
		t.Fatalf("Release error = %v, want ErrNotInMTA", err)
	}
	if got := auditNames(t, f.svc, id); !slices.Equal(got, []string{"hold"}) {
		t.Errorf("audit after failed release = %v, want [hold]", got)
	}
	e, _ := f.svc.Get(ctx, id)
	if e.Status != quarantine.Held {
		t.Errorf("status after failed release = %s, want held", e.Status)
	}
}

func TestServiceDelete(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, quarantine.Config{})
	first := f.hold(t, "4A000001", now)
	second := f.hold(t, "4A000002", now)

	if err := f.svc.Delete(ctx, first, "cli:root", ""); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if !slices.Equal(f.releaser.deleted, []string{"4A000001"}) {
		t.Errorf("releaser deleted %v, want [4A000001]", f.releaser.deleted)
	}

	// A message the MTA lost is still marked deleted, with the reason.
	f.releaser.deleteErr = quarantine.ErrNotInMTA
	if err := f.svc.Delete(ctx, second, "cli:root", ""); err != nil {
		t.Fatalf("Delete of a message gone from the MTA: %v", err)
	}
	audit, _ := f.svc.Audit(ctx, second)
	if last := audit[len(audit)-1]; last.Name != "delete" || !strings.Contains(last.Detail, "no longer held") {
		t.Errorf("delete record = %+v, want a detail saying the MTA no longer held it", last)
	}

	f.releaser.deleteErr = errors.New("postsuper: permission denied")
	third := f.hold(t, "4A000003", now)
	if err := f.svc.Delete(ctx, third, "cli:root", ""); err == nil {
		t.Error("Delete with a failing releaser succeeded")
	}
	if e, _ := f.svc.Get(ctx, third); e.Status != quarantine.Held {
		t.Errorf("status after failed delete = %s, want held", e.Status)
	}
}

func TestServiceMarkSafe(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, quarantine.Config{})
	id := f.hold(t, "4A1B2C3D", now)

	if err := f.svc.MarkSafe(ctx, id, "staff1", ""); err != nil {
		t.Fatalf("MarkSafe: %v", err)
	}
	if !slices.Equal(f.hooks.taught, []string{"alert@phish.test"}) {
		t.Errorf("taught %v, want [alert@phish.test]", f.hooks.taught)
	}
	if got := auditNames(t, f.svc, id); !slices.Equal(got, []string{"hold", "mark-safe"}) {
		t.Errorf("audit = %v, want [hold mark-safe]", got)
	}
	if e, _ := f.svc.Get(ctx, id); e.Status != quarantine.Held {
		t.Errorf("status after MarkSafe = %s, want held", e.Status)
	}

	bare := quarantine.NewService(nil, nil, nil, nil, quarantine.Config{}, slog.Default())
	if err := bare.MarkSafe(ctx, id, "staff1", ""); !errors.Is(err, quarantine.ErrUnavailable) {
		t.Errorf("MarkSafe without hook error = %v, want ErrUnavailable", err)
	}
}

func TestServiceMarkPhish(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, quarantine.Config{NeverBlock: []string{"Example.com", "example.test"}})
	id := f.hold(t, "4A1B2C3D", now)

	if err := f.svc.MarkPhish(ctx, id, "staff2", "192.0.2.9"); err != nil {
		t.Fatalf("MarkPhish: %v", err)
	}
	if !slices.Equal(f.hooks.domains, []string{"evil.test"}) {
		t.Errorf("blocked domains %v, want [evil.test] (never_block and duplicates skipped)", f.hooks.domains)
	}
	if f.hooks.sender != "alert@phish.test" || f.hooks.actor != "staff2" {
		t.Errorf("blocked sender %q by %q, want alert@phish.test by staff2", f.hooks.sender, f.hooks.actor)
	}
	audit, _ := f.svc.Audit(ctx, id)
	last := audit[len(audit)-1]
	if last.Name != "mark-phish" || !strings.Contains(last.Detail, "evil.test") {
		t.Errorf("mark-phish record = %+v, want the blocked domains in the detail", last)
	}
	if err := f.svc.MarkPhish(ctx, id+5, "staff2", ""); !errors.Is(err, quarantine.ErrNotFound) {
		t.Errorf("MarkPhish(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestServicePurge(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, quarantine.Config{Retention: quarantine.Duration(24 * time.Hour)})
	oldHeld := f.hold(t, "4A000001", now.Add(-48*time.Hour))
	oldReleased := f.hold(t, "4A000002", now.Add(-48*time.Hour))
	fresh := f.hold(t, "4A000003", now.Add(-time.Hour))
	if err := f.svc.Release(ctx, oldReleased, "staff1", ""); err != nil {
		t.Fatal(err)
	}

	stats, err := f.svc.Purge(ctx, now)
	if err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if stats.Purged != 2 || stats.Failed != 0 {
		t.Errorf("Purge stats = %+v, want 2 purged", stats)
	}
	if !slices.Equal(f.releaser.deleted, []string{"4A000001"}) {
		t.Errorf("MTA deletes = %v, want only the held entry [4A000001]", f.releaser.deleted)
	}
	for _, id := range []int64{oldHeld, oldReleased} {
		names := auditNames(t, f.svc, id)
		if names[len(names)-1] != "purge" {
			t.Errorf("entry %d audit = %v, want a final purge", id, names)
		}
		if _, err := f.svc.Raw(ctx, id); !errors.Is(err, quarantine.ErrPurged) {
			t.Errorf("Raw(%d) after purge error = %v, want ErrPurged", id, err)
		}
	}
	audit, _ := f.svc.Audit(ctx, oldHeld)
	if a := audit[len(audit)-1]; a.Actor != "system" {
		t.Errorf("purge actor = %q, want system", a.Actor)
	}
	if e, _ := f.svc.Get(ctx, oldHeld); e.Status != quarantine.Deleted || !e.Purged {
		t.Errorf("purged held entry: status %s purged %v, want deleted true", e.Status, e.Purged)
	}
	if _, err := f.svc.Raw(ctx, fresh); err != nil {
		t.Errorf("Raw(fresh) after purge: %v", err)
	}

	// A year on, the fresh entry is purged too, and every record is past
	// record_retention (400 days by default).
	stats, err = f.svc.Purge(ctx, now.Add(401*24*time.Hour))
	if err != nil || stats.Purged != 1 || stats.RecordsDeleted != 3 {
		t.Errorf("Purge a year later = %+v, %v; want 1 purged and 3 records deleted", stats, err)
	}
	if _, err := f.svc.Get(ctx, fresh); !errors.Is(err, quarantine.ErrNotFound) {
		t.Errorf("Get after records deleted error = %v, want ErrNotFound", err)
	}
}

func TestServicePurgeMTAFailure(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, quarantine.Config{Retention: quarantine.Duration(24 * time.Hour)})
	id := f.hold(t, "4A000001", now.Add(-48*time.Hour))
	f.releaser.deleteErr = errors.New("postsuper timed out")

	stats, err := f.svc.Purge(ctx, now)
	if err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if stats.Purged != 0 || stats.Failed != 1 {
		t.Errorf("Purge stats = %+v, want 1 failed", stats)
	}
	if _, err := f.svc.Raw(ctx, id); err != nil {
		t.Errorf("Raw after a failed purge: %v; the stored copy must stay", err)
	}
}
