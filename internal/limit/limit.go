// Package limit resolves the resource limits of holdfast's readers with
// one convention: zero selects the safe default, a negative value means
// unlimited (the largest value of the type), and any other value is kept.
package limit

import "math"

// Resolve applies the convention to v with the default def.
func Resolve[T ~int | ~int64](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return maxOf(v)
	}
	return v
}

// maxOf returns the largest value of v's type.
func maxOf[T ~int | ~int64](v T) T {
	var wide int64 = math.MaxInt64
	if T(wide) < 0 { // T is narrower than int64
		return T(math.MaxInt32)
	}
	return T(wide)
}
