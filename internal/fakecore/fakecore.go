// Package fakecore holds hand-written fakes of the application core's
// collaborators for tests: an article reader, summarizers with a latency,
// and an in-memory store. Tests of the core, the Discord adapter and main
// share them.
package fakecore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// Reader serves a plain article of Words words for every URL; Errs makes a
// URL fail. Gate, when set, blocks every Read until it is closed (or ctx
// ends), so tests control when work finishes.
type Reader struct {
	mu    sync.Mutex
	Errs  map[string]error
	Words int
	calls map[string]int
	Gate  chan struct{}
	// Started, when set, receives each URL as its Read begins.
	Started chan string
	// Panics lists URLs whose Read panics, like an extractor meeting a
	// hostile page.
	Panics map[string]bool
	// Image is every article's lead image; empty by default.
	Image string
}

// NewReader returns a Reader of 640-word articles.
func NewReader() *Reader {
	return &Reader{Errs: map[string]error{}, calls: map[string]int{}, Words: 640}
}

// Read implements pipeline.ArticleReader.
func (f *Reader) Read(ctx context.Context, u string) (*article.Article, error) {
	f.mu.Lock()
	f.calls[u]++
	err := f.Errs[u]
	gate := f.Gate
	words := f.Words
	started := f.Started
	boom := f.Panics[u]
	image := f.Image
	f.mu.Unlock()
	if boom {
		panic("extractor crashed on " + u)
	}
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
		URL: u, Title: "Title of " + u, Site: "Example News", Language: "en", Words: words, Image: image,
		Text: strings.Repeat("The council said the plan would go ahead. ", words/8),
	}, nil
}

// Calls is how often u was read.
func (f *Reader) Calls(u string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[u]
}

// Summarizer stands in for the LLM (or the extractive summarizer):
// it counts calls per URL and can take a fixed time, like a remote model.
type Summarizer struct {
	model   string
	Latency time.Duration
	Err     error

	mu    sync.Mutex
	calls map[string]int
	total int
	ask   askState
}

// NewSummarizer returns a Summarizer naming model in its summaries.
func NewSummarizer(model string) *Summarizer {
	return &Summarizer{model: model, calls: map[string]int{}}
}

// Summarize implements pipeline.Summarizer.
func (f *Summarizer) Summarize(ctx context.Context, a *article.Article, opts summarize.Options) (*summarize.Summary, error) {
	f.mu.Lock()
	f.calls[a.URL]++
	f.total++
	f.mu.Unlock()
	if f.Latency > 0 {
		// Simulated model latency; the benchmark subtracts it.
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.Err != nil {
		return nil, f.Err
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

// Calls is how often an article at u was summarised.
func (f *Summarizer) Calls(u string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[u]
}

// Total is how many summaries were made.
func (f *Summarizer) Total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

// Store is an in-memory store for the core, the adapter and the command
// handlers. Linked receives every recorded link; SettingsRead receives the
// "guild/channel" key of every channel-settings lookup, so that a test can
// tell that a handler which answers nothing has begun.
type Store struct {
	mu        sync.Mutex
	Settings  map[string]store.ChannelSettings
	Used      map[string][2]int
	Links     []store.SharedLink
	Summaries map[string][]byte
	PingErr   error
	Linked    chan store.SharedLink
	// SettingsRead is sent to without blocking: a test that does not read
	// it loses nothing but the signals past its buffer.
	SettingsRead chan string

	quota    map[string]int
	reserved map[string]int
	claims   map[string]claim
	ask      askStore
}

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{
		Settings: map[string]store.ChannelSettings{}, Used: map[string][2]int{},
		Summaries: map[string][]byte{}, Linked: make(chan store.SharedLink, 1000),
		SettingsRead: make(chan string, 1000),
	}
}

// ChannelSettings returns the channel's settings, auto mode by default.
func (m *Store) ChannelSettings(_ context.Context, g, c string) (store.ChannelSettings, error) {
	select {
	case m.SettingsRead <- g + "/" + c:
	default:
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if cs, ok := m.Settings[g+"/"+c]; ok {
		return cs, nil
	}
	return store.ChannelSettings{GuildID: g, ChannelID: c, Mode: "auto"}, nil
}

// SetChannelSettings stores a channel's settings.
func (m *Store) SetChannelSettings(_ context.Context, cs store.ChannelSettings) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Settings[cs.GuildID+"/"+cs.ChannelID] = cs
	return nil
}

// Usage is a server's usage on day.
func (m *Store) Usage(_ context.Context, g, day string) (int, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.Used[g+"/"+day]
	return u[0], u[1], nil
}

// AddUsage adds to a server's usage on day.
func (m *Store) AddUsage(_ context.Context, g, day string, n, tokens int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.Used[g+"/"+day]
	m.Used[g+"/"+day] = [2]int{u[0] + n, u[1] + tokens}
	return nil
}

// RecordLink remembers a shared link.
func (m *Store) RecordLink(_ context.Context, l store.SharedLink) error {
	m.mu.Lock()
	m.Links = append(m.Links, l)
	m.mu.Unlock()
	select {
	case m.Linked <- l:
	default:
	}
	return nil
}

// CachedSummary returns the summary stored under key.
func (m *Store) CachedSummary(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.Summaries[key]
	return b, ok, nil
}

// PutSummary stores a summary under key.
func (m *Store) PutSummary(_ context.Context, key, _ string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Summaries[key] = data
	return nil
}

// Model implements pipeline.Summarizer.
func (f *Summarizer) Model() string { return f.model }

// Ping implements the adapter's health check.
func (m *Store) Ping(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.PingErr
}

// TakeQuota implements the store's hourly allowances in memory.
func (m *Store) TakeQuota(_ context.Context, window time.Time, n int, limits []store.QuotaLimit) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.quota == nil {
		m.quota = map[string]int{}
	}
	w := window.UTC().Format(time.RFC3339)
	for i, l := range limits {
		if m.quota[l.Key+"|"+w]+n > l.Limit {
			return i, nil
		}
	}
	for _, l := range limits {
		m.quota[l.Key+"|"+w] += n
	}
	return -1, nil
}

// RefundQuota gives n back to each key in window.
func (m *Store) RefundQuota(_ context.Context, window time.Time, n int, keys []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	w := window.UTC().Format(time.RFC3339)
	for _, k := range keys {
		m.quota[k+"|"+w] = max(0, m.quota[k+"|"+w]-n)
	}
	return nil
}

// ReserveTokens reserves n of a server's budget for day if it fits.
func (m *Store) ReserveTokens(_ context.Context, g, day string, n, limit int) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.reserved == nil {
		m.reserved = map[string]int{}
	}
	k := g + "/" + day
	if m.Used[k][1]+m.reserved[k]+n > limit {
		return false, nil
	}
	m.reserved[k] += n
	return true, nil
}

// SettleTokens ends a reservation and adds the tokens used.
func (m *Store) SettleTokens(_ context.Context, g, day string, reserved, used int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := g + "/" + day
	m.reserved[k] = max(0, m.reserved[k]-reserved)
	u := m.Used[k]
	m.Used[k] = [2]int{u[0], u[1] + used}
	return nil
}

// ClaimSummary claims key for owner while nobody else holds it.
func (m *Store) ClaimSummary(_ context.Context, key, owner string, now time.Time, lease time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.claims == nil {
		m.claims = map[string]claim{}
	}
	if c, ok := m.claims[key]; ok && c.owner != owner && now.Before(c.until) {
		return false, nil
	}
	m.claims[key] = claim{owner: owner, until: now.Add(lease)}
	return true, nil
}

// ReleaseSummary ends owner's claim on key.
func (m *Store) ReleaseSummary(_ context.Context, key, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.claims[key]; ok && c.owner == owner {
		delete(m.claims, key)
	}
	return nil
}

type claim struct {
	owner string
	until time.Time
}
