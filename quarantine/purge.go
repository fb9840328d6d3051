package quarantine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Expirer is the part of a Store that Purge needs. The SQLite store
// implements it.
type Expirer interface {
	// Expired returns up to limit entries whose stored message must go,
	// oldest first: those received before the given time, then as many
	// more as bring the stored (compressed) bytes down to maxBytes,
	// released and deleted entries before held ones. Purged entries are
	// never returned.
	Expired(ctx context.Context, before time.Time, maxBytes int64, limit int) ([]Entry, error)

	// Purge drops an entry's stored message, marks a held entry deleted
	// and records a, all in one transaction.
	Purge(ctx context.Context, id int64, a Action) error

	// DeleteRecords deletes the entries received before the given time
	// whose message was purged, with their audit records, and returns
	// how many entries it deleted.
	DeleteRecords(ctx context.Context, before time.Time) (int64, error)
}

// PurgeStats counts what one Purge call did.
type PurgeStats struct {
	// Purged counts entries whose stored message was dropped.
	Purged int
	// Failed counts entries skipped because the MTA could not delete its
	// copy; the next Purge tries them again.
	Failed int
	// RecordsDeleted counts entries deleted with their audit trail after
	// Config.RecordRetention.
	RecordsDeleted int64
}

// purgeBatch is how many entries one Expired call returns. Arbitrary:
// each entry held by Postfix costs two command runs, so a batch takes a
// few seconds, and the loop asks again until nothing is left.
const purgeBatch = 100

// Purge enforces Config.Retention, Config.MaxBytes and
// Config.RecordRetention as of now. For each expired entry that is still
// held it first deletes the MTA's copy; a failure there skips the entry
// until the next call. Each purge leaves a "purge" audit record by
// "system". It returns ErrUnavailable when the Store does not implement
// Expirer. On error the entries already purged stay purged and the
// returned stats count them.
func (s *Service) Purge(ctx context.Context, now time.Time) (PurgeStats, error) {
	var stats PurgeStats
	ex, ok := s.store.(Expirer)
	if !ok {
		return stats, fmt.Errorf("%w: the store cannot expire entries", ErrUnavailable)
	}
	before := now.Add(-time.Duration(s.cfg.Retention))

	failed := make(map[int64]bool)
	for {
		entries, err := ex.Expired(ctx, before, s.cfg.MaxBytes, purgeBatch+len(failed))
		if err != nil {
			return stats, err
		}
		progress := false
		for i := range entries {
			e := &entries[i]
			if failed[e.ID] {
				continue
			}
			if err := s.purgeOne(ctx, ex, e.ID, before); err != nil {
				if ctx.Err() != nil {
					return stats, err
				}
				s.log.Warn("quarantine purge skipped an entry", "id", e.ID, "queue_id", e.QueueID, "err", err)
				failed[e.ID] = true
				stats.Failed++
				continue
			}
			stats.Purged++
			progress = true
		}
		if !progress {
			break
		}
	}

	n, err := ex.DeleteRecords(ctx, now.Add(-time.Duration(s.cfg.RecordRetention)))
	stats.RecordsDeleted = n
	return stats, err
}

// purgeOne deletes the MTA's copy of a held entry, then drops the stored
// message. The entry is read again under the lock, so a release that
// happened since Expired is respected.
func (s *Service) purgeOne(ctx context.Context, ex Expirer, id int64, before time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	e, err := s.store.Get(ctx, id)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("max_bytes %d exceeded", s.cfg.MaxBytes)
	if e.ReceivedAt.Before(before) {
		detail = fmt.Sprintf("retention %s passed", time.Duration(s.cfg.Retention))
	}
	if e.Status == Held {
		mtaDetail, err := s.releaser.Delete(ctx, e)
		if errors.Is(err, ErrNotInMTA) {
			mtaDetail, err = "the MTA no longer held the message", nil
		}
		if err != nil {
			return err
		}
		detail += "; " + mtaDetail
	}
	return ex.Purge(ctx, id, Action{EntryID: id, At: s.now(), Actor: "system", Name: "purge", Detail: detail})
}
