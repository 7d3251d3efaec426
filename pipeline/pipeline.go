// Package pipeline is Precis's application core. It turns a request for a
// link's summary into a summary, and owns every rule that must hold
// whichever way the request came (a pasted link, a reaction, a slash
// command, the context menu, a digest entry): the hourly quotas, the daily
// token budget, the summary cache and its key, one model call per link at a
// time (single flight), the limits on concurrent fetching and model
// requests, usage accounting, and containing panics from hostile pages. It
// knows nothing of Discord.
package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/internal/metrics"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// ArticleReader fetches and extracts one article; *article.Reader
// implements it.
type ArticleReader interface {
	Read(ctx context.Context, rawURL string) (*article.Article, error)
}

// Summarizer turns an article into a verified summary; *summarize.LLM and
// *summarize.Extractive implement it. Model names it for the cache key.
type Summarizer interface {
	Summarize(ctx context.Context, a *article.Article, opts summarize.Options) (*summarize.Summary, error)
	Model() string
}

// Store is the storage the pipeline needs; *store.Store implements it.
// Quotas, the token budget and summary claims are kept there, so every
// process on one database shares them.
type Store interface {
	Usage(ctx context.Context, guildID, day string) (summaries, tokens int, err error)
	AddUsage(ctx context.Context, guildID, day string, summaries, tokens int) error
	CachedSummary(ctx context.Context, key string) ([]byte, bool, error)
	PutSummary(ctx context.Context, key, normURL string, data []byte) error

	TakeQuota(ctx context.Context, windowStart time.Time, n int, limits []store.QuotaLimit) (int, error)
	RefundQuota(ctx context.Context, windowStart time.Time, n int, keys []string) error
	ReserveTokens(ctx context.Context, guildID, day string, n, limit int) (bool, error)
	SettleTokens(ctx context.Context, guildID, day string, reserved, used int) error
	ClaimSummary(ctx context.Context, key, owner string, now time.Time, lease time.Duration) (bool, error)
	ReleaseSummary(ctx context.Context, key, owner string) error
}

// Deps are the pipeline's collaborators. Reader, Extractive and Store are
// required.
type Deps struct {
	Reader ArticleReader
	// LLM summarises with the language model; nil means offline only.
	LLM Summarizer
	// Extractive is the offline summarizer, used without an LLM, past a
	// server's daily token budget and when the LLM fails.
	Extractive Summarizer
	Store      Store
	// LLMAsker and ExtractiveAsker answer questions (Ask); nil means LLM
	// and Extractive themselves when they implement Asker. A Store that
	// implements AskStore keeps articles and earlier questions.
	LLMAsker, ExtractiveAsker Asker
	// Coverage, when set, adds other coverage of a summary's story in its
	// server (see alsoCovered in compare.go).
	Coverage Coverage
	// Metrics may be nil.
	Metrics *metrics.Metrics
	// Logger may be nil.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Options size the pipeline. main fills them from config, where the
// defaults live; New rejects values that cannot work.
type Options struct {
	// Workers is how many jobs fetch and extract at once (WORKERS).
	Workers int
	// QueueSize is how many jobs may wait for a worker (and, separately,
	// for the model) before new ones are refused with ErrBusy; 0 means none
	// may wait.
	QueueSize int
	// ModelConcurrency is how many requests may be in flight to the model
	// (LLM_CONCURRENCY).
	ModelConcurrency int
	// UserPerHour and ServerPerHour are the hourly allowances; 0 means no
	// limit.
	UserPerHour, ServerPerHour int
	// TokensPerDay is the per-server daily LLM token budget; 0 means no
	// limit.
	TokensPerDay int
	// MaxLinks is how many links of one message are summarised.
	MaxLinks int
	// JobTimeout bounds one summary: fetch, extraction and the model.
	JobTimeout time.Duration
	// CacheMaxAge is how long a stored summary is served for its link.
	CacheMaxAge time.Duration
	// Language is the default summary language (SUMMARY_LANGUAGE); ""
	// means the article's own.
	Language string
	// InstanceID names this process in summary claims; "" makes one up.
	InstanceID string
}

func (o Options) validate() error {
	var errs []error
	for _, v := range []struct {
		name string
		n    int64
	}{
		{"Workers", int64(o.Workers)},
		{"ModelConcurrency", int64(o.ModelConcurrency)}, {"MaxLinks", int64(o.MaxLinks)},
		{"JobTimeout", int64(o.JobTimeout)}, {"CacheMaxAge", int64(o.CacheMaxAge)},
	} {
		if v.n <= 0 {
			errs = append(errs, fmt.Errorf("pipeline: %s must be positive, got %d", v.name, v.n))
		}
	}
	if o.QueueSize < 0 {
		errs = append(errs, fmt.Errorf("pipeline: QueueSize must not be negative, got %d", o.QueueSize))
	}
	if o.UserPerHour < 0 || o.ServerPerHour < 0 || o.TokensPerDay < 0 {
		errs = append(errs, errors.New("pipeline: quotas must not be negative"))
	}
	return errors.Join(errs...)
}

// Notes shown under degraded summaries.
const (
	NoteBudget      = "Today's AI budget for this server is used up, so this is an offline summary."
	NoteLLMFallback = "The AI summarizer failed, so this is an offline summary."
)

// Pipeline is the application core; see the package comment. Call Stop
// when done: it cancels queued work and waits for every flight.
type Pipeline struct {
	deps     Deps
	opts     Options
	log      *slog.Logger
	metrics  *metrics.Metrics
	flights  flights
	instance string
	workers  *slots
	model    *slots
	asks     tracker // running questions

	// base is the lifetime of flights; cancelled by Stop.
	base   context.Context
	cancel context.CancelFunc
}

// New returns a running Pipeline.
func New(deps Deps, opts Options) (*Pipeline, error) {
	if deps.Reader == nil || deps.Extractive == nil || deps.Store == nil {
		return nil, errors.New("pipeline: Reader, Extractive and Store are required")
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Metrics == nil {
		deps.Metrics = metrics.New()
	}
	m := deps.Metrics
	p := &Pipeline{
		deps: deps, opts: opts, metrics: m,
		log:      deps.Logger.With("component", "pipeline"),
		instance: opts.InstanceID,
		workers: newSlots(opts.Workers, opts.QueueSize, func(waiting, busy int) {
			m.SetQueueDepth(waiting)
			m.SetWorkersBusy(busy)
		}),
		model: newSlots(opts.ModelConcurrency, opts.QueueSize, func(_, busy int) { m.SetModelInFlight(busy) }),
	}
	if p.instance == "" {
		p.instance = newInstanceID()
	}
	p.base, p.cancel = context.WithCancel(context.Background())
	return p, nil
}

// Stop cancels queued and running work and waits for every flight to end.
// Summaries asked for afterwards fail with context.Canceled.
func (p *Pipeline) Stop() {
	p.cancel()
	p.flights.stop()
	p.asks.stop()
}

// SummarizeLinks is the one path for "summarise the links of this message",
// shared by pasted links, reactions and the context menu. It summarises at
// most MaxLinks links concurrently, in the order given, after taking them
// from the member's and the server's hourly allowances (a *QuotaError, and
// nothing done, when either is used up). Links refused because the queue
// is full are given back. Progress, when set, reports the first link's
// work.
func (p *Pipeline) SummarizeLinks(ctx context.Context, req Request, links []string) ([]Result, error) {
	if len(links) == 0 {
		return nil, ErrNoLinks
	}
	if len(links) > p.opts.MaxLinks {
		links = links[:p.opts.MaxLinks]
	}
	if err := p.takeQuota(ctx, req.GuildID, req.UserID, len(links)); err != nil {
		return nil, err
	}
	results := make([]Result, len(links))
	done := make(chan struct{}, len(links))
	for i, u := range links {
		r := req
		r.URL = u
		if i > 0 {
			r.Progress = nil // one status line is enough
		}
		go func() {
			defer func() { done <- struct{}{} }()
			s, err := p.Summarize(ctx, r)
			results[i] = Result{URL: u, Summary: s, Err: err}
		}()
	}
	for range links {
		<-done
	}
	refunds := 0
	for _, r := range results {
		// Work refused (queue full) or skipped by the channel's own length
		// gate costs nothing.
		if errors.Is(r.Err, ErrBusy) || !req.Asked && errors.Is(r.Err, ErrTooShort) {
			refunds++
		}
	}
	p.refundQuota(ctx, req.GuildID, req.UserID, refunds)
	return results, nil
}

// LinksPerMessage is how many links of one message SummarizeLinks takes.
func (p *Pipeline) LinksPerMessage() int { return p.opts.MaxLinks }

// Summarize makes (or finds) the summary of one link for req. It takes no
// hourly quota (SummarizeLinks does); the server's daily token budget
// applies.
func (p *Pipeline) Summarize(ctx context.Context, req Request) (*summarize.Summary, error) {
	norm, err := article.NormalizeURL(req.URL)
	if err != nil {
		return nil, fmt.Errorf("normalize %q: %w", req.URL, err)
	}
	if req.Progress != nil {
		req.Progress("Reading " + hostOf(norm) + "…")
	}
	day := p.deps.Now().UTC().Format("2006-01-02")
	sum, overBudget := p.choose(ctx, req.GuildID, day)
	opts := p.summaryOptions(req)
	key := CacheKey(norm, sum.Model(), opts)
	// The flight key holds everything that changes the answer, the
	// channel's length gate included, so no caller gets another's verdict.
	fkey := fmt.Sprintf("%s|%t|%d", key, req.Asked, req.MinWords)
	s, leader, err := p.flights.do(ctx, p.base, fkey, p.opts.JobTimeout, func(fctx context.Context) (*summarize.Summary, error) {
		return p.produce(fctx, norm, key, req, opts, sum, overBudget, day)
	})
	if err != nil {
		return nil, err
	}
	if !leader {
		p.metrics.Cache("flight")
	}
	if req.GuildID != "" {
		// Accounting must not fail the summary the user is waiting for.
		if err := p.deps.Store.AddUsage(context.WithoutCancel(ctx), req.GuildID, day, 1, 0); err != nil {
			p.log.Warn("record usage", "guild_id", req.GuildID, "err", err)
		}
	}
	out := *s
	if !leader {
		out.Usage = summarize.Usage{}
	}
	p.alsoCovered(ctx, req, norm, &out)
	return &out, nil
}

// Cached returns the stored summary of a link for req without fetching
// anything, if one is fresh. The digest uses it for entries.
func (p *Pipeline) Cached(ctx context.Context, req Request) (*summarize.Summary, bool) {
	norm, err := article.NormalizeURL(req.URL)
	if err != nil {
		return nil, false
	}
	sum, _ := p.choose(ctx, req.GuildID, p.deps.Now().UTC().Format("2006-01-02"))
	return p.cached(ctx, CacheKey(norm, sum.Model(), p.summaryOptions(req)))
}

func (p *Pipeline) summaryOptions(req Request) summarize.Options {
	length := req.Length
	if length == "" {
		length = summarize.LengthNormal
	}
	lang := req.Language
	if lang == "" {
		lang = p.opts.Language
	}
	return summarize.Options{Length: length, Language: lang}
}

// choose picks the summarizer for a server today: the LLM while the
// server's token budget lasts, else the offline one. This is the quick
// check that decides the cache key; the reservation before the model call
// is the one that holds.
func (p *Pipeline) choose(ctx context.Context, guildID, day string) (s Summarizer, overBudget bool) {
	if p.deps.LLM == nil {
		return p.deps.Extractive, false
	}
	if p.opts.TokensPerDay <= 0 || guildID == "" {
		return p.deps.LLM, false
	}
	_, tokens, err := p.deps.Store.Usage(ctx, guildID, day)
	if err != nil {
		// Fail open: a database hiccup should not degrade every summary.
		p.log.Warn("read usage", "guild_id", guildID, "err", err)
		return p.deps.LLM, false
	}
	if tokens >= p.opts.TokensPerDay {
		return p.deps.Extractive, true
	}
	return p.deps.LLM, false
}

// CacheKey names a stored summary by everything that decides its content:
// the normalised link, the summarizer's model and prompt version, the
// length and the resolved language. It is hex, so every database takes it.
func CacheKey(normURL, model string, opts summarize.Options) string {
	h := sha256.New()
	for _, part := range []string{"precis-link-v2", normURL, model, summarize.PromptVersion, opts.Length, opts.Language} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// cacheEntry is what the store keeps for a link: the summary and when it
// was made, so old news is made again after CacheMaxAge.
type cacheEntry struct {
	MadeAt  time.Time          `json:"made_at"`
	Summary *summarize.Summary `json:"summary"`
}

// produce runs once per flight: the cache, then fetching and extracting on
// a worker slot, then the summary (on a model slot when it is the LLM's).
// A panic anywhere in it becomes a *PanicError for every waiting caller.
func (p *Pipeline) produce(ctx context.Context, norm, key string, req Request, opts summarize.Options,
	sum Summarizer, overBudget bool, day string) (s *summarize.Summary, err error) {
	defer func() {
		if r := recover(); r != nil {
			p.metrics.Panic("summarize")
			p.log.Error("panic while summarising", "url", req.URL, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			s, err = nil, &PanicError{Where: "summarize", Value: r}
		}
	}()
	if s, ok := p.cached(ctx, key); ok {
		if err := p.gate(req, s.Words); err != nil {
			return nil, err
		}
		return s, nil
	}
	// One process makes a link's summary; the others wait for its result.
	owner := p.claimOwner()
	if s, claimed, err := p.awaitClaim(ctx, key, owner); err != nil {
		return nil, err
	} else if s != nil {
		if err := p.gate(req, s.Words); err != nil {
			return nil, err
		}
		return s, nil
	} else if claimed {
		defer p.release(ctx, key, owner)
	}
	a, err := p.read(ctx, req)
	if err != nil {
		return nil, err
	}
	p.keepArticle(ctx, norm, a) // for questions about it (Ask)
	if err := p.gate(req, a.Words); err != nil {
		return nil, err
	}
	if a.Quality.Short() {
		// A short real item is shown in full: no model call.
		s = summarize.ShortItem(a)
	} else {
		if req.Progress != nil {
			req.Progress("Summarising " + discordtext.Thousands(a.Words) + " words…")
		}
		s, err = p.summarize(ctx, a, req, opts, sum, overBudget, day)
		if err != nil {
			return nil, err
		}
	}
	s.Image = a.Image // the card's thumbnail; the summarizers leave it to the core
	s.Archive = a.Archive
	if a.Archive != nil && a.Archive.OriginalURL != "" {
		s.URL = a.Archive.OriginalURL
	}
	// Keep the summary for the next time the link comes, unless it is a
	// stand-in (a failed LLM, a spent budget): the next request should try
	// the LLM again.
	if s.Model == sum.Model() || s.Model == summarize.ShortItemModel {
		p.store(ctx, key, norm, s)
	}
	return s, nil
}

// read fetches and extracts the article on a worker slot.
func (p *Pipeline) read(ctx context.Context, req Request) (*article.Article, error) {
	release, err := p.workers.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	start := time.Now()
	a, err := p.deps.Reader.Read(ctx, req.URL)
	p.metrics.ObserveStage("fetch", time.Since(start))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", req.URL, err)
	}
	return a, nil
}

// gate applies the channel's min_words setting to automatic summaries.
func (p *Pipeline) gate(req Request, words int) error {
	if !req.Asked && req.MinWords > 0 && words < req.MinWords {
		return fmt.Errorf("%s has %d words, channel minimum %d: %w", req.URL, words, req.MinWords, ErrTooShort)
	}
	return nil
}

// summarize runs the chosen summarizer; the LLM's calls hold a model slot,
// and an LLM failure it could not absorb itself falls back to the offline
// summary.
func (p *Pipeline) summarize(ctx context.Context, a *article.Article, req Request, opts summarize.Options,
	sum Summarizer, overBudget bool, day string) (s *summarize.Summary, err error) {
	used := 0
	start := time.Now()
	defer func() { p.metrics.ObserveStage("summarize", time.Since(start)) }()
	if sum == p.deps.Extractive {
		s, err := sum.Summarize(ctx, a, opts)
		if err != nil {
			return nil, fmt.Errorf("summarize %s: %w", req.URL, err)
		}
		if overBudget && (s.Note == "" || s.Note == summarize.ExtractiveNote) {
			s.Note = NoteBudget
		}
		return s, nil
	}
	// The budget is a ceiling: reserve what this summary may cost before
	// the first call, pass it as the summary's ceiling, settle after.
	est := estimate(sum, a, opts)
	if est > 0 {
		r, ok := p.reserve(ctx, req.GuildID, day, est)
		if !ok {
			s, err := p.deps.Extractive.Summarize(ctx, a, opts)
			if err != nil {
				return nil, fmt.Errorf("summarize %s: %w", req.URL, err)
			}
			if s.Note == "" || s.Note == summarize.ExtractiveNote {
				s.Note = NoteBudget
			}
			return s, nil
		}
		if r != nil {
			opts.TokenCeiling = r.tokens
		}
		// Settled on every way out: when the model call failed or panicked,
		// what it spent is not known, so the whole reservation is billed.
		used = -1
		defer func() {
			if used < 0 {
				used = est
			}
			p.settle(ctx, r, req.GuildID, day, used)
		}()
	}
	err = p.callModel(ctx, func(mctx context.Context) error {
		var cerr error
		s, cerr = sum.Summarize(mctx, a, opts)
		if s != nil && cerr == nil {
			used = s.Usage.PromptTokens + s.Usage.CompletionTokens
		}
		return cerr
	})
	if errors.Is(err, ErrBusy) {
		used = 0 // refused before any call
		return nil, err
	}
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("summarize %s: %w", req.URL, err)
	}
	if s == nil && err == nil {
		err = errors.New("the model gave no summary")
	}
	if err != nil && ctx.Err() == nil {
		p.log.Warn("llm summary failed; using offline summarizer", "url", req.URL, "err", err)
		s, err = p.deps.Extractive.Summarize(ctx, a, opts)
		if err == nil && (s.Note == "" || s.Note == summarize.ExtractiveNote) {
			s.Note = NoteLLMFallback
		}
	}
	if err != nil {
		return nil, fmt.Errorf("summarize %s: %w", req.URL, err)
	}
	if s.Model != sum.Model() {
		p.metrics.LLMFallback()
	}
	p.metrics.LLMUsage(s.Usage)
	return s, nil
}

// cached answers a link from the store when a fresh summary made the same
// way is there, and counts the lookup as a hit or a miss.
func (p *Pipeline) cached(ctx context.Context, key string) (*summarize.Summary, bool) {
	s, ok := p.lookup(ctx, key)
	if ok {
		p.metrics.Cache("hit")
	} else {
		p.metrics.Cache("miss")
	}
	return s, ok
}

// lookup is the fresh summary stored under key, if there is one; it counts
// nothing, so that waiting for another process's summary (awaitClaim) is
// not a miss per poll.
func (p *Pipeline) lookup(ctx context.Context, key string) (*summarize.Summary, bool) {
	data, ok, err := p.deps.Store.CachedSummary(ctx, key)
	if err != nil {
		p.log.Warn("cache lookup", "err", err)
	}
	var e cacheEntry
	if err != nil || !ok || json.Unmarshal(data, &e) != nil || e.Summary == nil || e.Summary.Summary == "" ||
		p.deps.Now().Sub(e.MadeAt) > p.opts.CacheMaxAge {
		return nil, false
	}
	e.Summary.Usage = summarize.Usage{}
	return e.Summary, true
}

func (p *Pipeline) store(ctx context.Context, key, norm string, s *summarize.Summary) {
	data, err := json.Marshal(cacheEntry{MadeAt: p.deps.Now(), Summary: s})
	if err != nil {
		p.log.Warn("encode summary", "url", norm, "err", err)
		return
	}
	if err := p.deps.Store.PutSummary(context.WithoutCancel(ctx), key, norm, data); err != nil {
		p.log.Warn("cache summary", "url", norm, "err", err)
	}
}

func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Hostname() != "" {
		return strings.TrimPrefix(pu.Hostname(), "www.")
	}
	return "the page"
}

// modelContext is the context of a model call: the job's, ending early
// enough (a quarter of what is left, at most 10 s) that the offline answer
// still fits when the model gives up.
func modelContext(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, dl.Add(-min(10*time.Second, time.Until(dl)/4)))
}

// callModel runs one model call on a model slot, with the model's deadline
// (modelContext). The slot is given back however the call ends, a panic
// included (the panic goes on to the flight's recover).
func (p *Pipeline) callModel(ctx context.Context, call func(context.Context) error) error {
	release, err := p.model.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	mctx, cancel := modelContext(ctx)
	defer cancel()
	return call(mctx)
}
