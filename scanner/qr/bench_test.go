package qr

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkDecode decodes every image of the labelled set with a cold
// cache and reports the median and worst time per image, overall and for
// the clean variant.
func BenchmarkDecode(b *testing.B) {
	labels := readLabels(b)
	type input struct {
		variant string
		data    []byte
	}
	var inputs []input
	for _, l := range labels {
		data, err := os.ReadFile(filepath.Join(labelledDir, l.file))
		if err != nil {
			b.Fatalf("read %s: %v", l.file, err)
		}
		inputs = append(inputs, input{l.variant, data})
	}

	var all, clean []time.Duration
	for b.Loop() {
		d := NewDecoder(Limits{})
		for _, in := range inputs {
			start := time.Now()
			d.Decode(context.Background(), in.data)
			elapsed := time.Since(start)
			all = append(all, elapsed)
			if in.variant == "clean" {
				clean = append(clean, elapsed)
			}
		}
	}
	slices.Sort(all)
	slices.Sort(clean)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(all[len(all)/2]), "median-ms/image")
	b.ReportMetric(ms(all[len(all)-1]), "worst-ms/image")
	if len(clean) > 0 {
		b.ReportMetric(ms(clean[len(clean)/2]), "clean-median-ms/image")
	}
	b.ReportMetric(0, "ns/op")
}
