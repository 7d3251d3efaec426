package bot

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/internal/fakecore"
	"github.com/precisbot/precis/internal/fakediscord"
)

// BenchmarkBurst pastes 200 links (50 distinct articles, each in 4 of 20
// channels) at once into a running bot whose summarizer takes 500 ms, like
// a remote LLM, and reports per burst:
//   - p50_ms / p99_ms: time from the MESSAGE_CREATE dispatch to the reply
//     reaching Discord, minus the 500 ms the LLM takes (queueing + fetch +
//     rendering + posting);
//   - peak_heap_growth_MB: the highest heap in use during the burst minus
//     the heap before it (the fake Discord's request journal included);
//   - goroutines_delta: goroutines after the burst minus before;
//   - llm_calls/url: LLM calls per distinct URL (single flight: 1);
//   - maxrss_MiB: the process's peak RSS so far, bot, fake Discord and
//     benchmark together.
//
// Fetching and extracting hold a worker slot (default: twice the cores);
// waiting for the model holds a model slot (default 64 for a hosted API),
// so the 50 articles wait on the model together. model=16 shows the cost
// of a model limit below the burst's distinct links (four rounds).
//
//	go test ./bot -run '^$' -bench Burst -benchtime 3x
func BenchmarkBurst(b *testing.B) {
	for _, model := range []int{config.DefaultLLMConcurrencyHosted, 16} {
		b.Run(fmt.Sprintf("model=%d", model), func(b *testing.B) { benchBurst(b, config.DefaultWorkers(), model) })
	}
}

func benchBurst(b *testing.B, workers, model int) {
	const (
		channels = 20
		links    = 200
		distinct = 50
		latency  = 500 * time.Millisecond
	)
	chans := make([]fakediscord.Channel, channels)
	for i := range chans {
		chans[i] = fakediscord.Channel{ID: fmt.Sprint(1300000000000000100 + i), Name: fmt.Sprintf("news-%d", i)}
	}
	fake, err := fakediscord.Start(fakediscord.Options{Guilds: []fakediscord.Guild{{ID: fakediscord.DefaultGuildID, Channels: chans}}})
	if err != nil {
		b.Fatal(err)
	}
	defer fake.Close()
	reader := fakecore.NewReader()
	llm := fakecore.NewSummarizer("fake-llm")
	llm.Latency = latency
	core := testCoreOptions()
	core.Workers, core.ModelConcurrency, core.QueueSize = workers, model, config.DefaultQueueSize
	bot, _ := newTestBot(b, harnessConfig{
		client: ClientOptions{Token: fake.Token(), APIURL: fake.APIURL(), RetryBase: time.Second},
		bot:    Options{ShutdownGrace: time.Second, JobTimeout: time.Minute},
		core:   core,
	}, reader, llm, fakecore.NewStore())
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := fake.WaitRequest(ctx, fakediscord.Match("PUT", "/applications/*/**")); err != nil {
		b.Fatal(err)
	}

	var p50s, p99s, peaks, deltas, perURL []float64
	posted := 0
	b.ResetTimer()
	for iter := range b.N {
		b.StopTimer()
		runtime.GC()
		base := runtime.NumGoroutine()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		var peak atomic.Uint64
		stopSampling := make(chan struct{})
		var sampler sync.WaitGroup
		sampler.Add(1)
		go func() {
			defer sampler.Done()
			var ms runtime.MemStats
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stopSampling:
					return
				case <-tick.C:
				}
			}
		}()
		callsBefore := llm.Total()
		b.StartTimer()

		sentAt := map[string]time.Time{}
		for i := range links {
			u := fmt.Sprintf("https://news%d.example/story-%d", iter, i%distinct)
			at := time.Now()
			msg, err := fake.SendMessage(fakediscord.Message{ChannelID: chans[i%channels].ID, Content: "read this " + u})
			if err != nil {
				b.Fatal(err)
			}
			sentAt[msg["id"].(string)] = at
		}
		var lat []time.Duration
		for n := 1; n <= links; n++ {
			r, err := fake.WaitRequestN(ctx, posted+n, fakediscord.Match("POST", "/channels/*/messages"))
			if err != nil {
				b.Fatal(err)
			}
			var m postedMessage
			if err := r.Decode(&m); err != nil || m.Reference == nil {
				b.Fatalf("reply without reference: %s", r.Body)
			}
			lat = append(lat, r.Time.Sub(sentAt[m.Reference.MessageID])-latency)
		}
		posted += links

		b.StopTimer()
		if !bot.inflight.wait(time.Minute) {
			b.Fatal("handlers still running after the burst")
		}
		close(stopSampling)
		sampler.Wait()
		bot.client.session.Client.CloseIdleConnections()
		after := settleGoroutines(base)
		if os.Getenv("BENCH_DUMP") != "" && after > base {
			buf := make([]byte, 1<<20)
			os.Stderr.Write(buf[:runtime.Stack(buf, true)])
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p50s = append(p50s, float64(lat[len(lat)/2].Milliseconds()))
		p99s = append(p99s, float64(lat[len(lat)*99/100].Milliseconds()))
		peaks = append(peaks, float64(peak.Load()-min(peak.Load(), before.HeapInuse))/(1<<20))
		deltas = append(deltas, float64(after-base))
		perURL = append(perURL, float64(llm.Total()-callsBefore)/distinct)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(mean(p50s), "p50_ms")
	b.ReportMetric(mean(p99s), "p99_ms")
	b.ReportMetric(maxOf(peaks), "peak_heap_growth_MB")
	b.ReportMetric(maxOf(deltas), "goroutines_delta")
	b.ReportMetric(maxOf(perURL), "llm_calls/url")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss_MiB") // Linux: KiB
	}
}

// settleGoroutines gives exiting goroutines (closed keep-alive connections)
// a moment to end and returns the count, at most after one second.
func settleGoroutines(base int) int {
	deadline := time.Now().Add(time.Second)
	n := runtime.NumGoroutine()
	for n > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func maxOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs[1:] {
		m = max(m, x)
	}
	return m
}
