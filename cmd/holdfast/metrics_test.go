package main

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/holdfast/holdfast/policy"
)

func TestMetricsCountVerdicts(t *testing.T) {
	m := newMetrics()
	m.observe(policy.Verdict{Action: policy.Hold, Enforced: policy.Hold,
		Signals: []policy.Signal{{Name: policy.QRCodeLink}, {Name: policy.CredentialForm}}}, 3*time.Millisecond)
	m.observe(policy.Verdict{Action: policy.Hold, Enforced: policy.Accept}, time.Millisecond)
	m.fail("history")
	var nilMetrics *metrics
	nilMetrics.observe(policy.Verdict{}, 0) // commands without metrics pass nil
	nilMetrics.fail("history")

	rec := httptest.NewRecorder()
	promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`holdfast_verdicts_total{enforced="hold",verdict="hold"} 1`,
		`holdfast_verdicts_total{enforced="accept",verdict="hold"} 1`,
		`holdfast_signals_total{signal="QR_CODE_LINK"} 1`,
		`holdfast_signals_total{signal="CREDENTIAL_FORM"} 1`,
		`holdfast_judge_seconds_count 2`,
		`holdfast_pipeline_errors_total{stage="history"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics output lacks %q", want)
		}
	}
}
