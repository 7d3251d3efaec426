package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/digest"
)

// ErrBusy means the work queue is full; asked-for requests tell the user to
// try again, automatic ones are dropped.
var ErrBusy = errors.New("busy: work queue full")

// ErrTooShort means the article is shorter than the channel's min_words
// setting; automatic summaries skip such pages.
var ErrTooShort = errors.New("article shorter than the channel's minimum")

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

// UserMessage turns an error from a handler's dependencies into a short,
// friendly sentence for the person who asked. Detail belongs in logs.
func UserMessage(err error) string {
	var (
		qe *QuotaError
		ue *digest.UserError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &qe):
		wait := humanWait(qe.RetryIn)
		if qe.Scope == "user" {
			return fmt.Sprintf("You've reached your limit of %s per hour. Try again %s.", summaries(qe.Limit), wait)
		}
		return fmt.Sprintf("This server has reached its limit of %s per hour. Try again %s.", summaries(qe.Limit), wait)
	case errors.Is(err, ErrBusy):
		return "I'm busy with other links right now. Try again in a minute."
	case errors.As(err, &ue):
		return ue.Error()
	case errors.Is(err, ErrTooShort):
		return "That page is too short to summarise."
	case article.IsPipelineError(err):
		return "I couldn't summarise that link: " + article.Explain(err) + "."
	case errors.Is(err, context.DeadlineExceeded):
		return "That took too long. Try again in a minute."
	case errors.Is(err, context.Canceled):
		return "I'm restarting; try again in a minute."
	}
	return "Something went wrong on my side. Try again later."
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
