package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// fakeReader serves articles from a map. A URL missing from the map gets a
// plain article; errs makes a URL fail. gate, when set, blocks every Read
// until it is closed (or ctx ends), so tests control when work finishes.
type fakeReader struct {
	mu    sync.Mutex
	errs  map[string]error
	words int
	calls map[string]int
	gate  chan struct{}
	// started, when set, receives each URL as its Read begins.
	started chan string
}

func newFakeReader() *fakeReader {
	return &fakeReader{errs: map[string]error{}, calls: map[string]int{}, words: 640}
}

func (f *fakeReader) Read(ctx context.Context, u string) (*article.Article, error) {
	f.mu.Lock()
	f.calls[u]++
	err := f.errs[u]
	gate := f.gate
	words := f.words
	started := f.started
	f.mu.Unlock()
	if started != nil {
		started <- u
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, fmt.Errorf("read %s: %w", u, ctx.Err())
		}
	}
	if err != nil {
		return nil, err
	}
	return &article.Article{
		URL: u, Title: "Title of " + u, Site: "Example News", Language: "en", Words: words,
		Text: strings.Repeat("The council said the plan would go ahead. ", words/8),
	}, nil
}

func (f *fakeReader) Calls(u string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[u]
}

// fakeSummarizer stands in for the LLM (or the extractive summarizer):
// it counts calls per URL and can take a fixed time, like a remote model.
type fakeSummarizer struct {
	model   string
	latency time.Duration
	err     error

	mu    sync.Mutex
	calls map[string]int
	total int
}

func newFakeSummarizer(model string) *fakeSummarizer {
	return &fakeSummarizer{model: model, calls: map[string]int{}}
}

func (f *fakeSummarizer) Summarize(ctx context.Context, a *article.Article, opts summarize.Options) (*summarize.Summary, error) {
	f.mu.Lock()
	f.calls[a.URL]++
	f.total++
	f.mu.Unlock()
	if f.latency > 0 {
		// Simulated model latency; the benchmark subtracts it.
		t := time.NewTimer(f.latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	s := &summarize.Summary{
		URL: a.URL, Title: a.Title, Site: a.Site,
		Headline:  "Council approves plan",
		Summary:   "The council said the plan would go ahead, according to officials.",
		KeyPoints: []string{"The plan goes ahead."},
		Language:  "en", Model: f.model, Words: a.Words,
	}
	if f.model != summarize.ExtractiveModel {
		s.Usage = summarize.Usage{PromptTokens: 900, CompletionTokens: 100, Calls: 1}
	}
	if opts.Language != "" {
		s.Language = opts.Language
	}
	return s, nil
}

func (f *fakeSummarizer) Calls(u string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[u]
}

func (f *fakeSummarizer) Total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

// memStore is an in-memory Store. linked receives every recorded link.
type memStore struct {
	mu        sync.Mutex
	settings  map[string]store.ChannelSettings
	usage     map[string][2]int
	links     []store.SharedLink
	summaries map[string][]byte
	pingErr   error
	linked    chan store.SharedLink
}

func newMemStore() *memStore {
	return &memStore{
		settings: map[string]store.ChannelSettings{}, usage: map[string][2]int{},
		summaries: map[string][]byte{}, linked: make(chan store.SharedLink, 1000),
	}
}

func (m *memStore) ChannelSettings(_ context.Context, g, c string) (store.ChannelSettings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cs, ok := m.settings[g+"/"+c]; ok {
		return cs, nil
	}
	return store.ChannelSettings{GuildID: g, ChannelID: c, Mode: "auto"}, nil
}

func (m *memStore) SetChannelSettings(_ context.Context, cs store.ChannelSettings) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.settings[cs.GuildID+"/"+cs.ChannelID] = cs
	return nil
}

func (m *memStore) Usage(_ context.Context, g, day string) (int, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.usage[g+"/"+day]
	return u[0], u[1], nil
}

func (m *memStore) AddUsage(_ context.Context, g, day string, n, tokens int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.usage[g+"/"+day]
	m.usage[g+"/"+day] = [2]int{u[0] + n, u[1] + tokens}
	return nil
}

func (m *memStore) RecordLink(_ context.Context, l store.SharedLink) error {
	m.mu.Lock()
	m.links = append(m.links, l)
	m.mu.Unlock()
	select {
	case m.linked <- l:
	default:
	}
	return nil
}

func (m *memStore) CachedSummary(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.summaries[key]
	return b, ok, nil
}

func (m *memStore) PutSummary(_ context.Context, key, _ string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.summaries[key] = data
	return nil
}

// putSummary stores s as the LLM's normal-length summary of norm in the
// channel's default language.
func (m *memStore) putSummary(norm string, s *summarize.Summary) {
	b, _ := json.Marshal(s)
	_ = m.PutSummary(context.Background(), linkKey("llm", "", "", norm), norm, b)
}

func (m *memStore) Ping(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pingErr
}

var _ Store = (*memStore)(nil)
