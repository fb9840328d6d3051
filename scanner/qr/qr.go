// Package qr finds QR codes in images and in QR codes drawn with HTML
// tables or Unicode block characters, including the evasions phishing mail
// uses: inverted, low-contrast or two-colour codes, codes without a quiet
// zone, tiny, stretched or split codes, and small codes on large pages.
//
// It owns image decoding for QR purposes (PNG, JPEG including CMYK, GIF
// frames, BMP, TIFF, WebP) and the ladder of attempts made with gozxing.
// It never reads MIME, logs, or touches the network.
//
// Failure is reported, never raised: Decode always returns a Result, and
// every limit reached or image not scanned becomes an Anomaly that carries
// the observed value and the limit. The package reads no config keys; the
// caller passes Limits, whose zero fields mean the defaults below.
//
// Cost: gozxing cannot be cancelled, so the worst case is bounded by the
// size of the plane each attempt sees (maxWorkPixels), by a bounded worker
// pool, and by per-image and per-message time budgets. An attempt still
// running when its budget ends is abandoned: Decode returns at once and the
// worker stops before its next attempt.
//
// Limitations: vector images (EMF, WMF, SVG) are reported as unscanned.
// The aspect, split, perspective and colour-channel rungs skip images above
// maxGeometryPixels.
// Strong perspective, blur over about half a module and rotations the
// detector cannot follow are not corrected. Codes split into more than two
// parts, or halves offset against each other, are not joined.
package qr

import (
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"runtime"
	"slices"
	"sync"
	"time"
)

// Defaults for the zero fields of Limits.
const (
	// DefaultMaxPixels caps width×height before decoding. 16 MP covers an
	// A4 page scanned at 400 dpi (3307×4677 = 15.5 MP); decoding it costs
	// 64 MB as RGBA plus 16 MB of luminance, which a gateway can afford for
	// a few images at a time.
	DefaultMaxPixels = 16_000_000
	// DefaultMaxImageBytes caps the encoded size. Arbitrary: chosen well
	// above a 16 MP photograph as JPEG (about 8 MB) or a page as PNG.
	DefaultMaxImageBytes = 32 << 20
	// DefaultImageBudget is the time one image may take. A single attempt
	// on a maxWorkPixels plane takes roughly 0.1 s, and the whole ladder on
	// a 2 MP page without a code took 0.3 to 1.7 s on a busy 2-vCPU machine.
	DefaultImageBudget = 2 * time.Second
	// DefaultMessageBudget is the time all images of one message may take
	// together. Arbitrary: chosen so that a message with many images still
	// gets its verdict well inside the MTA's milter timeouts (Postfix waits
	// 300 s for end of message by default).
	DefaultMessageBudget = 10 * time.Second
	// DefaultMaxFrames caps the GIF frames scanned. Arbitrary: a QR code in
	// an animation is meant to be seen, so it shows in an early frame.
	DefaultMaxFrames = 8
	// DefaultCacheEntries bounds the result cache. A campaign sends the
	// same image hundreds of times; each entry costs well under 1 KB.
	DefaultCacheEntries = 4096
)

// Anomaly names.
const (
	AnomalyTooLarge       = "IMAGE_TOO_LARGE"
	AnomalyUnreadable     = "IMAGE_UNREADABLE"
	AnomalyUnscanned      = "IMAGE_UNSCANNED"
	AnomalyCMYK           = "IMAGE_CMYK_AMBIGUOUS"
	AnomalyFramesLimit    = "IMAGE_FRAMES_LIMIT"
	AnomalyBudgetExceeded = "QR_BUDGET_EXCEEDED"
	AnomalyFinderDecoys   = "QR_FINDER_CANDIDATES"
)

// Limits bounds the work done per image and per message. A zero field
// means its Default constant.
type Limits struct {
	// MaxPixels is the largest width×height decoded, checked from the
	// header before decoding.
	MaxPixels int
	// MaxImageBytes is the largest encoded image accepted.
	MaxImageBytes int
	// ImageBudget is the time one Decode call may take.
	ImageBudget time.Duration
	// MessageBudget is the time shared by all Decode calls made with the
	// context returned by Decoder.WithMessageBudget.
	MessageBudget time.Duration
	// MaxFrames is the number of GIF frames scanned.
	MaxFrames int
	// Workers is the number of images decoded at once; the default is
	// GOMAXPROCS.
	Workers int
	// CacheEntries is the number of results kept by image SHA-256.
	CacheEntries int
}

func (l Limits) withDefaults() Limits {
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxImageBytes <= 0 {
		l.MaxImageBytes = DefaultMaxImageBytes
	}
	if l.ImageBudget <= 0 {
		l.ImageBudget = DefaultImageBudget
	}
	if l.MessageBudget <= 0 {
		l.MessageBudget = DefaultMessageBudget
	}
	if l.MaxFrames <= 0 {
		l.MaxFrames = DefaultMaxFrames
	}
	if l.Workers <= 0 {
		l.Workers = runtime.GOMAXPROCS(0)
	}
	if l.CacheEntries <= 0 {
		l.CacheEntries = DefaultCacheEntries
	}
	return l
}

// Code is one decoded QR code.
type Code struct {
	// Text is the decoded content as gozxing interprets its character set.
	Text string `json:"text"`
	// Bytes is the content of the symbol's byte-mode segments, joined; nil
	// when it has none. It keeps UTF-8 written without an ECI designator,
	// which Text may show as Latin-1.
	Bytes []byte `json:"bytes,omitempty"`
	// Region is an estimate of where the symbol lies, in pixels of the
	// original image; empty when unknown (HTML and text grids).
	Region image.Rectangle `json:"region"`
	// Pass names the ladder rung that decoded it, such as "hybrid",
	// "inverted" or "tiles".
	Pass string `json:"pass"`
}

// Anomaly is a limit reached or an image that could not be scanned.
type Anomaly struct {
	Name   string `json:"name"`
	Detail string `json:"detail"`
}

// Result describes the codes and anomalies Decode found in one image.
type Result struct {
	// Codes lists each distinct code found, in the order found.
	Codes []Code `json:"codes"`
	// Format is the sniffed format ("png", "jpeg", "gif", "bmp", "tiff",
	// "webp", "emf", "wmf", "svg"), "" when unknown.
	Format string `json:"format"`
	// Width and Height are from the image header, 0 when unreadable.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Frames is the number of GIF frames decoded, 0 for other formats.
	Frames int `json:"frames,omitempty"`
	// Scanned is true when the whole ladder ran, or stopped at a success,
	// on every frame. False means a clean Result proves nothing.
	Scanned bool `json:"scanned"`
	// Anomalies lists limits reached and reasons the image was not scanned.
	Anomalies []Anomaly `json:"anomalies,omitempty"`
}

func (r *Result) anomaly(name, detail string) {
	r.Anomalies = append(r.Anomalies, Anomaly{name, detail})
}

// addCodes appends the codes not already present.
func (r *Result) addCodes(codes []Code) {
next:
	for _, c := range codes {
		for _, have := range r.Codes {
			if have.Text == c.Text && string(have.Bytes) == string(c.Bytes) {
				continue next
			}
		}
		r.Codes = append(r.Codes, c)
	}
}

func (r Result) clone() Result {
	r.Codes = append([]Code(nil), r.Codes...)
	r.Anomalies = append([]Anomaly(nil), r.Anomalies...)
	return r
}

// Decoder decodes images with a bounded worker pool and a result cache. It
// is safe for concurrent use.
type Decoder struct {
	lim   Limits
	slots chan struct{}
	cache *cache
}

// NewDecoder returns a Decoder bounded by lim, whose zero fields take their
// defaults.
func NewDecoder(lim Limits) *Decoder {
	lim = lim.withDefaults()
	return &Decoder{
		lim:   lim,
		slots: make(chan struct{}, lim.Workers),
		cache: newCache(lim.CacheEntries),
	}
}

// Limits returns the limits in force, defaults filled in.
func (d *Decoder) Limits() Limits { return d.lim }

// WithMessageBudget returns a context whose deadline is MessageBudget from
// now. Passing it to every Decode call for one message makes the images
// share that budget; call cancel when the message is done.
func (d *Decoder) WithMessageBudget(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d.lim.MessageBudget)
}

// Decode finds the QR codes in one encoded image. It returns within the
// image budget or the context's deadline, whichever is first, with what was
// found so far and a QR_BUDGET_EXCEEDED anomaly when it had to stop early.
// Results of complete scans are cached by the SHA-256 of data.
//
// NOTE: an abandoned attempt keeps its worker slot until gozxing returns,
// which the plane and finder-candidate bounds keep to about 0.1 s.
func (d *Decoder) Decode(ctx context.Context, data []byte) Result {
	key := sha256.Sum256(data)
	if r, ok := d.cache.get(key); ok {
		return r
	}
	start := time.Now()
	deadline := start.Add(d.lim.ImageBudget)
	budget := fmt.Sprintf("image budget %v", d.lim.ImageBudget)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
		budget = fmt.Sprintf("message deadline (%v left at start)", dl.Sub(start).Round(time.Millisecond))
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	j := &job{lim: d.lim, ctx: ctx, budget: budget, done: make(chan struct{})}
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return j.stopped("no free worker")
	}
	go func() {
		defer func() { <-d.slots }()
		defer close(j.done)
		j.run(data)
	}()

	select {
	case <-j.done:
	case <-ctx.Done():
		return j.stopped("abandoned during " + j.rungName())
	}
	res := j.result()
	if res.Scanned {
		d.cache.put(key, res)
	}
	return res
}

// job is one image's scan, shared between Decode and its worker.
type job struct {
	lim    Limits
	ctx    context.Context
	budget string // which budget ctx carries, for the anomaly
	done   chan struct{}

	mu   sync.Mutex
	res  Result
	rung string
}

func (j *job) result() Result {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.res.clone()
}

// stopped returns what j found before its budget ran out.
func (j *job) stopped(detail string) Result {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.res.Scanned = false
	for _, a := range j.res.Anomalies {
		if a.Name == AnomalyBudgetExceeded {
			return j.res.clone()
		}
	}
	j.res.anomaly(AnomalyBudgetExceeded, j.budget+" spent: "+detail)
	return j.res.clone()
}

func (j *job) rungName() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.rung == "" {
		return "image decoding"
	}
	return "rung " + j.rung
}

func (j *job) update(f func(r *Result)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	f(&j.res)
}

// run decodes the image and climbs the ladder on each frame.
func (j *job) run(data []byte) {
	var res Result
	res.Format = sniff(data)
	ok := j.admit(data, &res)
	j.update(func(r *Result) { *r = res })
	if !ok {
		return
	}
	images := decodeFrames(data, j.lim, &res)
	j.update(func(r *Result) { r.Anomalies, r.Frames = res.Anomalies, res.Frames })
	if len(images) == 0 {
		return
	}
	for _, img := range images {
		if !j.climb(newFrame(img)) {
			j.stopped("stopped before " + j.rungName())
			return
		}
	}
	j.update(func(r *Result) {
		r.Scanned = !slices.ContainsFunc(r.Anomalies, func(a Anomaly) bool {
			return a.Name == AnomalyFinderDecoys
		})
	})
}

// admit checks size, format and header before any decoding.
func (j *job) admit(data []byte, res *Result) bool {
	if len(data) > j.lim.MaxImageBytes {
		res.anomaly(AnomalyTooLarge, fmt.Sprintf("%d bytes > limit %d", len(data), j.lim.MaxImageBytes))
		return false
	}
	switch res.Format {
	case "":
		res.anomaly(AnomalyUnreadable, "unknown image format")
		return false
	case "emf", "wmf", "svg":
		res.anomaly(AnomalyUnscanned, res.Format+" is a vector format: no raster decoder")
		return false
	}
	return checkConfig(data, j.lim, res)
}

// climb runs the ladder on f until a rung finds a code. It returns false
// when the budget ran out first. Attempts on planes with too many
// finder-pattern candidates are skipped, and the first skip is reported:
// the image was not fully scanned.
func (j *job) climb(f *frame) bool {
	decoys := 0
	for _, r := range ladder {
		j.update(func(res *Result) { j.rung = r.name })
		for _, a := range r.attempts(f) {
			if j.ctx.Err() != nil {
				return false
			}
			a.pass = r.name
			codes, candidates := a.run()
			if candidates > 0 && decoys == 0 {
				decoys = candidates
				j.update(func(res *Result) {
					res.anomaly(AnomalyFinderDecoys, fmt.Sprintf(
						"%d finder-pattern candidates > limit %d: attempts skipped",
						candidates, maxFinderCandidates))
				})
			}
			if len(codes) > 0 {
				j.update(func(res *Result) { res.addCodes(codes) })
				return true
			}
		}
	}
	return true
}
