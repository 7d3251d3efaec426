package compare

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/summarize"
)

// Model is the language model a comparison asks; *summarize.LLM
// implements it.
type Model interface {
	Model() string
	Limits() summarize.Limits
	ChatJSON(ctx context.Context, system, user string, format summarize.JSONFormat, parse func(content string) error) (summarize.Usage, error)
}

// Options shape comparisons; zero values take the defaults.
type Options struct {
	// Language is the language points and notes are written in; "" means
	// the articles' own.
	Language string
	// Facts, when set, are the admin's facts about outlets (OUTLET_FACTS_FILE),
	// shown with each compared outlet as given, with their source.
	Facts *FactBook
}

// UserError is a refusal with its own sentence for the person who asked;
// pipeline.Explain shows it as is.
type UserError struct{ Msg string }

func (e *UserError) Error() string { return "compare: " + e.Msg }

// UserMessage is the sentence for the person who asked.
func (e *UserError) UserMessage() string { return e.Msg }

// ErrCount means a comparison was asked of fewer than two or more than
// five articles.
var ErrCount error = &UserError{fmt.Sprintf("Compare %d to %d articles.", MinArticles, MaxArticles)}

// ErrSameArticle means two of the articles are the same page.
var ErrSameArticle error = &UserError{"Two of those links are the same article."}

// NoteUnchecked is the note of an offline comparison made because nothing
// the model wrote could be checked against the articles.
const NoteUnchecked = "None of the AI model's points could be checked against the articles, so this is an offline comparison."

// NoteCut says long articles were cut to their relevant passages.
const NoteCut = "Long articles were cut to their passages most relevant to the others."

// Comparer makes checked comparisons. It is safe for concurrent use.
type Comparer struct {
	model   Model
	opts    Options
	log     *slog.Logger
	offline *summarize.Extractive
}

// New returns a Comparer that asks model, or makes offline comparisons
// when model is nil. logger may be nil.
func New(model Model, opts Options, logger *slog.Logger) *Comparer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Comparer{model: model, opts: opts, log: logger.With("component", "compare"), offline: summarize.NewExtractive()}
}

// Model names what writes the comparisons: the model, or ExtractiveModel.
func (c *Comparer) Model() string {
	if c.model == nil {
		return ExtractiveModel
	}
	return c.model.Model()
}

// HasModel reports whether comparisons ask a model.
func (c *Comparer) HasModel() bool { return c.model != nil }

// validate checks the articles' number and that no page comes twice.
func validate(arts []*article.Article) error {
	if len(arts) < MinArticles || len(arts) > MaxArticles {
		return ErrCount
	}
	seen := map[string]bool{}
	for _, a := range arts {
		if a == nil {
			return errors.New("compare: nil article")
		}
		key := a.URL
		if n, err := article.NormalizeURL(a.URL); err == nil && n != "" {
			key = n
		}
		if key == "" {
			key = "text:" + a.Text
		}
		if seen[key] {
			return ErrSameArticle
		}
		seen[key] = true
	}
	return nil
}

// Compare compares the articles, in the order given (the first is the one
// a reader asked about). Without a model it returns the offline comparison
// (Note = NoteOffline); when the model fails, or nothing it wrote survives
// the checks, the offline comparison with NoteLLMFallback or NoteUnchecked
// rather than an error. It returns an error for fewer than two or more
// than five articles, the same page twice, or when ctx is done.
func (c *Comparer) Compare(ctx context.Context, arts []*article.Article) (*Comparison, error) {
	out, err := c.compare(ctx, arts)
	if err == nil {
		c.opts.Facts.attach(out)
	}
	return out, err
}

func (c *Comparer) compare(ctx context.Context, arts []*article.Article) (*Comparison, error) {
	if err := validate(arts); err != nil {
		return nil, err
	}
	srcs := newSources(arts)
	if c.model == nil {
		return c.offlineOf(ctx, srcs, NoteOffline), nil
	}
	lim := c.model.Limits()
	if lim.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lim.Deadline)
		defer cancel()
	}
	cmp, err := c.withModel(ctx, srcs)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("compare: %w", ctx.Err())
		}
		c.log.WarnContext(ctx, "model failed, using the offline comparison", "articles", len(arts), "err", err)
		fb := c.offlineOf(ctx, srcs, NoteLLMFallback)
		fb.Usage = cmp.Usage
		return fb, nil
	}
	if len(cmp.Common)+len(cmp.Differences)+len(cmp.Framing) == 0 {
		c.log.WarnContext(ctx, "nothing the model wrote could be checked, using the offline comparison", "articles", len(arts))
		fb := c.offlineOf(ctx, srcs, NoteUnchecked)
		fb.Usage = cmp.Usage
		return fb, nil
	}
	return cmp, nil
}

// Offline compares the articles without a model, whatever the Comparer
// has: for a server past its token budget. note is shown with it.
func (c *Comparer) Offline(ctx context.Context, arts []*article.Article, note string) (*Comparison, error) {
	if err := validate(arts); err != nil {
		return nil, err
	}
	return c.offlineOf(ctx, newSources(arts), note), nil
}

// budget is how many tokens of each article fit in the one call.
func (c *Comparer) budget(n int) int {
	lim := c.model.Limits()
	free := lim.ContextTokens - lim.MaxTokens - summarize.EstimateTokens(systemPrompt(c.opts.Language)) - summarize.PromptSlack - 100
	return max(free/max(n, 1), 300)
}

// Estimate is the most tokens a comparison of arts may cost with the
// model: the prompt and a full completion, twice (a retry of an unusable
// answer). Zero without a model.
func (c *Comparer) Estimate(arts []*article.Article) int {
	if c.model == nil || len(arts) == 0 {
		return 0
	}
	srcs := newSources(arts)
	prompt, _ := userPrompt(srcs, c.budget(len(srcs)))
	call := summarize.EstimateTokens(systemPrompt(c.opts.Language)) + summarize.EstimateTokens(prompt) + summarize.PromptSlack + c.model.Limits().MaxTokens
	return 2 * call
}

// withModel asks the model once for all the articles and checks the
// answer. On error the returned Comparison carries the usage spent.
func (c *Comparer) withModel(ctx context.Context, srcs []*source) (*Comparison, error) {
	out := c.base(srcs)
	out.Model = c.model.Model()
	prompt, cut := userPrompt(srcs, c.budget(len(srcs)))
	if cut {
		out.Note = NoteCut
	}
	var a *answer
	usage, err := c.model.ChatJSON(ctx, systemPrompt(c.opts.Language), prompt, format, func(content string) (err error) {
		a, err = parseAnswer(content)
		return err
	})
	out.Usage = usage
	if err != nil {
		return out, err
	}
	ch := &checker{srcs: srcs, related: c.opts.Language == "" || sameLanguage(c.opts.Language, srcs)}
	ch.check(a, out)
	if r := ch.rep; len(r.FabricatedQuotes)+len(r.MovedQuotes)+len(r.AmbiguousQuotes)+len(r.Unbacked)+len(r.UnknownOutlets)+len(r.UnverifiedNumbers)+len(r.Ratings) > 0 {
		c.log.InfoContext(ctx, "checks changed the comparison", "fabricated_quotes", len(r.FabricatedQuotes),
			"moved_quotes", len(r.MovedQuotes), "ambiguous_quotes", len(r.AmbiguousQuotes), "unbacked", len(r.Unbacked),
			"unknown_outlets", len(r.UnknownOutlets), "unverified_numbers", len(r.UnverifiedNumbers), "ratings", len(r.Ratings))
	}
	return out, nil
}

// sameLanguage reports whether every article is in lang (or says nothing
// of its language).
func sameLanguage(lang string, srcs []*source) bool {
	base := func(s string) string {
		if i := strings.IndexAny(s, "-_"); i >= 0 {
			s = s[:i]
		}
		return strings.ToLower(s)
	}
	for _, s := range srcs {
		if s.art.Language != "" && base(s.art.Language) != base(lang) {
			return false
		}
	}
	return true
}

// base is a comparison's article list, empty sections and no note.
func (c *Comparer) base(srcs []*source) *Comparison {
	out := &Comparison{Common: []Point{}, Differences: []Difference{}, Framing: []Framing{}, Quotes: []Quote{}}
	for _, s := range srcs {
		out.Articles = append(out.Articles, Article{URL: s.url, Title: oneLine(s.art.Title), Site: s.name})
	}
	return out
}
