package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/internal/fakecore"
	"github.com/precisbot/precis/summarize"
)

// The cache key holds the model, the prompt version, the length and the
// resolved language: a summary made by another model or in another
// language is never served.
func TestCacheKeyParts(t *testing.T) {
	t.Parallel()
	base := CacheKey("https://news.example/a", "a", summarize.Options{Length: "normal", Language: "en"})
	for name, k := range map[string]string{
		"model":    CacheKey("https://news.example/a", "b", summarize.Options{Length: "normal", Language: "en"}),
		"language": CacheKey("https://news.example/a", "a", summarize.Options{Length: "normal", Language: "de"}),
		"length":   CacheKey("https://news.example/a", "a", summarize.Options{Length: "short", Language: "en"}),
		"url":      CacheKey("https://news.example/b", "a", summarize.Options{Length: "normal", Language: "en"}),
	} {
		if k == base {
			t.Errorf("%s is not part of the cache key", name)
		}
	}
	if strings.ContainsRune(base, 0) || len(base) != 64 {
		t.Errorf("key %q is not 64 hex characters", base)
	}
}

func TestCacheFollowsModelAndLanguage(t *testing.T) {
	t.Parallel()
	const u = "https://news.example/story"
	ctx := context.Background()
	e := newPipeEnv(t, nil)
	if _, err := e.p.Summarize(ctx, Request{URL: u}); err != nil {
		t.Fatal(err)
	}
	// Another model behind the same pipeline store: a new call.
	other := fakecore.NewSummarizer("other-model")
	p2, err := New(Deps{Reader: e.reader, LLM: other, Extractive: e.ext, Store: e.store, Now: func() time.Time { return e.now }}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Stop()
	if s, err := p2.Summarize(ctx, Request{URL: u}); err != nil || s.Model != "other-model" {
		t.Fatalf("other model: %v %+v", err, s)
	}
	// The default language changed: a new call too.
	o := testOptions()
	o.Language = "de"
	p3, err := New(Deps{Reader: e.reader, LLM: e.llm, Extractive: e.ext, Store: e.store, Now: func() time.Time { return e.now }}, o)
	if err != nil {
		t.Fatal(err)
	}
	defer p3.Stop()
	if _, err := p3.Summarize(ctx, Request{URL: u}); err != nil {
		t.Fatal(err)
	}
	if n := e.llm.Calls(u); n != 2 {
		t.Errorf("first model called %d times, want 2 (once per language)", n)
	}
	// Back to the first model and language: answered from the cache.
	if _, err := e.p.Summarize(ctx, Request{URL: u}); err != nil {
		t.Fatal(err)
	}
	if n := e.llm.Calls(u); n != 2 {
		t.Errorf("first model called %d times after a cached request, want 2", n)
	}
}

func TestCacheMaxAge(t *testing.T) {
	t.Parallel()
	const u = "https://news.example/old"
	ctx := context.Background()
	e := newPipeEnv(t, func(o *Options) { o.CacheMaxAge = time.Hour })
	if _, err := e.p.Summarize(ctx, Request{URL: u}); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(59 * time.Minute)
	if _, err := e.p.Summarize(ctx, Request{URL: u}); err != nil {
		t.Fatal(err)
	}
	if n := e.reader.Calls(u); n != 1 {
		t.Fatalf("%d reads within the maximum age, want 1", n)
	}
	e.now = e.now.Add(2 * time.Minute)
	if _, err := e.p.Summarize(ctx, Request{URL: u}); err != nil {
		t.Fatal(err)
	}
	if n := e.reader.Calls(u); n != 2 {
		t.Errorf("%d reads past the maximum age, want 2", n)
	}
}

// Tokens are billed by the flight, so a leader that gave up still pays.
func TestTokensBilledWhenTheLeaderGivesUp(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, nil)
	e.reader.Gate = make(chan struct{})
	e.reader.Started = make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := e.p.Summarize(ctx, Request{URL: "https://news.example/x", GuildID: "g"})
		errc <- err
	}()
	<-e.reader.Started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader: %v", err)
	}
	close(e.reader.Gate)
	e.p.Stop() // waits for the flight
	if _, tokens, _ := e.store.Usage(context.Background(), "g", "2026-03-14"); tokens != 1000 {
		t.Errorf("tokens billed = %d, want 1000", tokens)
	}
	if _, err := e.p.Summarize(context.Background(), Request{URL: "https://news.example/y"}); !errors.Is(err, context.Canceled) {
		t.Errorf("after Stop: %v, want context.Canceled", err)
	}
}

// panicReader panics on one URL, like an extractor meeting a hostile page.
type panicReader struct{ *fakecore.Reader }

func (r panicReader) Read(ctx context.Context, u string) (*article.Article, error) {
	if strings.Contains(u, "boom") {
		panic("extractor crashed")
	}
	return r.Reader.Read(ctx, u)
}

func TestPanicIsContained(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, nil)
	p, err := New(Deps{Reader: panicReader{e.reader}, LLM: e.llm, Extractive: e.ext, Store: e.store, Metrics: nil}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	results, err := p.SummarizeLinks(context.Background(), Request{GuildID: "g", UserID: "u", Asked: true},
		[]string{"https://news.example/boom", "https://news.example/fine"})
	if err != nil {
		t.Fatal(err)
	}
	var pe *PanicError
	if !errors.As(results[0].Err, &pe) || !strings.Contains(Explain(results[0].Err), "couldn't read that page") {
		t.Errorf("panicking link: %v (%q)", results[0].Err, Explain(results[0].Err))
	}
	if results[1].Err != nil || results[1].Summary == nil {
		t.Errorf("next link: %v", results[1].Err)
	}
	if got := p.metrics.Counter("precis_panics_total", "where", "summarize"); got != 1 {
		t.Errorf("panics counted = %v, want 1", got)
	}
}

func TestSummarizeLinksQuota(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, func(o *Options) { o.UserPerHour, o.ServerPerHour = 2, 10 })
	ctx := context.Background()
	req := Request{GuildID: "g", UserID: "poster", Source: SourceAuto}
	if _, err := e.p.SummarizeLinks(ctx, req, []string{"https://a.example/1", "https://a.example/2"}); err != nil {
		t.Fatal(err)
	}
	var qe *QuotaError
	if _, err := e.p.SummarizeLinks(ctx, req, []string{"https://a.example/3"}); !errors.As(err, &qe) || qe.Scope != "user" {
		t.Fatalf("third link of the same member: %v, want a user quota error", err)
	}
	other := req
	other.UserID = "someone-else"
	if _, err := e.p.SummarizeLinks(ctx, other, []string{"https://a.example/3"}); err != nil {
		t.Errorf("another member: %v", err)
	}
	if _, err := e.p.SummarizeLinks(ctx, req, nil); !errors.Is(err, ErrNoLinks) {
		t.Errorf("no links: %v", err)
	}
}

// Links refused because the queue is full cost the member nothing.
func TestBusyLinksAreRefunded(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, func(o *Options) { o.Workers, o.QueueSize, o.UserPerHour = 1, 0, 2 })
	e.reader.Gate = make(chan struct{})
	e.reader.Started = make(chan string, 4)
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = e.p.SummarizeLinks(ctx, Request{GuildID: "g", UserID: "other"}, []string{"https://a.example/slow"})
	}()
	<-e.reader.Started // the only worker is busy
	res, err := e.p.SummarizeLinks(ctx, Request{GuildID: "g", UserID: "u"}, []string{"https://a.example/1", "https://a.example/2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !errors.Is(r.Err, ErrBusy) {
			t.Fatalf("%s: %v, want ErrBusy", r.URL, r.Err)
		}
	}
	close(e.reader.Gate)
	<-done
	if _, err := e.p.SummarizeLinks(ctx, Request{GuildID: "g", UserID: "u"}, []string{"https://a.example/1", "https://a.example/2"}); err != nil {
		t.Errorf("after refused links: %v", err)
	}
}

// Concurrent jobs cannot all pass the token budget: each reserves what it
// may cost first, and those that do not fit get the offline summary.
func TestBudgetIsACeilingUnderConcurrency(t *testing.T) {
	t.Parallel()
	// The fake summarizer has no estimator: a job reserves 2 tokens a word
	// plus 2,000; 640-word articles reserve about 3,000 tokens.
	e := newPipeEnv(t, func(o *Options) { o.TokensPerDay = 10000 })
	e.reader.Gate = make(chan struct{})
	ctx := context.Background()
	const jobs = 8
	results := make(chan *summarize.Summary, jobs)
	for i := range jobs {
		go func() {
			s, err := e.p.Summarize(ctx, Request{URL: fmt.Sprintf("https://news.example/%d", i), GuildID: "g"})
			if err != nil {
				t.Error(err)
			}
			results <- s
		}()
	}
	close(e.reader.Gate)
	llm := 0
	for range jobs {
		if s := <-results; s != nil && s.Model == "fake-llm" {
			llm++
		}
	}
	_, tokens, _ := e.store.Usage(ctx, "g", "2026-03-14")
	if tokens > 10000 || llm == 0 || llm == jobs {
		t.Errorf("%d of %d jobs used the model, %d tokens billed against a budget of 10,000", llm, jobs, tokens)
	}
}

// Two processes on one database: a link asked for in both at once costs
// one model call; the second process waits for the first's stored result.
func TestOneModelCallAcrossProcesses(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, nil)
	e.reader.Gate = make(chan struct{})
	e.reader.Started = make(chan string, 2)
	other, err := New(Deps{Reader: e.reader, LLM: e.llm, Extractive: e.ext, Store: e.store, Now: func() time.Time { return e.now }}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Stop()
	ctx := context.Background()
	const u = "https://news.example/both"
	errs := make(chan error, 2)
	go func() { _, err := e.p.Summarize(ctx, Request{URL: u, GuildID: "g1"}); errs <- err }()
	<-e.reader.Started // the first process holds the claim and is reading
	go func() { _, err := other.Summarize(ctx, Request{URL: u, GuildID: "g2"}); errs <- err }()
	close(e.reader.Gate)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := e.llm.Calls(u); n != 1 {
		t.Errorf("%d model calls for one link asked in two processes, want 1", n)
	}
}
