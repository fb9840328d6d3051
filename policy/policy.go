// Package policy turns what the scanner and the sender checks observed into
// named signals, a score and an action: accept, tag, hold or reject.
//
// It does no I/O: it reads only the Report and envelope it is handed and
// its Config. Decide never fails; an input it cannot judge yields no signal
// for that input rather than an error.
//
// Config keys read (section [policy]): mode, tag_score, hold_score,
// reject_score, weights.
package policy

import (
	"fmt"
	"sort"
	"strings"
)

// Action is the verdict's decision, ordered by severity.
type Action int

const (
	Accept Action = iota
	Tag
	Hold
	Reject
)

var actionNames = [...]string{"accept", "tag", "hold", "reject"}

// String returns the action's lower-case name as used in headers and JSON.
func (a Action) String() string {
	if a < 0 || int(a) >= len(actionNames) {
		return fmt.Sprintf("action(%d)", int(a))
	}
	return actionNames[a]
}

// MarshalText encodes the action by name.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Modes of [policy] mode.
const (
	ModeEnforce = "enforce"
	ModeObserve = "observe"
)

// Default thresholds. A tag marks mail a user should read with care; a hold
// needs about two strong signals (see Signals). Reject is off by default
// because a rejected message cannot be recovered by staff.
const (
	DefaultTagScore  = 4.0
	DefaultHoldScore = 8.0
)

// Config is the [policy] section.
type Config struct {
	// Mode is "enforce" (default) or "observe". In observe mode the
	// verdict is computed, logged and written to the headers, but the
	// message is always accepted: for a learning period on a new
	// deployment.
	Mode string `toml:"mode"`
	// TagScore is the score from which a message is tagged. Default 4.
	TagScore float64 `toml:"tag_score"`
	// HoldScore is the score from which a message is held. Default 8.
	HoldScore float64 `toml:"hold_score"`
	// RejectScore is the score from which a message is rejected; 0 (the
	// default) turns reject off, so the worst verdict is hold.
	RejectScore float64 `toml:"reject_score"`
	// Weights overrides the default weight of signals by name; a name not
	// in the signal table is an error.
	Weights map[string]float64 `toml:"weights"`
}

// Validate fills defaults and checks values, naming the key at fault.
func (c *Config) Validate() error {
	switch c.Mode {
	case "":
		c.Mode = ModeEnforce
	case ModeEnforce, ModeObserve:
	default:
		return fmt.Errorf("policy: mode %q is invalid: use %q or %q", c.Mode, ModeEnforce, ModeObserve)
	}
	if c.TagScore == 0 {
		c.TagScore = DefaultTagScore
	}
	if c.HoldScore == 0 {
		c.HoldScore = DefaultHoldScore
	}
	if c.HoldScore < c.TagScore {
		return fmt.Errorf("policy: hold_score %.1f is below tag_score %.1f", c.HoldScore, c.TagScore)
	}
	if c.RejectScore != 0 && c.RejectScore < c.HoldScore {
		return fmt.Errorf("policy: reject_score %.1f is below hold_score %.1f (use 0 to turn reject off)",
			c.RejectScore, c.HoldScore)
	}
	for name := range c.Weights {
		if _, ok := defaultWeights[name]; !ok {
			return fmt.Errorf("policy: weights: unknown signal %q (see the signal table in the README)", name)
		}
	}
	return nil
}

// weight returns the configured weight of a signal.
func (c *Config) weight(name string) float64 {
	if w, ok := c.Weights[name]; ok {
		return w
	}
	return defaultWeights[name]
}

// Verdict is the outcome for one message.
type Verdict struct {
	// Action is the action the score calls for.
	Action Action `json:"verdict"`
	// Enforced is the action sent to the MTA: Action, or Accept in
	// observe mode.
	Enforced Action `json:"enforced"`
	// Observe reports that the verdict was computed in observe mode.
	Observe bool    `json:"observe"`
	Score   float64 `json:"score"`
	// Signals lists every signal raised, strongest first.
	Signals []Signal `json:"signals"`
}

// SignalNames returns the names of the verdict's signals in order.
func (v *Verdict) SignalNames() []string {
	names := make([]string, len(v.Signals))
	for i, s := range v.Signals {
		names[i] = s.Name
	}
	return names
}

// Reason returns a one-line summary for a quarantine reason or a log line.
func (v *Verdict) Reason() string {
	return fmt.Sprintf("holdfast %s score %.1f: %s", v.Action, v.Score, strings.Join(v.SignalNames(), ","))
}

// Decide scores the input's signals against the thresholds.
func Decide(in Input, cfg Config) Verdict {
	raw := append(contentSignals(in), in.Sender...)
	v := Verdict{Signals: make([]Signal, 0, len(raw))}
	for _, s := range raw {
		s.Score = cfg.weight(s.Name) * scale(s.Scale)
		if s.Score == 0 {
			continue
		}
		v.Score += s.Score
		v.Signals = append(v.Signals, s)
	}
	sort.SliceStable(v.Signals, func(i, j int) bool { return v.Signals[i].Score > v.Signals[j].Score })

	v.Action = cfg.actionFor(v.Score)
	v.Enforced = v.Action
	if cfg.Mode == ModeObserve {
		v.Observe = true
		v.Enforced = Accept
	}
	return v
}

// scale returns a signal's weight multiplier: 1 for zero, else clamped to
// [0, 1].
func scale(s float64) float64 {
	switch {
	case s == 0 || s > 1:
		return 1
	case s < 0:
		return 0
	}
	return s
}

func (c *Config) actionFor(score float64) Action {
	switch {
	case c.RejectScore > 0 && score >= c.RejectScore:
		return Reject
	case score >= c.HoldScore:
		return Hold
	case score >= c.TagScore:
		return Tag
	}
	return Accept
}
