package recap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/precisbot/precis/summarize"
)

// Model is the language model a recap asks; *summarize.LLM implements it.
type Model interface {
	Model() string
	Limits() summarize.Limits
	ChatJSON(ctx context.Context, system, user string, format summarize.JSONFormat, parse func(content string) error) (summarize.Usage, error)
}

// Options shape recaps; zero values take the defaults.
type Options struct {
	// MaxMessages is how many of the latest members' messages a recap
	// reads (DefaultMaxMessages).
	MaxMessages int
	// MaxParts bounds the model calls one recap makes for the parts of a
	// long discussion, so its cost is bounded (DefaultMaxParts); older
	// messages that do not fit are left out, and the note says so.
	MaxParts int
	// MaxQuotes bounds the checked quotes kept (DefaultMaxQuotes).
	MaxQuotes int
	// Language is the recap's language; "" means the discussion's own.
	Language string
}

func (o Options) withDefaults() Options {
	if o.MaxMessages <= 0 {
		o.MaxMessages = DefaultMaxMessages
	}
	if o.MaxParts <= 0 {
		o.MaxParts = DefaultMaxParts
	}
	if o.MaxQuotes <= 0 {
		o.MaxQuotes = DefaultMaxQuotes
	}
	return o
}

// ErrNoMessages means the conversation has no member messages to recap
// (only bots, system messages or nothing).
var ErrNoMessages = errors.New("no messages from members to recap")

// Recapper makes checked recaps. It is safe for concurrent use.
type Recapper struct {
	model Model
	opts  Options
	log   *slog.Logger
}

// New returns a Recapper that asks model, or makes offline recaps when
// model is nil. logger may be nil.
func New(model Model, opts Options, logger *slog.Logger) *Recapper {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Recapper{model: model, opts: opts.withDefaults(), log: logger.With("component", "recap")}
}

// Model names what writes the recaps: the model, or ExtractiveModel.
func (r *Recapper) Model() string {
	if r.model == nil {
		return ExtractiveModel
	}
	return r.model.Model()
}

// Recap recaps c. Without a model it returns the offline recap (Note =
// NoteOffline); when the model fails it returns the offline recap with
// NoteLLMFallback rather than an error. It returns an error only when
// there is nothing to recap (ErrNoMessages) or ctx is done.
func (r *Recapper) Recap(ctx context.Context, c *Conversation) (*Recap, error) {
	sel := selectMessages(c, r.opts.MaxMessages)
	if len(sel.msgs) == 0 {
		return nil, ErrNoMessages
	}
	if r.model == nil {
		rc := r.offline(c, sel)
		rc.Note = joinNotes(NoteOffline, rc.Note)
		return rc, nil
	}
	lim := r.model.Limits()
	if lim.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lim.Deadline)
		defer cancel()
	}
	rc, err := r.withModel(ctx, c, sel)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("recap %s: %w", c.ChannelID, ctx.Err())
		}
		r.log.WarnContext(ctx, "model failed, using the offline recap", "channel_id", c.ChannelID, "err", err)
		fb := r.offline(c, sel)
		fb.Note = joinNotes(NoteLLMFallback, fb.Note)
		fb.Usage = rc.Usage
		return fb, nil
	}
	return rc, nil
}

// Offline recaps c without a model, whatever the Recapper has: for a
// server past its token budget. note is shown with it.
func (r *Recapper) Offline(c *Conversation, note string) (*Recap, error) {
	sel := selectMessages(c, r.opts.MaxMessages)
	if len(sel.msgs) == 0 {
		return nil, ErrNoMessages
	}
	rc := r.offline(c, sel)
	rc.Note = joinNotes(note, rc.Note)
	return rc, nil
}

// Estimate is the most tokens a recap of c may cost with the model: every
// prompt plus a full completion per call. Zero without a model.
func (r *Recapper) Estimate(c *Conversation) int {
	if r.model == nil {
		return 0
	}
	sel := selectMessages(c, r.opts.MaxMessages)
	parts, _ := r.split(sel)
	lim := r.model.Limits()
	sys := summarize.EstimateTokens(systemPrompt(r.opts.Language)) + summarize.PromptSlack
	total := 0
	for _, p := range parts {
		total += sys + summarize.EstimateTokens(strings.Join(p.lines, "\n")) + lim.MaxTokens
	}
	if len(parts) > 1 {
		// The merge call reads the parts' answers: at most a completion
		// each.
		total += sys + len(parts)*lim.MaxTokens + lim.MaxTokens
	}
	return total
}

// part is one model call's share of a long discussion.
type part struct {
	lines []string
	msgs  []Message
}

// budget is how many tokens of messages fit in one call.
func (r *Recapper) budget() int {
	lim := r.model.Limits()
	return lim.ContextTokens - lim.MaxTokens - summarize.EstimateTokens(systemPrompt(r.opts.Language)) - summarize.PromptSlack
}

// split cuts the selection into parts that each fit one call, keeping the
// latest messages that fit in MaxParts parts. It returns how many older
// messages were left out.
func (r *Recapper) split(sel *selection) ([]part, int) {
	budget := max(r.budget(), 200)
	lines := messageLines(sel.msgs, 0, sel.byID, labels(sel.msgs))
	// Walk back from the newest message, opening a new part when one is
	// full, until MaxParts are full.
	var parts []part
	cur := part{}
	used := 0
	left := 0
	for i := len(lines) - 1; i >= 0; i-- {
		t := summarize.EstimateTokens(lines[i]) + 1
		if used+t > budget && len(cur.lines) > 0 {
			parts = append(parts, cur)
			cur, used = part{}, 0
			if len(parts) == r.opts.MaxParts {
				left = i + 1
				break
			}
		}
		if t > budget {
			// One message longer than a whole call: cut its line (half
			// the budget in characters fits any script).
			lines[i] = string([]rune(lines[i])[:budget/2])
			t = summarize.EstimateTokens(lines[i]) + 1
		}
		cur.lines = append(cur.lines, lines[i])
		cur.msgs = append(cur.msgs, sel.msgs[i])
		used += t
	}
	if len(cur.lines) > 0 {
		parts = append(parts, cur)
	}
	// Parts were filled newest first; put everything back in time order.
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	for _, p := range parts {
		for i, j := 0, len(p.lines)-1; i < j; i, j = i+1, j-1 {
			p.lines[i], p.lines[j] = p.lines[j], p.lines[i]
			p.msgs[i], p.msgs[j] = p.msgs[j], p.msgs[i]
		}
	}
	return parts, left
}

// withModel asks the model, in parts when the discussion is long, and
// checks the answer. On error the returned Recap carries the usage spent.
func (r *Recapper) withModel(ctx context.Context, c *Conversation, sel *selection) (*Recap, error) {
	parts, left := r.split(sel)
	if left > 0 {
		var kept []Message
		for _, p := range parts {
			kept = append(kept, p.msgs...)
		}
		sel.dropped += left
		sel.setMessages(kept)
	}
	rc := sel.base(c)
	rc.Model = r.model.Model()
	rc.Note = cutNote(sel.dropped)
	system := systemPrompt(r.opts.Language)

	var usage summarize.Usage
	add := func(u summarize.Usage) {
		usage.PromptTokens += u.PromptTokens
		usage.CompletionTokens += u.CompletionTokens
		usage.Calls += u.Calls
	}
	ask := func(ctx context.Context, user string) (*answer, summarize.Usage, error) {
		var a *answer
		u, err := r.model.ChatJSON(ctx, system, user, format, func(content string) (err error) {
			a, err = parseAnswer(content)
			return err
		})
		return a, u, err
	}

	var final *answer
	var extra []rawQuote
	if len(parts) == 1 {
		a, u, err := ask(ctx, userPrompt(c, parts[0].lines, 1, 1))
		add(u)
		if err != nil {
			rc.Usage = usage
			return rc, err
		}
		final = a
	} else {
		r.log.InfoContext(ctx, "long discussion, recapping in parts", "channel_id", c.ChannelID, "parts", len(parts), "messages", len(sel.msgs))
		partials := make([]*answer, len(parts))
		usages := make([]summarize.Usage, len(parts))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(3)
		for i, p := range parts {
			g.Go(func() error {
				a, u, err := ask(gctx, userPrompt(c, p.lines, i+1, len(parts)))
				usages[i] = u
				if err != nil {
					return fmt.Errorf("part %d of %d: %w", i+1, len(parts), err)
				}
				partials[i] = a
				return nil
			})
		}
		err := g.Wait()
		for _, u := range usages {
			add(u)
		}
		if err != nil {
			rc.Usage = usage
			return rc, err
		}
		a, u, err := ask(ctx, reducePrompt(c, partials))
		add(u)
		if err != nil {
			rc.Usage = usage
			return rc, err
		}
		final = a
		for _, p := range partials {
			extra = append(extra, p.quotes...)
		}
	}
	rc.Usage = usage

	var rep Report
	rc.Summary = cleanModelText(final.summary)
	rc.Points = cleanList(final.points, 8)
	rc.OpenQuestions = cleanList(final.questions, 5)
	rc.Quotes = checkQuotes(final.quotes, sel, c.GuildID, c.ChannelID, r.opts.MaxQuotes, &rep)
	if len(rc.Quotes) < 2 && len(extra) > 0 {
		// The merge kept too few real quotes: top up from the parts'.
		rc.Quotes = checkQuotes(append(append([]rawQuote{}, final.quotes...), extra...), sel, c.GuildID, c.ChannelID, r.opts.MaxQuotes, &Report{})
	}
	if len(rep.Fabricated)+len(rep.Reattributed)+len(rep.Ambiguous) > 0 {
		r.log.InfoContext(ctx, "checks changed the recap", "channel_id", c.ChannelID,
			"fabricated", len(rep.Fabricated), "reattributed", len(rep.Reattributed), "ambiguous", len(rep.Ambiguous))
	}
	if rc.Summary == "" {
		rc.Summary = fmt.Sprintf("%d messages from %d members.", rc.Messages, rc.Participants)
	}
	return rc, nil
}

// cutNote says how many older messages a recap left out.
func cutNote(dropped int) string {
	switch {
	case dropped == 1:
		return "1 older message was left out; this recaps the latest ones."
	case dropped > 1:
		return fmt.Sprintf("%d older messages were left out; this recaps the latest ones.", dropped)
	}
	return ""
}

func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, " ")
}
