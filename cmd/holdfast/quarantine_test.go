package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/holdfast/holdfast/quarantine"
	"github.com/holdfast/holdfast/store"
)

// TestMarkSafeTeachesAddressOnly marks senders safe through the
// observation MarkSafe learns, on a real store, and checks which
// addresses and domains became correspondents.
func TestMarkSafeTeachesAddressOnly(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DSN: filepath.Join(t.TempDir(), "h.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := quarantine.Config{NeverBlock: []string{"vendor.test"}}

	tests := []struct {
		name       string
		sender     string
		domain     string
		wantDomain bool
	}{
		// One gmail.com sender marked safe must not vouch for all of gmail.
		{"freemail", "Friend@Gmail.com", "gmail.com", false},
		{"configured never_block", "ops@cdn.vendor.test", "vendor.test", false},
		// A company sender teaches its registrable domain, as a reply
		// from a local user would.
		{"company", "ap@mail.supplier.test", "supplier.test", true},
	}
	for _, tt := range tests {
		e := &quarantine.Entry{MailFrom: tt.sender, Rcpts: []string{"Bob@example.test"}}
		if err := st.Learn(ctx, correspondentObservation(e, cfg, time.Now())); err != nil {
			t.Fatalf("%s: Learn: %v", tt.name, err)
		}
		h, err := st.Sender(ctx, tt.sender, tt.domain)
		if err != nil {
			t.Fatal(err)
		}
		if !h.Address.Known() {
			t.Errorf("%s: address %s not a correspondent after mark-safe", tt.name, tt.sender)
		}
		if h.Domain.Known() != tt.wantDomain {
			t.Errorf("%s: domain %s known = %v, want %v", tt.name, tt.domain, h.Domain.Known(), tt.wantDomain)
		}
	}

	other, err := st.Sender(ctx, "stranger@gmail.com", "gmail.com")
	if err != nil {
		t.Fatal(err)
	}
	if other.Address.Known() || other.Domain.Known() {
		t.Errorf("another gmail.com sender is known after mark-safe: %+v", other)
	}
}
