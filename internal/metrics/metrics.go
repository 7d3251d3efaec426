// Package metrics is Precis's Prometheus registry: counters, gauges and
// latency histograms written in the text exposition format by hand.
package metrics

import (
	"fmt"
	"io"
	"maps"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/precisbot/precis/summarize"
)

// Metrics is Precis's Prometheus registry, written by hand: a dozen
// series do not justify client_golang's dependency tree, and the text
// exposition format (version 0.0.4) is small and stable.
type Metrics struct {
	mu         sync.Mutex
	counters   map[string]map[string]float64 // name -> labels -> value
	gauges     map[string]float64
	histograms map[string]map[string]*histogram
}

// latencyBuckets suit operations from milliseconds to a slow LLM call.
var latencyBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

// metric help texts and types, in exposition order.
var metricHelp = []struct{ name, typ, help string }{
	{"precis_summaries_total", "counter", "Summaries by trigger source and outcome."},
	{"precis_summary_seconds", "histogram", "Time from the Discord event to the posted summary."},
	{"precis_stage_seconds", "histogram", "Duration of pipeline stages: fetch, summarize, post."},
	{"precis_cache_lookups_total", "counter", "Summary cache lookups by result: hit, miss, flight (joined an identical in-flight summary)."},
	{"precis_llm_calls_total", "counter", "LLM requests made."},
	{"precis_llm_tokens_total", "counter", "LLM tokens used, by kind."},
	{"precis_llm_fallbacks_total", "counter", "LLM failures answered by the offline summarizer."},
	{"precis_discord_rate_limits_total", "counter", "429 answers from Discord (retried)."},
	{"precis_panics_total", "counter", "Panics recovered while working on untrusted input, by where."},
	{"precis_queue_depth", "gauge", "Jobs waiting to fetch and extract."},
	{"precis_workers_busy", "gauge", "Jobs fetching and extracting."},
	{"precis_model_requests_in_flight", "gauge", "Requests in flight to the model."},
	{"precis_gateway_connected", "gauge", "1 when the Discord gateway is connected."},
	{"go_goroutines", "gauge", "Number of goroutines."},
	{"go_memstats_heap_alloc_bytes", "gauge", "Bytes of allocated heap objects."},
}

// NewMetrics returns an empty registry.
func New() *Metrics {
	return &Metrics{
		counters:   map[string]map[string]float64{},
		gauges:     map[string]float64{},
		histograms: map[string]map[string]*histogram{},
	}
}

// labels renders label pairs: labels("source", "auto") -> `source="auto"`.
func labels(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(kv[i])
		b.WriteString(`="`)
		b.WriteString(escapeLabel(kv[i+1]))
		b.WriteByte('"')
	}
	return b.String()
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}

func (m *Metrics) add(name, lbl string, v float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.counters[name]
	if c == nil {
		c = map[string]float64{}
		m.counters[name] = c
	}
	c[lbl] += v
}

func (m *Metrics) setGauge(name string, v float64) {
	m.mu.Lock()
	m.gauges[name] = v
	m.mu.Unlock()
}

func (m *Metrics) observe(name, lbl string, d time.Duration) {
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	hs := m.histograms[name]
	if hs == nil {
		hs = map[string]*histogram{}
		m.histograms[name] = hs
	}
	h := hs[lbl]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		hs[lbl] = h
	}
	for i, ub := range latencyBuckets {
		if sec <= ub {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.n++
}

// Summary counts one summary by trigger source and outcome; successful ones
// also record the time from the Discord event.
func (m *Metrics) Summary(source, outcome string, elapsed time.Duration) {
	m.add("precis_summaries_total", labels("source", source, "outcome", outcome), 1)
	if outcome == "ok" {
		m.observe("precis_summary_seconds", labels("source", source), elapsed)
	}
}

// ObserveStage records how long a pipeline stage (fetch, summarize, post) took.
func (m *Metrics) ObserveStage(stage string, d time.Duration) {
	m.observe("precis_stage_seconds", labels("stage", stage), d)
}

// Cache counts a summary cache lookup: hit, miss or flight.
func (m *Metrics) Cache(result string) {
	m.add("precis_cache_lookups_total", labels("result", result), 1)
}

// LLMUsage adds a summary's model calls and tokens.
func (m *Metrics) LLMUsage(u summarize.Usage) {
	if u.Calls > 0 {
		m.add("precis_llm_calls_total", "", float64(u.Calls))
	}
	if u.PromptTokens > 0 {
		m.add("precis_llm_tokens_total", labels("kind", "prompt"), float64(u.PromptTokens))
	}
	if u.CompletionTokens > 0 {
		m.add("precis_llm_tokens_total", labels("kind", "completion"), float64(u.CompletionTokens))
	}
}

// LLMFallback counts an LLM failure answered by the offline summarizer.
func (m *Metrics) LLMFallback() { m.add("precis_llm_fallbacks_total", "", 1) }

// RateLimited counts a 429 from Discord.
func (m *Metrics) RateLimited() { m.add("precis_discord_rate_limits_total", "", 1) }

// Panic counts a panic recovered in a goroutine working on untrusted input;
// where says which (extract, feed, event).
func (m *Metrics) Panic(where string) { m.add("precis_panics_total", labels("where", where), 1) }

// SetQueueDepth sets how many jobs wait for a slot.
func (m *Metrics) SetQueueDepth(n int) { m.setGauge("precis_queue_depth", float64(n)) }

// SetWorkersBusy sets how many jobs are fetching and extracting.
func (m *Metrics) SetWorkersBusy(n int) { m.setGauge("precis_workers_busy", float64(n)) }

// SetModelInFlight sets how many requests are in flight to the model.
func (m *Metrics) SetModelInFlight(n int) { m.setGauge("precis_model_requests_in_flight", float64(n)) }

// SetConnected records whether the Discord gateway is connected.
func (m *Metrics) SetConnected(connected bool) {
	m.setGauge("precis_gateway_connected", b2f(connected))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Counter returns a counter's value, for tests and the benchmark.
func (m *Metrics) Counter(name string, kv ...string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counters[name][labels(kv...)]
}

// WriteTo writes the registry in the Prometheus text format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.mu.Lock()
	m.gauges["go_goroutines"] = float64(runtime.NumGoroutine())
	m.gauges["go_memstats_heap_alloc_bytes"] = float64(ms.HeapAlloc)
	var b strings.Builder
	for _, mh := range metricHelp {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", mh.name, mh.help, mh.name, mh.typ)
		switch mh.typ {
		case "counter":
			series := m.counters[mh.name]
			if len(series) == 0 {
				fmt.Fprintf(&b, "%s 0\n", mh.name)
			}
			for _, l := range slices.Sorted(maps.Keys(series)) {
				fmt.Fprintf(&b, "%s%s %s\n", mh.name, braces(l), num(series[l]))
			}
		case "gauge":
			fmt.Fprintf(&b, "%s %s\n", mh.name, num(m.gauges[mh.name]))
		case "histogram":
			hs := m.histograms[mh.name]
			for _, l := range slices.Sorted(maps.Keys(hs)) {
				h := hs[l]
				var cum uint64
				for i, ub := range latencyBuckets {
					cum += h.counts[i]
					fmt.Fprintf(&b, "%s_bucket%s %d\n", mh.name, braces(join(l, labels("le", num(ub)))), cum)
				}
				fmt.Fprintf(&b, "%s_bucket%s %d\n", mh.name, braces(join(l, `le="+Inf"`)), h.n)
				fmt.Fprintf(&b, "%s_sum%s %s\n", mh.name, braces(l), num(h.sum))
				fmt.Fprintf(&b, "%s_count%s %d\n", mh.name, braces(l), h.n)
			}
		}
	}
	m.mu.Unlock()
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func braces(l string) string {
	if l == "" {
		return ""
	}
	return "{" + l + "}"
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "," + b
}

func num(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
