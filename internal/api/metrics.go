package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the server's Prometheus metrics. They also observe the
// sequencer (journal.Observer).
type Metrics struct {
	reg         *prometheus.Registry
	http        *prometheus.HistogramVec
	commands    *prometheus.CounterVec
	batchSize   prometheus.Histogram
	batchCommit prometheus.Histogram
	settledOnce sync.Once
}

// NewMetrics registers the metrics on a registry of their own.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "greenmall_http_request_seconds", Help: "HTTP request latency.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route", "code"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "greenmall_commands_total", Help: "Commands applied, by type and outcome (settlements are order.* and settle.tick).",
		}, []string{"type", "outcome"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "greenmall_journal_batch_size", Help: "Commands per group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 11),
		}),
		batchCommit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "greenmall_journal_commit_seconds", Help: "Group commit latency, from its first write to its sync.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}),
	}
	m.reg.MustRegister(m.http, m.commands, m.batchSize, m.batchCommit,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// watchSettlements exports the settled orders and their amount, read from
// the state once per scrape (durable figures: read goes through Seq.Read).
func (m *Metrics) watchSettlements(read func() (orders, fen int64)) {
	m.settledOnce.Do(func() {
		m.reg.MustRegister(settledCollector{read: read,
			orders: prometheus.NewDesc("greenmall_orders_settled_total", "Orders settled.", nil, nil),
			fen:    prometheus.NewDesc("greenmall_settled_amount_fen_total", "Amount of the orders settled, in fen.", nil, nil)})
	})
}

type settledCollector struct {
	read        func() (orders, fen int64)
	orders, fen *prometheus.Desc
}

func (c settledCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.orders; ch <- c.fen }

func (c settledCollector) Collect(ch chan<- prometheus.Metric) {
	n, fen := c.read()
	ch <- prometheus.MustNewConstMetric(c.orders, prometheus.CounterValue, float64(n))
	ch <- prometheus.MustNewConstMetric(c.fen, prometheus.CounterValue, float64(fen))
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// Batch observes one group commit.
func (m *Metrics) Batch(size int, commit time.Duration) {
	m.batchSize.Observe(float64(size))
	m.batchCommit.Observe(commit.Seconds())
}

// Applied counts one applied or rejected command.
func (m *Metrics) Applied(kind string, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "rejected"
	}
	m.commands.WithLabelValues(kind, outcome).Inc()
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (m *Metrics) wrap(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: 200}
		mux.ServeHTTP(sw, r)
		route := r.Pattern // set by the mux on r
		if route == "" {
			route = "unmatched"
		}
		m.http.WithLabelValues(r.Method, route, strconv.Itoa(sw.code)).Observe(time.Since(start).Seconds())
	})
}
