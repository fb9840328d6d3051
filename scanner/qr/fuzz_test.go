package qr

import (
	"context"
	"testing"
	"time"
)

// fuzzLimits keeps each fuzz input cheap while still running the ladder.
var fuzzLimits = Limits{
	MaxPixels:   1 << 18,
	ImageBudget: 500 * time.Millisecond,
	MaxFrames:   3,
	Workers:     1,
}

// FuzzDecode feeds arbitrary bytes to Decode: it must not panic, must
// refuse what the limits forbid, and must report a budget overrun rather
// than run past it.
func FuzzDecode(f *testing.F) {
	f.Add(encodePNG(f, plain.image(symbol(f, wantURL))))
	f.Add(pngHeaderOnly(30000, 30000))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	d := NewDecoder(fuzzLimits)
	f.Fuzz(func(t *testing.T, data []byte) {
		res := d.Decode(context.Background(), data)
		if int64(res.Width)*int64(res.Height) > int64(fuzzLimits.MaxPixels) && res.Scanned {
			t.Errorf("Decode scanned a %dx%d image, above MaxPixels %d",
				res.Width, res.Height, fuzzLimits.MaxPixels)
		}
		if res.Frames > fuzzLimits.MaxFrames {
			t.Errorf("Decode decoded %d frames, above MaxFrames %d", res.Frames, fuzzLimits.MaxFrames)
		}
		if len(res.Codes) > 0 && !res.Scanned && len(res.Anomalies) == 0 {
			t.Errorf("Decode returned codes from an unscanned image without an anomaly")
		}
	})
}

// FuzzFromBlockText feeds arbitrary text to FromBlockText: it must not
// panic. Run it with -fuzzminimizetime 5s: minimising a mutated code
// decodes it thousands of times, and the default minute of that shows as
// a fuzzer that makes no progress.
func FuzzFromBlockText(f *testing.F) {
	f.Add(blockText(symbol(f, wantURL), false))
	f.Add("▀▄█ ▌▐░▒▓▖▗▘▙▚▛▜▝▞▟\n█▀▄")
	f.Fuzz(func(t *testing.T, text string) {
		for _, c := range FromBlockText(text) {
			if c.Text == "" && len(c.Bytes) == 0 {
				t.Errorf("FromBlockText returned an empty code")
			}
		}
	})
}
