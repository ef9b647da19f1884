package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type httpMetrics struct {
	duration *prometheus.HistogramVec
}

var sharedHTTPMetrics = func() *httpMetrics {
	m := &httpMetrics{duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "dannguyen_http_request_duration_seconds",
		Help:    "API request duration by method, route pattern and status.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "status"})}
	prometheus.MustRegister(m.duration)
	return m
}()

// newHTTPMetrics returns the process-wide collectors: tests build many servers in one
// process, and a collector can be registered only once.
func newHTTPMetrics() *httpMetrics { return sharedHTTPMetrics }

func (m *httpMetrics) observe(method, route string, status int, d time.Duration) {
	m.duration.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
}

// metricsHandler serves the default registry, where the Temporal SDK's metrics also live.
func metricsHandler() http.Handler { return promhttp.Handler() }
