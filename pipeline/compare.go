package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/summarize"
)

// This file lets work other than a link's summary (a comparison of several
// articles' coverage) run under the guards a summary runs under, and adds
// other coverage of a summary's story to it.

// Sources of comparisons, for metrics and logs.
const (
	SourceCompareCommand = "compare_command" // /compare
	SourceCompareButton  = "compare_button"  // the Compare button under a summary
)

// JobRequest is one piece of work a member asks for that is not a link's
// summary.
type JobRequest struct {
	// Name names the work in metrics and logs ("compare").
	Name string
	// GuildID and UserID name the server and member the work counts
	// against; empty for the CLI.
	GuildID, ChannelID, UserID string
}

// Job is the core's side of a running job: articles through the store and
// the worker slots, the model under the server's budget and the model
// slots.
type Job struct {
	p   *Pipeline
	req JobRequest
	day string

	mu     sync.Mutex
	grants []*grant // model slots and reservations handed out
}

// grant is a model slot and a reservation held by a job.
type grant struct {
	once   sync.Once
	free   func()
	r      *reservation
	tokens int
}

// end frees the slot and settles the reservation with used tokens, once.
func (g *grant) end(ctx context.Context, j *Job, u summarize.Usage) {
	g.once.Do(func() {
		g.free()
		j.p.settle(ctx, g.r, j.req.GuildID, j.day, u.PromptTokens+u.CompletionTokens)
		j.p.metrics.LLMUsage(u)
	})
}

// endAll gives back what the work did not: a slot and a reservation held
// when the work failed or panicked, the reservation billed whole, since
// what the call spent is unknown.
func (j *Job) endAll(ctx context.Context) {
	j.mu.Lock()
	grants := j.grants
	j.grants = nil
	j.mu.Unlock()
	for _, g := range grants {
		g.end(ctx, j, summarize.Usage{PromptTokens: g.tokens})
	}
}

// RunJob runs work under the guards a summary runs under: one from the
// member's and the server's hourly allowances (a *QuotaError, and work not
// run, when either is used up; given back when the work fails with
// ErrBusy), the job's deadline (JobTimeout, cut short by Stop), a panic
// contained as a *PanicError, and the work counted in the server's usage
// when it succeeds. work reads articles and asks the model through j.
func (p *Pipeline) RunJob(ctx context.Context, req JobRequest, work func(ctx context.Context, j *Job) error) (err error) {
	if req.Name == "" {
		req.Name = "job"
	}
	if !p.asks.start() {
		return context.Canceled
	}
	defer p.asks.done()
	if err := p.takeQuota(ctx, req.GuildID, req.UserID, 1); err != nil {
		return err
	}
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			p.metrics.Panic(req.Name)
			p.log.Error("panic in a job", "job", req.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = &PanicError{Where: req.Name, Value: r}
		}
		if errors.Is(err, ErrBusy) {
			p.refundQuota(ctx, req.GuildID, req.UserID, 1)
		}
		p.metrics.ObserveStage(req.Name, time.Since(start))
	}()
	jctx, cancel := context.WithTimeout(ctx, p.opts.JobTimeout)
	defer cancel()
	defer context.AfterFunc(p.base, cancel)()
	j := &Job{p: p, req: req, day: p.deps.Now().UTC().Format("2006-01-02")}
	defer j.endAll(ctx)
	if err := work(jctx, j); err != nil {
		return err
	}
	if req.GuildID != "" {
		if err := p.deps.Store.AddUsage(context.WithoutCancel(ctx), req.GuildID, j.day, 1, 0); err != nil {
			p.log.Warn("record usage", "guild_id", req.GuildID, "job", req.Name, "err", err)
		}
	}
	return nil
}

// Article is the article at rawURL: the stored copy while fresh
// (CacheMaxAge), else fetched and extracted on a worker slot (and kept).
func (j *Job) Article(ctx context.Context, rawURL string) (*article.Article, error) {
	norm, err := article.NormalizeURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("normalize %q: %w", rawURL, err)
	}
	return j.p.articleFor(ctx, norm, rawURL)
}

// Model reserves tokens (what the model call may cost at most) from the
// server's daily budget and takes a model slot. ok is false when the
// budget cannot spare them (or the reservation failed): the work then
// goes on without the model. Otherwise release is called with what the
// call used; it frees the slot and settles the reservation. A grant not
// released when the work ends (it failed or panicked) is given back by
// RunJob, billed its whole reservation. err is ErrBusy when the model's
// queue is full, or ctx's error.
func (j *Job) Model(ctx context.Context, tokens int) (release func(used summarize.Usage), ok bool, err error) {
	p := j.p
	r, ok := p.reserve(ctx, j.req.GuildID, j.day, tokens)
	if !ok {
		return nil, false, nil
	}
	free, err := p.model.acquire(ctx)
	if err != nil {
		p.settle(ctx, r, j.req.GuildID, j.day, 0)
		return nil, false, err
	}
	g := &grant{free: free, r: r, tokens: tokens}
	j.mu.Lock()
	j.grants = append(j.grants, g)
	j.mu.Unlock()
	return func(u summarize.Usage) { g.end(ctx, j, u) }, true, nil
}

// FallBack counts a model failure answered without the model.
func (j *Job) FallBack() { j.p.metrics.LLMFallback() }

// CoverageQuery describes a summary whose story may have other coverage
// in the server it was asked for in.
type CoverageQuery struct {
	GuildID, ChannelID string
	// URL is the article's link, NormURL its normalised form.
	URL, NormURL string
	// Title, Headline, Summary and Site are the summary's.
	Title, Headline, Summary, Site string
	// Published is the article's date; zero when unknown (then now).
	Published time.Time
}

// Coverage finds other coverage of a summary's story;
// *compare.Finder implements it.
type Coverage interface {
	AlsoCovered(ctx context.Context, q CoverageQuery) ([]summarize.Coverage, error)
}

// alsoCovered adds other coverage of s's story in the server to a summary
// asked for there (not to digest entries, which cluster stories
// themselves, nor outside a server). A failure is only logged: the
// summary matters more.
func (p *Pipeline) alsoCovered(ctx context.Context, req Request, norm string, s *summarize.Summary) {
	if p.deps.Coverage == nil || req.GuildID == "" || req.Source == SourceDigest || s == nil {
		return
	}
	q := CoverageQuery{
		GuildID: req.GuildID, ChannelID: req.ChannelID, URL: req.URL, NormURL: norm,
		Title: s.Title, Headline: s.Headline, Summary: s.Summary, Site: s.Site,
	}
	if sa, err := p.keptArticle(ctx, norm); err != nil {
		p.log.Warn("kept article", "url", norm, "err", err)
	} else if sa != nil && sa.Article != nil && sa.Article.Published != nil {
		q.Published = *sa.Article.Published
	}
	cov, err := p.deps.Coverage.AlsoCovered(ctx, q)
	if err != nil {
		p.log.Warn("find other coverage", "guild_id", req.GuildID, "url", req.URL, "err", err)
		return
	}
	s.AlsoCovered = cov
}
