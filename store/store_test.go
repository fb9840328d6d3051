package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// base is the time of the first observation in these tests.
var base = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// day returns base plus n days.
func day(n int) time.Time { return base.Add(time.Duration(n) * 24 * time.Hour) }

// openTest opens a store in a fresh temporary directory and closes it at
// the end of the test.
func openTest(t testing.TB, cfg Config) *Store {
	t.Helper()
	if cfg.DSN == "" {
		cfg.DSN = filepath.Join(t.TempDir(), "history.db")
	}
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open(%+v): %v", cfg, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func learnAll(t testing.TB, s *Store, observations ...Observation) {
	t.Helper()
	for i, obs := range observations {
		if err := s.Learn(context.Background(), obs); err != nil {
			t.Fatalf("Learn(observation %d): %v", i, err)
		}
	}
}

func inbound(at time.Time, address, name string) Observation {
	_, domain, _ := strings.Cut(address, "@")
	return Observation{
		Time:          at,
		Direction:     Inbound,
		SenderAddress: address,
		SenderDomain:  domain,
		DisplayName:   name,
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // substring; "" means valid
	}{
		{"zero is valid", Config{}, ""},
		{"postgres with dsn", Config{Driver: "postgres", DSN: "postgres://h/db"}, ""},
		{"postgres without dsn", Config{Driver: "postgres"}, "dsn is missing"},
		{"unknown driver", Config{Driver: "mysql"}, `driver "mysql" is invalid: use "sqlite" or "postgres"`},
		{"uri dsn", Config{DSN: "file:x.db?mode=ro"}, "dsn \"file:x.db?mode=ro\" is invalid"},
		{"negative max_keys", Config{MaxKeys: -1}, "max_keys -1 is invalid"},
		{"negative max_display_names", Config{MaxDisplayNames: -2}, "max_display_names -2 is invalid"},
		{"negative max_origins", Config{MaxOrigins: -3}, "max_origins -3 is invalid"},
		{"negative retention", Config{HistoryRetention: Duration(-time.Hour)}, "history_retention -1h0m0s is invalid"},
		{"negative busy_timeout", Config{BusyTimeout: Duration(-time.Second)}, "busy_timeout -1s is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("Validate(%+v) = %v, want nil", tt.cfg, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate(%+v) = %v, want error containing %q", tt.cfg, err, tt.wantErr)
			}
		})
	}
}

func TestDurationUnmarshalText(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"400d", 400 * 24 * time.Hour, false},
		{"36h", 36 * time.Hour, false},
		{"5s", 5 * time.Second, false},
		{"1.5d", 0, true},
		{"soon", 0, true},
	}
	for _, tt := range tests {
		var d Duration
		err := d.UnmarshalText([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("UnmarshalText(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if time.Duration(d) != tt.want {
			t.Errorf("UnmarshalText(%q) = %v, want %v", tt.in, time.Duration(d), tt.want)
		}
	}
}

func TestOpenRejectsPostgres(t *testing.T) {
	_, err := Open(context.Background(), Config{Driver: DriverPostgres, DSN: "postgres://127.0.0.1/x"})
	if !errors.Is(err, ErrUnsupportedDriver) {
		t.Fatalf("Open(postgres) = %v, want ErrUnsupportedDriver", err)
	}
}

func TestSenderInbound(t *testing.T) {
	s := openTest(t, Config{})
	ctx := context.Background()
	first := inbound(day(0), "Alice@Example.COM", "Alice Liddell")
	first.OriginCountry, first.OriginASN = "fr", "as3215"
	first.LinkDomains = []string{"Example.com", "tracker.example"}
	second := inbound(day(3), "alice@example.com", "A. Liddell")
	learnAll(t, s, first, second, inbound(day(1), "bob@example.com", ""))

	tests := []struct {
		name, address, domain string
		want                  SenderHistory
	}{
		{
			name:    "known address any case",
			address: "ALICE@example.com", domain: "EXAMPLE.com",
			want: SenderHistory{
				Address:       Seen{FirstSeen: day(0), LastSeen: day(3), Inbound: 2},
				Domain:        Seen{FirstSeen: day(0), LastSeen: day(3), Inbound: 3},
				DisplayNames:  []string{"A. Liddell", "Alice Liddell"},
				DomainOrigins: []Origin{{Country: "FR", ASN: "AS3215", Count: 1, LastSeen: day(0)}},
			},
		},
		{
			name:    "unknown address at known domain",
			address: "carol@example.com", domain: "example.com",
			want: SenderHistory{
				Domain:        Seen{FirstSeen: day(0), LastSeen: day(3), Inbound: 3},
				DomainOrigins: []Origin{{Country: "FR", ASN: "AS3215", Count: 1, LastSeen: day(0)}},
			},
		},
		{
			name:    "unknown everything",
			address: "x@new.example", domain: "new.example",
			want: SenderHistory{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Sender(ctx, tt.address, tt.domain)
			if err != nil {
				t.Fatalf("Sender(%q, %q): %v", tt.address, tt.domain, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sender(%q, %q) =\n%+v\nwant\n%+v", tt.address, tt.domain, got, tt.want)
			}
		})
	}
}

func TestLearnOutboundMakesCorrespondents(t *testing.T) {
	s := openTest(t, Config{})
	ctx := context.Background()
	learnAll(t, s, Observation{
		Time:          day(0),
		Direction:     Outbound,
		SenderAddress: "me@holdfast.example",
		SenderDomain:  "holdfast.example",
		DisplayName:   "Me Myself",
		LocalAccount:  "Me",
		Recipients:    []string{"Partner@Mail.Supplier.CO.UK", "other@supplier.co.uk", "friend@gmail.com"},
		LinkDomains:   []string{"docs.example"},
		OriginCountry: "DE",
		OriginASN:     "AS3320",
	})

	tests := []struct {
		name, address, domain string
		want                  SenderHistory
	}{
		{
			name:    "recipient with derived registrable domain",
			address: "partner@mail.supplier.co.uk", domain: "supplier.co.uk",
			want: SenderHistory{
				Address: Seen{FirstSeen: day(0), LastSeen: day(0), Outbound: 1},
				// Two recipients share the domain, but it counts one message.
				Domain: Seen{FirstSeen: day(0), LastSeen: day(0), Outbound: 1},
			},
		},
		{
			name:    "second recipient",
			address: "FRIEND@gmail.com", domain: "gmail.com",
			want: SenderHistory{
				Address: Seen{FirstSeen: day(0), LastSeen: day(0), Outbound: 1},
				Domain:  Seen{FirstSeen: day(0), LastSeen: day(0), Outbound: 1},
			},
		},
		{
			name:    "local sender is not a correspondent",
			address: "me@holdfast.example", domain: "holdfast.example",
			want: SenderHistory{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Sender(ctx, tt.address, tt.domain)
			if err != nil {
				t.Fatalf("Sender(%q, %q): %v", tt.address, tt.domain, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sender(%q, %q) =\n%+v\nwant\n%+v", tt.address, tt.domain, got, tt.want)
			}
		})
	}

	origins, err := s.AccountOrigins(ctx, "ME")
	if err != nil {
		t.Fatalf("AccountOrigins: %v", err)
	}
	want := []Origin{{Country: "DE", ASN: "AS3320", Count: 1, LastSeen: day(0)}}
	if !reflect.DeepEqual(origins, want) {
		t.Errorf("AccountOrigins(%q) = %+v, want %+v", "ME", origins, want)
	}

	links, err := s.LinkDomains(ctx, []string{"docs.example"})
	if err != nil {
		t.Fatalf("LinkDomains: %v", err)
	}
	if got := links["docs.example"]; got.Outbound != 1 || got.Inbound != 0 {
		t.Errorf("LinkDomains(docs.example) = %+v, want Outbound 1 and Inbound 0", got)
	}
}

func TestRecipientDomainsGiven(t *testing.T) {
	s := openTest(t, Config{})
	learnAll(t, s, Observation{
		Time:             day(0),
		Direction:        Outbound,
		LocalAccount:     "me",
		Recipients:       []string{"a@x.sub.example"},
		RecipientDomains: []string{"sub.example"},
	})
	h, err := s.Sender(context.Background(), "", "sub.example")
	if err != nil {
		t.Fatalf("Sender: %v", err)
	}
	if h.Domain.Outbound != 1 {
		t.Errorf("Sender(sub.example).Domain = %+v, want Outbound 1", h.Domain)
	}
}

func TestLinkDomains(t *testing.T) {
	s := openTest(t, Config{})
	obs := inbound(day(0), "a@b.example", "")
	obs.LinkDomains = []string{"Known.Example", "known.example", "", "other.example"}
	learnAll(t, s, obs)

	got, err := s.LinkDomains(context.Background(), []string{"KNOWN.example", "never.example", "other.example"})
	if err != nil {
		t.Fatalf("LinkDomains: %v", err)
	}
	want := map[string]Seen{
		// Listed twice in one message, counted once.
		"known.example": {FirstSeen: day(0), LastSeen: day(0), Inbound: 1},
		"other.example": {FirstSeen: day(0), LastSeen: day(0), Inbound: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LinkDomains = %+v, want %+v", got, want)
	}
}

func TestDisplayNamesBounded(t *testing.T) {
	s := openTest(t, Config{MaxDisplayNames: 3})
	for i := range 6 {
		learnAll(t, s, inbound(day(i), "ceo@corp.example", fmt.Sprintf("Name %d", i)))
	}
	// Seen again most recently, so it moves to the front.
	learnAll(t, s, inbound(day(9), "ceo@corp.example", "Name 4"))

	h, err := s.Sender(context.Background(), "ceo@corp.example", "")
	if err != nil {
		t.Fatalf("Sender: %v", err)
	}
	want := []string{"Name 4", "Name 5", "Name 3"}
	if !reflect.DeepEqual(h.DisplayNames, want) {
		t.Errorf("DisplayNames = %q, want %q", h.DisplayNames, want)
	}
}

func TestDomainOriginsBounded(t *testing.T) {
	s := openTest(t, Config{MaxOrigins: 2})
	for i, c := range []string{"FR", "DE", "NL"} {
		obs := inbound(day(i), "a@corp.example", "")
		obs.OriginCountry = c
		learnAll(t, s, obs)
	}
	h, err := s.Sender(context.Background(), "", "corp.example")
	if err != nil {
		t.Fatalf("Sender: %v", err)
	}
	var countries []string
	for _, o := range h.DomainOrigins {
		countries = append(countries, o.Country)
	}
	if want := []string{"NL", "DE"}; !reflect.DeepEqual(countries, want) {
		t.Errorf("DomainOrigins countries = %q, want %q", countries, want)
	}
}

func TestLearnOutOfOrderWidensSeen(t *testing.T) {
	s := openTest(t, Config{})
	learnAll(t, s, inbound(day(5), "a@b.example", ""), inbound(day(2), "a@b.example", ""))
	h, err := s.Sender(context.Background(), "a@b.example", "")
	if err != nil {
		t.Fatalf("Sender: %v", err)
	}
	if !h.Address.FirstSeen.Equal(day(2)) || !h.Address.LastSeen.Equal(day(5)) {
		t.Errorf("Address seen %v..%v, want %v..%v", h.Address.FirstSeen, h.Address.LastSeen, day(2), day(5))
	}
}

func TestLearnInvalid(t *testing.T) {
	s := openTest(t, Config{})
	tests := []struct {
		name string
		obs  Observation
	}{
		{"unknown direction", Observation{Direction: Direction(7), SenderAddress: "a@b.example"}},
		{"sender too long", inbound(day(0), strings.Repeat("a", MaxKeyBytes)+"@b.example", "")},
		// Before 1678 UnixNano overflows, and so after 2262.
		{"year 1600", inbound(time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), "a@b.example", "")},
		{"year 1829", inbound(time.Date(1829, 6, 1, 0, 0, 0, 0, time.UTC), "a@b.example", "")},
		{"before the epoch", inbound(MinObservationTime.Add(-time.Second), "a@b.example", "")},
		{"at the upper bound", inbound(MaxObservationTime, "a@b.example", "")},
		{"year 9999", inbound(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), "a@b.example", "")},
	}
	for _, tt := range tests {
		err := s.Learn(context.Background(), tt.obs)
		if !errors.Is(err, ErrInvalidObservation) {
			t.Errorf("%s: Learn = %v, want ErrInvalidObservation", tt.name, err)
		}
	}
	o, err := s.Overview(context.Background())
	if err != nil {
		t.Fatalf("Overview: %v", err)
	}
	if o.Messages != 0 {
		t.Errorf("Overview.Messages = %d after rejected observations, want 0", o.Messages)
	}
}

func TestLearnTimeBounds(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
	}{
		{"epoch", MinObservationTime},
		{"before the upper bound", MaxObservationTime.Add(-time.Nanosecond)},
		{"other time zone", time.Date(2024, 1, 8, 1, 0, 0, 0, time.FixedZone("", 5*3600))},
	}
	for _, tt := range tests {
		s := openTest(t, Config{})
		learnAll(t, s, inbound(tt.at, "a@b.example", ""))
		h, err := s.Sender(context.Background(), "a@b.example", "")
		if err != nil {
			t.Fatalf("%s: Sender: %v", tt.name, err)
		}
		if !h.Address.FirstSeen.Equal(tt.at) {
			t.Errorf("%s: FirstSeen = %v, want %v", tt.name, h.Address.FirstSeen, tt.at)
		}
	}
}

func TestLearnSkipsOverlongListEntries(t *testing.T) {
	s := openTest(t, Config{})
	obs := inbound(day(0), "a@b.example", "")
	long := strings.Repeat("x", MaxKeyBytes+1) + ".example"
	obs.LinkDomains = []string{long, "ok.example"}
	learnAll(t, s, obs)

	got, err := s.LinkDomains(context.Background(), []string{"ok.example"})
	if err != nil {
		t.Fatalf("LinkDomains: %v", err)
	}
	if _, ok := got["ok.example"]; !ok {
		t.Errorf("LinkDomains(ok.example) missing after an overlong sibling")
	}
}

func TestDisplayNameCut(t *testing.T) {
	s := openTest(t, Config{})
	name := strings.Repeat("é", MaxDisplayNameBytes) // 2 bytes each
	learnAll(t, s, inbound(day(0), "a@b.example", name))
	h, err := s.Sender(context.Background(), "a@b.example", "")
	if err != nil {
		t.Fatalf("Sender: %v", err)
	}
	if len(h.DisplayNames) != 1 || h.DisplayNames[0] != name[:MaxDisplayNameBytes] {
		t.Errorf("DisplayNames = %d entries, want one cut to %d bytes", len(h.DisplayNames), MaxDisplayNameBytes)
	}
}

func TestOverview(t *testing.T) {
	s := openTest(t, Config{})
	ctx := context.Background()

	o, err := s.overviewAt(ctx, day(7))
	if err != nil {
		t.Fatalf("Overview: %v", err)
	}
	if o != (Overview{}) {
		t.Errorf("Overview of empty store = %+v, want zero", o)
	}

	learnAll(t, s,
		inbound(day(4), "a@one.example", ""),
		inbound(day(2), "b@two.example", ""),
		inbound(day(5), "c@one.example", ""),
		Observation{Time: day(6), Direction: Outbound, LocalAccount: "me", Recipients: []string{"d@three.example"}},
	)
	o, err = s.overviewAt(ctx, day(7))
	if err != nil {
		t.Fatalf("Overview: %v", err)
	}
	want := Overview{Messages: 4, Since: day(2), Days: 4, SenderDomains: 3}
	if o != want {
		t.Errorf("Overview = %+v, want %+v", o, want)
	}
}

func TestOverviewDays(t *testing.T) {
	// The retention is 30 days, and the overview is taken on day 40, so
	// days 10 to 40 count.
	tests := []struct {
		name     string
		days     []int // of each message learnt, relative to base
		wantDays int64
	}{
		{"none", nil, 0},
		{"one day, many messages", []int{20, 20, 20, 20}, 1},
		{"distinct days", []int{11, 12, 13, 40}, 4},
		// One old message moves Since back but adds no day.
		{"outlier before retention", []int{-3000, 38, 39}, 2},
		{"first day of retention", []int{10}, 1},
		{"future day", []int{41, 39}, 1},
	}
	for _, tt := range tests {
		s := openTest(t, Config{HistoryRetention: Duration(30 * 24 * time.Hour)})
		for _, d := range tt.days {
			learnAll(t, s, inbound(day(d), "a@b.example", ""))
		}
		o, err := s.overviewAt(context.Background(), day(40))
		if err != nil {
			t.Fatalf("%s: Overview: %v", tt.name, err)
		}
		if o.Days != tt.wantDays {
			t.Errorf("%s: Overview.Days = %d, want %d", tt.name, o.Days, tt.wantDays)
		}
		if o.Messages != int64(len(tt.days)) {
			t.Errorf("%s: Overview.Messages = %d, want %d", tt.name, o.Messages, len(tt.days))
		}
	}
}

func TestPruneRetention(t *testing.T) {
	s := openTest(t, Config{HistoryRetention: Duration(30 * 24 * time.Hour)})
	ctx := context.Background()
	old := inbound(day(0), "old@gone.example", "Old")
	old.OriginCountry = "FR"
	old.LinkDomains = []string{"old-link.example"}
	learnAll(t, s, old,
		Observation{Time: day(1), Direction: Outbound, LocalAccount: "me", OriginCountry: "DE"},
		inbound(day(40), "new@kept.example", "New"),
	)

	now := day(45) // horizon is day 15
	stats, err := s.Prune(ctx, now)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	want := PruneStats{
		Addresses: 1, Domains: 1, LinkDomains: 1, AccountOrigins: 1,
		Since: day(15),
	}
	if stats != want {
		t.Errorf("Prune stats = %+v, want %+v", stats, want)
	}

	h, err := s.Sender(ctx, "old@gone.example", "gone.example")
	if err != nil {
		t.Fatalf("Sender: %v", err)
	}
	if h.Address.Known() || h.Domain.Known() || h.DisplayNames != nil || h.DomainOrigins != nil {
		t.Errorf("Sender(old) after prune = %+v, want unknown", h)
	}
	if h, _ := s.Sender(ctx, "new@kept.example", "kept.example"); !h.Address.Known() {
		t.Errorf("Sender(new) after prune = %+v, want known", h)
	}

	o, err := s.overviewAt(ctx, now)
	if err != nil {
		t.Fatalf("Overview: %v", err)
	}
	if wantO := (Overview{Messages: 1, Since: day(15), Days: 1, SenderDomains: 1}); o != wantO {
		t.Errorf("Overview after prune = %+v, want %+v", o, wantO)
	}

	// A display name or origin is pruned on its own age, too.
	learnAll(t, s, inbound(day(50), "new@kept.example", "Newer"))
	if _, err := s.Prune(ctx, day(80)); err != nil { // horizon is day 50
		t.Fatalf("Prune: %v", err)
	}
	h, _ = s.Sender(ctx, "new@kept.example", "")
	if want := []string{"Newer"}; !reflect.DeepEqual(h.DisplayNames, want) {
		t.Errorf("DisplayNames after second prune = %q, want %q", h.DisplayNames, want)
	}
}

func TestPruneMaxKeys(t *testing.T) {
	s := openTest(t, Config{MaxKeys: 3})
	ctx := context.Background()
	for i := range 5 {
		learnAll(t, s, inbound(day(i), fmt.Sprintf("u%d@d%d.example", i, i), ""))
	}
	stats, err := s.Prune(ctx, day(6))
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if stats.Addresses != 2 || stats.Domains != 2 {
		t.Errorf("Prune stats = %+v, want 2 addresses and 2 domains", stats)
	}
	// The newest evicted key was last seen on day 1, so the history is
	// complete only after it.
	if want := day(1).Add(time.Nanosecond); !stats.Since.Equal(want) {
		t.Errorf("Prune Since = %v, want %v", stats.Since, want)
	}
	for i := range 5 {
		h, err := s.Sender(ctx, fmt.Sprintf("u%d@d%d.example", i, i), "")
		if err != nil {
			t.Fatalf("Sender: %v", err)
		}
		if want := i >= 2; h.Address.Known() != want {
			t.Errorf("Sender(u%d) known = %v, want %v", i, h.Address.Known(), want)
		}
	}
}

func TestPruneEmpty(t *testing.T) {
	s := openTest(t, Config{})
	stats, err := s.Prune(context.Background(), base)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if stats != (PruneStats{}) {
		t.Errorf("Prune of empty store = %+v, want zero", stats)
	}
}

func TestReopenPersists(t *testing.T) {
	cfg := Config{DSN: filepath.Join(t.TempDir(), "history.db")}
	ctx := context.Background()
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	learnAll(t, s, inbound(day(0), "a@b.example", "A"))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openTest(t, cfg)
	h, err := s.Sender(ctx, "a@b.example", "b.example")
	if err != nil {
		t.Fatalf("Sender after reopen: %v", err)
	}
	if h.Address.Inbound != 1 || h.Domain.Inbound != 1 || len(h.DisplayNames) != 1 {
		t.Errorf("Sender after reopen = %+v, want one inbound message with a name", h)
	}
}

func TestSchemaVersion(t *testing.T) {
	cfg := Config{DSN: filepath.Join(t.TempDir(), "history.db")}
	ctx := context.Background()
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var version int
	if err := s.reader.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&version); err != nil {
		t.Fatalf("read schema_version: %v", err)
	}
	if version != schemaVersion {
		t.Errorf("schema_version = %d, want %d", version, schemaVersion)
	}
	s.Close()

	// A file written by a newer holdfast is refused, not misread.
	db, err := sql.Open("sqlite", cfg.DSN)
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	if _, err := db.Exec(`UPDATE schema_version SET version = ?`, schemaVersion+1); err != nil {
		t.Fatalf("raise version: %v", err)
	}
	db.Close()
	if s, err := Open(ctx, cfg); !errors.Is(err, ErrSchemaTooNew) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of newer schema = %v, want ErrSchemaTooNew", err)
	}
}
