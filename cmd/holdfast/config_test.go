package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "holdfast.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfigSample(t *testing.T) {
	cfg, err := loadConfig("../../testdata/holdfast.toml")
	if err != nil {
		t.Fatalf("sample config: %v", err)
	}
	if cfg.Milter.Listen != "inet:127.0.0.1:8891" {
		t.Errorf("milter.listen = %q, want inet:127.0.0.1:8891", cfg.Milter.Listen)
	}
	if len(cfg.Org.LocalDomains) != 1 || cfg.Org.LocalDomains[0] != "example.test" {
		t.Errorf("org.local_domains = %v, want [example.test]", cfg.Org.LocalDomains)
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cfg.Milter.Listen, "inet:127.0.0.1:") {
		t.Errorf("default listen = %q, want loopback", cfg.Milter.Listen)
	}
	if cfg.Policy.Mode != "enforce" || cfg.Policy.RejectScore != 0 {
		t.Errorf("policy = %+v, want enforce mode with reject off", cfg.Policy)
	}
	if cfg.Scanner.MaxDepth != 30 || cfg.Scanner.MaxParts != 1000 {
		t.Errorf("scanner limits = %d depth, %d parts, want the defaults 30 and 1000 filled in",
			cfg.Scanner.MaxDepth, cfg.Scanner.MaxParts)
	}
	if cfg.Milter.FailMode != "tempfail" {
		t.Errorf("fail_mode = %q, want tempfail", cfg.Milter.FailMode)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		wantErr string
	}{
		{"unknown section key", "[milter]\nlisten = \"inet:127.0.0.1:1\"\nlistne = 1\n", "milter.listne"},
		{"unknown section", "[nosuch]\nx = 1\n", "nosuch"},
		{"bad listen", "[milter]\nlisten = \"tcp:1.2.3.4\"\n", "listen"},
		{"bad fail mode", "[milter]\nfail_mode = \"drop\"\n", "fail_mode"},
		{"bad policy mode", "[policy]\nmode = \"audit\"\n", `mode "audit"`},
		{"unknown weight", "[policy.weights]\nNOT_A_SIGNAL = 2\n", "NOT_A_SIGNAL"},
		{"bad log format", "[log]\nformat = \"xml\"\n", `format "xml"`},
		{"bad duration", "[scanner]\nscan_timeout = \"soon\"\n", "soon"},
		{"local domain with spaces", "[org]\nlocal_domains = [\"not a domain!\"]\n", `"not a domain!" is not a domain name`},
		{"empty local domain", "[org]\nlocal_domains = [\"\"]\n", `"" is not a domain name`},
		{"missing country database", "[geo]\ncountry_db = \"/nonexistent/x.mmdb\"\n", "geo: country_db"},
		{"missing store folder", "[store]\ndsn = \"/nonexistent/dir/x.db\"\n", "store: dsn: folder"},
		{"missing socket folder", "[milter]\nlisten = \"unix:/nonexistent/dir/hf.sock\"\n", "milter: listen: folder"},
		{"negative depth", "[scanner]\nmax_depth = -1\n", "max_depth = -1 is invalid"},
		{"negative parts", "[scanner]\nmax_parts = -5\n", "max_parts = -5 is invalid"},
		{"bad toml", "[milter\n", "holdfast.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(writeConfig(t, tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("loadConfig() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestEffectiveConfigRoundTrip(t *testing.T) {
	cfg, err := loadConfig("../../testdata/holdfast.toml")
	if err != nil {
		t.Fatal(err)
	}
	again, err := loadConfig(writeConfig(t, cfg.effective()))
	if err != nil {
		t.Fatalf("effective config does not load again: %v\n%s", err, cfg.effective())
	}
	if again.effective() != cfg.effective() {
		t.Errorf("effective config changed on reload:\n%s\nvs\n%s", cfg.effective(), again.effective())
	}
}

func FuzzLoadConfig(f *testing.F) {
	sample, err := os.ReadFile("../../testdata/holdfast.toml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(sample))
	f.Add("[milter]\nlisten = \"unix:/tmp/x.sock\"\nsocket_mode = \"0600\"\n")
	f.Add("[policy.weights]\nLINK_IP_HOST = -1.5\n")
	f.Fuzz(func(t *testing.T, text string) {
		p := filepath.Join(t.TempDir(), "c.toml")
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(p)
		if err != nil {
			return
		}
		if cfg.Milter.Listen == "" || cfg.Policy.HoldScore < cfg.Policy.TagScore {
			t.Errorf("accepted config has invalid values: %+v", cfg)
		}
	})
}
