package qr

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// labelledDir is a labelled QR image set kept beside the repository:
// labels.tsv (file, variant, expected texts separated by spaces, notes)
// and the images. It is not part of the repository.
const labelledDir = "../../../shared/qr-images"

// labelledMinRate is the overall share of labelled images that must decode
// to exactly the expected texts.
const labelledMinRate = 0.94

type labelled struct {
	file, variant string
	want          []string
}

func readLabels(t testing.TB) []labelled {
	f, err := os.Open(filepath.Join(labelledDir, "labels.tsv"))
	if err != nil {
		t.Skipf("labelled QR image set not present (%v): skipping", err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 3 {
			continue
		}
		out = append(out, labelled{cols[0], cols[1], strings.Fields(cols[2])})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read labels.tsv: %v", err)
	}
	return out
}

type variantTally struct {
	n, ok, wrong int
	times        []time.Duration
}

// TestSharedQRImages decodes the labelled set and checks the overall rate,
// that no text is wrong and that images without a code yield nothing.
func TestSharedQRImages(t *testing.T) {
	labels := readLabels(t)
	d := NewDecoder(Limits{})
	tally := map[string]*variantTally{}
	total, ok := 0, 0
	for _, l := range labels {
		data, err := os.ReadFile(filepath.Join(labelledDir, l.file))
		if err != nil {
			t.Fatalf("read %s: %v", l.file, err)
		}
		start := time.Now()
		res := d.Decode(context.Background(), data)
		elapsed := time.Since(start)

		v := tally[l.variant]
		if v == nil {
			v = &variantTally{}
			tally[l.variant] = v
		}
		v.n++
		v.times = append(v.times, elapsed)
		total++
		if hasAnomaly(res, AnomalyBudgetExceeded) {
			t.Errorf("%s (%s): budget exceeded after %v: %v", l.file, l.variant, elapsed, res.Anomalies)
		}
		if elapsed > 300*time.Millisecond {
			t.Logf("slow %s (%s): %v, found by %v", l.file, l.variant, elapsed, res.Codes)
		}
		var got []string
		for _, c := range res.Codes {
			got = append(got, c.Text)
		}
		for _, g := range got {
			if !slices.Contains(l.want, g) {
				v.wrong++
				t.Errorf("%s (%s): decoded %q, want one of %q", l.file, l.variant, g, l.want)
			}
		}
		sort.Strings(got)
		want := slices.Sorted(slices.Values(l.want))
		if slices.Equal(got, want) {
			v.ok++
			ok++
		} else if testing.Verbose() {
			t.Logf("miss %s (%s): got %d of %d codes %v", l.file, l.variant, len(got), len(want),
				res.Anomalies)
		}
	}
	t.Log("\n" + formatTally(tally, ok, total))
	if rate := float64(ok) / float64(total); rate < labelledMinRate {
		t.Errorf("overall rate %.3f (%d/%d) < %.2f", rate, ok, total, labelledMinRate)
	}
}

func formatTally(tally map[string]*variantTally, ok, total int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %4s %4s %6s %9s %9s\n", "variant", "ok", "n", "wrong", "median", "worst")
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range tally {
			if !yield(k) {
				return
			}
		}
	}) {
		v := tally[name]
		slices.Sort(v.times)
		fmt.Fprintf(&b, "%-12s %4d %4d %6d %9s %9s\n", name, v.ok, v.n, v.wrong,
			v.times[len(v.times)/2].Round(time.Millisecond/10), v.times[len(v.times)-1].Round(time.Millisecond))
	}
	fmt.Fprintf(&b, "%-12s %4d %4d   (%.1f%%)\n", "all", ok, total, 100*float64(ok)/float64(total))
	return b.String()
}
