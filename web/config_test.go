package web

import (
	"strings"
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	c := Config{}.WithDefaults()
	if *c.Listen != DefaultListen || c.SessionTimeout != DefaultSessionTimeout {
		t.Errorf("defaults = listen %q timeout %s, want %q and %s",
			*c.Listen, c.SessionTimeout, DefaultListen, DefaultSessionTimeout)
	}
	if !(Config{}).Enabled() {
		t.Error("zero Config is not enabled, want the default listener")
	}
	off := ""
	if (Config{Listen: &off}).Enabled() {
		t.Error(`listen = "" is enabled, want off`)
	}
}

func TestConfigCookieSecureFollowsListen(t *testing.T) {
	tests := []struct {
		listen string
		want   bool
	}{
		{"127.0.0.1:8025", false},
		{"[::1]:8025", false},
		{"localhost:8025", false},
		{"0.0.0.0:8025", true},
		{"192.0.2.10:443", true},
		{":8025", true},
	}
	for _, tt := range tests {
		c := Config{Listen: &tt.listen}.WithDefaults()
		if *c.CookieSecure != tt.want {
			t.Errorf("listen %q: cookie_secure = %v, want %v", tt.listen, *c.CookieSecure, tt.want)
		}
	}
	on := true
	listen := "127.0.0.1:8025"
	if c := (Config{Listen: &listen, CookieSecure: &on}).WithDefaults(); !*c.CookieSecure {
		t.Error("explicit cookie_secure = true on loopback was overridden")
	}
}

func TestConfigValidate(t *testing.T) {
	bad := "no-port"
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"listen without port", Config{Listen: &bad}, `listen "no-port"`},
		{"short session", Config{SessionTimeout: time.Second}, "session_timeout"},
		{"negative failures", Config{LoginMaxFailures: -1}, "login_max_failures"},
		{"negative window", Config{LoginFailureWindow: -time.Second}, "login_failure_window"},
		{"address ceiling below the per-name limit", Config{LoginMaxFailures: 10, LoginIPMaxFailures: 5},
			"login_ip_max_failures"},
		{"bad trusted proxy", Config{TrustedProxies: []string{"proxy.example"}}, `"proxy.example"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("Validate(zero) = %v, want nil", err)
	}
	if c := (Config{LoginMaxFailures: 80}).WithDefaults(); c.LoginIPMaxFailures != 80 {
		t.Errorf("login_ip_max_failures default with login_max_failures 80 = %d, want 80", c.LoginIPMaxFailures)
	}
}
