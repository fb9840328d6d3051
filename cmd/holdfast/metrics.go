package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/holdfast/holdfast/policy"
)

// MetricsConfig is the [metrics] section.
type MetricsConfig struct {
	// Listen is the "host:port" of the Prometheus /metrics endpoint.
	// Default "": no endpoint. The endpoint has no authentication, so
	// keep it on loopback or behind a proxy that adds some.
	Listen string `toml:"listen"`
}

// metrics counts what the pipeline decides, for Prometheus.
type metrics struct {
	registry *prometheus.Registry
	verdicts *prometheus.CounterVec
	signals  *prometheus.CounterVec
	judge    prometheus.Histogram
	failures *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "holdfast_verdicts_total",
			Help: "Messages judged, by verdict and by the action the MTA was given.",
		}, []string{"verdict", "enforced"}),
		signals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "holdfast_signals_total",
			Help: "Signals raised, by name.",
		}, []string{"signal"}),
		judge: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "holdfast_judge_seconds",
			Help: "Time from end of message to verdict: scan, sender checks and scoring.",
			// From 1 ms to about 33 s: the p50 of the load benchmark is
			// near 1.3 ms and the default judge timeout is 60 s.
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "holdfast_pipeline_errors_total",
			Help: "Failures inside the pipeline that were logged and judged around, by stage.",
		}, []string{"stage"}),
	}
	m.registry.MustRegister(m.verdicts, m.signals, m.judge, m.failures,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// observe records one verdict and how long it took.
func (m *metrics) observe(v policy.Verdict, took time.Duration) {
	if m == nil {
		return
	}
	m.verdicts.WithLabelValues(v.Action.String(), v.Enforced.String()).Inc()
	for _, s := range v.Signals {
		m.signals.WithLabelValues(s.Name).Inc()
	}
	m.judge.Observe(took.Seconds())
}

// fail counts a failure of a pipeline stage that was judged around.
func (m *metrics) fail(stage string) {
	if m != nil {
		m.failures.WithLabelValues(stage).Inc()
	}
}

// startMetrics serves /metrics on listen and returns a function that
// stops the server. A server that cannot start is logged; mail keeps
// flowing without metrics.
func startMetrics(listen string, m *metrics, log *slog.Logger) func() {
	if listen == "" {
		return func() {}
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		log.Error("metrics endpoint not started", "listen", listen, "err", err)
		return func() {}
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics endpoint stopped", "err", err)
		}
	}()
	log.Info("metrics listening", "listen", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}
}
