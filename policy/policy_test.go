package policy

import (
	"slices"
	"strings"
	"testing"

	"github.com/holdfast/holdfast/scanner"
)

func TestDecideContentSignals(t *testing.T) {
	tests := []struct {
		name        string
		report      scanner.Report
		wantSignals []string
		wantAction  Action
	}{
		{
			name:       "empty message is accepted",
			report:     scanner.Report{},
			wantAction: Accept,
		},
		{
			name: "link text shows another domain",
			report: scanner.Report{Links: []scanner.Link{{
				URL: "https://paypa1-login.example.net/verify", Domain: "example.net",
				Via: "href", Text: "https://www.paypal.com/signin", Source: "part 1",
			}}},
			wantSignals: []string{LinkTextMismatch},
			wantAction:  Tag,
		},
		{
			name: "link text on the same registrable domain",
			report: scanner.Report{Links: []scanner.Link{{
				URL: "https://login.paypal.com/x", Domain: "paypal.com",
				Via: "href", Text: "www.paypal.com", Source: "part 1",
			}}},
			wantAction: Accept,
		},
		{
			name: "link text that is not a domain",
			report: scanner.Report{Links: []scanner.Link{{
				URL: "https://evil.example/x", Domain: "evil.example",
				Via: "href", Text: "Click here. Thanks", Source: "part 1",
			}}},
			wantAction: Accept,
		},
		{
			name: "executable hidden behind a pdf extension",
			report: scanner.Report{Attachments: []scanner.Attachment{{
				Filename: "invoice.pdf.exe", Sniffed: scanner.KindPE, Source: "part 2",
			}}},
			wantSignals: []string{ExecutableAttachment, DoubleExtension},
			wantAction:  Hold,
		},
		{
			name: "html attachment with a password form",
			report: scanner.Report{
				Attachments: []scanner.Attachment{{Filename: "Transfer Copy.html", Sniffed: scanner.KindHTML}},
				Forms:       []scanner.Form{{Action: "https://collect.example/p.php", HasPassword: true}},
			},
			wantSignals: []string{CredentialForm, HTMLAttachment},
			wantAction:  Tag,
		},
		{
			name: "parse anomalies count once",
			report: scanner.Report{Anomalies: []scanner.Anomaly{
				{Name: "MIME_UNTERMINATED", Detail: "no closing boundary"},
				{Name: "MIME_BAD_HEADER_LINE", Detail: "line 3"},
			}},
			wantSignals: []string{ParseAnomaly},
			wantAction:  Accept,
		},
		{
			name: "limit anomaly",
			report: scanner.Report{Anomalies: []scanner.Anomaly{
				{Name: "MIME_DEPTH_LIMIT", Detail: "depth 31 > limit 30"},
			}},
			wantSignals: []string{LimitReached},
			wantAction:  Accept,
		},
		{
			name: "link to an IP address with userinfo",
			report: scanner.Report{Links: []scanner.Link{{
				URL: "http://bank.example@192.0.2.7/login", Host: "192.0.2.7", Domain: "192.0.2.7", Via: "text",
			}}},
			wantSignals: []string{LinkUserinfo, LinkIPHost},
			wantAction:  Tag,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			v := Decide(Input{Report: &tt.report}, cfg)
			got := v.SignalNames()
			slices.Sort(got)
			want := slices.Clone(tt.wantSignals)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("signals = %v, want %v", got, want)
			}
			if v.Action != tt.wantAction {
				t.Errorf("action = %s (score %.1f), want %s", v.Action, v.Score, tt.wantAction)
			}
			for _, s := range v.Signals {
				if s.Evidence == "" {
					t.Errorf("signal %s has no evidence", s.Name)
				}
			}
		})
	}
}

func TestDecideObserveModeAccepts(t *testing.T) {
	cfg := Config{Mode: ModeObserve}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	r := scanner.Report{Attachments: []scanner.Attachment{{Filename: "a.pdf.exe", Sniffed: scanner.KindPE}}}
	v := Decide(Input{Report: &r}, cfg)
	if v.Action != Hold {
		t.Errorf("action = %s, want hold", v.Action)
	}
	if v.Enforced != Accept {
		t.Errorf("enforced = %s, want accept", v.Enforced)
	}
	if !v.Observe {
		t.Error("Observe = false, want true")
	}
}

func TestDecideTruncatedMessage(t *testing.T) {
	cfg := Config{}
	_ = cfg.Validate()
	v := Decide(Input{Report: &scanner.Report{}, Truncated: true, Size: 300, ScannedBytes: 100}, cfg)
	if got := v.SignalNames(); !slices.Equal(got, []string{MessageTooLarge}) {
		t.Fatalf("signals = %v, want [%s]", got, MessageTooLarge)
	}
	if ev := v.Signals[0].Evidence; !strings.Contains(ev, "300 > limit 100") {
		t.Errorf("evidence = %q, want it to contain %q", ev, "300 > limit 100")
	}
}

func TestDecideRejectThreshold(t *testing.T) {
	r := scanner.Report{Attachments: []scanner.Attachment{{Filename: "a.pdf.exe", Sniffed: scanner.KindPE}}}
	tests := []struct {
		name   string
		reject float64
		want   Action
	}{
		{"reject off by default", 0, Hold},
		{"reject reached", 9, Reject},
		{"reject above score", 20, Hold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{RejectScore: tt.reject}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			if v := Decide(Input{Report: &r}, cfg); v.Action != tt.want {
				t.Errorf("action = %s (score %.1f), want %s", v.Action, v.Score, tt.want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"defaults", Config{}, ""},
		{"bad mode", Config{Mode: "audit"}, `mode "audit" is invalid`},
		{"hold below tag", Config{TagScore: 5, HoldScore: 3}, "hold_score 3.0 is below tag_score 5.0"},
		{"reject below hold", Config{RejectScore: 2}, "reject_score 2.0 is below hold_score 8.0"},
		{"unknown weight", Config{Weights: map[string]float64{"NO_SUCH": 1}}, `unknown signal "NO_SUCH"`},
		{"weight override", Config{Weights: map[string]float64{LinkTextMismatch: 0}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestDefang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://evil.example/x", "hxxps://evil[.]example/x"},
		{"httpbin.org", "hxxpbin[.]org"},
		{"evil.example", "evil[.]example"},
	}
	for _, tt := range tests {
		if got := defang(tt.in); got != tt.want {
			t.Errorf("defang(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecideScalesSenderSignals(t *testing.T) {
	cfg := Config{}
	_ = cfg.Validate()
	in := Input{Report: &scanner.Report{}, Sender: []Signal{
		{Name: LinkIPHost, Evidence: "full weight"},
		{Name: LinkUserinfo, Evidence: "half weight", Scale: 0.5},
	}}
	v := Decide(in, cfg)
	want := defaultWeights[LinkIPHost] + defaultWeights[LinkUserinfo]*0.5
	if v.Score != want {
		t.Errorf("score = %.2f, want %.2f", v.Score, want)
	}
}

func TestDecideAttachmentSignals(t *testing.T) {
	tests := []struct {
		name      string
		report    scanner.Report
		want      string
		wantScore bool
	}{
		{"macros", scanner.Report{Anomalies: []scanner.Anomaly{{Name: "OOXML_MACROS", Detail: "word/vbaProject.bin present"}}}, OfficeMacros, true},
		{"remote template", scanner.Report{Anomalies: []scanner.Anomaly{{Name: "OOXML_REMOTE_TEMPLATE", Detail: "https://t.example/x.dotm"}}}, OfficeRemoteTemplate, true},
		{"encrypted zip", scanner.Report{Anomalies: []scanner.Anomaly{{Name: "ZIP_ENCRYPTED", Detail: "a.exe"}}}, EncryptedAttachment, true},
		{"7z unscanned", scanner.Report{Anomalies: []scanner.Anomaly{{Name: scanner.AnomalyArchiveUnscanned, Detail: "7z"}}}, UnscannedContent, true},
		{"external image not scored", scanner.Report{Anomalies: []scanner.Anomaly{{Name: "OOXML_EXTERNAL_IMAGE", Detail: "x"}}}, "", false},
		{"qr link", scanner.Report{Links: []scanner.Link{{URL: "https://q.example/a", Domain: "q.example", Via: "qr", Source: "a.docx › word/media/image1.png › qr"}}}, QRCodeLink, true},
		{"drawn qr", scanner.Report{QRCodes: []scanner.QRCode{{Text: "https://q.example/a", Source: "part 1 › html grid qr"}}}, QRCodeDrawn, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{}
			_ = cfg.Validate()
			v := Decide(Input{Report: &tt.report}, cfg)
			got := v.SignalNames()
			if !tt.wantScore {
				if len(got) != 0 {
					t.Errorf("signals = %v, want none", got)
				}
				return
			}
			if !slices.Contains(got, tt.want) {
				t.Errorf("signals = %v, want %s", got, tt.want)
			}
		})
	}
}
