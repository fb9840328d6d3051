package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func observeAccount(t *testing.T, s *Store, at time.Time, country string, rcpts ...string) AccountActivity {
	t.Helper()
	act, err := s.ObserveAccount(context.Background(), AccountObservation{
		Time: at, Account: "Alice@Org.example", Recipients: rcpts, Country: country, ASN: "AS64500",
		BurstWindow: time.Hour, BaselineDays: 28,
	})
	if err != nil {
		t.Fatalf("ObserveAccount(%s): %v", at, err)
	}
	return act
}

func TestObserveAccountFirstContact(t *testing.T) {
	s := openTest(t, Config{})
	learnAll(t, s, Observation{Time: base, Direction: Outbound, SenderAddress: "alice@org.example",
		LocalAccount: "alice@org.example", Recipients: []string{"known@corr.example"}})

	act := observeAccount(t, s, day(1), "DE", "known@corr.example", "New@Stranger.example")
	if act.Recipients != 2 {
		t.Errorf("Recipients = %d, want 2", act.Recipients)
	}
	if want := []string{"new@stranger.example"}; !slices.Equal(act.FirstContact, want) {
		t.Errorf("FirstContact = %v, want %v", act.FirstContact, want)
	}
	want := AccountWindow{Messages: 1, FirstContactMessages: 1, Recipients: 2, FirstContactRecipients: 1}
	if act.Recent != want {
		t.Errorf("Recent = %+v, want %+v", act.Recent, want)
	}
}

func TestObserveAccountBaselineDays(t *testing.T) {
	s := openTest(t, Config{})
	observeAccount(t, s, day(0), "DE", "a@x.example")
	observeAccount(t, s, day(0).Add(time.Hour), "DE", "b@x.example", "c@x.example")
	observeAccount(t, s, day(2), "DE", "a@x.example")
	observeAccount(t, s, day(-40), "DE", "old@x.example") // beyond the baseline

	act := observeAccount(t, s, day(3), "SG", "d@x.example")
	var days []int64
	for _, d := range act.Days {
		days = append(days, d.Messages)
	}
	if want := []int64{1, 2}; !slices.Equal(days, want) {
		t.Errorf("baseline day messages = %v, want %v (newest first, today excluded)", days, want)
	}
	if act.Recent.Messages != 1 {
		t.Errorf("Recent.Messages = %d, want 1: the other messages are days old", act.Recent.Messages)
	}
	if len(act.Logins) != 2 || act.Logins[0].Country != "SG" || !act.Logins[0].FirstSeen.Equal(day(3)) {
		t.Errorf("Logins = %+v, want SG first seen on day 3, then DE", act.Logins)
	}
	if act.Logins[1].Messages != 4 || !act.Logins[1].FirstSeen.Equal(day(-40)) {
		t.Errorf("DE login = %+v, want 4 messages since day -40", act.Logins[1])
	}
}

func TestObserveAccountBurstWindow(t *testing.T) {
	s := openTest(t, Config{})
	for i := range 5 {
		observeAccount(t, s, base.Add(time.Duration(i)*20*time.Minute), "DE", "x@y.example")
	}
	act := observeAccount(t, s, base.Add(110*time.Minute), "DE")
	if act.Recent.Messages != 3 || act.Recent.FirstContactMessages != 2 {
		t.Errorf("Recent = %+v, want 3 messages in the last hour, 2 with a first contact", act.Recent)
	}
}

func TestObserveAccountInvalid(t *testing.T) {
	s := openTest(t, Config{})
	tests := []struct {
		name string
		obs  AccountObservation
	}{
		{"no account", AccountObservation{BurstWindow: time.Hour, BaselineDays: 1}},
		{"no window", AccountObservation{Account: "a", BaselineDays: 1}},
		{"no baseline", AccountObservation{Account: "a", BurstWindow: time.Hour}},
	}
	for _, tt := range tests {
		_, err := s.ObserveAccount(context.Background(), tt.obs)
		if !errors.Is(err, ErrInvalidObservation) {
			t.Errorf("%s: err = %v, want ErrInvalidObservation", tt.name, err)
		}
	}
}

func TestPruneAccounts(t *testing.T) {
	s := openTest(t, Config{})
	observeAccount(t, s, base, "DE", "a@x.example")
	lim := AccountLimits{BurstWindow: time.Hour, BaselineDays: 28}

	stats, err := s.PruneAccounts(context.Background(), day(1), lim)
	if err != nil {
		t.Fatal(err)
	}
	if stats != (AccountPruneStats{Sends: 1}) {
		t.Errorf("prune a day later = %+v, want 1 send", stats)
	}
	stats, err = s.PruneAccounts(context.Background(), day(500), lim)
	if err != nil {
		t.Fatal(err)
	}
	if stats != (AccountPruneStats{Days: 1, Logins: 1}) {
		t.Errorf("prune 500 days later = %+v, want 1 day and 1 login", stats)
	}
}
