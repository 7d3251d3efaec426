package summarize

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/precisbot/precis/article"
)

// countingSummarizer is a hand-written fake inner summarizer.
type countingSummarizer struct {
	calls   atomic.Int32
	release chan struct{} // nil: answer at once
	model   string
	note    string
	err     error
}

func (c *countingSummarizer) Model() string { return c.model }

func (c *countingSummarizer) Summarize(ctx context.Context, a *article.Article, opts Options) (*Summary, error) {
	c.calls.Add(1)
	if c.release != nil {
		<-c.release
	}
	if c.err != nil {
		return nil, c.err
	}
	model := c.model
	if c.note != "" {
		model = ExtractiveModel
	}
	return &Summary{URL: a.URL, Headline: "H " + opts.Length, Summary: "S", Model: model, Note: c.note,
		KeyPoints: []string{"k"}, Usage: Usage{PromptTokens: 100, CompletionTokens: 10, Calls: 1}}, nil
}

func TestCachedSingleFlight(t *testing.T) {
	t.Parallel()
	inner := &countingSummarizer{model: "m", release: make(chan struct{})}
	cache := NewMemoryCache()
	c := NewCached(inner, cache, nil)
	a := &article.Article{URL: "https://example.com/a?utm_source=x", Text: "text"}

	const n = 20
	var wg sync.WaitGroup
	results := make([]*Summary, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { results[i], errs[i] = c.Summarize(context.Background(), a, Options{}) })
	}
	close(inner.release)
	wg.Wait()
	if got := inner.calls.Load(); got != 1 {
		t.Fatalf("inner calls = %d, want 1", got)
	}
	var tokens int
	for i, s := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		tokens += s.Usage.PromptTokens
	}
	if tokens != 100 {
		t.Errorf("prompt tokens over all callers = %d, want 100 (counted once)", tokens)
	}
	if cache.Len() != 1 {
		t.Errorf("cache has %d entries", cache.Len())
	}
	// Callers get their own copies.
	results[0].KeyPoints[0] = "changed"
	if results[1].KeyPoints[0] != "k" {
		t.Error("callers share a Summary")
	}
}

func TestCachedKeyAndHits(t *testing.T) {
	t.Parallel()
	inner := &countingSummarizer{model: "m"}
	c := NewCached(inner, NewMemoryCache(), nil)
	ctx := context.Background()
	a := &article.Article{URL: "https://Example.com/a", Text: "text"}
	s1, err := c.Summarize(ctx, a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s1.Usage.PromptTokens != 100 {
		t.Errorf("first call usage = %+v", s1.Usage)
	}
	// Same article, equivalent URL and options: a hit with zero usage.
	s2, err := c.Summarize(ctx, &article.Article{URL: "https://example.com/a", Text: "text"}, Options{Length: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	if inner.calls.Load() != 1 || s2.Usage != (Usage{}) || s2.Headline != s1.Headline {
		t.Errorf("expected a cache hit: calls %d usage %+v", inner.calls.Load(), s2.Usage)
	}
	// Changed text, length or language: new keys.
	for _, tc := range []struct {
		a    *article.Article
		opts Options
	}{
		{&article.Article{URL: a.URL, Text: "text, updated"}, Options{}},
		{a, Options{Length: "short"}},
		{a, Options{Language: "de"}},
	} {
		if _, err := c.Summarize(ctx, tc.a, tc.opts); err != nil {
			t.Fatal(err)
		}
	}
	if got := inner.calls.Load(); got != 4 {
		t.Errorf("inner calls = %d, want 4", got)
	}
	if CacheKey(a, "m", Options{}) == CacheKey(a, "other", Options{}) {
		t.Error("model not in the key")
	}
}

func TestCachedDoesNotCacheFallbackOrErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := &article.Article{URL: "https://example.com/a", Text: "text"}

	fb := &countingSummarizer{model: "m", note: FallbackNote}
	c := NewCached(fb, NewMemoryCache(), nil)
	for range 2 {
		if _, err := c.Summarize(ctx, a, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if fb.calls.Load() != 2 {
		t.Errorf("fallback result was cached")
	}

	failing := &countingSummarizer{model: "m", err: errors.New("boom")}
	c = NewCached(failing, NewMemoryCache(), nil)
	if _, err := c.Summarize(ctx, a, Options{}); err == nil {
		t.Fatal("error swallowed")
	}

	// The extractive summarizer's own results are cached.
	ex := NewCached(NewExtractive(), NewMemoryCache(), nil)
	seed := seedArticle(t)
	s1, err := ex.Summarize(ctx, seed, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := ex.Summarize(ctx, seed, Options{})
	if err != nil || s1.Summary != s2.Summary || ex.Model() != ExtractiveModel {
		t.Errorf("extractive via cache: %v", err)
	}
}

func TestCachedWaiterCancel(t *testing.T) {
	t.Parallel()
	inner := &countingSummarizer{model: "m", release: make(chan struct{})}
	c := NewCached(inner, NewMemoryCache(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Summarize(ctx, &article.Article{URL: "https://example.com/", Text: "t"}, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	close(inner.release)
}
