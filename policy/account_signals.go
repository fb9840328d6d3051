package policy

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/holdfast/holdfast/scanner"
	"github.com/holdfast/holdfast/store"
)

// originFamiliarity decides which login origins an account used before.
// An origin is familiar when accepted mail taught it (store.Origin) and
// that was not only within the new-origin period: either the account's
// login record of it is older than the period, or the history learnt
// more messages from it than were observed since (an import, or mail
// from before account watching began).
type originFamiliarity struct {
	origins []store.Origin
	logins  map[[2]string]store.Login
	since   time.Time
}

func newFamiliarity(act store.AccountActivity, now time.Time, period time.Duration) originFamiliarity {
	f := originFamiliarity{origins: act.Origins, logins: map[[2]string]store.Login{}, since: now.Add(-period)}
	for _, l := range act.Logins {
		f.logins[[2]string{l.Country, l.ASN}] = l
	}
	return f
}

func (f originFamiliarity) familiar(o store.Origin) bool {
	l, observed := f.logins[[2]string{o.Country, o.ASN}]
	return !observed || !l.FirstSeen.After(f.since) || o.Count > l.Messages
}

// country reports whether the account used the country before.
func (f originFamiliarity) country(c string) bool {
	return slices.ContainsFunc(f.origins, func(o store.Origin) bool { return o.Country == c && f.familiar(o) })
}

// network reports whether the account used the network before.
func (f originFamiliarity) network(asn string) bool {
	return slices.ContainsFunc(f.origins, func(o store.Origin) bool { return o.ASN == asn && f.familiar(o) })
}

// used lists the familiar values of one origin field, without repeats.
func (f originFamiliarity) used(field func(store.Origin) string) string {
	var out []string
	for _, o := range f.origins {
		if v := field(o); v != "" && f.familiar(o) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// loginSignals raises ACCOUNT_LOGIN_NEW_COUNTRY and ACCOUNT_LOGIN_HOSTING.
// A new country or network needs a baseline: an account without a
// familiar origin (a new account, or a new deployment's first days)
// raises no novelty signal.
func (a *Accounts) loginSignals(in AccountInput, act store.AccountActivity) []Signal {
	var out []Signal
	country := strings.ToUpper(strings.TrimSpace(in.LoginCountry))
	asn := strings.ToUpper(strings.TrimSpace(in.LoginASN))
	f := newFamiliarity(act, in.Time, time.Duration(a.cfg.NewOriginPeriod))
	who := defang(cutEvidence(strings.ToLower(in.Account)))
	where := loginWords(in.LoginIP, country, asn)

	switch {
	case !slices.ContainsFunc(f.origins, f.familiar):
	case country != "" && !f.country(country):
		if !raised(in.Raised, LoginCountryNew) {
			out = append(out, Signal{Name: AccountLoginNewCountry, Evidence: fmt.Sprintf(
				"%s logged in from %s; countries used before: %s", who, where,
				f.used(func(o store.Origin) string { return o.Country }))})
		}
	case asn != "" && !f.network(asn):
		out = append(out, Signal{Name: AccountLoginNewCountry, Scale: networkOnlyScale, Evidence: fmt.Sprintf(
			"%s logged in from %s, a network never used before; networks used before: %s", who, where,
			f.used(func(o store.Origin) string { return o.ASN }))})
	}

	hostingUsed := asn != "" && f.network(asn)
	if in.LoginHosting != "" && !hostingUsed && !raised(in.Raised, OriginHostingNetwork) {
		out = append(out, Signal{Name: AccountLoginHosting, Evidence: fmt.Sprintf(
			"%s logged in from %s: %s", who, where, cutEvidence(in.LoginHosting))})
	}
	return out
}

func loginWords(ip, country, asn string) string {
	var place []string
	for _, v := range []string{country, asn} {
		if v != "" {
			place = append(place, v)
		}
	}
	switch {
	case ip != "" && len(place) > 0:
		return fmt.Sprintf("%s (%s)", ip, strings.Join(place, ", "))
	case ip != "":
		return ip
	case len(place) > 0:
		return strings.Join(place, ", ")
	}
	return "an unknown origin"
}

// burstSignals raises OUTBOUND_BURST_NEW_RECIPIENTS on a message with a
// first-contact recipient sent while the account's first-contact
// recipients within the burst window reach the threshold, and
// OUTBOUND_BURST_RISKY_CONTENT when that message is also risky.
func (a *Accounts) burstSignals(in AccountInput, act store.AccountActivity) []Signal {
	if len(act.FirstContact) == 0 {
		return nil
	}
	median := medianOf(act.Days, func(d store.AccountDay) float64 { return float64(d.FirstContact) })
	threshold := max(float64(a.cfg.BurstMinRecipients), math.Ceil(a.cfg.BurstFactor*median))
	recent := act.Recent
	if float64(recent.FirstContactRecipients) < threshold {
		return nil
	}

	share := medianOf(act.Days, func(d store.AccountDay) float64 {
		if d.Recipients == 0 {
			return 0
		}
		return float64(d.FirstContact) / float64(d.Recipients)
	})
	usual := "no earlier mail within the baseline"
	if len(act.Days) > 0 {
		usual = fmt.Sprintf("usually %.0f a day (median of %d days with mail), %.0f%% of recipients first contact",
			median, len(act.Days), 100*share)
	}
	out := []Signal{{Name: OutboundBurstNewRecipients, Evidence: fmt.Sprintf(
		"%s wrote to %d first-contact recipients in %d messages within %s (threshold %.0f); %s",
		defang(cutEvidence(strings.ToLower(in.Account))), recent.FirstContactRecipients,
		recent.FirstContactMessages, durationWords(time.Duration(a.cfg.BurstWindow)), threshold, usual)}}

	if risky := riskyContent(in); risky != "" {
		out = append(out, Signal{Name: OutboundBurstRiskyContent, Evidence: risky})
	}
	return out
}

// riskyContent lists the HTML attachments and the links to domains the
// history never saw, "" when there are none.
func riskyContent(in AccountInput) string {
	r := in.Report
	if r == nil {
		return ""
	}
	ev := evidence{}
	for _, att := range r.Attachments {
		if att.Sniffed == scanner.KindHTML || anyName(append([]string{att.Filename}, att.Names...), scanner.IsHTMLName) {
			ev.add(OutboundBurstRiskyContent, "HTML attachment %q (%s)", att.Filename, att.Source)
		}
	}
	if in.KnownLinkDomains != nil {
		done := map[string]bool{}
		for _, l := range r.Links {
			d := registrable(l.Domain)
			if d == "" || done[d] || !clickable(l.Via) && l.Via != "qr" ||
				in.KnownLinkDomains[d] || isLocalDomain(d, in.LocalDomains) {
				continue
			}
			done[d] = true
			ev.add(OutboundBurstRiskyContent, "link to %s, never seen before (%s)", defang(d), l.Source)
		}
	}
	if l := ev[OutboundBurstRiskyContent]; l != nil {
		return l.String()
	}
	return ""
}

// medianOf returns the median of value over days, 0 for none.
func medianOf(days []store.AccountDay, value func(store.AccountDay) float64) float64 {
	if len(days) == 0 {
		return 0
	}
	v := make([]float64, len(days))
	for i, d := range days {
		v[i] = value(d)
	}
	slices.Sort(v)
	mid := len(v) / 2
	if len(v)%2 == 0 {
		return (v[mid-1] + v[mid]) / 2
	}
	return v[mid]
}
