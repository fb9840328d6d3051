package duration

import (
	"testing"
	"time"
)

func TestUnmarshalText(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"90s", 90 * time.Second, false},
		{"36h", 36 * time.Hour, false},
		{"30d", 30 * 24 * time.Hour, false},
		{" 2d ", 48 * time.Hour, false},
		{"d", 0, true},
		{"-1d", 0, true},
		{"soon", 0, true},
		{"1.5d", 0, true},
	}
	for _, tt := range tests {
		var d Duration
		err := d.UnmarshalText([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("UnmarshalText(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && time.Duration(d) != tt.want {
			t.Errorf("UnmarshalText(%q) = %v, want %v", tt.in, time.Duration(d), tt.want)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	d := Duration(400 * 24 * time.Hour)
	text, err := d.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var back Duration
	if err := back.UnmarshalText(text); err != nil || back != d {
		t.Errorf("round trip of %v gave %v, %v", time.Duration(d), time.Duration(back), err)
	}
}
