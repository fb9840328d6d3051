// Package corpus runs `holdfast scan --json` as a separate process over
// every file of the shared sample corpus and the malformed-input set, when
// they are present beside the repository, and fails on a crash, a hang past
// perFileTimeout, a missing verdict or a broken JSON contract.
package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// perFileTimeout bounds one file's scan, process start included. The
// scanner's own scan_timeout is 20 s; a file still running 40 s after start
// is hung, not slow.
const perFileTimeout = 40 * time.Second

// sharedDir returns the folder of shared sample material, or "" when absent.
func sharedDir(t *testing.T) string {
	if d := os.Getenv("HOLDFAST_SHARED"); d != "" {
		return d
	}
	d, err := filepath.Abs("../../../shared")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(d, "corpus")); err != nil {
		return ""
	}
	return d
}

// scanResult holds the fields of the JSON contract this test checks.
type scanResult struct {
	File    string   `json:"file"`
	Verdict *string  `json:"verdict"`
	Score   *float64 `json:"score"`
	Signals []struct {
		Name     string  `json:"name"`
		Score    float64 `json:"score"`
		Evidence string  `json:"evidence"`
	} `json:"signals"`
	Links       []map[string]any `json:"links"`
	QRCodes     []map[string]any `json:"qr_codes"`
	Attachments []map[string]any `json:"attachments"`
	Anomalies   []struct {
		Name   string `json:"name"`
		Detail string `json:"detail"`
	} `json:"anomalies"`
}

type timing struct {
	file string
	took time.Duration
	// rss is the peak resident memory of the scan process, in bytes.
	rss int64
}

// maxScanRSS bounds the peak resident memory of one `holdfast scan` of
// one file. The milter's message cap is 10 MB; decoding inflates that by
// the decoded copies of each part, one image at a time (16 MP at 4 bytes
// a pixel) and the zip and gzip caps, so 512 MiB leaves room for all of
// them without letting a decompression bomb through.
const maxScanRSS = 512 << 20

func TestCorpusScan(t *testing.T) {
	shared := sharedDir(t)
	if shared == "" {
		t.Skip("no shared corpus beside the repository (set HOLDFAST_SHARED to its folder to run this test)")
	}
	bin := buildHoldfast(t)
	files := collectFiles(t, shared)
	if len(files) == 0 {
		t.Fatalf("no files under %s", shared)
	}

	verdicts := map[string]int{}
	anomalies := map[string]int{}
	var times []timing
	for _, f := range files {
		res, took, rss, err := scanFile(bin, f)
		times = append(times, timing{f, took, rss})
		if rss > maxScanRSS {
			t.Errorf("%s: peak memory %d MiB > limit %d MiB", rel(shared, f), rss>>20, maxScanRSS>>20)
		}
		if err != nil {
			t.Errorf("%s: %v", rel(shared, f), err)
			continue
		}
		verdicts[*res.Verdict]++
		for _, a := range res.Anomalies {
			anomalies[a.Name]++
		}
	}
	printSummary(t, shared, len(files), verdicts, anomalies, times)
}

// buildHoldfast compiles the command into a temporary folder.
func buildHoldfast(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "holdfast")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/holdfast")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// collectFiles lists every regular file of corpus/ and bug-inputs/, plus
// the large malformed inputs generated into a temporary folder when
// python3 is available.
func collectFiles(t *testing.T, shared string) []string {
	var files []string
	for _, dir := range []string{"corpus", "bug-inputs"} {
		_ = filepath.WalkDir(filepath.Join(shared, dir), func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && !strings.HasSuffix(p, ".md") && !strings.HasSuffix(p, ".py") {
				files = append(files, p)
			}
			return nil
		})
	}
	gen := filepath.Join(shared, "bug-inputs", "gen_large_inputs.py")
	if _, err := os.Stat(gen); err == nil {
		out := t.TempDir()
		if b, err := exec.Command("python3", gen, out).CombinedOutput(); err != nil {
			t.Logf("large inputs not generated (python3 %s): %v\n%s", gen, err, b)
		} else {
			large, _ := filepath.Glob(filepath.Join(out, "*"))
			files = append(files, large...)
		}
	}
	sort.Strings(files)
	return files
}

// scanFile runs one scan and checks the JSON contract of its output.
func scanFile(bin, file string) (*scanResult, time.Duration, int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), perFileTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "scan", "--json", file)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && cmd.ProcessState != nil {
		rss = ru.Maxrss << 10 // Linux reports kilobytes
	}
	if ctx.Err() != nil {
		return nil, took, rss, fmt.Errorf("hung: no result after %s", perFileTimeout)
	}
	if err != nil {
		return nil, took, rss, fmt.Errorf("exit: %v\nstderr: %s", err, cut(stderr.String()))
	}
	var res scanResult
	dec := json.NewDecoder(&stdout)
	if err := dec.Decode(&res); err != nil {
		return nil, took, rss, fmt.Errorf("output is not JSON: %v", err)
	}
	return &res, took, rss, checkContract(&res)
}

// checkContract verifies the fields every JSON line must carry.
func checkContract(r *scanResult) error {
	var errs []error
	if r.Verdict == nil {
		errs = append(errs, errors.New("no verdict"))
	} else {
		switch *r.Verdict {
		case "accept", "tag", "hold", "reject":
		default:
			errs = append(errs, fmt.Errorf("verdict %q is not accept, tag, hold or reject", *r.Verdict))
		}
	}
	if r.Score == nil {
		errs = append(errs, errors.New("no score"))
	}
	if r.Links == nil || r.QRCodes == nil || r.Attachments == nil || r.Anomalies == nil {
		errs = append(errs, errors.New("links, qr_codes, attachments or anomalies is missing (want [] when empty)"))
	}
	for _, s := range r.Signals {
		if s.Name == "" || s.Evidence == "" {
			errs = append(errs, fmt.Errorf("signal %q has no evidence", s.Name))
		}
	}
	return errors.Join(errs...)
}

// slowestShown is how many of the slowest files the summary lists.
const slowestShown = 8

func printSummary(t *testing.T, shared string, n int, verdicts, anomalies map[string]int, times []timing) {
	var b strings.Builder
	fmt.Fprintf(&b, "corpus scan: %d files\n", n)
	fmt.Fprintf(&b, "verdicts: accept=%d tag=%d hold=%d reject=%d\n",
		verdicts["accept"], verdicts["tag"], verdicts["hold"], verdicts["reject"])
	names := make([]string, 0, len(anomalies))
	for k := range anomalies {
		names = append(names, k)
	}
	sort.Strings(names)
	b.WriteString("anomalies:")
	for _, k := range names {
		fmt.Fprintf(&b, " %s=%d", k, anomalies[k])
	}
	b.WriteString("\nslowest (wall time, process start included):\n")
	defer func() {
		sort.Slice(times, func(i, j int) bool { return times[i].rss > times[j].rss })
		b.Reset()
		fmt.Fprintf(&b, "peak memory (max RSS of the scan process; limit %d MiB):\n", maxScanRSS>>20)
		for i := 0; i < len(times) && i < slowestShown; i++ {
			fmt.Fprintf(&b, "  %5d MiB  %s\n", times[i].rss>>20, rel(shared, times[i].file))
		}
		t.Log(b.String())
		fmt.Print(b.String())
	}()
	sort.Slice(times, func(i, j int) bool { return times[i].took > times[j].took })
	for i := 0; i < len(times) && i < slowestShown; i++ {
		fmt.Fprintf(&b, "  %8s  %s\n", times[i].took.Round(time.Millisecond), rel(shared, times[i].file))
	}
	t.Log(b.String())
	fmt.Print(b.String())
}

func rel(base, p string) string {
	if r, err := filepath.Rel(base, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return filepath.Base(p)
}

// maxEchoedStderr is how much of a failing scan's standard error the test
// prints.
const maxEchoedStderr = 2000

func cut(s string) string {
	if len(s) > maxEchoedStderr {
		return s[:maxEchoedStderr] + "…"
	}
	return s
}
