package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/internal/fakecore"
	"github.com/precisbot/precis/summarize"
)

type pipeEnv struct {
	p      *Pipeline
	reader *fakecore.Reader
	llm    *fakecore.Summarizer
	ext    *fakecore.Summarizer
	store  *fakecore.Store
	now    time.Time
}

// testOptions are the options the tests start from.
func testOptions() Options {
	return Options{
		Workers: 4, QueueSize: 16, ModelConcurrency: 4, MaxLinks: 3,
		JobTimeout: time.Minute, CacheMaxAge: 24 * time.Hour,
	}
}

func newPipeEnv(t *testing.T, mod func(*Options)) *pipeEnv {
	t.Helper()
	e := &pipeEnv{
		reader: fakecore.NewReader(), llm: fakecore.NewSummarizer("fake-llm"),
		ext: fakecore.NewSummarizer(summarize.ExtractiveModel), store: fakecore.NewStore(),
		now: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC),
	}
	opts := testOptions()
	if mod != nil {
		mod(&opts)
	}
	p, err := New(Deps{
		Reader: e.reader, LLM: e.llm, Extractive: e.ext, Store: e.store,
		Now: func() time.Time { return e.now },
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	e.p = p
	t.Cleanup(p.Stop)
	return e
}

// putSummary stores s as model's normal-length summary of u in the default
// language, made now.
func (e *pipeEnv) putSummary(u, model string, s *summarize.Summary) {
	norm, _ := article.NormalizeURL(u)
	data, _ := json.Marshal(cacheEntry{MadeAt: e.now, Summary: s})
	_ = e.store.PutSummary(context.Background(), CacheKey(norm, model, summarize.Options{Length: summarize.LengthNormal}), norm, data)
}

func TestPipelineSingleFlight(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, func(o *Options) { o.Workers, o.QueueSize = 2, 4 })
	gate := make(chan struct{})
	e.reader.Gate = gate
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
			results[i], errs[i] = e.p.Summarize(context.Background(), Request{URL: "https://news.example/same", GuildID: "g"})
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

func TestPipelineBusyIsReported(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, func(o *Options) { o.Workers, o.QueueSize = 1, 0 })
	e.reader.Gate = make(chan struct{})
	e.reader.Started = make(chan string, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 2)
	go func() { _, err := e.p.Summarize(ctx, Request{URL: "https://news.example/1"}); errc <- err }()
	<-e.reader.Started // worker busy
	_, err := e.p.Summarize(ctx, Request{URL: "https://news.example/2", Asked: true})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("err %v, want ErrBusy", err)
	}
	if msg := Explain(err); !strings.Contains(msg, "busy") {
		t.Errorf("user message %q", msg)
	}
	close(e.reader.Gate)
	if err := <-errc; err != nil {
		t.Errorf("first job: %v", err)
	}
}

func TestPipelineChoosesSummarizer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		budget      int
		usedTokens  int
		llmErr      error
		noLLM       bool
		realOffline bool
		wantModel   string
		wantNote    string
	}{
		{name: "llm", budget: 5000, usedTokens: 100, wantModel: "fake-llm"},
		{name: "no budget limit", budget: 0, usedTokens: 1 << 30, wantModel: "fake-llm"},
		{name: "over budget", budget: 5000, usedTokens: 5000, wantModel: summarize.ExtractiveModel, wantNote: NoteBudget},
		// The real offline summarizer notes "no AI model configured", which
		// is wrong past the budget.
		{name: "over budget, real offline summarizer", budget: 5000, usedTokens: 5000, realOffline: true, wantModel: summarize.ExtractiveModel, wantNote: NoteBudget},
		{name: "llm fails", llmErr: errors.New("502 from model"), wantModel: summarize.ExtractiveModel, wantNote: NoteLLMFallback},
		{name: "no llm configured", noLLM: true, wantModel: summarize.ExtractiveModel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newPipeEnv(t, func(o *Options) { o.Workers, o.QueueSize, o.TokensPerDay = 1, 1, tc.budget })
			e.llm.Err = tc.llmErr
			if tc.noLLM {
				e.p.deps.LLM = nil
			}
			if tc.realOffline {
				e.p.deps.Extractive = summarize.NewExtractive()
			}
			_ = e.store.AddUsage(context.Background(), "g", "2026-03-14", 1, tc.usedTokens)
			s, err := e.p.Summarize(context.Background(), Request{URL: "https://news.example/a", GuildID: "g"})
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
		job       Request
		wantFetch bool
	}{
		{name: "hit", cached: &summarize.Summary{Summary: "s", Language: "en", Model: "m"}, job: Request{URL: u}},
		{name: "other language", cached: &summarize.Summary{Summary: "s", Language: "en", Model: "m"}, job: Request{URL: u, Language: "fr"}, wantFetch: true},

		{name: "detailed asked", cached: &summarize.Summary{Summary: "s", Model: "m"}, job: Request{URL: u, Length: "detailed"}, wantFetch: true},
		{name: "miss", job: Request{URL: u}, wantFetch: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newPipeEnv(t, nil)
			if tc.cached != nil {
				tc.cached.Usage = summarize.Usage{PromptTokens: 5, Calls: 1}
				e.putSummary(u, "fake-llm", tc.cached)
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
	e := newPipeEnv(t, nil)
	ctx := context.Background()
	if _, err := e.p.Summarize(ctx, Request{URL: u, Length: "short"}); err != nil {
		t.Fatal(err)
	}
	// A short summary (as a digest makes) does not answer a normal request,
	if _, err := e.p.Summarize(ctx, Request{URL: u}); err != nil {
		t.Fatal(err)
	}
	if n := e.reader.Calls(u); n != 2 {
		t.Fatalf("%d fetches, want 2: a short summary answered a normal request", n)
	}
	// but the same request again is answered from the store.
	if _, err := e.p.Summarize(ctx, Request{URL: u}); err != nil {
		t.Fatal(err)
	}
	if n := e.reader.Calls(u); n != 2 {
		t.Errorf("%d fetches, want 2: the repeat was not cached", n)
	}
	// A channel's length gate applies to cached answers too, unless asked.
	e.reader.Words = 100
	if _, err := e.p.Summarize(ctx, Request{URL: u, MinWords: 100000}); !errors.Is(err, ErrTooShort) {
		t.Errorf("gate on a cached answer: %v", err)
	}
	if _, err := e.p.Summarize(ctx, Request{URL: u, MinWords: 100000, Asked: true}); err != nil {
		t.Errorf("asked: %v", err)
	}
}

func TestPipelineErrors(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, nil)
	e.reader.Errs["https://news.example/404"] = &article.HTTPError{StatusCode: 404}
	e.reader.Words = 100
	for _, tc := range []struct {
		job  Request
		want error
	}{
		{Request{URL: "ftp://news.example/x"}, article.ErrBadURL},
		{Request{URL: "https://news.example/short", MinWords: 300}, ErrTooShort},
	} {
		if _, err := e.p.Summarize(context.Background(), tc.job); !errors.Is(err, tc.want) {
			t.Errorf("%+v: err %v, want %v", tc.job, err, tc.want)
		}
	}
	var he *article.HTTPError
	if _, err := e.p.Summarize(context.Background(), Request{URL: "https://news.example/404"}); !errors.As(err, &he) {
		t.Errorf("404: err %v", err)
	}
	// Asked-for summaries ignore the channel's minimum.
	if _, err := e.p.Summarize(context.Background(), Request{URL: "https://news.example/short", MinWords: 300, Asked: true}); err != nil {
		t.Errorf("asked short article: %v", err)
	}
}

func TestPipelineProgress(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, nil)
	e.reader.Words = 1240
	var lines []string
	_, err := e.p.Summarize(context.Background(), Request{URL: "https://www.example.com/a", Progress: func(s string) { lines = append(lines, s) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Reading example.com…", "Summarising 1,240 words…"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("progress %q, want %q", lines, want)
	}
}

// TestPipelineCarriesImage: the article's lead image reaches the summary,
// whichever summarizer made it, for the card's thumbnail.
func TestPipelineCarriesImage(t *testing.T) {
	t.Parallel()
	for _, noLLM := range []bool{false, true} {
		e := newPipeEnv(t, nil)
		e.reader.Image = "https://news.example/lead.jpg"
		if noLLM {
			e.p.deps.LLM = nil
		}
		s, err := e.p.Summarize(context.Background(), Request{URL: "https://news.example/img"})
		if err != nil {
			t.Fatal(err)
		}
		if s.Image != e.reader.Image {
			t.Errorf("noLLM=%v: Image = %q, want the article's", noLLM, s.Image)
		}
	}
}
