package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/holdfast/holdfast/quarantine"
)

// heldEntry returns an entry received n hours after base.
func heldEntry(n int, from, rcpt string, signals ...string) *quarantine.Entry {
	e := &quarantine.Entry{
		QueueID:    fmt.Sprintf("4A%04X", n),
		MessageID:  fmt.Sprintf("<m%d@remote.test>", n),
		ReceivedAt: base.Add(time.Duration(n) * time.Hour),
		MailFrom:   from,
		From:       "Service <" + from + ">",
		Rcpts:      []string{rcpt},
		Subject:    fmt.Sprintf("message %d", n),
		Verdict:    "hold",
		Score:      9.5,
		Links:      []quarantine.Link{{URL: "https://evil.test/x", Domain: "evil.test", Via: "href"}},
	}
	for _, s := range signals {
		e.Signals = append(e.Signals, quarantine.Signal{Name: s, Score: 4, Evidence: "seen"})
	}
	return e
}

func rawMessage(n int) []byte {
	return []byte(fmt.Sprintf("From: a@remote.test\r\nSubject: message %d\r\n\r\n%s\r\n",
		n, strings.Repeat("body line ", 50)))
}

func putAll(t *testing.T, q *Quarantine, entries ...*quarantine.Entry) []int64 {
	t.Helper()
	var ids []int64
	for i, e := range entries {
		id, err := q.Put(context.Background(), e, rawMessage(i))
		if err != nil {
			t.Fatalf("Put(entry %d): %v", i, err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestQuarantinePutGetRaw(t *testing.T) {
	ctx := context.Background()
	q := openTest(t, Config{}).Quarantine()
	e := heldEntry(1, "Service@Paypal-Alerts.test", "bob@example.test", "LINK_TEXT_MISMATCH")
	e.QRCodes = []quarantine.QRCode{{Text: "https://qr.test/", Source: "a.png"}}
	raw := rawMessage(1)

	id, err := q.Put(ctx, e, raw)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	got, err := q.Get(ctx, id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	if got.ID != id || got.Status != quarantine.Held || got.Purged {
		t.Errorf("Get: id %d status %q purged %v, want %d held false", got.ID, got.Status, got.Purged, id)
	}
	if !got.ReceivedAt.Equal(e.ReceivedAt) {
		t.Errorf("Get: ReceivedAt = %v, want %v", got.ReceivedAt, e.ReceivedAt)
	}
	if got.Subject != e.Subject || len(got.Signals) != 1 || len(got.QRCodes) != 1 || len(got.Links) != 1 {
		t.Errorf("Get: entry not round-tripped: %+v", got)
	}

	back, err := q.Raw(ctx, id)
	if err != nil {
		t.Fatalf("Raw(%d): %v", id, err)
	}
	if !bytes.Equal(back, raw) {
		t.Errorf("Raw(%d) = %q, want %q", id, back, raw)
	}

	if _, err := q.Get(ctx, id+100); !errors.Is(err, quarantine.ErrNotFound) {
		t.Errorf("Get(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := q.Raw(ctx, id+100); !errors.Is(err, quarantine.ErrNotFound) {
		t.Errorf("Raw(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestQuarantineRawCompressed(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Config{})
	raw := bytes.Repeat([]byte("compressible line\r\n"), 1000)
	id, err := s.Quarantine().Put(ctx, heldEntry(1, "a@remote.test", "b@example.test"), raw)
	if err != nil {
		t.Fatal(err)
	}
	var stored, size int64
	err = s.reader.QueryRow(`SELECT raw_bytes, raw_size FROM quarantine WHERE id = ?`, id).Scan(&stored, &size)
	if err != nil {
		t.Fatal(err)
	}
	if size != int64(len(raw)) || stored >= size/10 {
		t.Errorf("raw_bytes %d, raw_size %d for %d bytes: want raw_size %d and a tenth or less stored",
			stored, size, len(raw), len(raw))
	}
}

func TestQuarantineListFilters(t *testing.T) {
	ctx := context.Background()
	q := openTest(t, Config{}).Quarantine()
	bounce := heldEntry(3, "", "dave@example.test")
	bounce.From = "Notice <n@Bounce.test>"
	ids := putAll(t, q,
		heldEntry(0, "alerts@paypal-alerts.test", "bob@example.test", "LINK_TEXT_MISMATCH"),
		heldEntry(1, "news@shop.test", "carol@example.test", "SENDER_FIRST_CONTACT"),
		heldEntry(2, "alerts@paypal-alerts.test", "carol@example.test", "LINK_TEXT_MISMATCH", "EXE_ATTACHMENT"),
		bounce,
	)
	campaign := heldEntry(4, "x@bulk.test", "erin@example.test")
	campaign.Campaign = "c-1"
	ids = append(ids, putAll(t, q, campaign)...)
	released := quarantine.Action{Actor: "tester", Name: "release"}
	if err := q.SetStatus(ctx, ids[1], quarantine.Released, released); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		filter quarantine.Filter
		want   []int64 // newest first
	}{
		{"all", quarantine.Filter{}, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{"status held", quarantine.Filter{Status: quarantine.Held}, []int64{ids[4], ids[3], ids[2], ids[0]}},
		{"status released", quarantine.Filter{Status: quarantine.Released}, []int64{ids[1]}},
		{"since inclusive", quarantine.Filter{Since: base.Add(3 * time.Hour)}, []int64{ids[4], ids[3]}},
		{"until exclusive", quarantine.Filter{Until: base.Add(1 * time.Hour)}, []int64{ids[0]}},
		{"sender substring any case", quarantine.Filter{Sender: "PAYPAL-alerts"}, []int64{ids[2], ids[0]}},
		{"sender matches From", quarantine.Filter{Sender: "bounce.TEST"}, []int64{ids[3]}},
		{"recipient", quarantine.Filter{Recipient: "carol@"}, []int64{ids[2], ids[1]}},
		{"signal exact", quarantine.Filter{Signal: "EXE_ATTACHMENT"}, []int64{ids[2]}},
		{"signal not a prefix", quarantine.Filter{Signal: "EXE"}, nil},
		{"campaign", quarantine.Filter{Campaign: "c-1"}, []int64{ids[4]}},
		{"combined", quarantine.Filter{Status: quarantine.Held, Recipient: "carol"}, []int64{ids[2]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, total, err := q.List(ctx, tt.filter)
			if err != nil {
				t.Fatalf("List(%+v): %v", tt.filter, err)
			}
			var got []int64
			for _, e := range entries {
				got = append(got, e.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("List(%+v) ids = %v, want %v", tt.filter, got, tt.want)
			}
			if total != len(tt.want) {
				t.Errorf("List(%+v) total = %d, want %d", tt.filter, total, len(tt.want))
			}
		})
	}
}

func TestQuarantineListPaging(t *testing.T) {
	ctx := context.Background()
	q := openTest(t, Config{}).Quarantine()
	var entries []*quarantine.Entry
	for i := range 7 {
		entries = append(entries, heldEntry(i, "a@remote.test", "b@example.test"))
	}
	ids := putAll(t, q, entries...)

	var seen []int64
	for offset := 0; offset < 9; offset += 3 {
		page, total, err := q.List(ctx, quarantine.Filter{Limit: 3, Offset: offset})
		if err != nil {
			t.Fatalf("List(offset %d): %v", offset, err)
		}
		if total != 7 {
			t.Errorf("List(offset %d) total = %d, want 7", offset, total)
		}
		for _, e := range page {
			seen = append(seen, e.ID)
		}
	}
	slices.Reverse(ids)
	if !slices.Equal(seen, ids) {
		t.Errorf("pages joined = %v, want %v", seen, ids)
	}

	page, _, err := q.List(ctx, quarantine.Filter{Limit: MaxListLimit + 1})
	if err != nil || len(page) != 7 {
		t.Errorf("List(limit over max) = %d entries, %v; want 7, nil", len(page), err)
	}
}

func TestQuarantineStatusTransitions(t *testing.T) {
	ctx := context.Background()
	q := openTest(t, Config{}).Quarantine()
	ids := putAll(t, q, heldEntry(0, "a@remote.test", "b@example.test"),
		heldEntry(1, "a@remote.test", "b@example.test"))
	act := func(name string) quarantine.Action {
		return quarantine.Action{Actor: "cli:tester", Remote: "", Name: name, Detail: name + " detail"}
	}

	tests := []struct {
		name    string
		id      int64
		status  quarantine.Status
		wantErr error // nil means success
	}{
		{"release held", ids[0], quarantine.Released, nil},
		{"release released", ids[0], quarantine.Released, quarantine.ErrNotHeld},
		{"delete released", ids[0], quarantine.Deleted, quarantine.ErrNotHeld},
		{"delete held", ids[1], quarantine.Deleted, nil},
		{"release deleted", ids[1], quarantine.Released, quarantine.ErrNotHeld},
		{"unknown id", ids[1] + 10, quarantine.Deleted, quarantine.ErrNotFound},
	}
	for _, tt := range tests {
		err := q.SetStatus(ctx, tt.id, tt.status, act(string(tt.status)))
		if tt.wantErr == nil && err != nil {
			t.Errorf("%s: SetStatus: %v", tt.name, err)
		}
		if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: SetStatus error = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	if err := q.SetStatus(ctx, ids[0], quarantine.Held, act("hold")); err == nil {
		t.Error("SetStatus(Held) succeeded, want an invalid-status error")
	}

	e, err := q.Get(ctx, ids[0])
	if err != nil || e.Status != quarantine.Released {
		t.Errorf("Get(%d) status = %v, %v; want released", ids[0], e, err)
	}
	audit, err := q.Audit(ctx, ids[0])
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	var names []string
	for _, a := range audit {
		names = append(names, a.Name)
	}
	if !slices.Equal(names, []string{"hold", "released"}) {
		t.Errorf("audit names = %v, want [hold released] (failed transitions leave none)", names)
	}
	if last := audit[len(audit)-1]; last.Actor != "cli:tester" || last.EntryID != ids[0] || last.At.IsZero() {
		t.Errorf("release record = %+v, want actor cli:tester, entry %d and a time", last, ids[0])
	}
}

func TestQuarantineRecord(t *testing.T) {
	ctx := context.Background()
	q := openTest(t, Config{}).Quarantine()
	ids := putAll(t, q, heldEntry(0, "a@remote.test", "b@example.test"))
	a := quarantine.Action{EntryID: ids[0], Actor: "staff1", Remote: "192.0.2.7", Name: "view"}
	if err := q.Record(ctx, a); err != nil {
		t.Fatalf("Record: %v", err)
	}
	a.EntryID = ids[0] + 1
	if err := q.Record(ctx, a); !errors.Is(err, quarantine.ErrNotFound) {
		t.Errorf("Record(unknown entry) error = %v, want ErrNotFound", err)
	}
	audit, err := q.Audit(ctx, ids[0])
	if err != nil || len(audit) != 2 || audit[1].Remote != "192.0.2.7" {
		t.Errorf("Audit = %+v, %v; want hold then view from 192.0.2.7", audit, err)
	}
	if _, err := q.Audit(ctx, ids[0]+1); !errors.Is(err, quarantine.ErrNotFound) {
		t.Errorf("Audit(unknown) error = %v, want ErrNotFound", err)
	}
}

func expiredIDs(t *testing.T, q *Quarantine, before time.Time, maxBytes int64) []int64 {
	t.Helper()
	entries, err := q.Expired(context.Background(), before, maxBytes, 100)
	if err != nil {
		t.Fatalf("Expired: %v", err)
	}
	var ids []int64
	for _, e := range entries {
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestQuarantineExpired(t *testing.T) {
	ctx := context.Background()
	q := openTest(t, Config{}).Quarantine()
	ids := putAll(t, q,
		heldEntry(0, "a@remote.test", "b@example.test"),
		heldEntry(1, "a@remote.test", "b@example.test"),
		heldEntry(2, "a@remote.test", "b@example.test"),
		heldEntry(3, "a@remote.test", "b@example.test"),
	)
	if err := q.SetStatus(ctx, ids[3], quarantine.Released, quarantine.Action{Name: "release"}); err != nil {
		t.Fatal(err)
	}
	entries, _, _ := q.List(ctx, quarantine.Filter{})
	var total int64
	if err := q.s.reader.QueryRow(`SELECT sum(raw_bytes) FROM quarantine`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	each := total / int64(len(entries))

	if got := expiredIDs(t, q, base.Add(90*time.Minute), total); !slices.Equal(got, ids[:2]) {
		t.Errorf("Expired(retention only) = %v, want %v", got, ids[:2])
	}
	// One message too many: the released one goes first although it is
	// the newest.
	if got := expiredIDs(t, q, base, total-1); !slices.Equal(got, ids[3:]) {
		t.Errorf("Expired(max_bytes total-1) = %v, want %v", got, ids[3:])
	}
	// Room for two: the released one, then the oldest held one.
	if got := expiredIDs(t, q, base, 2*each+each/2); !slices.Equal(got, []int64{ids[0], ids[3]}) {
		t.Errorf("Expired(max_bytes 2.5 messages) = %v, want %v", got, []int64{ids[0], ids[3]})
	}
	if got := expiredIDs(t, q, base, total); len(got) != 0 {
		t.Errorf("Expired(nothing due) = %v, want none", got)
	}
}

func TestQuarantinePurge(t *testing.T) {
	ctx := context.Background()
	q := openTest(t, Config{}).Quarantine()
	ids := putAll(t, q, heldEntry(0, "a@remote.test", "b@example.test"),
		heldEntry(1, "a@remote.test", "b@example.test"))
	if err := q.SetStatus(ctx, ids[1], quarantine.Released, quarantine.Action{Name: "release"}); err != nil {
		t.Fatal(err)
	}
	purge := quarantine.Action{Actor: "system", Name: "purge", Detail: "retention passed"}
	for _, id := range ids {
		if err := q.Purge(ctx, id, purge); err != nil {
			t.Fatalf("Purge(%d): %v", id, err)
		}
	}
	if err := q.Purge(ctx, ids[0], purge); !errors.Is(err, quarantine.ErrPurged) {
		t.Errorf("Purge twice error = %v, want ErrPurged", err)
	}

	wantStatus := []quarantine.Status{quarantine.Deleted, quarantine.Released}
	for i, id := range ids {
		e, err := q.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !e.Purged || e.Status != wantStatus[i] {
			t.Errorf("entry %d after purge: purged %v status %s, want true %s", id, e.Purged, e.Status, wantStatus[i])
		}
		if _, err := q.Raw(ctx, id); !errors.Is(err, quarantine.ErrPurged) {
			t.Errorf("Raw(%d) after purge error = %v, want ErrPurged", id, err)
		}
	}
	if got := expiredIDs(t, q, base.Add(time.Hour*24), 0); len(got) != 0 {
		t.Errorf("Expired after purge = %v, want none", got)
	}

	// Records go only once older than the cut-off.
	n, err := q.DeleteRecords(ctx, base.Add(30*time.Minute))
	if err != nil || n != 1 {
		t.Errorf("DeleteRecords = %d, %v; want 1, nil", n, err)
	}
	if _, err := q.Get(ctx, ids[0]); !errors.Is(err, quarantine.ErrNotFound) {
		t.Errorf("Get(deleted record) error = %v, want ErrNotFound", err)
	}
	var orphans int
	q.s.reader.QueryRow(`SELECT count(*) FROM quarantine_audit WHERE entry_id = ?`, ids[0]).Scan(&orphans)
	if orphans != 0 {
		t.Errorf("%d audit records outlive their entry", orphans)
	}
}

func TestQuarantineDeleteRecordsKeepsStored(t *testing.T) {
	ctx := context.Background()
	q := openTest(t, Config{}).Quarantine()
	ids := putAll(t, q, heldEntry(0, "a@remote.test", "b@example.test"))
	n, err := q.DeleteRecords(ctx, base.Add(time.Hour))
	if err != nil || n != 0 {
		t.Errorf("DeleteRecords = %d, %v; want 0 while the message is stored", n, err)
	}
	if _, err := q.Get(ctx, ids[0]); err != nil {
		t.Errorf("Get after DeleteRecords: %v", err)
	}
}

func TestBlocklist(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Config{})
	if err := s.Block(ctx, []string{"Evil.test", "phish.bond.", ""}, "Bad@Remote.test", "staff1", 7); err != nil {
		t.Fatalf("Block: %v", err)
	}
	// Blocking again keeps the first actor.
	if err := s.Block(ctx, []string{"evil.test"}, "", "staff2", 8); err != nil {
		t.Fatalf("Block again: %v", err)
	}

	got, err := s.Blocklisted(ctx, []string{"good.test", "EVIL.test", "sub.evil.test", "phish.bond"}, "bad@remote.test")
	if err != nil {
		t.Fatalf("Blocklisted: %v", err)
	}
	if want := []string{"evil.test", "phish.bond", "bad@remote.test"}; !slices.Equal(got, want) {
		t.Errorf("Blocklisted = %v, want %v", got, want)
	}
	got, _ = s.Blocklisted(ctx, []string{"remote.test"}, "evil.test")
	if len(got) != 0 {
		t.Errorf("Blocklisted across kinds = %v, want none", got)
	}

	all, err := s.Blocklist(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("Blocklist = %+v, %v; want 3 entries", all, err)
	}
	for _, b := range all {
		if b.Actor != "staff1" || b.EntryID != 7 || b.AddedAt.IsZero() {
			t.Errorf("blocklist entry %+v: want actor staff1, entry 7 and a time", b)
		}
	}

	removed, err := s.Unblock(ctx, BlockDomain, "EVIL.test")
	if err != nil || !removed {
		t.Errorf("Unblock = %v, %v; want true, nil", removed, err)
	}
	got, _ = s.Blocklisted(ctx, []string{"evil.test"}, "")
	if len(got) != 0 {
		t.Errorf("Blocklisted after Unblock = %v, want none", got)
	}
}

// TestQuarantineConcurrent runs puts, lists, status changes and records
// at once; run it with -race.
func TestQuarantineConcurrent(t *testing.T) {
	ctx := context.Background()
	q := openTest(t, Config{}).Quarantine()
	const writers, perWriter = 4, 10

	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter*3)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id, err := q.Put(ctx, heldEntry(w*perWriter+i, "a@remote.test", "b@example.test"), rawMessage(i))
				if err != nil {
					errs <- err
					return
				}
				if i%2 == 0 {
					if err := q.SetStatus(ctx, id, quarantine.Released, quarantine.Action{Name: "release"}); err != nil {
						errs <- err
					}
				}
				if _, _, err := q.List(ctx, quarantine.Filter{Status: quarantine.Held}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	_, total, err := q.List(ctx, quarantine.Filter{})
	if err != nil || total != writers*perWriter {
		t.Errorf("List total = %d, %v; want %d", total, err, writers*perWriter)
	}
	_, held, _ := q.List(ctx, quarantine.Filter{Status: quarantine.Held})
	if held != writers*perWriter/2 {
		t.Errorf("held = %d, want %d", held, writers*perWriter/2)
	}
}
