package limit

import (
	"math"
	"testing"
)

func TestResolve(t *testing.T) {
	if got := Resolve(0, 30); got != 30 {
		t.Errorf("Resolve(0, 30) = %d, want the default 30", got)
	}
	if got := Resolve(7, 30); got != 7 {
		t.Errorf("Resolve(7, 30) = %d, want 7", got)
	}
	if got := Resolve(-1, 30); got != math.MaxInt {
		t.Errorf("Resolve(-1, 30) = %d, want math.MaxInt", got)
	}
	if got := Resolve(int64(-1), int64(5)); got != math.MaxInt64 {
		t.Errorf("Resolve(int64(-1), 5) = %d, want math.MaxInt64", got)
	}
}
