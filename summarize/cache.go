package summarize

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	"github.com/precisbot/precis/article"
)

// Cache stores summaries as JSON by key. *store.Store implements it.
type Cache interface {
	CachedSummary(ctx context.Context, key string) ([]byte, bool, error)
	PutSummary(ctx context.Context, key, normURL string, data []byte) error
}

// CacheKey is the key of a summary: the normalised URL, a hash of the
// article text, the model, PromptVersion and the options. A changed article,
// model, prompt or option makes a new key. Unparseable URLs (a file read
// from disk) are used as they are.
func CacheKey(a *article.Article, model string, opts Options) string {
	textSum := sha256.Sum256([]byte(a.Text))
	h := sha256.New()
	for _, part := range []string{
		"precis-summary-v1", normURL(a.URL), hex.EncodeToString(textSum[:]), model, PromptVersion,
		normLength(opts.Length), opts.Language,
	} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func normURL(raw string) string {
	if n, err := article.NormalizeURL(raw); err == nil {
		return n
	}
	return raw
}

// modeler is implemented by LLM and Extractive; the cache key needs the model.
type modeler interface{ Model() string }

// Cached wraps a Summarizer with a cache and single-flight: concurrent
// requests for one key make one inner call. The caller that started the call
// gets its Usage; callers that joined it, and later cache hits, get Usage
// zero, so tokens are counted once. Degraded results (a fallback whose Model
// is not the inner summarizer's) are not cached, so the next request tries
// the LLM again.
type Cached struct {
	inner Summarizer
	cache Cache
	model string
	log   *slog.Logger

	mu    sync.Mutex
	calls map[string]*flight
}

// flight is one inner call in progress.
type flight struct {
	done chan struct{}
	s    *Summary
	err  error
}

// NewCached returns a caching, single-flight wrapper around inner. The
// model name for the key comes from inner's Model method when it has one.
// logger may be nil.
func NewCached(inner Summarizer, cache Cache, logger *slog.Logger) *Cached {
	model := "unknown"
	if m, ok := inner.(modeler); ok {
		model = m.Model()
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Cached{
		inner: inner, cache: cache, model: model,
		log:   logger.With("component", "summarize_cache"),
		calls: map[string]*flight{},
	}
}

// Model is the inner summarizer's model name.
func (c *Cached) Model() string { return c.model }

// Summarize implements Summarizer. Each caller gets its own copy of the
// Summary. The inner call runs detached from the caller's cancellation (it
// is bounded by the inner summarizer's own deadline), so one impatient
// caller does not fail the others; a caller whose ctx ends stops waiting. A
// cache read or write error is logged and the summary made anyway.
func (c *Cached) Summarize(ctx context.Context, a *article.Article, opts Options) (*Summary, error) {
	if a == nil {
		return nil, ErrEmptyArticle
	}
	key := CacheKey(a, c.model, opts)
	if s, ok := c.lookup(ctx, key); ok {
		return s, nil
	}
	c.mu.Lock()
	f, joined := c.calls[key]
	if !joined {
		f = &flight{done: make(chan struct{})}
		c.calls[key] = f
		go c.fly(context.WithoutCancel(ctx), key, f, a, opts)
	}
	c.mu.Unlock()

	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("summarize %s: %w", a.URL, ctx.Err())
	}
	if f.err != nil {
		return nil, fmt.Errorf("summarize %s: %w", a.URL, f.err)
	}
	out := clone(f.s)
	if joined {
		out.Usage = Usage{}
	}
	return out, nil
}

func (c *Cached) fly(ctx context.Context, key string, f *flight, a *article.Article, opts Options) {
	defer func() {
		c.mu.Lock()
		delete(c.calls, key)
		c.mu.Unlock()
		close(f.done)
	}()
	// Another flight may have filled the cache since the caller looked.
	if s, ok := c.lookup(ctx, key); ok {
		f.s = s
		return
	}
	s, err := c.inner.Summarize(ctx, a, opts)
	if err != nil {
		f.err = err
		return
	}
	f.s = s
	if s.Model != c.model {
		return
	}
	data, err := json.Marshal(s)
	if err != nil {
		c.log.WarnContext(ctx, "cache encode failed", "url", a.URL, "err", err)
		return
	}
	if err := c.cache.PutSummary(ctx, key, normURL(a.URL), data); err != nil {
		c.log.WarnContext(ctx, "cache write failed", "url", a.URL, "err", err)
	}
}

func (c *Cached) lookup(ctx context.Context, key string) (*Summary, bool) {
	data, ok, err := c.cache.CachedSummary(ctx, key)
	if err != nil {
		c.log.WarnContext(ctx, "cache read failed", "err", err)
		return nil, false
	}
	if !ok {
		return nil, false
	}
	var s Summary
	if err := json.Unmarshal(data, &s); err != nil {
		c.log.WarnContext(ctx, "cached summary unreadable", "err", err)
		return nil, false
	}
	s.Usage = Usage{}
	return &s, true
}

func clone(s *Summary) *Summary {
	out := *s
	out.KeyPoints = append([]string{}, s.KeyPoints...)
	out.Quotes = append([]Quote{}, s.Quotes...)
	out.Perspectives = append([]Perspective{}, s.Perspectives...)
	return &out
}

// MemoryCache is an in-process Cache for tests and the CLI. It is safe for
// concurrent use.
type MemoryCache struct {
	mu   sync.Mutex
	data map[string][]byte
	urls map[string]string
}

// NewMemoryCache returns an empty MemoryCache.
func NewMemoryCache() *MemoryCache {
	return &MemoryCache{data: map[string][]byte{}, urls: map[string]string{}}
}

// CachedSummary implements Cache.
func (m *MemoryCache) CachedSummary(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.data[key]
	return append([]byte(nil), d...), ok, nil
}

// PutSummary implements Cache.
func (m *MemoryCache) PutSummary(_ context.Context, key, normURL string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = append([]byte(nil), data...)
	m.urls[key] = normURL
	return nil
}

// Len is the number of cached summaries.
func (m *MemoryCache) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.data)
}
