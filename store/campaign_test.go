package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

var qrKey = CampaignKey{Kind: KeyQRDomain, Value: "evil.example"}

// observeQR records a message from sender to rcpt carrying qrKey.
func observeQR(t *testing.T, s *Store, at time.Time, sender string, isNew bool, rcpts ...string) CampaignObserved {
	t.Helper()
	got, err := s.ObserveCampaign(context.Background(), CampaignObservation{
		Time: at, Window: 6 * time.Hour, MessageID: "<" + sender + at.String() + ">",
		QueueID: "Q" + fmt.Sprint(at.Unix()), Sender: sender, NewSender: isNew,
		Recipients: rcpts, Keys: []CampaignKey{qrKey},
	})
	if err != nil {
		t.Fatalf("ObserveCampaign(%s at %s): %v", sender, at, err)
	}
	return got
}

func TestObserveCampaignCountsDistinct(t *testing.T) {
	s := openTest(t, Config{})
	observeQR(t, s, base, "a@x.example", true, "u1@org.example", "u2@org.example")
	observeQR(t, s, base.Add(time.Hour), "a@x.example", false, "u2@org.example", "U3@org.example")
	got := observeQR(t, s, base.Add(2*time.Hour), "b@y.example", false, "u4@org.example")

	if len(got.Keys) != 1 {
		t.Fatalf("ObserveCampaign returned %d keys, want 1", len(got.Keys))
	}
	c := got.Keys[0]
	want := KeyCounts{Key: qrKey, Messages: 3, Recipients: 4, Senders: 2, NewSenders: 1, FirstSeen: base}
	if c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
}

func TestObserveCampaignWindowSlides(t *testing.T) {
	s := openTest(t, Config{})
	observeQR(t, s, base, "a@x.example", true, "u1@org.example")
	observeQR(t, s, base.Add(5*time.Hour), "b@x.example", true, "u2@org.example")
	got := observeQR(t, s, base.Add(7*time.Hour), "c@x.example", false, "u3@org.example")

	c := got.Keys[0]
	if c.Messages != 2 || c.Recipients != 2 || c.Senders != 2 || c.NewSenders != 1 {
		t.Errorf("counts after 7h = %+v, want 2 messages, 2 recipients, 2 senders, 1 new", c)
	}
	if !c.FirstSeen.Equal(base.Add(5 * time.Hour)) {
		t.Errorf("FirstSeen = %s, want %s", c.FirstSeen, base.Add(5*time.Hour))
	}
}

func TestObserveCampaignCapsKeys(t *testing.T) {
	s := openTest(t, Config{})
	var keys []CampaignKey
	for i := range MaxCampaignKeys + 5 {
		keys = append(keys, CampaignKey{Kind: KeyLinkDomain, Value: fmt.Sprintf("d%d.example", i)})
	}
	keys = append(keys[:1], keys...) // a duplicate is counted once
	got, err := s.ObserveCampaign(context.Background(), CampaignObservation{
		Time: base, Window: time.Hour, Sender: "a@x.example", Keys: keys,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Keys) != MaxCampaignKeys {
		t.Errorf("ObserveCampaign counted %d keys, want %d", len(got.Keys), MaxCampaignKeys)
	}
}

func TestObserveCampaignRejectsZeroWindow(t *testing.T) {
	s := openTest(t, Config{})
	_, err := s.ObserveCampaign(context.Background(), CampaignObservation{Keys: []CampaignKey{qrKey}})
	if !errors.Is(err, ErrInvalidObservation) {
		t.Errorf("ObserveCampaign without window: err = %v, want ErrInvalidObservation", err)
	}
}

func TestJoinCampaignBackfillsMembers(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Config{})
	var messages []int64
	for i := range 4 {
		at := base.Add(time.Duration(i) * time.Minute)
		o := observeQR(t, s, at, fmt.Sprintf("s%d@x.example", i), true, fmt.Sprintf("u%d@org.example", i))
		messages = append(messages, o.Message)
		if err := s.RecordCampaignVerdict(ctx, o.Message, "accept", 0); err != nil {
			t.Fatal(err)
		}
	}

	// The fourth message crosses the caller's thresholds.
	c, err := s.JoinCampaign(ctx, messages[3], qrKey, 6*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if c.Members != 4 || !c.FirstSeen.Equal(base) || !c.LastSeen.Equal(base.Add(3*time.Minute)) {
		t.Errorf("new campaign = %+v, want 4 members from %s to %s", c, base, base.Add(3*time.Minute))
	}

	// A later message shows the active campaign and joins it once.
	o := observeQR(t, s, base.Add(time.Hour), "s9@x.example", true, "u9@org.example")
	if o.Keys[0].Campaign != c.ID {
		t.Errorf("later message sees campaign %d, want %d", o.Keys[0].Campaign, c.ID)
	}
	for range 2 {
		if c, err = s.JoinCampaign(ctx, o.Message, qrKey, 6*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if c.Members != 5 {
		t.Errorf("after the later message joined twice, Members = %d, want 5", c.Members)
	}
	if err := s.RecordCampaignVerdict(ctx, o.Message, "hold", 42); err != nil {
		t.Fatal(err)
	}

	members, err := s.CampaignMembers(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var verdicts []string
	for _, m := range members {
		verdicts = append(verdicts, m.Verdict)
	}
	if want := []string{"accept", "accept", "accept", "accept", "hold"}; !slices.Equal(verdicts, want) {
		t.Errorf("member verdicts = %v, want %v", verdicts, want)
	}
	entries, err := s.CampaignMemberEntries(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(entries, []int64{42}) {
		t.Errorf("CampaignMemberEntries = %v, want [42]", entries)
	}
}

func TestJoinCampaignStartsAnewAfterWindow(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Config{})
	first := observeQR(t, s, base, "a@x.example", true, "u1@org.example")
	c1, err := s.JoinCampaign(ctx, first.Message, qrKey, 6*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	later := observeQR(t, s, base.Add(8*time.Hour), "b@x.example", true, "u2@org.example")
	if later.Keys[0].Campaign != 0 {
		t.Errorf("8h later the key shows campaign %d, want none", later.Keys[0].Campaign)
	}
	c2, err := s.JoinCampaign(ctx, later.Message, qrKey, 6*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if c2.ID == c1.ID || c2.Members != 1 {
		t.Errorf("second campaign = %+v, want a new one with 1 member (first was %d)", c2, c1.ID)
	}
}

func TestJoinCampaignUnknownMessage(t *testing.T) {
	s := openTest(t, Config{})
	_, err := s.JoinCampaign(context.Background(), 99, qrKey, time.Hour)
	if !errors.Is(err, ErrUnknownMessage) {
		t.Errorf("JoinCampaign(99): err = %v, want ErrUnknownMessage", err)
	}
	err = s.RecordCampaignVerdict(context.Background(), 99, "hold", 1)
	if !errors.Is(err, ErrUnknownMessage) {
		t.Errorf("RecordCampaignVerdict(99): err = %v, want ErrUnknownMessage", err)
	}
}

func TestCampaignsFilter(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Config{})
	o := observeQR(t, s, base, "a@x.example", true, "u1@org.example")
	if _, err := s.JoinCampaign(ctx, o.Message, qrKey, time.Hour); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		filter CampaignFilter
		want   int
	}{
		{"everything", CampaignFilter{}, 1},
		{"kind matches", CampaignFilter{Kind: KeyQRDomain}, 1},
		{"other kind", CampaignFilter{Kind: KeyLinkDomain}, 0},
		{"value substring any case", CampaignFilter{Value: "EVIL"}, 1},
		{"value absent", CampaignFilter{Value: "good"}, 0},
		{"since after", CampaignFilter{Since: base.Add(time.Minute)}, 0},
		{"until after", CampaignFilter{Until: base.Add(time.Minute)}, 1},
	}
	for _, tt := range tests {
		got, err := s.Campaigns(ctx, tt.filter)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(got) != tt.want {
			t.Errorf("%s: Campaigns(%+v) returned %d, want %d", tt.name, tt.filter, len(got), tt.want)
		}
	}
}

func TestPruneCampaigns(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Config{})
	member := observeQR(t, s, base, "a@x.example", true, "u1@org.example")
	c, err := s.JoinCampaign(ctx, member.Message, qrKey, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other := CampaignKey{Kind: KeyLinkDomain, Value: "plain.example"}
	_, err = s.ObserveCampaign(ctx, CampaignObservation{Time: base, Window: time.Hour,
		Sender: "b@x.example", Keys: []CampaignKey{other}})
	if err != nil {
		t.Fatal(err)
	}

	// Two hours later the keys and the non-member message are gone, the
	// campaign and its member stay.
	stats, err := s.PruneCampaigns(ctx, base.Add(2*time.Hour), CampaignLimits{Window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Keys != 2 || stats.Messages != 1 || stats.Campaigns != 0 {
		t.Errorf("first prune = %+v, want 2 keys, 1 message, 0 campaigns", stats)
	}
	if members, _ := s.CampaignMembers(ctx, c.ID); len(members) != 1 {
		t.Errorf("campaign keeps %d members after the window, want 1", len(members))
	}

	// After the retention the campaign goes, then its message.
	late := base.Add(DefaultCampaignRetention + 2*time.Hour)
	stats, err = s.PruneCampaigns(ctx, late, CampaignLimits{Window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Campaigns != 1 || stats.Messages != 1 {
		t.Errorf("prune after retention = %+v, want 1 campaign, 1 message", stats)
	}
	if _, err := s.CampaignByID(ctx, c.ID); !errors.Is(err, ErrCampaignNotFound) {
		t.Errorf("CampaignByID after retention: err = %v, want ErrCampaignNotFound", err)
	}
}

func TestPruneCampaignsMaxKeys(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Config{})
	for i := range 5 {
		key := CampaignKey{Kind: KeyLinkDomain, Value: fmt.Sprintf("d%d.example", i)}
		_, err := s.ObserveCampaign(ctx, CampaignObservation{Time: base.Add(time.Duration(i) * time.Second),
			Window: time.Hour, Sender: "a@x.example", Keys: []CampaignKey{key}})
		if err != nil {
			t.Fatal(err)
		}
	}
	stats, err := s.PruneCampaigns(ctx, base, CampaignLimits{Window: time.Hour, MaxKeys: 3})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Keys != 2 {
		t.Errorf("PruneCampaigns with MaxKeys 3 deleted %d keys, want 2", stats.Keys)
	}
	got, err := s.ObserveCampaign(ctx, CampaignObservation{Time: base, Window: time.Hour,
		Sender: "b@x.example", Keys: []CampaignKey{{Kind: KeyLinkDomain, Value: "d4.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Keys[0].Messages != 2 {
		t.Errorf("the newest key counts %d messages after eviction, want 2", got.Keys[0].Messages)
	}
}
