package main

import (
	"slices"
	"testing"

	"github.com/holdfast/holdfast/policy"
	"github.com/holdfast/holdfast/sender"
)

// TestOwnHeadersCoverAddedFields keeps ownHeaders complete: every field the
// pipeline adds must be one the milter deletes from received mail.
func TestOwnHeadersCoverAddedFields(t *testing.T) {
	v := policy.Verdict{Signals: []policy.Signal{{Name: policy.QRCodeLink, Evidence: "x"}}}
	added := append(verdictHeaders(v), senderHeader(sender.Assessment{}))
	for _, f := range added {
		if !slices.Contains(ownHeaders, f.Name) {
			t.Errorf("added field %s is missing from ownHeaders", f.Name)
		}
	}
	if !slices.Contains(ownHeaders, "X-Holdfast-Quarantine-Id") {
		t.Error("ownHeaders lacks X-Holdfast-Quarantine-Id, which a hold adds")
	}
}

func TestDecideReportsSessionLimits(t *testing.T) {
	cfg := policy.Config{}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	v := policy.Decide(policy.Input{Limits: []string{"max_headers: 1100 > limit 1000"}}, cfg)
	if got := v.SignalNames(); !slices.Equal(got, []string{policy.LimitReached}) {
		t.Errorf("signals = %v, want [%s]", got, policy.LimitReached)
	}
}

func TestBaseAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"phisher+x@phishco.example", "phisher@phishco.example"},
		{"phisher@phishco.example", "phisher@phishco.example"},
		{"+only@x.example", "+only@x.example"},
		{"no-at-sign", "no-at-sign"},
	}
	for _, tt := range tests {
		if got := baseAddress(tt.in); got != tt.want {
			t.Errorf("baseAddress(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPrivateSuffix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"evil1.pages.dev", "pages.dev"},
		{"bucket.s3.amazonaws.com", "s3.amazonaws.com"},
		{"example.co.uk", ""},
		{"pages.dev", ""},
		{"example.org", ""},
	}
	for _, tt := range tests {
		if got := privateSuffix(tt.in); got != tt.want {
			t.Errorf("privateSuffix(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
