package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchHistory is the number of messages of history loaded before the
// per-message cost is measured.
const benchHistory = 1_000_000

// loadCampaignHistory fills the campaign tables with benchHistory inbound
// messages, all within the last five hours before base so every row still
// counts: each message has a unique attachment key and one of 20,000 link
// domains, one recipient of 100,000 and one sender of 50,000. Each table
// is filled by one INSERT ... SELECT in its own transaction.
func loadCampaignHistory(b *testing.B, s *Store) {
	steps := []string{
		`INSERT INTO campaign_messages (id, at, message_id, queue_id, sender, recipients)
SELECT i + 1, ?1 + i * ?2, 'm' || i, 'q' || i, 's' || (i % 50000) || '@x.example', 1 FROM seq`,
		`INSERT INTO campaign_keys (id, kind, value, last_seen)
SELECT i + 1, 'attachment-sha256', printf('%064x', i), ?1 + i * ?2 FROM seq`,
		`INSERT INTO campaign_keys (id, kind, value, last_seen)
SELECT ?3 + i + 1, 'link-domain', 'd' || i || '.example', ?1 + (?3 - 20000 + i) * ?2 FROM seq WHERE i < 20000`,
		`INSERT INTO campaign_key_messages (key_id, at, message)
SELECT i + 1, ?1 + i * ?2, i + 1 FROM seq
UNION ALL SELECT ?3 + (i % 20000) + 1, ?1 + i * ?2, i + 1 FROM seq`,
		`INSERT OR REPLACE INTO campaign_key_recipients (key_id, recipient, last_seen)
SELECT ?3 + (i % 20000) + 1, 'r' || (i % 100000) || '@org.example', ?1 + i * ?2 FROM seq`,
		`INSERT OR REPLACE INTO campaign_key_senders (key_id, sender, last_seen, new_seen)
SELECT ?3 + (i % 20000) + 1, 's' || (i % 50000) || '@x.example', ?1 + i * ?2, 0 FROM seq`,
	}
	first := base.Add(-5 * time.Hour).UnixNano()
	step := int64(5*time.Hour) / benchHistory
	for _, q := range steps {
		bulkInsert(b, s, q, first, step, benchHistory)
	}
}

// loadAccountHistory fills the account tables and the address history as
// benchHistory outbound messages from 1,000 accounts over 28 days would:
// 36 messages a day each, 200,000 known correspondents.
func loadAccountHistory(b *testing.B, s *Store) {
	today := unixDay(base.UnixNano())
	steps := []string{
		`INSERT INTO addresses (address, first_seen, last_seen, inbound, outbound)
SELECT 'c' || i || '@corr.example', ?1, ?1, 0, 5 FROM seq WHERE i < 200000`,
		`INSERT INTO account_days (account, day, messages, recipients, first_contact)
SELECT 'a' || (i % 1000) || '@org.example', ?3 - 1 - i / 1000, 36, 40, 2 FROM seq WHERE i < 28000`,
		`INSERT INTO account_origins (account, country, asn, count, last_seen)
SELECT 'a' || i || '@org.example', 'DE', 'AS3320', 1000, ?1 FROM seq WHERE i < 1000`,
	}
	for _, q := range steps {
		bulkInsert(b, s, q, base.Add(-24*time.Hour).UnixNano(), 0, today)
	}
}

// bulkInsert runs one INSERT over seq(i), i from 0 to benchHistory-1, in
// a transaction, with ?1, ?2 and ?3 bound to a1, a2 and a3.
func bulkInsert(b *testing.B, s *Store, query string, a1, a2, a3 int64) {
	b.Helper()
	ctx := context.Background()
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	seq := fmt.Sprintf(`WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < %d) `,
		benchHistory-1)
	if _, err := tx.ExecContext(ctx, seq+query, a1, a2, a3); err != nil {
		b.Fatalf("bulk insert: %v\n%s", err, query)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCrossMessage measures what campaign and account tracking add
// to one message, with a million messages of history in the store.
func BenchmarkCrossMessage(b *testing.B) {
	s := openTest(b, Config{})
	began := time.Now()
	loadCampaignHistory(b, s)
	loadAccountHistory(b, s)
	if _, err := s.writer.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("setup: %d messages of history loaded in %s", benchHistory, time.Since(began).Round(time.Millisecond))
	ctx := context.Background()

	b.Run("campaign", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_, err := s.ObserveCampaign(ctx, CampaignObservation{
				Time: base.Add(time.Duration(i) * time.Millisecond), Window: 6 * time.Hour,
				MessageID: fmt.Sprintf("<b%d@x>", i), QueueID: "Q", Sender: fmt.Sprintf("s%d@x.example", i%50000),
				NewSender:  i%10 == 0,
				Recipients: []string{fmt.Sprintf("r%d@org.example", i%100000)},
				Keys: []CampaignKey{
					{Kind: KeyAttachmentSHA256, Value: fmt.Sprintf("%064x", benchHistory+i)},
					{Kind: KeyLinkDomain, Value: fmt.Sprintf("d%d.example", i%20000)},
					{Kind: KeyAttachmentName, Value: "invoice_#.pdf"},
				},
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("account", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_, err := s.ObserveAccount(ctx, AccountObservation{
				Time: base.Add(time.Duration(i) * time.Millisecond), Account: fmt.Sprintf("a%d@org.example", i%1000),
				Recipients: []string{fmt.Sprintf("c%d@corr.example", i%200000), fmt.Sprintf("n%d@new.example", i)},
				Country:    "DE", ASN: "AS3320", BurstWindow: time.Hour, BaselineDays: 28,
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
