package policy

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestReadmeSignalTable keeps the README's signal table in step with
// Signals: every signal has a row with its default weight and trigger.
func TestReadmeSignalTable(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, d := range Signals {
		row := fmt.Sprintf("| `%s` | %.1f | %s |", d.Name, d.Weight, d.Trigger)
		if !strings.Contains(readme, row) {
			t.Errorf("README has no row\n%s", row)
		}
	}
}
