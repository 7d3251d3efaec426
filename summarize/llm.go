package summarize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"

	"github.com/precisbot/precis/article"
)

// Defaults for Config's zero values. The settings an operator chooses
// (base URL, model, token limits) have their defaults in config and are
// required here.
const (
	DefaultMaxRetries = 3
)

// maxBadAnswerRetries is how often an unusable answer (malformed JSON,
// missing fields, cut short) is retried before falling back.
const maxBadAnswerRetries = 1

// maxVerifiedQuotes bounds how many verified quotes one summary keeps.
const maxVerifiedQuotes = 25

// FallbackNote is Summary.Note when the LLM failed and the extractive
// summarizer stood in.
const FallbackNote = "The AI summarizer was unavailable; this is an extractive summary."

// Config configures the LLM summarizer. BaseURL, Model, Timeout, MaxTokens
// and ContextTokens are required (their defaults are config's); Deadline
// defaults to three Timeouts and MaxRetries to DefaultMaxRetries.
type Config struct {
	BaseURL string // OpenAI-compatible API base, e.g. "https://api.openai.com/v1"
	APIKey  string // empty: New returns the extractive summarizer
	Model   string
	// Timeout bounds one HTTP call to the LLM; Deadline bounds the whole
	// summary including retries, chunks and the number fix-up call.
	Timeout  time.Duration
	Deadline time.Duration
	// MaxTokens caps each completion; ContextTokens is the model's input
	// budget (context window), used to decide when to chunk.
	MaxTokens     int
	ContextTokens int
	// MaxRetries is how many times a failed call (429, 5xx, timeout, bad
	// output) is retried; 0 means DefaultMaxRetries, negative means none.
	MaxRetries int
	// HTTPClient is used for LLM calls; nil means a plain client.
	HTTPClient *http.Client
	// Language is the default output language (ISO 639-1) when
	// Options.Language is empty; empty means the article's language.
	Language string
	Logger   *slog.Logger

	// For tests: Sleep waits between retries (default: a timer honouring
	// ctx), Jitter returns a value in [0,1) (default math/rand/v2), Now is
	// the clock used for Retry-After dates and deadline checks, RetryBase
	// and RetryMax shape the exponential backoff (default 1s and 30s).
	Sleep     func(ctx context.Context, d time.Duration) error
	Jitter    func() float64
	Now       func() time.Time
	RetryBase time.Duration
	RetryMax  time.Duration
}

func (c Config) withDefaults() Config {
	if c.Deadline <= 0 {
		c.Deadline = 3 * c.Timeout // retries, chunks and a fix-up
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	if c.Jitter == nil {
		c.Jitter = rand.Float64
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.RetryBase <= 0 {
		c.RetryBase = time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 30 * time.Second
	}
	return c
}

// response_format levels, tried in order; a server that rejects one is
// asked with the next from then on.
const (
	formatSchema int32 = iota
	formatObject
	formatPlain
)

// LLM summarizes with a chat-completions model and verifies the answer
// against the article. It is safe for concurrent use.
type LLM struct {
	cfg      Config
	client   *openai.Client
	fallback *Extractive
	log      *slog.Logger
	format   atomic.Int32
	// completionTokens: send max_completion_tokens (OpenAI's current name,
	// required by its reasoning models) rather than max_tokens (what local
	// servers such as Ollama and llama.cpp read). Starts from the host and
	// flips once if the server rejects the one sent.
	completionTokens atomic.Bool
	tokensFlipped    atomic.Bool
}

// NewLLM returns an LLM summarizer for any OpenAI-compatible server.
func NewLLM(cfg Config) (*LLM, error) {
	cfg = cfg.withDefaults()
	switch {
	case cfg.APIKey == "":
		return nil, errors.New("summarize: LLM summarizer needs an API key")
	case cfg.BaseURL == "" || cfg.Model == "":
		return nil, errors.New("summarize: LLM summarizer needs a base URL and a model")
	case cfg.Timeout <= 0:
		return nil, errors.New("summarize: LLM summarizer needs a positive Timeout (LLM_TIMEOUT)")
	case cfg.MaxTokens <= 0 || cfg.ContextTokens <= cfg.MaxTokens:
		return nil, fmt.Errorf("summarize: MaxTokens (%d) must be positive and below ContextTokens (%d)", cfg.MaxTokens, cfg.ContextTokens)
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	var doer openai.HTTPDoer = http.DefaultClient
	if cfg.HTTPClient != nil {
		doer = cfg.HTTPClient
	}
	oc.HTTPClient = noteDoer{inner: doer, now: cfg.Now}
	l := &LLM{
		cfg:      cfg,
		client:   openai.NewClientWithConfig(oc),
		fallback: NewExtractive(),
		log:      cfg.Logger.With("component", "summarize", "model", cfg.Model),
	}
	l.completionTokens.Store(isOpenAIHost(oc.BaseURL))
	return l, nil
}

// Model is the configured model name.
func (l *LLM) Model() string { return l.cfg.Model }

// New returns the summarizer the configuration asks for: the LLM summarizer
// when cfg.APIKey is set, otherwise the offline extractive summarizer.
func New(cfg Config) (Summarizer, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return NewExtractive(), nil
	}
	return NewLLM(cfg)
}

// ErrEmptyArticle is returned for an article without text.
var ErrEmptyArticle = errors.New("article has no text")

// usageMeter sums usage over concurrent calls.
type usageMeter struct {
	mu sync.Mutex
	u  Usage
	// ceiling, when positive, is the most tokens the summary may use in
	// all (Options.TokenCeiling): a call that could pass it is not made.
	ceiling int
}

// allow reports whether a call of up to tokens more fits under the ceiling.
func (m *usageMeter) allow(tokens int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ceiling <= 0 || m.u.PromptTokens+m.u.CompletionTokens+tokens <= m.ceiling
}

func (m *usageMeter) add(u openai.Usage) {
	m.mu.Lock()
	m.u.PromptTokens += u.PromptTokens
	m.u.CompletionTokens += u.CompletionTokens
	m.u.Calls++
	m.mu.Unlock()
}

func (m *usageMeter) get() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.u
}

// Summarize implements Summarizer. When the LLM cannot produce a summary
// (after retries, or past the deadline) it returns the extractive summary
// with Note = FallbackNote rather than an error; it returns an error only
// for an empty article or when ctx itself is done.
func (l *LLM) Summarize(ctx context.Context, a *article.Article, opts Options) (*Summary, error) {
	if a == nil || strings.TrimSpace(a.Text) == "" {
		return nil, ErrEmptyArticle
	}
	opts.Length = normLength(opts.Length)
	lang := opts.Language
	if lang == "" {
		lang = l.cfg.Language
	}
	runCtx, cancel := context.WithTimeout(ctx, l.cfg.Deadline)
	defer cancel()

	meter := usageMeter{ceiling: opts.TokenCeiling}
	a = capArticle(a)
	s, err := l.run(runCtx, a, opts.Length, lang, &meter)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("summarize %s: %w", a.URL, ctx.Err())
		}
		l.log.WarnContext(ctx, "llm failed, using extractive summary", "url", a.URL, "err", err)
		fb, ferr := l.fallback.Summarize(ctx, a, opts)
		if ferr != nil {
			return nil, fmt.Errorf("summarize %s: %w (fallback: %v)", a.URL, err, ferr)
		}
		fb.Note = FallbackNote
		fb.Usage = meter.get()
		return fb, nil
	}

	removeModelURLs(s)
	if s.Summary == "" {
		s.Summary = strings.Join(leadSentences(a.Text, 1), " ")
	}
	rep := Verify(s, a)
	if !rep.Clean() {
		l.log.InfoContext(ctx, "verification changed the summary", "url", a.URL,
			"dropped_quotes", len(rep.DroppedQuotes), "dropped_speakers", len(rep.DroppedSpeakers),
			"unverified_numbers", rep.UnverifiedNumbers, "headline_replaced", rep.HeadlineReplaced)
	}
	spec := specFor(opts.Length)
	if len(s.KeyPoints) > spec.maxPoints {
		s.KeyPoints = s.KeyPoints[:spec.maxPoints]
	}
	// Every verified quote is kept: the prompt asks for a few, and a model
	// that finds more real ones is not second-guessed. The cap only bounds
	// a runaway answer.
	if len(s.Quotes) > maxVerifiedQuotes {
		s.Quotes = s.Quotes[:maxVerifiedQuotes]
	}
	fillMeta(s, a)
	if s.Language == "" {
		s.Language = lang
	}
	if s.Language == "" {
		s.Language = a.Language
	}
	s.Model = l.cfg.Model
	s.Usage = meter.get()
	return s, nil
}

// fillMeta sets the fields Precis owns and makes lists non-nil, so the JSON
// has [] rather than null.
func fillMeta(s *Summary, a *article.Article) {
	s.URL, s.Title, s.Site, s.Byline = a.URL, a.Title, a.Site, a.Byline
	s.Words = a.Words
	if s.Words == 0 {
		s.Words = article.CountWords(a.Text)
	}
	if s.KeyPoints == nil {
		s.KeyPoints = []string{}
	}
	if s.Quotes == nil {
		s.Quotes = []Quote{}
	}
	if s.Perspectives == nil {
		s.Perspectives = []Perspective{}
	}
}

// promptSlack covers the per-request wrapping around the article (markers,
// header, reminder, message framing) in the token budget.
const promptSlack = 300

// articleBudget is how many article tokens fit in one call.
func (l *LLM) articleBudget(system string) int {
	return l.cfg.ContextTokens - EstimateTokens(system) - l.cfg.MaxTokens - promptSlack
}

func (l *LLM) run(ctx context.Context, a *article.Article, length, lang string, meter *usageMeter) (*Summary, error) {
	system := systemPrompt(length, lang)
	budget := l.articleBudget(system)
	if budget < 200 {
		return nil, fmt.Errorf("context budget too small: %d tokens for the article (context %d, completion %d)",
			budget, l.cfg.ContextTokens, l.cfg.MaxTokens)
	}
	if EstimateTokens(a.Text)+EstimateTokens(articleHeader(a)) <= budget {
		return l.summarizeWithFix(ctx, system, userPrompt(a), a, meter)
	}

	// Map: summarise each chunk; reduce: merge the partial summaries.
	chunks := chunkText(a.Text, budget-EstimateTokens(articleHeader(a)))
	l.log.InfoContext(ctx, "long article, summarising in chunks", "url", a.URL, "chunks", len(chunks))
	partials := make([]*Summary, len(chunks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(3)
	for i, c := range chunks {
		g.Go(func() error {
			_, s, err := l.chat(gctx, []openai.ChatCompletionMessage{
				{Role: openai.ChatMessageRoleSystem, Content: system},
				{Role: openai.ChatMessageRoleUser, Content: chunkPrompt(a, i+1, len(chunks), c)},
			}, meter)
			if err != nil {
				return fmt.Errorf("chunk %d of %d: %w", i+1, len(chunks), err)
			}
			partials[i] = s
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// Merge in groups until one reduce call can take them all.
	for EstimateTokens(reducePrompt(a, partials)) > budget && len(partials) > 2 {
		var merged []*Summary
		for start := 0; start < len(partials); {
			end := start + 1
			for end < len(partials) && EstimateTokens(reducePrompt(a, partials[start:end+1])) <= budget {
				end++
			}
			if end-start == 1 {
				end = min(start+2, len(partials))
			}
			if end-start == 1 {
				merged = append(merged, partials[start])
				start = end
				continue
			}
			_, s, err := l.chat(ctx, []openai.ChatCompletionMessage{
				{Role: openai.ChatMessageRoleSystem, Content: system},
				{Role: openai.ChatMessageRoleUser, Content: reducePrompt(a, partials[start:end])},
			}, meter)
			if err != nil {
				return nil, fmt.Errorf("merge parts %d-%d: %w", start+1, end, err)
			}
			merged = append(merged, s)
			start = end
		}
		partials = merged
	}
	return l.summarizeWithFix(ctx, system, reducePrompt(a, partials), a, meter)
}

// summarizeWithFix makes the final call and, when its answer has figures
// that are not in the article, one follow-up call asking to fix them. If the
// follow-up fails, the first answer stands (Verify drops what is wrong).
func (l *LLM) summarizeWithFix(ctx context.Context, system, user string, a *article.Article, meter *usageMeter) (*Summary, error) {
	msgs := []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: system},
		{Role: openai.ChatMessageRoleUser, Content: user},
	}
	content, s, err := l.chat(ctx, msgs, meter)
	if err != nil {
		return nil, err
	}
	bad := summaryNumbers(s, articleNumbers(a.Text))
	if len(bad) == 0 {
		return s, nil
	}
	l.log.InfoContext(ctx, "figures not in the article, asking once to fix", "url", a.URL, "numbers", bad)
	msgs = append(msgs,
		openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: content},
		openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: fixNumbersPrompt(bad)},
	)
	_, fixed, err := l.chat(ctx, msgs, meter)
	if err != nil {
		l.log.WarnContext(ctx, "number fix-up call failed; dropping the figures instead", "url", a.URL, "err", err)
		return s, nil
	}
	return fixed, nil
}

// summaryNumbers lists the unverified figures in the fields that are checked.
func summaryNumbers(s *Summary, nums numberSet) []string {
	bad := unverifiedIn(s.Headline, nums)
	bad = append(bad, unverifiedIn(s.Summary, nums)...)
	for _, k := range s.KeyPoints {
		bad = append(bad, unverifiedIn(k, nums)...)
	}
	for _, p := range s.Perspectives {
		bad = append(bad, unverifiedIn(p.Position, nums)...)
	}
	seen := map[string]bool{}
	out := bad[:0]
	for _, b := range bad {
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}

func responseFormat(level int32, format outputFormat) *openai.ChatCompletionResponseFormat {
	switch level {
	case formatSchema:
		return &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:   format.name,
				Schema: format.schema,
				Strict: true,
			},
		}
	case formatObject:
		return &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	default:
		return nil
	}
}

// chat makes one logical call for a summary (see call) and parses the
// answer tolerantly. It returns the raw content and the parsed summary.
func (l *LLM) chat(ctx context.Context, msgs []openai.ChatCompletionMessage, meter *usageMeter) (string, *Summary, error) {
	var s *Summary
	content, err := l.call(ctx, msgs, meter, summaryFormat, func(content string) (err error) {
		s, err = parseOutput(content)
		return err
	})
	return content, s, err
}

// outputFormat names and describes the JSON a call asks for.
type outputFormat struct {
	name   string
	schema json.RawMessage
}

var summaryFormat = outputFormat{name: "precis_summary", schema: summarySchema}

// call makes one logical call for output in format, parsed by parse (an
// error wrapping errBadOutput means the answer was unusable): it downgrades
// the response format when the server rejects it, retries what may succeed
// later with backoff (at least Retry-After), and returns the raw content.
func (l *LLM) call(ctx context.Context, msgs []openai.ChatCompletionMessage, meter *usageMeter, format outputFormat, parse func(string) error) (string, error) {
	retries, badAnswers := 0, 0
	for {
		if need := estimateMessages(msgs) + l.cfg.MaxTokens; !meter.allow(need) {
			return "", fmt.Errorf("%w (the next call may use %d more)", ErrTokenCeiling, need)
		}
		level := l.format.Load()
		req := openai.ChatCompletionRequest{
			Model:          l.cfg.Model,
			Messages:       msgs,
			ResponseFormat: responseFormat(level, format),
		}
		useCompletion := l.completionTokens.Load()
		if useCompletion {
			req.MaxCompletionTokens = l.cfg.MaxTokens
		} else {
			//lint:ignore SA1019 deprecated by OpenAI, but it is what Ollama, llama.cpp and older servers read
			req.MaxTokens = l.cfg.MaxTokens
		}
		note := &retryNote{}
		callCtx, cancel := context.WithTimeout(context.WithValue(ctx, retryNoteKey{}, note), l.cfg.Timeout)
		resp, err := l.client.CreateChatCompletion(callCtx, req)
		cancel()
		if notJSON(err) {
			// A 200 whose body is not JSON at all (an HTML error page, a
			// proxy's login form) is an unusable answer, not a server fault.
			err = fmt.Errorf("%w: %w", errBadOutput, err)
		}
		if err == nil {
			meter.add(resp.Usage)
			var content string
			content, err = answerContent(resp)
			if err == nil {
				if err = parse(content); err == nil {
					return content, nil
				}
			}
		}
		if tokenParamRejected(err, useCompletion) && !l.tokensFlipped.Swap(true) {
			l.completionTokens.Store(!useCompletion)
			l.log.InfoContext(ctx, "server rejected the token limit parameter, switching", "max_completion_tokens", !useCompletion, "err", err)
			continue
		}
		if formatRejected(err) && level < formatPlain {
			if l.format.CompareAndSwap(level, level+1) {
				l.log.InfoContext(ctx, "server rejected response_format, downgrading", "from", level, "err", err)
			}
			continue
		}
		if retries >= l.cfg.MaxRetries || !retryable(ctx, err) {
			return "", fmt.Errorf("chat completion (%d retries): %w", retries, err)
		}
		// A model that answered badly once will likely do so again: one
		// more try, then the caller falls back. Server faults (429, 5xx,
		// timeouts) get every retry.
		if errors.Is(err, errBadOutput) {
			if badAnswers++; badAnswers > maxBadAnswerRetries {
				return "", fmt.Errorf("chat completion (%d bad answers): %w", badAnswers, err)
			}
		}
		retries++
		wait := backoff(retries, l.cfg.RetryBase, l.cfg.RetryMax, l.cfg.Jitter(), note.get())
		if dl, ok := ctx.Deadline(); ok && l.cfg.Now().Add(wait).After(dl) {
			return "", fmt.Errorf("chat completion: retry in %s would pass the deadline: %w", wait, err)
		}
		l.log.InfoContext(ctx, "llm call failed, retrying", "retry", retries, "wait", wait, "err", err)
		if serr := l.cfg.Sleep(ctx, wait); serr != nil {
			return "", fmt.Errorf("chat completion: %w (waiting to retry: %v)", err, serr)
		}
	}
}

func answerContent(resp openai.ChatCompletionResponse) (string, error) {
	if len(resp.Choices) == 0 {
		return "", fmt.Errorf("%w: no choices", errBadOutput)
	}
	c := resp.Choices[0]
	if c.Message.Refusal != "" && c.Message.Content == "" {
		return "", fmt.Errorf("%w: refused: %s", errBadOutput, c.Message.Refusal)
	}
	if c.FinishReason == openai.FinishReasonLength {
		// The JSON may be cut; tolerant parsing may still find an object, but
		// a cut answer is not to be trusted.
		if _, err := outermostObject(c.Message.Content); err != nil {
			return "", fmt.Errorf("%w: answer cut at max tokens", errBadOutput)
		}
	}
	return c.Message.Content, nil
}

// notJSON reports whether err is a failure to decode the response body.
func notJSON(err error) bool {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syn) || errors.As(err, &typ)
}
