package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentLearnAndRead runs writers and readers at once, as many
// milter sessions do, and checks that every message is counted exactly
// once and that each read returns one consistent snapshot.
func TestConcurrentLearnAndRead(t *testing.T) {
	const (
		writers     = 8
		perWriter   = 150
		readers     = 4
		addresses   = 20
		domains     = 5
		outboundMod = 4 // every fourth message is outbound
	)
	s := openTest(t, Config{})
	ctx := context.Background()

	address := func(a int) string { return fmt.Sprintf("u%d@d%d.example", a, a%domains) }
	domain := func(a int) string { return fmt.Sprintf("d%d.example", a%domains) }

	// observation returns message i of writer w and the address it counts.
	observation := func(w, i int) (Observation, int) {
		n := w*perWriter + i
		a := n % addresses
		at := base.Add(time.Duration(n) * time.Second)
		if n%outboundMod == 0 {
			return Observation{
				Time: at, Direction: Outbound, LocalAccount: "staff",
				Recipients: []string{address(a)}, OriginCountry: "FR",
			}, a
		}
		obs := inbound(at, address(a), "Name")
		obs.LinkDomains = []string{"shared.example"}
		return obs, a
	}

	var wantIn, wantOut [addresses]int64
	for w := range writers {
		for i := range perWriter {
			obs, a := observation(w, i)
			if obs.Direction == Inbound {
				wantIn[a]++
			} else {
				wantOut[a]++
			}
		}
	}

	var writing sync.WaitGroup
	var done atomic.Bool
	errs := make(chan error, writers+readers)
	for w := range writers {
		writing.Go(func() {
			for i := range perWriter {
				obs, _ := observation(w, i)
				if err := s.Learn(ctx, obs); err != nil {
					errs <- fmt.Errorf("writer %d: Learn %d: %w", w, i, err)
					return
				}
			}
		})
	}

	var reading sync.WaitGroup
	for r := range readers {
		reading.Go(func() {
			var lastMessages int64
			for i := 0; !done.Load(); i++ {
				a := (r + i) % addresses
				h, err := s.Sender(ctx, address(a), domain(a))
				if err != nil {
					errs <- fmt.Errorf("reader %d: Sender: %w", r, err)
					return
				}
				// Within one snapshot a domain has at least the messages
				// of any of its addresses.
				if h.Domain.Inbound < h.Address.Inbound || h.Domain.Outbound < h.Address.Outbound {
					errs <- fmt.Errorf("reader %d: domain %+v behind address %+v", r, h.Domain, h.Address)
					return
				}
				o, err := s.Overview(ctx)
				if err != nil {
					errs <- fmt.Errorf("reader %d: Overview: %w", r, err)
					return
				}
				if o.Messages < lastMessages {
					errs <- fmt.Errorf("reader %d: Messages went back from %d to %d", r, lastMessages, o.Messages)
					return
				}
				lastMessages = o.Messages
			}
		})
	}

	writing.Wait()
	done.Store(true)
	reading.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	var domainIn, domainOut [domains]int64
	for a := range addresses {
		domainIn[a%domains] += wantIn[a]
		domainOut[a%domains] += wantOut[a]
		h, err := s.Sender(ctx, address(a), domain(a))
		if err != nil {
			t.Fatalf("Sender(%s): %v", address(a), err)
		}
		if h.Address.Inbound != wantIn[a] || h.Address.Outbound != wantOut[a] {
			t.Errorf("Sender(%s).Address = in %d out %d, want in %d out %d",
				address(a), h.Address.Inbound, h.Address.Outbound, wantIn[a], wantOut[a])
		}
	}
	for d := range domains {
		h, err := s.Sender(ctx, "", domain(d))
		if err != nil {
			t.Fatalf("Sender(%s): %v", domain(d), err)
		}
		if h.Domain.Inbound != domainIn[d] || h.Domain.Outbound != domainOut[d] {
			t.Errorf("Sender(%s).Domain = in %d out %d, want in %d out %d",
				domain(d), h.Domain.Inbound, h.Domain.Outbound, domainIn[d], domainOut[d])
		}
	}

	const total = writers * perWriter
	o, err := s.Overview(ctx)
	if err != nil {
		t.Fatalf("Overview: %v", err)
	}
	if o.Messages != total || o.SenderDomains != domains || !o.Since.Equal(base) {
		t.Errorf("Overview = %+v, want %d messages, %d domains, since %v", o, total, domains, base)
	}

	links, err := s.LinkDomains(ctx, []string{"shared.example"})
	if err != nil {
		t.Fatalf("LinkDomains: %v", err)
	}
	inboundTotal := int64(total - total/outboundMod)
	if got := links["shared.example"].Inbound; got != inboundTotal {
		t.Errorf("LinkDomains(shared.example).Inbound = %d, want %d", got, inboundTotal)
	}

	origins, err := s.AccountOrigins(ctx, "staff")
	if err != nil {
		t.Fatalf("AccountOrigins: %v", err)
	}
	if len(origins) != 1 || origins[0].Count != total/outboundMod {
		t.Errorf("AccountOrigins(staff) = %+v, want one origin counted %d times", origins, total/outboundMod)
	}
}
