package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/summarize"
)

// PipelineStore is the storage the pipeline needs; *store.Store implements
// it.
type PipelineStore interface {
	Usage(ctx context.Context, guildID, day string) (summaries, tokens int, err error)
	AddUsage(ctx context.Context, guildID, day string, summaries, tokens int) error
	CachedSummary(ctx context.Context, key string) ([]byte, bool, error)
	PutSummary(ctx context.Context, key, normURL string, data []byte) error
}

// PipelineDeps are the pipeline's collaborators.
type PipelineDeps struct {
	Reader     ArticleReader
	LLM        summarize.Summarizer // nil: offline only
	Extractive summarize.Summarizer
	Store      PipelineStore
	Metrics    *Metrics
	Logger     *slog.Logger
	Now        func() time.Time
}

// PipelineOptions size the pipeline.
type PipelineOptions struct {
	Workers, QueueSize int
	// TokensPerDay is the per-server daily LLM token budget; 0: no limit.
	TokensPerDay int
	// JobTimeout bounds one fetch + summary.
	JobTimeout time.Duration
}

// Notes shown under degraded summaries.
const (
	noteBudget      = "Today's AI budget for this server is used up, so this is an offline summary."
	noteLLMFallback = "The AI summarizer failed, so this is an offline summary."
)

// Pipeline turns a link into a Summary: URL-level cache, single flight per
// (URL, summarizer, length, language), a bounded worker pool for the fetch
// and the LLM call, the per-server token budget, and usage accounting. It
// implements commands.Summarizer.
type Pipeline struct {
	deps    PipelineDeps
	opts    PipelineOptions
	log     *slog.Logger
	flights flightGroup
	pool    *pool

	// base is the lifetime of flights; cancelled by Stop.
	base   context.Context
	cancel context.CancelFunc
}

// NewPipeline returns a Pipeline; call Start before use and Stop after.
func NewPipeline(deps PipelineDeps, opts PipelineOptions) *Pipeline {
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.JobTimeout <= 0 {
		opts.JobTimeout = DefaultJobTimeout
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Metrics == nil {
		deps.Metrics = NewMetrics()
	}
	p := &Pipeline{deps: deps, opts: opts, log: deps.Logger}
	p.base, p.cancel = context.WithCancel(context.Background())
	p.pool = newPool(opts.Workers, opts.QueueSize, deps.Metrics)
	return p
}

// Start starts the workers.
func (p *Pipeline) Start() { p.pool.start() }

// Stop cancels queued and running work and waits for the workers and
// flights to end.
func (p *Pipeline) Stop() {
	p.cancel()
	p.pool.stop()
	p.flights.wait()
}

// Summarize implements commands.Summarizer.
func (p *Pipeline) Summarize(ctx context.Context, job commands.Job) (*summarize.Summary, error) {
	norm, err := article.NormalizeURL(job.URL)
	if err != nil {
		return nil, fmt.Errorf("normalize %q: %w", job.URL, err)
	}
	if job.Progress != nil {
		job.Progress("Reading " + hostOf(norm) + "…")
	}
	day := p.deps.Now().UTC().Format("2006-01-02")
	useLLM, overBudget := p.chooseLLM(ctx, job.GuildID, day)
	kind := "extractive"
	if useLLM {
		kind = "llm"
	}
	// The flight key holds everything that changes the answer, the
	// channel's length gate included, so no caller gets another's verdict.
	key := fmt.Sprintf("%s\x00%s\x00%t\x00%d", linkKey(kind, job.Length, job.Language, norm), kind, job.Asked, job.MinWords)
	s, leader, err := p.flights.do(ctx, p.base, key, p.opts.JobTimeout, func(fctx context.Context) (*summarize.Summary, error) {
		return p.produce(fctx, norm, job, useLLM, overBudget)
	})
	if err != nil {
		return nil, err
	}
	if s.Note == summarize.FallbackNote {
		p.deps.Metrics.llmFallback()
	}
	if !leader {
		p.deps.Metrics.cache("flight")
	}
	tokens := 0
	if leader {
		tokens = s.Usage.PromptTokens + s.Usage.CompletionTokens
	}
	if job.GuildID != "" {
		// Accounting must not fail the summary the user is waiting for.
		if err := p.deps.Store.AddUsage(context.WithoutCancel(ctx), job.GuildID, day, 1, tokens); err != nil {
			p.log.Warn("record usage", "guild_id", job.GuildID, "err", err)
		}
	}
	return s, nil
}

// chooseLLM decides between the LLM and the offline summarizer for a
// server today.
func (p *Pipeline) chooseLLM(ctx context.Context, guildID, day string) (useLLM, overBudget bool) {
	if p.deps.LLM == nil {
		return false, false
	}
	if p.opts.TokensPerDay <= 0 || guildID == "" {
		return true, false
	}
	_, tokens, err := p.deps.Store.Usage(ctx, guildID, day)
	if err != nil {
		// Fail open: a database hiccup should not degrade every summary.
		p.log.Warn("read usage", "guild_id", guildID, "err", err)
		return true, false
	}
	if tokens >= p.opts.TokensPerDay {
		return false, true
	}
	return true, false
}

// linkKey names a summary by what was asked of it: the link, the
// summarizer, the length and the language. Links asked for again with the
// same options are answered from the store without a fetch.
func linkKey(kind, length, language, norm string) string {
	if length == "" {
		length = summarize.LengthNormal
	}
	return "link\x00" + kind + "\x00" + length + "\x00" + language + "\x00" + norm
}

// produce runs once per flight: cache, then fetch and summarise on a worker.
func (p *Pipeline) produce(ctx context.Context, norm string, job commands.Job, useLLM, overBudget bool) (*summarize.Summary, error) {
	kind := "extractive"
	if useLLM {
		kind = "llm"
	}
	key := linkKey(kind, job.Length, job.Language, norm)
	if s, ok := p.cached(ctx, key, useLLM); ok {
		if !job.Asked && job.MinWords > 0 && s.Words < job.MinWords {
			return nil, fmt.Errorf("%s has %d words, channel minimum %d: %w", job.URL, s.Words, job.MinWords, commands.ErrTooShort)
		}
		return s, nil
	}
	var (
		s   *summarize.Summary
		err error
	)
	perr := p.pool.do(ctx, func(ctx context.Context) {
		s, err = p.fetchAndSummarize(ctx, job, useLLM, overBudget)
	})
	if perr != nil {
		return nil, perr
	}
	// Keep LLM summaries (not stand-ins) for the next time the link comes.
	if err == nil && useLLM && s.Model != summarize.ExtractiveModel {
		if data, jerr := json.Marshal(s); jerr == nil {
			if perr := p.deps.Store.PutSummary(context.WithoutCancel(ctx), key, norm, data); perr != nil {
				p.log.Warn("cache summary", "url", norm, "err", perr)
			}
		}
	}
	return s, err
}

// cached answers a link asked for before with the same options from the
// store, without a fetch. An offline summary is never reused when the LLM is
// available.
func (p *Pipeline) cached(ctx context.Context, key string, useLLM bool) (*summarize.Summary, bool) {
	data, ok, err := p.deps.Store.CachedSummary(ctx, key)
	if err != nil {
		p.log.Warn("cache lookup", "err", err)
	}
	var s summarize.Summary
	if err != nil || !ok || json.Unmarshal(data, &s) != nil || s.Summary == "" || (useLLM && s.Model == summarize.ExtractiveModel) {
		p.deps.Metrics.cache("miss")
		return nil, false
	}
	p.deps.Metrics.cache("hit")
	s.Usage = summarize.Usage{}
	return &s, true
}

func (p *Pipeline) fetchAndSummarize(ctx context.Context, job commands.Job, useLLM, overBudget bool) (*summarize.Summary, error) {
	start := time.Now()
	a, err := p.deps.Reader.Read(ctx, job.URL)
	p.deps.Metrics.observeStage("fetch", time.Since(start))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", job.URL, err)
	}
	if !job.Asked && job.MinWords > 0 && a.Words < job.MinWords {
		return nil, fmt.Errorf("%s has %d words, channel minimum %d: %w", job.URL, a.Words, job.MinWords, commands.ErrTooShort)
	}
	if job.Progress != nil {
		job.Progress("Summarising " + commands.Thousands(a.Words) + " words…")
	}
	opts := summarize.Options{Length: job.Length, Language: job.Language}
	start = time.Now()
	var s *summarize.Summary
	if useLLM {
		// The LLM summarizer falls back to the offline one by itself
		// (Note == summarize.FallbackNote, counted in Summarize); an error
		// here is one it could not absorb.
		s, err = p.deps.LLM.Summarize(ctx, a, opts)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("llm summary failed; using offline summarizer", "url", job.URL, "err", err)
			p.deps.Metrics.llmFallback()
			s, err = p.deps.Extractive.Summarize(ctx, a, opts)
			if err == nil && s.Note == "" {
				s.Note = noteLLMFallback
			}
		}
	} else {
		s, err = p.deps.Extractive.Summarize(ctx, a, opts)
		if err == nil && overBudget && s.Note == "" {
			s.Note = noteBudget
		}
	}
	p.deps.Metrics.observeStage("summarize", time.Since(start))
	if err != nil {
		return nil, fmt.Errorf("summarize %s: %w", job.URL, err)
	}
	p.deps.Metrics.llmUsage(s.Usage)
	return s, nil
}

func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Hostname() != "" {
		h := pu.Hostname()
		if len(h) > 4 && h[:4] == "www." {
			h = h[4:]
		}
		return h
	}
	return "the page"
}

// flightGroup runs one call per key at a time; later callers with the same
// key wait for its result. Unlike x/sync/singleflight, the call runs on its
// own context (the pipeline's lifetime plus a timeout) so the first caller
// giving up does not fail the others.
type flightGroup struct {
	mu    sync.Mutex
	calls map[string]*flight
	wg    sync.WaitGroup
	// onJoin, when set (tests), is called when a caller joins a flight.
	onJoin func(key string)
}

type flight struct {
	done chan struct{}
	s    *summarize.Summary
	err  error
}

// do returns the call's result and whether this caller started it.
func (g *flightGroup) do(ctx, base context.Context, key string, timeout time.Duration,
	fn func(context.Context) (*summarize.Summary, error)) (*summarize.Summary, bool, error) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[string]*flight{}
	}
	f, joined := g.calls[key]
	if joined && g.onJoin != nil {
		g.onJoin(key)
	}
	if !joined {
		f = &flight{done: make(chan struct{})}
		g.calls[key] = f
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			fctx, cancel := context.WithTimeout(base, timeout)
			defer cancel()
			f.s, f.err = fn(fctx)
			g.mu.Lock()
			delete(g.calls, key)
			g.mu.Unlock()
			close(f.done)
		}()
	}
	g.mu.Unlock()
	select {
	case <-f.done:
		return f.s, !joined, f.err
	case <-ctx.Done():
		return nil, !joined, ctx.Err()
	}
}

func (g *flightGroup) wait() { g.wg.Wait() }

// pool is a fixed set of workers behind a bounded queue. A full queue is
// an immediate ErrBusy, never an unbounded backlog.
type pool struct {
	workers int
	tasks   chan *task
	quit    chan struct{}
	wg      sync.WaitGroup
	metrics *Metrics
	once    sync.Once
}

type task struct {
	ctx  context.Context
	fn   func(context.Context)
	done chan struct{}
}

func newPool(workers, queue int, m *Metrics) *pool {
	return &pool{workers: workers, tasks: make(chan *task, queue), quit: make(chan struct{}), metrics: m}
}

func (p *pool) start() {
	for range p.workers {
		p.wg.Add(1)
		go p.work()
	}
}

func (p *pool) stop() {
	p.once.Do(func() { close(p.quit) })
	p.wg.Wait()
}

func (p *pool) work() {
	defer p.wg.Done()
	for {
		select {
		case <-p.quit:
			return
		case t := <-p.tasks:
			p.metrics.setQueueDepth(len(p.tasks))
			if t.ctx.Err() == nil {
				p.metrics.workerBusy(1)
				t.fn(t.ctx)
				p.metrics.workerBusy(-1)
			}
			close(t.done)
		}
	}
}

// do queues fn and waits for it. It returns ErrBusy when the queue is
// full, and ctx's error when ctx ends first (fn is then skipped if it has
// not started, or sees ctx cancelled).
func (p *pool) do(ctx context.Context, fn func(context.Context)) error {
	t, err := p.submit(ctx, fn)
	if err != nil {
		return err
	}
	select {
	case <-t.done:
		return ctx.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// submit queues fn without waiting, or returns ErrBusy.
func (p *pool) submit(ctx context.Context, fn func(context.Context)) (*task, error) {
	t := &task{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case p.tasks <- t:
		p.metrics.setQueueDepth(len(p.tasks))
		return t, nil
	default:
		return nil, commands.ErrBusy
	}
}

var _ commands.Summarizer = (*Pipeline)(nil)

// errorKind classifies a pipeline error for metrics.
func errorKind(err error) string {
	var qe *commands.QuotaError
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, commands.ErrBusy):
		return "busy"
	case errors.As(err, &qe):
		return "quota"
	case errors.Is(err, commands.ErrTooShort):
		return "too_short"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case article.IsPipelineError(err):
		return "article"
	}
	return "error"
}
