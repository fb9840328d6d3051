package main

import (
	"slices"
	"testing"

	"github.com/holdfast/holdfast/milter"
)

func TestForgedVerdictHeaders(t *testing.T) {
	fields := []milter.Field{
		{Name: "From", Value: "a@example.net"},
		{Name: "X-Holdfast-Verdict", Value: "accept"},
		{Name: "x-holdfast-score", Value: "0"},
		{Name: "X-HOLDFAST-VERDICT", Value: "accept"},
		{Name: "X-Holdfastish", Value: "kept"},
	}
	got := forgedVerdictHeaders(fields)
	want := []string{"X-Holdfast-Verdict", "x-holdfast-score"}
	if !slices.Equal(got, want) {
		t.Errorf("forgedVerdictHeaders = %q, want %q (each name once, others kept)", got, want)
	}
}
