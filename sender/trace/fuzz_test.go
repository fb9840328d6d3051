package trace

import (
	"strings"
	"testing"
)

// The fuzz targets check that the parsers never panic and that what they
// return keeps the documented forms. Seeds live in testdata/fuzz.

func FuzzReceived(f *testing.F) {
	f.Add("from a.example (a.example [192.0.2.1]) by mx.example with ESMTPS id 1; Tue, 3 Dec 2024 10:00:00 +0000")
	f.Fuzz(func(t *testing.T, body string) {
		r := ParseReceived(body)
		if r.FromIP.IsValid() && r.FromIP.Is4In6() {
			t.Errorf("FromIP %s is an IPv4-mapped address", r.FromIP)
		}
		if r.AuthSender != "" && !r.Authenticated {
			t.Errorf("AuthSender %q without Authenticated", r.AuthSender)
		}
		for _, v := range []string{r.From, r.By, r.With, r.ID, r.For} {
			if strings.ContainsAny(v, " \t\r\n()") {
				t.Errorf("clause value %q contains white space or a parenthesis", v)
			}
		}
	})
}

func FuzzAuthResults(f *testing.F) {
	f.Add("mx.example.net; spf=pass smtp.mailfrom=example.org; dkim=fail header.d=example.org")
	f.Fuzz(func(t *testing.T, body string) {
		a := ParseAuthResults(body)
		if a.AuthservID != strings.ToLower(a.AuthservID) {
			t.Errorf("AuthservID %q is not lower-case", a.AuthservID)
		}
		for _, r := range a.Results {
			if r.Method == "" && r.Value == "" {
				t.Errorf("result with neither method nor value: %+v", r)
			}
			if r.Value != strings.ToLower(r.Value) {
				t.Errorf("Value %q is not lower-case", r.Value)
			}
		}
	})
}

func FuzzReceivedSPF(f *testing.F) {
	f.Add(`pass (mx.example.net: domain of a@example.org designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from="a@example.org"`)
	f.Fuzz(func(t *testing.T, body string) {
		r := ParseReceivedSPF(body)
		if ip := r.ClientIP(); ip.IsValid() && ip.Is4In6() {
			t.Errorf("ClientIP %s is an IPv4-mapped address", ip)
		}
		for k, v := range r.Params {
			if v == "" {
				t.Errorf("Params[%q] is empty", k)
			}
		}
		_ = r.Receiver()
	})
}
