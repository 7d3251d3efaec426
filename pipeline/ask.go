package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// Sources of questions, for metrics and logs.
const (
	SourceAskButton  = "ask_button"  // the Ask button under a summary
	SourceAskCommand = "ask_command" // /ask
)

// Asker answers a question about an article from the article alone;
// *summarize.LLM and *summarize.Extractive implement it.
type Asker interface {
	Ask(ctx context.Context, a *article.Article, question string, history []summarize.QA) (*summarize.Answer, error)
}

// AskStore is the storage questions use beyond Store: the article at hand
// and the member's last questions about it. *store.Store implements it. A
// Store without it makes Ask fetch the article every time and send no
// earlier questions.
type AskStore interface {
	CachedArticle(ctx context.Context, normURL string) ([]byte, bool, error)
	PutArticle(ctx context.Context, normURL string, data []byte) error
	AskTurns(ctx context.Context, guildID, userID, normURL string, limit int) ([]store.AskTurn, error)
	AddAskTurn(ctx context.Context, t store.AskTurn) error
}

// AskRequest is one question about one link.
type AskRequest struct {
	URL      string
	Question string
	// GuildID and UserID name the server and member the question counts
	// against (quotas, the token budget, the history); empty for the CLI.
	GuildID, ChannelID, UserID string
	// Source is SourceAskButton, SourceAskCommand or SourceCLI.
	Source string
	// Progress, when set, receives short status lines. It must not block
	// for long.
	Progress func(status string)
}

// NoteAskBudget is Answer.Note when the server's token budget is used up.
const NoteAskBudget = "Today's AI budget for this server is used up, so this is an offline answer: the article's sentences that best match the question."

// ErrAskUnavailable means the pipeline was built without an asker.
var ErrAskUnavailable = errors.New("pipeline: no asker configured")

// askError is a refusal with its own sentence for the asker.
type askError struct{ msg string }

func (e askError) Error() string       { return "ask: " + e.msg }
func (e askError) UserMessage() string { return e.msg }

// ErrNoQuestion is returned for a question without words; Explain shows
// its own sentence.
var ErrNoQuestion error = askError{"Ask a question about the article."}

// Ask answers a question about the article at req.URL from that article
// alone, with the same guards as a summary: the question is taken from the
// member's and the server's hourly allowances (a *QuotaError, and nothing
// done, when either is used up; given back when the queue is full), the
// LLM answers while the server's daily token budget lasts and the offline
// asker after it (Note = NoteAskBudget) or when the LLM fails, the
// article comes from the store while fresh (CacheMaxAge) or is fetched on a
// worker slot, the model call holds a model slot, the tokens are billed to
// the server and a panic becomes a *PanicError. The member's last
// summarize.MaxHistory questions about the article go along as context,
// and this one is remembered for the next.
func (p *Pipeline) Ask(ctx context.Context, req AskRequest) (ans *summarize.Answer, err error) {
	question := strings.Join(strings.Fields(req.Question), " ")
	if question == "" {
		return nil, ErrNoQuestion
	}
	norm, err := article.NormalizeURL(req.URL)
	if err != nil {
		return nil, fmt.Errorf("normalize %q: %w", req.URL, err)
	}
	llm, offline := p.askers()
	if offline == nil {
		return nil, ErrAskUnavailable
	}
	if !p.asks.start() {
		return nil, context.Canceled
	}
	defer p.asks.done()
	if err := p.takeQuota(ctx, req.GuildID, req.UserID, 1); err != nil {
		return nil, err
	}
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			p.metrics.Panic("ask")
			p.log.Error("panic while answering", "url", req.URL, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			ans, err = nil, &PanicError{Where: "ask", Value: r}
		}
		if errors.Is(err, ErrBusy) {
			p.refundQuota(ctx, req.GuildID, req.UserID, 1)
		}
		p.metrics.ObserveStage("ask", time.Since(start))
	}()
	// The job's own deadline, cut short by Stop.
	ctx, cancel := context.WithTimeout(ctx, p.opts.JobTimeout)
	defer cancel()
	defer context.AfterFunc(p.base, cancel)()

	if req.Progress != nil {
		req.Progress("Reading " + hostOf(norm) + "…")
	}
	a, err := p.articleFor(ctx, norm, req.URL)
	if err != nil {
		return nil, err
	}
	history := p.askHistory(ctx, req, norm)
	if req.Progress != nil {
		req.Progress("Looking for the answer in " + discordtext.Thousands(a.Words) + " words…")
	}
	day := p.deps.Now().UTC().Format("2006-01-02")
	chosen, overBudget := p.choose(ctx, req.GuildID, day)
	var r *reservation
	reserved := true
	if chosen == p.deps.LLM && llm != nil {
		// An ask is bounded (the article cut to its most relevant passages,
		// at most three earlier turns, a short question): reserve that
		// bound from the budget first, like a summary.
		est := askEstimate(llm, question, history)
		r, reserved = p.reserve(ctx, req.GuildID, day, est)
		overBudget = overBudget || !reserved
		if reserved {
			// Settled on every way out; a call that failed or panicked is
			// billed its whole reservation, since what it spent is unknown.
			used := -1
			defer func() {
				if used < 0 {
					used = est
				}
				p.settle(ctx, r, req.GuildID, day, used)
			}()
			ceiling := 0
			if r != nil {
				ceiling = r.tokens
			}
			ans, err = p.askModel(ctx, llm, offline, a, question, history, ceiling)
			switch {
			case errors.Is(err, ErrBusy):
				used = 0 // refused before any call
			case ans != nil && err == nil:
				used = ans.Usage.PromptTokens + ans.Usage.CompletionTokens
			}
		}
	}
	if chosen != p.deps.LLM || llm == nil || !reserved {
		ans, err = offline.Ask(ctx, a, question, history)
		if err == nil && overBudget {
			ans.Note = NoteAskBudget
		}
	}
	if err != nil {
		return nil, fmt.Errorf("ask about %s: %w", req.URL, err)
	}
	if tokens := ans.Usage.PromptTokens + ans.Usage.CompletionTokens; tokens > 0 {
		p.metrics.LLMUsage(ans.Usage) // billed by settle
	}
	p.rememberTurn(ctx, req, norm, ans)
	if ans.URL == "" {
		ans.URL = req.URL
	}
	return ans, nil
}

// askEstimator is implemented by *summarize.LLM: the most tokens one
// answer may use, and the answer held to a ceiling.
type askEstimator interface {
	AskEstimate(question string, history []summarize.QA) int
	AskWithin(ctx context.Context, a *article.Article, question string, history []summarize.QA, ceiling int) (*summarize.Answer, error)
}

// askEstimate is what one ask may cost in LLM tokens.
func askEstimate(llm Asker, question string, history []summarize.QA) int {
	if e, ok := llm.(askEstimator); ok {
		return e.AskEstimate(question, history)
	}
	return 12000
}

// askers returns the LLM's asker (nil without one) and the offline one.
func (p *Pipeline) askers() (llm, offline Asker) {
	llm, offline = p.deps.LLMAsker, p.deps.ExtractiveAsker
	if llm == nil && p.deps.LLM != nil {
		llm, _ = p.deps.LLM.(Asker)
	}
	if offline == nil {
		offline, _ = p.deps.Extractive.(Asker)
	}
	return llm, offline
}

// askModel asks the LLM on a model slot, with the offline answer standing
// in when it fails and time is left.
func (p *Pipeline) askModel(ctx context.Context, llm, offline Asker, a *article.Article, question string, history []summarize.QA, ceiling int) (*summarize.Answer, error) {
	var ans *summarize.Answer
	err := p.callModel(ctx, func(mctx context.Context) error {
		var cerr error
		if e, ok := llm.(askEstimator); ok {
			ans, cerr = e.AskWithin(mctx, a, question, history, ceiling)
		} else {
			ans, cerr = llm.Ask(mctx, a, question, history)
		}
		return cerr
	})
	if errors.Is(err, ErrBusy) {
		return nil, err
	}
	if err == nil && ans.Note == summarize.AskFallbackNote {
		p.metrics.LLMFallback() // the LLM stood in for itself with the offline answer
	}
	if err != nil && ctx.Err() == nil && !errors.Is(err, summarize.ErrEmptyQuestion) {
		p.log.Warn("llm answer failed; using the offline answer", "url", a.URL, "err", err)
		p.metrics.LLMFallback()
		ans, err = offline.Ask(ctx, a, question, history)
		if err == nil {
			ans.Note = summarize.AskFallbackNote
		}
	}
	return ans, err
}

// storedArticle is what the store keeps of an article for questions.
type storedArticle struct {
	MadeAt  time.Time        `json:"made_at"`
	Article *article.Article `json:"article"`
}

// articleFor is the article at norm: from the store while fresh, else
// fetched (and kept for the next question).
func (p *Pipeline) articleFor(ctx context.Context, norm, rawURL string) (*article.Article, error) {
	if sa, err := p.keptArticle(ctx, norm); err != nil {
		p.log.Warn("kept article", "url", norm, "err", err)
	} else if sa != nil && p.deps.Now().Sub(sa.MadeAt) <= p.opts.CacheMaxAge && sa.Article != nil && sa.Article.Text != "" {
		return sa.Article, nil
	}
	a, err := p.read(ctx, Request{URL: rawURL})
	if err != nil {
		return nil, err
	}
	p.keepArticle(ctx, norm, a)
	return a, nil
}

// keptArticle is the article kept for norm, nil when the store keeps no
// articles or has none for norm.
func (p *Pipeline) keptArticle(ctx context.Context, norm string) (*storedArticle, error) {
	as, ok := p.deps.Store.(AskStore)
	if !ok {
		return nil, nil
	}
	data, found, err := as.CachedArticle(ctx, norm)
	if err != nil {
		return nil, fmt.Errorf("look up article: %w", err)
	}
	if !found {
		return nil, nil
	}
	sa, err := decodeArticle(data)
	if err != nil {
		return nil, err
	}
	return &sa, nil
}

// keepArticle stores an extracted article, compressed, so questions about
// it need no second fetch while it is fresh. Failures are only logged.
func (p *Pipeline) keepArticle(ctx context.Context, norm string, a *article.Article) {
	as, ok := p.deps.Store.(AskStore)
	if !ok || a == nil || a.Text == "" {
		return
	}
	data, err := encodeArticle(storedArticle{MadeAt: p.deps.Now(), Article: a})
	if err != nil {
		p.log.Warn("encode article", "url", norm, "err", err)
		return
	}
	if err := as.PutArticle(context.WithoutCancel(ctx), norm, data); err != nil {
		p.log.Warn("keep article", "url", norm, "err", err)
	}
}

func encodeArticle(sa storedArticle) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(sa); err != nil {
		return nil, fmt.Errorf("encode article: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress article: %w", err)
	}
	return buf.Bytes(), nil
}

// maxStoredArticle bounds what a stored article may inflate to.
const maxStoredArticle = 32 << 20

func decodeArticle(data []byte) (storedArticle, error) {
	var sa storedArticle
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return sa, fmt.Errorf("decompress article: %w", err)
	}
	defer zr.Close()
	if err := json.NewDecoder(io.LimitReader(zr, maxStoredArticle)).Decode(&sa); err != nil {
		return sa, fmt.Errorf("decode article: %w", err)
	}
	return sa, nil
}

// askHistory is the member's last questions about the article.
func (p *Pipeline) askHistory(ctx context.Context, req AskRequest, norm string) []summarize.QA {
	as, ok := p.deps.Store.(AskStore)
	if !ok || req.GuildID == "" || req.UserID == "" {
		return nil
	}
	turns, err := as.AskTurns(ctx, req.GuildID, req.UserID, norm, summarize.MaxHistory)
	if err != nil {
		p.log.Warn("read earlier questions", "url", norm, "err", err)
		return nil
	}
	out := make([]summarize.QA, 0, len(turns))
	for _, t := range turns {
		out = append(out, summarize.QA{Question: t.Question, Answer: t.Answer})
	}
	return out
}

// rememberTurn keeps the question and its answer for the member's next
// question about the article.
func (p *Pipeline) rememberTurn(ctx context.Context, req AskRequest, norm string, ans *summarize.Answer) {
	as, ok := p.deps.Store.(AskStore)
	if !ok || req.GuildID == "" || req.UserID == "" {
		return
	}
	err := as.AddAskTurn(context.WithoutCancel(ctx), store.AskTurn{
		GuildID: req.GuildID, UserID: req.UserID, NormURL: norm,
		Question: ans.Question, Answer: ans.Answer,
	})
	if err != nil {
		p.log.Warn("remember question", "url", norm, "err", err)
	}
}

// tracker counts running questions so Stop can wait for them.
type tracker struct {
	mu      sync.Mutex
	wg      sync.WaitGroup
	stopped bool
}

func (t *tracker) start() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return false
	}
	t.wg.Add(1)
	return true
}

func (t *tracker) done() { t.wg.Done() }

// stop refuses new work and waits for the running.
func (t *tracker) stop() {
	t.mu.Lock()
	t.stopped = true
	t.mu.Unlock()
	t.wg.Wait()
}
