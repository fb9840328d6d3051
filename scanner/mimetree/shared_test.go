package mimetree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedInputs is the folder of malformed sample messages kept next to the
// repository by the project; it is absent in a plain checkout.
const sharedInputs = "../../../shared/bug-inputs"

func TestSharedBugInputs(t *testing.T) {
	if _, err := os.Stat(sharedInputs); err != nil {
		t.Skipf("sample folder %s not present: %v", sharedInputs, err)
	}
	tests := []struct {
		file   string
		checks []check
	}{
		{"m01_missing_final_boundary.eml", []check{wantAnomaly(AnomalyUnterminated),
			wantSharedExe("inv.exe"), wantText("hello")}},
		{"m02_duplicate_boundary_param.eml", []check{wantAnomaly(AnomalyDuplicateParam),
			wantSharedExe("inv.exe")}},
		{"m02b_duplicate_same_boundary.eml", []check{wantAnomaly(AnomalyDuplicateParam),
			wantSharedExe("inv.exe")}},
		{"m03_mbox_from_line.eml", []check{wantAnomaly(AnomalyMboxFrom),
			wantText("http://phish.example.test/login")}},
		{"m03b_bad_header_key.eml", []check{wantAnomaly(AnomalyBadHeaderName),
			wantText("http://phish.example.test/")}},
		{"m04_unfolded_param_in_part.eml", []check{wantAnomaly(AnomalyUnfoldedLine),
			wantSharedExe("inv.exe"), wantName("note.txt")}},
		{"m06_charsets.eml", []check{wantText("안녕하세요"), wantText("Zahlung fällig"),
			wantText("😀 http://cn2.example.test/"), wantText("안녕 http://kr2.example.test/"),
			wantText("café http://ascii8.example.test/"), wantAnomaly(AnomalyCharsetRare),
			wantAnomaly(AnomalyUndeclared8Bit)}},
		{"m07_encoded_words.eml", []check{wantAnomaly(AnomalyHeader8Bit), wantDecoded(map[string]string{
			"X-T-split_utf8_b": "€ due", "X-T-split_sjis_b": "請求書",
			"X-T-split_iso2022jp_b": "請求書です", "X-T-utf7_word": "änderung",
			"X-T-lowercase_b_bad_pad": "hello", "X-T-raw_cp1251": "привет",
			"X-T-encoded_in_quoted_addr": `"Büro" <office@example.test>`,
			"X-T-unknown_charset":        "abc", "X-T-ks_c_word": "안녕"})}},
		{"m08_base64_junk.eml", []check{wantAnomaly(AnomalyBase64Invalid),
			wantText("http://two.example.test/phish"), wantText("http://three.example.test/"),
			wantText("http://four.example.test/"), wantText("http://five.example.test/x"),
			wantText("http://six.example.test/")}},
		{"m09_qp_malformed.eml", []check{wantText("http://qp3.example.test/"),
			wantText("http://qp6.example.test/"), wantText("http://qp5.example.test/?a=b")}},
		{"m10_uuencode.eml", []check{wantAnomaly(AnomalyUUInline), wantSharedExe("inv.exe"),
			wantSharedExe("inv2.exe"), wantSharedExe("inv3.exe")}},
		{"m11_tnef_winmail.eml", []check{wantSharedExe("inv.exe")}},
		{"m12_two_content_types.eml", []check{wantAnomaly(AnomalyDuplicateHeader),
			wantSharedExe("inv.exe"), wantText("http://hidden.example.test/")}},
		{"m13_blank_folded_subject.eml", []check{wantDecoded(map[string]string{
			"Subject": "real subject here"})}},
		{"m16_boundary_trailing_junk.eml", []check{wantAnomaly(AnomalyBoundaryJunk),
			wantText("second"), wantSharedExe("inv.exe")}},
		{"m17_mixed_crlf_lf.eml", []check{wantAnomaly(AnomalyMixedLineEndings),
			wantSharedExe("inv.exe")}},
		{"m19_attachment_names.eml", []check{wantAnomaly(AnomalyNameBidi),
			wantAnomaly(AnomalyNamePath), wantName("invfdp.exe"), wantName("inv.pdf.exe"),
			wantName("inv.pdf"), wantParts(5)}},
		{"m21_rfc822_attachment.eml", []check{wantSharedExe("inner.exe"), wantParts(5)}},
		{"m23_unquoted_boundary_tspecial.eml", []check{wantSharedExe("inv.exe"),
			wantText("please see attachment")}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".eml"), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(sharedInputs, tt.file))
			if err != nil {
				t.Skipf("sample %s not readable: %v", tt.file, err)
			}
			m := Parse(raw, Limits{})
			for _, c := range tt.checks {
				c(t, m)
			}
		})
	}
}

// wantSharedExe checks for a part named name whose body is a PE file.
func wantSharedExe(name string) check {
	return func(t *testing.T, m *Message) {
		t.Helper()
		p := partNamed(m, name)
		if p == nil {
			t.Fatalf("no part named %q", name)
		}
		if !strings.HasPrefix(string(p.Body), "MZ") {
			t.Errorf("part %q body %q does not start with MZ", name, p.Body)
		}
	}
}

func wantName(name string) check {
	return func(t *testing.T, m *Message) {
		t.Helper()
		if partNamed(m, name) == nil {
			t.Errorf("no part named %q", name)
		}
	}
}

func wantDecoded(want map[string]string) check {
	return func(t *testing.T, m *Message) {
		t.Helper()
		for field, value := range want {
			if got := DecodeHeader(HeaderValue(m.Header, field)); got != value {
				t.Errorf("%s decoded = %q, want %q", field, got, value)
			}
		}
	}
}
