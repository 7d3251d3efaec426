package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/summarize"
)

type pipeEnv struct {
	p      *Pipeline
	reader *fakeReader
	llm    *fakeSummarizer
	ext    *fakeSummarizer
	store  *memStore
}

func newPipeEnv(t *testing.T, opts PipelineOptions) *pipeEnv {
	t.Helper()
	e := &pipeEnv{reader: newFakeReader(), llm: newFakeSummarizer("fake-llm"), ext: newFakeSummarizer(summarize.ExtractiveModel), store: newMemStore()}
	e.p = NewPipeline(PipelineDeps{
		Reader: e.reader, LLM: e.llm, Extractive: e.ext, Store: e.store,
		Now: func() time.Time { return time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC) },
	}, opts)
	e.p.Start()
	t.Cleanup(e.p.Stop)
	return e
}

func TestPipelineSingleFlight(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, PipelineOptions{Workers: 2, QueueSize: 4})
	gate := make(chan struct{})
	e.reader.gate = gate
	const n = 10
	joined := make(chan string, n)
	e.p.flights.onJoin = func(k string) { joined <- k }

	var wg sync.WaitGroup
	results := make([]*summarize.Summary, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.p.Summarize(context.Background(), commands.Job{URL: "https://news.example/same", GuildID: "g"})
		}()
	}
	for range n - 1 {
		<-joined // everyone but the leader joined the flight
	}
	close(gate)
	wg.Wait()
	for i, err := range errs {
		if err != nil || results[i] == nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	if c := e.llm.Calls("https://news.example/same"); c != 1 {
		t.Errorf("LLM calls = %d, want 1", c)
	}
	if c := e.reader.Calls("https://news.example/same"); c != 1 {
		t.Errorf("fetches = %d, want 1", c)
	}
	summaries, tokens, _ := e.store.Usage(context.Background(), "g", "2026-03-14")
	if summaries != n || tokens != 1000 {
		t.Errorf("usage = %d summaries, %d tokens; want %d, 1000 (tokens counted once)", summaries, tokens, n)
	}
}

func TestPoolBusyWhenQueueFull(t *testing.T) {
	t.Parallel()
	p := newPool(1, 1, NewMetrics())
	p.start()
	defer p.stop()
	started, release := make(chan struct{}), make(chan struct{})
	ctx := context.Background()
	a, err := p.submit(ctx, func(context.Context) { close(started); <-release })
	if err != nil {
		t.Fatal(err)
	}
	<-started // the only worker is busy
	b, err := p.submit(ctx, func(context.Context) {})
	if err != nil {
		t.Fatalf("queue slot refused: %v", err)
	}
	if _, err := p.submit(ctx, func(context.Context) {}); !errors.Is(err, commands.ErrBusy) {
		t.Fatalf("third task: err %v, want ErrBusy", err)
	}
	close(release)
	<-a.done
	<-b.done
}

func TestPipelineBusyIsReported(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, PipelineOptions{Workers: 1, QueueSize: 1})
	e.reader.gate = make(chan struct{})
	e.reader.started = make(chan string, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 2)
	go func() { _, err := e.p.Summarize(ctx, commands.Job{URL: "https://news.example/1"}); errc <- err }()
	<-e.reader.started // worker busy
	// Fill the queue through the pool itself, synchronously.
	if _, err := e.p.pool.submit(ctx, func(context.Context) {}); err != nil {
		t.Fatal(err)
	}
	_, err := e.p.Summarize(ctx, commands.Job{URL: "https://news.example/2", Asked: true})
	if !errors.Is(err, commands.ErrBusy) {
		t.Fatalf("err %v, want ErrBusy", err)
	}
	if msg := commands.UserMessage(err); !strings.Contains(msg, "busy") {
		t.Errorf("user message %q", msg)
	}
	close(e.reader.gate)
	if err := <-errc; err != nil {
		t.Errorf("first job: %v", err)
	}
}

func TestPipelineChoosesSummarizer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		budget     int
		usedTokens int
		llmErr     error
		noLLM      bool
		wantModel  string
		wantNote   string
	}{
		{name: "llm", budget: 5000, usedTokens: 100, wantModel: "fake-llm"},
		{name: "no budget limit", budget: 0, usedTokens: 1 << 30, wantModel: "fake-llm"},
		{name: "over budget", budget: 5000, usedTokens: 5000, wantModel: summarize.ExtractiveModel, wantNote: noteBudget},
		{name: "llm fails", llmErr: errors.New("502 from model"), wantModel: summarize.ExtractiveModel, wantNote: noteLLMFallback},
		{name: "no llm configured", noLLM: true, wantModel: summarize.ExtractiveModel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newPipeEnv(t, PipelineOptions{Workers: 1, QueueSize: 1, TokensPerDay: tc.budget})
			e.llm.err = tc.llmErr
			if tc.noLLM {
				e.p.deps.LLM = nil
			}
			_ = e.store.AddUsage(context.Background(), "g", "2026-03-14", 1, tc.usedTokens)
			s, err := e.p.Summarize(context.Background(), commands.Job{URL: "https://news.example/a", GuildID: "g"})
			if err != nil {
				t.Fatal(err)
			}
			if s.Model != tc.wantModel || s.Note != tc.wantNote {
				t.Errorf("model %q note %q; want %q %q", s.Model, s.Note, tc.wantModel, tc.wantNote)
			}
		})
	}
}

func TestPipelineCache(t *testing.T) {
	t.Parallel()
	const u = "https://news.example/c"
	for _, tc := range []struct {
		name      string
		cached    *summarize.Summary
		job       commands.Job
		wantFetch bool
	}{
		{name: "hit", cached: &summarize.Summary{Summary: "s", Language: "en", Model: "m"}, job: commands.Job{URL: u}},
		{name: "other language", cached: &summarize.Summary{Summary: "s", Language: "en", Model: "m"}, job: commands.Job{URL: u, Language: "fr"}, wantFetch: true},
		{name: "offline cached, llm available", cached: &summarize.Summary{Summary: "s", Model: summarize.ExtractiveModel}, job: commands.Job{URL: u}, wantFetch: true},
		{name: "detailed asked", cached: &summarize.Summary{Summary: "s", Model: "m"}, job: commands.Job{URL: u, Length: "detailed"}, wantFetch: true},
		{name: "miss", job: commands.Job{URL: u}, wantFetch: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newPipeEnv(t, PipelineOptions{})
			if tc.cached != nil {
				tc.cached.Usage = summarize.Usage{PromptTokens: 5, Calls: 1}
				e.store.putSummary(u, tc.cached)
			}
			s, err := e.p.Summarize(context.Background(), tc.job)
			if err != nil {
				t.Fatal(err)
			}
			if fetched := e.reader.Calls(u) > 0; fetched != tc.wantFetch {
				t.Errorf("fetched = %v, want %v", fetched, tc.wantFetch)
			}
			if !tc.wantFetch && s.Usage != (summarize.Usage{}) {
				t.Errorf("cache hit reports usage %+v", s.Usage)
			}
		})
	}
}

func TestPipelineCacheKeyedByOptions(t *testing.T) {
	t.Parallel()
	const u = "https://news.example/k"
	e := newPipeEnv(t, PipelineOptions{})
	ctx := context.Background()
	if _, err := e.p.Summarize(ctx, commands.Job{URL: u, Length: "short"}); err != nil {
		t.Fatal(err)
	}
	// A short summary (as a digest makes) does not answer a normal request,
	if _, err := e.p.Summarize(ctx, commands.Job{URL: u}); err != nil {
		t.Fatal(err)
	}
	if n := e.reader.Calls(u); n != 2 {
		t.Fatalf("%d fetches, want 2: a short summary answered a normal request", n)
	}
	// but the same request again is answered from the store.
	if _, err := e.p.Summarize(ctx, commands.Job{URL: u}); err != nil {
		t.Fatal(err)
	}
	if n := e.reader.Calls(u); n != 2 {
		t.Errorf("%d fetches, want 2: the repeat was not cached", n)
	}
	// A channel's length gate applies to cached answers too, unless asked.
	e.reader.words = 100
	if _, err := e.p.Summarize(ctx, commands.Job{URL: u, MinWords: 100000}); !errors.Is(err, commands.ErrTooShort) {
		t.Errorf("gate on a cached answer: %v", err)
	}
	if _, err := e.p.Summarize(ctx, commands.Job{URL: u, MinWords: 100000, Asked: true}); err != nil {
		t.Errorf("asked: %v", err)
	}
}

func TestPipelineErrors(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, PipelineOptions{})
	e.reader.errs["https://news.example/404"] = &article.HTTPError{StatusCode: 404}
	e.reader.words = 100
	for _, tc := range []struct {
		job  commands.Job
		want error
	}{
		{commands.Job{URL: "ftp://news.example/x"}, article.ErrBadURL},
		{commands.Job{URL: "https://news.example/short", MinWords: 300}, commands.ErrTooShort},
	} {
		if _, err := e.p.Summarize(context.Background(), tc.job); !errors.Is(err, tc.want) {
			t.Errorf("%+v: err %v, want %v", tc.job, err, tc.want)
		}
	}
	var he *article.HTTPError
	if _, err := e.p.Summarize(context.Background(), commands.Job{URL: "https://news.example/404"}); !errors.As(err, &he) {
		t.Errorf("404: err %v", err)
	}
	// Asked-for summaries ignore the channel's minimum.
	if _, err := e.p.Summarize(context.Background(), commands.Job{URL: "https://news.example/short", MinWords: 300, Asked: true}); err != nil {
		t.Errorf("asked short article: %v", err)
	}
}

func TestPipelineProgress(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, PipelineOptions{})
	e.reader.words = 1240
	var lines []string
	_, err := e.p.Summarize(context.Background(), commands.Job{URL: "https://www.example.com/a", Progress: func(s string) { lines = append(lines, s) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Reading example.com…", "Summarising 1,240 words…"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("progress %q, want %q", lines, want)
	}
}
