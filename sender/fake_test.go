package sender

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/holdfast/holdfast/store"
)

// fakeHistory is an in-memory store.History. It learns as the SQLite
// store is documented to, and can be made to fail.
type fakeHistory struct {
	mu       sync.Mutex
	since    time.Time
	days     map[int64]bool // UTC day numbers that carry learnt mail
	messages int64
	addrs    map[string]*store.Seen
	domains  map[string]*store.Seen
	names    map[string][]string
	origins  map[string][]store.Origin // by sender domain
	accounts map[string][]store.Origin
	links    map[string]*store.Seen
	err      error
}

func newFakeHistory() *fakeHistory {
	return &fakeHistory{
		days:     map[int64]bool{},
		addrs:    map[string]*store.Seen{},
		domains:  map[string]*store.Seen{},
		names:    map[string][]string{},
		origins:  map[string][]store.Origin{},
		accounts: map[string][]store.Origin{},
		links:    map[string]*store.Seen{},
	}
}

func (f *fakeHistory) Sender(ctx context.Context, address, domain string) (store.SenderHistory, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return store.SenderHistory{}, f.err
	}
	var h store.SenderHistory
	if s := f.addrs[address]; s != nil {
		h.Address = *s
	}
	if s := f.domains[domain]; s != nil {
		h.Domain = *s
	}
	h.DisplayNames = slices.Clone(f.names[address])
	h.DomainOrigins = slices.Clone(f.origins[domain])
	return h, nil
}

func (f *fakeHistory) LinkDomains(ctx context.Context, domains []string) (map[string]store.Seen, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	out := map[string]store.Seen{}
	for _, d := range domains {
		if s := f.links[d]; s != nil {
			out[d] = *s
		}
	}
	return out, nil
}

func (f *fakeHistory) AccountOrigins(ctx context.Context, account string) ([]store.Origin, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return slices.Clone(f.accounts[account]), nil
}

func (f *fakeHistory) Overview(ctx context.Context) (store.Overview, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return store.Overview{}, f.err
	}
	return store.Overview{Messages: f.messages, Since: f.since, Days: int64(len(f.days)),
		SenderDomains: int64(len(f.domains))}, nil
}

func (f *fakeHistory) Learn(ctx context.Context, obs store.Observation) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if f.messages == 0 || obs.Time.Before(f.since) {
		f.since = obs.Time
	}
	f.messages++
	f.days[obs.Time.Unix()/86400] = true
	count := func(m map[string]*store.Seen, key string, outbound bool) {
		s := m[key]
		if s == nil {
			s = &store.Seen{FirstSeen: obs.Time}
			m[key] = s
		}
		s.LastSeen = obs.Time
		if outbound {
			s.Outbound++
		} else {
			s.Inbound++
		}
	}
	if obs.Direction == store.Inbound {
		count(f.addrs, obs.SenderAddress, false)
		count(f.domains, obs.SenderDomain, false)
		if obs.DisplayName != "" && !slices.Contains(f.names[obs.SenderAddress], obs.DisplayName) {
			f.names[obs.SenderAddress] = append([]string{obs.DisplayName}, f.names[obs.SenderAddress]...)
		}
		if obs.OriginCountry != "" {
			f.origins[obs.SenderDomain] = addOrigin(f.origins[obs.SenderDomain], obs)
		}
	} else {
		for _, r := range obs.Recipients {
			count(f.addrs, r, true)
			count(f.domains, registrableDomain(r[strings.LastIndexByte(r, '@')+1:]), true)
		}
		if obs.OriginCountry != "" {
			f.accounts[obs.LocalAccount] = addOrigin(f.accounts[obs.LocalAccount], obs)
		}
	}
	for _, d := range obs.LinkDomains {
		count(f.links, d, obs.Direction == store.Outbound)
	}
	return nil
}

func addOrigin(origins []store.Origin, obs store.Observation) []store.Origin {
	for i, o := range origins {
		if o.Country == obs.OriginCountry && o.ASN == obs.OriginASN {
			origins[i].Count++
			origins[i].LastSeen = obs.Time
			return origins
		}
	}
	return append(origins, store.Origin{Country: obs.OriginCountry, ASN: obs.OriginASN, Count: 1, LastSeen: obs.Time})
}
