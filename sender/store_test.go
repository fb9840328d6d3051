package sender

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/policy"
	"github.com/holdfast/holdfast/store"
)

// TestSQLiteHistory runs Observation and Assess against the real SQLite
// store: what one message teaches makes the next one from the same
// sender familiar.
func TestSQLiteHistory(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DSN: filepath.Join(t.TempDir(), "history.db")})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	defer db.Close()

	// Ten messages a day on each of the last 60 days.
	now := time.Now()
	seed := store.Observation{Direction: store.Inbound,
		SenderAddress: "anna@example.de", SenderDomain: "example.de", OriginCountry: "DE"}
	for i := 0; i < 600; i++ {
		seed.Time = now.AddDate(0, 0, -1-i%60)
		if err := db.Learn(ctx, seed); err != nil {
			t.Fatalf("Learn: %v", err)
		}
	}

	c := newTestChecker(t, Config{}, db, nil)
	c.deps.Now = time.Now
	in := inbound("Li <li@example.cn>", Link{Domain: "new.example", QR: true, Source: "scan.png"})

	first := c.Assess(ctx, in)
	s, ok := signal(first, policy.SenderFirstContact)
	if !ok {
		t.Fatalf("first message: signals %v lack SENDER_FIRST_CONTACT", signalNames(first))
	}
	if !strings.Contains(s.Evidence, "in 60 days of history (600 messages)") {
		t.Errorf("evidence %q does not give the history's age and size", s.Evidence)
	}
	if _, ok := signal(first, policy.QRLinkDomainNew); !ok {
		t.Errorf("first message: signals %v lack QR_LINK_DOMAIN_NEW", signalNames(first))
	}

	if err := db.Learn(ctx, c.Observation(in, first)); err != nil {
		t.Fatalf("Learn(observation): %v", err)
	}
	second := c.Assess(ctx, in)
	for _, name := range []string{policy.SenderFirstContact, policy.AddressFirstContact, policy.QRLinkDomainNew} {
		if _, ok := signal(second, name); ok {
			t.Errorf("second message: %s raised after the first was learnt", name)
		}
	}
}
