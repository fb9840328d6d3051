package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchSenders is how many distinct senders the lookup benchmark file
// holds, spread over benchSenders/benchPerDomain domains.
const (
	benchSenders   = 100_000
	benchPerDomain = 5
)

var bench struct {
	once sync.Once
	dir  string
	dsn  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// benchStore opens the shared 100,000-sender file, filling it on first
// use in one transaction.
func benchStore(b *testing.B) *Store {
	b.Helper()
	bench.once.Do(func() {
		bench.dir, bench.err = os.MkdirTemp("", "holdfast-store-bench-")
		if bench.err != nil {
			return
		}
		bench.dsn = filepath.Join(bench.dir, "history.db")
		start := time.Now()
		bench.err = bulkLoad(bench.dsn, benchSenders)
		b.Logf("loaded %d senders in %v", benchSenders, time.Since(start))
	})
	if bench.err != nil {
		b.Fatalf("bulk load: %v", bench.err)
	}
	s, err := Open(context.Background(), Config{DSN: bench.dsn})
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// bulkLoadBatch is how many messages bulkLoad writes per transaction.
// One transaction for everything is slower: its dirty pages overflow
// SQLite's page cache and are spilled to the WAL again and again.
const bulkLoadBatch = 1000

// bulkLoad learns n inbound messages, one per sender, bulkLoadBatch per
// transaction, which is far faster than n Learn calls.
func bulkLoad(dsn string, n int) error {
	ctx := context.Background()
	s, err := Open(ctx, Config{DSN: dsn})
	if err != nil {
		return err
	}
	defer s.Close()

	for start := 0; start < n; start += bulkLoadBatch {
		if err := bulkLoadRange(ctx, s, start, min(start+bulkLoadBatch, n)); err != nil {
			return err
		}
	}
	return nil
}

func bulkLoadRange(ctx context.Context, s *Store, from, to int) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i := from; i < to; i++ {
		l, err := newLesson(benchObservation(i))
		if err != nil {
			return err
		}
		if err := s.learn(ctx, tx, l); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func benchAddress(i int) (address, domain string) {
	domain = fmt.Sprintf("org%d.example", i/benchPerDomain)
	return fmt.Sprintf("user%d@%s", i, domain), domain
}

func benchObservation(i int) Observation {
	address, domain := benchAddress(i)
	return Observation{
		Time:          base.Add(time.Duration(i) * time.Minute),
		Direction:     Inbound,
		SenderAddress: address,
		SenderDomain:  domain,
		DisplayName:   fmt.Sprintf("User %d", i),
		LinkDomains:   []string{fmt.Sprintf("link%d.example", i%1000)},
		OriginCountry: "FR",
		OriginASN:     "AS3215",
	}
}

// BenchmarkSenderLookup looks up known senders (address, domain, display
// names and domain origins) in a history of 100,000 senders.
func BenchmarkSenderLookup(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		address, domain := benchAddress(i * 7919 % benchSenders)
		h, err := s.Sender(ctx, address, domain)
		if err != nil {
			b.Fatal(err)
		}
		if !h.Address.Known() {
			b.Fatalf("Sender(%s) unknown", address)
		}
		i++
	}
}

// BenchmarkSenderLookupParallel is BenchmarkSenderLookup from GOMAXPROCS
// goroutines at once, as concurrent milter sessions would.
func BenchmarkSenderLookupParallel(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1))
			address, domain := benchAddress(i * 7919 % benchSenders)
			if _, err := s.Sender(ctx, address, domain); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkLearn learns inbound messages from new senders, each with one
// link domain, a display name and an origin: about ten statements in one
// transaction.
func BenchmarkLearn(b *testing.B) {
	s := openTest(b, Config{})
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if err := s.Learn(ctx, benchObservation(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkLearnParallel is BenchmarkLearn from GOMAXPROCS goroutines,
// which all queue on the one writer connection.
func BenchmarkLearnParallel(b *testing.B) {
	s := openTest(b, Config{})
	ctx := context.Background()
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Learn(ctx, benchObservation(int(next.Add(1)))); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
