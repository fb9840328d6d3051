// Package duration provides the time span type of holdfast's config file:
// Go's time.ParseDuration syntax ("90s", "36h") or whole days ("30d"),
// because retention periods read naturally in days.
package duration

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that decodes from TOML text.
type Duration time.Duration

// UnmarshalText parses "Nd" as N days and anything else with
// time.ParseDuration.
func (d *Duration) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("duration %q is invalid: use whole days such as \"30d\" or Go syntax such as \"36h\"", s)
		}
		*d = Duration(time.Duration(n) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q is invalid: use Go syntax such as \"90s\" or \"36h\", or whole days such as \"30d\"", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalText formats d as time.Duration does.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(time.Duration(d).String()), nil
}
