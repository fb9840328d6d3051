package quarantine

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // substring; "" means valid
	}{
		{"defaults", Config{}, ""},
		{"smtp with relay", Config{ReleaseMethod: MethodSMTP, SMTPRelay: "127.0.0.1:10025"}, ""},
		{"smtp without relay", Config{ReleaseMethod: MethodSMTP}, "smtp_relay is missing"},
		{"unknown method", Config{ReleaseMethod: "sendmail"}, `release_method "sendmail" is invalid`},
		{"relative postsuper", Config{PostsuperPath: "postsuper"}, "postsuper_path"},
		{"helo with space", Config{SMTPHelo: "a b"}, "smtp_helo"},
		{"negative max_bytes", Config{MaxBytes: -1}, "max_bytes -1 is invalid"},
		{"records shorter than messages",
			Config{Retention: Duration(90 * 24 * time.Hour), RecordRetention: Duration(24 * time.Hour)},
			"record_retention"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: Validate() = %v, want an error containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestDurationDays(t *testing.T) {
	var d Duration
	if err := d.UnmarshalText([]byte("30d")); err != nil || time.Duration(d) != 30*24*time.Hour {
		t.Errorf(`UnmarshalText("30d") = %v, %v; want 720h`, time.Duration(d), err)
	}
	if err := d.UnmarshalText([]byte("xd")); err == nil {
		t.Error(`UnmarshalText("xd") succeeded, want an error`)
	}
}
