package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/summarize"
)

// Sources say what triggered a request, for metrics and logs.
const (
	SourceCommand  = "command"  // /summarize
	SourceContext  = "context"  // the "Summarize links" context menu
	SourceAuto     = "auto"     // a link pasted in an auto-mode channel
	SourceReaction = "reaction" // 📰 in a reaction-mode channel
	SourceDigest   = "digest"   // a digest entry without a cached summary
	SourceCLI      = "cli"      // precis summarize
)

// Request asks for the summary of one link.
type Request struct {
	URL                        string
	GuildID, ChannelID, UserID string
	// Length is summarize.LengthShort, LengthNormal or LengthDetailed; ""
	// means normal.
	Length string
	// Language is the channel's summary language; "" means the configured
	// default (SUMMARY_LANGUAGE), and failing that the article's own.
	Language string
	// MinWords, when positive, skips articles shorter than this unless
	// Asked (the channel's min_words setting).
	MinWords int
	// Source is one of the Source constants.
	Source string
	// Asked is true when a person asked for this summary; failures are then
	// explained to them instead of logged quietly.
	Asked bool
	// Progress, when set, receives short status lines as work advances. It
	// must not block for long.
	Progress func(status string)
}

// Result is the outcome for one link of a message.
type Result struct {
	URL     string
	Summary *summarize.Summary
	Err     error
}

// ErrBusy means the work queue is full; asked-for requests tell the user to
// try again, automatic ones are dropped. Nothing is charged for it.
var ErrBusy = errors.New("busy: work queue full")

// ErrTooShort means the article is shorter than the channel's min_words
// setting; automatic summaries skip such pages.
var ErrTooShort = errors.New("article shorter than the channel's minimum")

// ErrNoLinks means a message holds no article links.
var ErrNoLinks = errors.New("no article links in the message")

// QuotaError says an hourly allowance is used up.
type QuotaError struct {
	// Scope is "user" or "server".
	Scope string
	// Limit is the allowance per hour.
	Limit int
	// RetryIn is how long until one more summary is allowed.
	RetryIn time.Duration
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("%s quota of %d per hour used up; retry in %s", e.Scope, e.Limit, e.RetryIn.Round(time.Second))
}

// PanicError is a panic recovered while working on untrusted input (a page
// that crashed an extractor, say). The stack is logged; people are told
// the page could not be read.
type PanicError struct {
	// Where is the stage that panicked.
	Where string
	// Value is what was passed to panic.
	Value any
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic in %s: %v", e.Where, e.Value) }

// Explainer is an error that carries its own sentence for users (such as
// digest.UserError); Explain shows it as is.
type Explainer interface {
	error
	UserMessage() string
}

// Explain turns an error from the core or its dependencies into a short,
// friendly sentence for the person who asked. Detail belongs in logs. It is
// the one place Discord-facing error wording is chosen.
func Explain(err error) string {
	var (
		qe *QuotaError
		pe *PanicError
		ex Explainer
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ex):
		return ex.UserMessage()
	case errors.As(err, &qe):
		wait := humanWait(qe.RetryIn)
		// Summaries, questions, recaps and comparisons share the allowance,
		// so the message says so rather than counting only summaries.
		if qe.Scope == "user" {
			return fmt.Sprintf("You've reached your limit of %s per hour (questions, recaps and comparisons count too). Try again %s.", summaries(qe.Limit), wait)
		}
		return fmt.Sprintf("This server has reached its limit of %s per hour (questions, recaps and comparisons count too). Try again %s.", summaries(qe.Limit), wait)
	case errors.Is(err, ErrBusy):
		return "I'm busy with other links right now. Try again in a minute."
	case errors.Is(err, ErrTooShort):
		return "That page is too short to summarise."
	case errors.Is(err, ErrNoLinks):
		return "I found no article links in that message."
	case errors.As(err, &pe) && (pe.Where == "summarize" || pe.Where == "ask"):
		return "I couldn't read that page: it made my article reader fail. The problem is logged."
	case errors.As(err, &pe):
		return "Something went wrong on my side while doing that; the problem is logged. Try again later."
	case article.IsPipelineError(err):
		return "I couldn't summarise that link: " + article.Explain(err) + "."
	case errors.Is(err, context.DeadlineExceeded):
		return "That took too long. Try again in a minute."
	case errors.Is(err, context.Canceled):
		return "I'm restarting; try again in a minute."
	}
	return "Something went wrong on my side. Try again later."
}

// Kind classifies an error for metrics: ok, busy, quota, too_short,
// timeout, article, panic or error.
func Kind(err error) string {
	var (
		qe *QuotaError
		pe *PanicError
	)
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrBusy):
		return "busy"
	case errors.As(err, &qe):
		return "quota"
	case errors.Is(err, ErrTooShort):
		return "too_short"
	case errors.As(err, &pe):
		return "panic"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case article.IsPipelineError(err):
		return "article"
	}
	return "error"
}

// humanWait phrases a wait as "in 12 minutes" or "in a minute".
func humanWait(d time.Duration) string {
	switch {
	case d <= time.Minute:
		return "in a minute"
	case d < time.Hour:
		return fmt.Sprintf("in %d minutes", int((d+time.Minute-1)/time.Minute))
	}
	return "in an hour"
}

// summaries is "1 summary" or "5 summaries".
func summaries(n int) string {
	if n == 1 {
		return "1 summary"
	}
	return fmt.Sprintf("%d summaries", n)
}
