package policy

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/store"
)

// outbound runs one outbound message through account watching and Decide
// as the milter would, and learns it when it is not held.
type outbound struct {
	t   *testing.T
	st  *store.Store
	acc *Accounts
	cfg Config
}

func newOutbound(t *testing.T) *outbound {
	st := openStore(t)
	acc, err := NewAccounts(AccountConfig{}, st)
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return &outbound{t: t, st: st, acc: acc, cfg: cfg}
}

func (o *outbound) send(in AccountInput) Verdict {
	o.t.Helper()
	ctx := context.Background()
	in.LocalDomains = []string{"org.example"}
	res, err := o.acc.Observe(ctx, in)
	if err != nil {
		o.t.Fatalf("Observe(%s at %s): %v", in.Account, in.Time, err)
	}
	v := Decide(Input{Report: in.Report, Sender: append(in.Raised, res.Signals...)}, o.cfg)
	if v.Action >= Hold {
		return v
	}
	err = o.st.Learn(ctx, store.Observation{Time: in.Time, Direction: store.Outbound,
		SenderAddress: in.Account, LocalAccount: in.Account, Recipients: in.Recipients,
		OriginCountry: in.LoginCountry, OriginASN: in.LoginASN})
	if err != nil {
		o.t.Fatal(err)
	}
	return v
}

// routine returns an ordinary message of account on day d: to a regular
// correspondent, and every other day to one new address.
func routine(account string, at time.Time, n int) AccountInput {
	rcpts := []string{fmt.Sprintf("client%d@customer.example", n%5)}
	if n%10 == 0 {
		rcpts = append(rcpts, fmt.Sprintf("new%d-%s@prospect.example", n, account[:3]))
	}
	return AccountInput{Time: at, Account: account, Recipients: rcpts,
		LoginIP: "192.0.2.10", LoginCountry: "DE", LoginASN: "AS3320",
		Report: &scanner.Report{Attachments: []scanner.Attachment{{Filename: "offer.pdf", Sniffed: scanner.KindPDF}}}}
}

// TestAccountCompromiseBurst replays three accounts' normal outbound mail
// for three weeks, then a login to alice's account from a hosting network
// abroad followed by a hundred messages with an HTML attachment to new
// recipients. Most of the burst must be held; the first messages may
// pass; the other accounts' mail must not be held.
func TestAccountCompromiseBurst(t *testing.T) {
	o := newOutbound(t)
	accounts := []string{"alice@org.example", "bob@org.example", "carol@org.example"}
	for d := range 21 {
		for n := range 10 {
			at := start.Add(time.Duration(d)*24*time.Hour + time.Duration(n)*30*time.Minute)
			for _, acct := range accounts {
				if v := o.send(routine(acct, at, d*10+n)); v.Action != Accept {
					t.Fatalf("day %d: %s routine mail: %s", d, acct, v.Reason())
				}
			}
		}
	}

	burstDay := start.Add(21 * 24 * time.Hour)
	held, passed := 0, 0
	for i := range 100 {
		at := burstDay.Add(time.Duration(i) * 20 * time.Second)
		v := o.send(AccountInput{
			Time: at, Account: "alice@org.example",
			Recipients: []string{fmt.Sprintf("victim%d@target%d.example", i, i%7)},
			LoginIP:    "198.51.100.9", LoginCountry: "SG", LoginASN: "AS14061",
			LoginHosting: "AS14061 DigitalOcean is a hosting network",
			Report: &scanner.Report{Attachments: []scanner.Attachment{
				{Filename: "Payment_Advice.html", Sniffed: scanner.KindHTML, Source: "part 2"}}},
		})
		if v.Action >= Hold {
			held++
		} else {
			passed++
		}
		if i == 0 || i == 50 {
			t.Logf("burst message %d: %s", i, v.Reason())
			for _, s := range v.Signals {
				t.Logf("  %s %+.1f %s", s.Name, s.Score, s.Evidence)
			}
		}
		if i == 0 && v.Action >= Hold {
			t.Errorf("first burst message held: %s", v.Reason())
		}

		// Meanwhile bob and carol keep writing as usual.
		for _, acct := range accounts[1:] {
			if i%10 == 0 {
				if v := o.send(routine(acct, at, 210+i)); v.Action >= Hold {
					t.Errorf("%s routine mail during the burst held: %s", acct, v.Reason())
				}
			}
		}
	}
	t.Logf("burst: %d of 100 messages held", held)
	if held < 85 {
		t.Errorf("burst: %d of 100 messages held, %d passed; want at least 85 held", held, passed)
	}
}

func TestAccountLoginSignals(t *testing.T) {
	tests := []struct {
		name    string
		country string
		asn     string
		hosting string
		raised  []Signal
		want    map[string]float64 // signal name to scale
	}{
		{name: "usual origin", country: "DE", asn: "AS3320", want: map[string]float64{}},
		{name: "new country", country: "SG", asn: "AS14061",
			want: map[string]float64{AccountLoginNewCountry: 0}},
		{name: "new network at home", country: "DE", asn: "AS64501",
			want: map[string]float64{AccountLoginNewCountry: networkOnlyScale}},
		{name: "hosting abroad", country: "SG", asn: "AS14061", hosting: "hosting list",
			want: map[string]float64{AccountLoginNewCountry: 0, AccountLoginHosting: 0}},
		{name: "sender checks already raised both", country: "SG", asn: "AS14061", hosting: "hosting list",
			raised: []Signal{{Name: LoginCountryNew}, {Name: OriginHostingNetwork}},
			want:   map[string]float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOutbound(t)
			o.send(routine("alice@org.example", start, 1))
			in := routine("alice@org.example", start.Add(4*24*time.Hour), 2)
			in.LoginCountry, in.LoginASN, in.LoginHosting, in.Raised = tt.country, tt.asn, tt.hosting, tt.raised
			res, err := o.acc.Observe(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, s := range res.Signals {
				got[s.Name] = s.Scale
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("signals = %v, want %v", res.Signals, tt.want)
			}
		})
	}
}

// TestAccountOriginStaysNew checks that an origin whose first messages
// were accepted and learnt still counts as new within the period.
func TestAccountOriginStaysNew(t *testing.T) {
	o := newOutbound(t)
	o.send(routine("alice@org.example", start, 1))
	for i := range 3 {
		in := routine("alice@org.example", start.Add(4*24*time.Hour+time.Duration(i)*time.Minute), 2)
		in.LoginCountry, in.LoginASN = "SG", "AS14061"
		v := o.send(in)
		if names := v.SignalNames(); len(names) == 0 || names[0] != AccountLoginNewCountry {
			t.Errorf("message %d from SG: signals %v, want %s", i, names, AccountLoginNewCountry)
		}
	}
}
