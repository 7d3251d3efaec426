package summarize

import (
	"context"

	"github.com/precisbot/precis/article"
)

// Options are the reader's choices for one summary.
type Options struct {
	// Length is "short", "normal" or "detailed"; "" (or anything else)
	// means "normal".
	Length string
	// Language is the output language as an ISO 639-1 code; "" means the
	// configured default, and failing that the article's own language.
	// Quotes always stay in the article's language.
	Language string
	// TokenCeiling, when positive, is the most LLM tokens (prompt and
	// completion) the summary may use: the token budget's reservation for
	// it. A call that could pass it is not made, and the offline summary
	// stands in.
	TokenCeiling int
}

// Summarizer turns an article into a verified Summary. Implementations are
// safe for concurrent use.
type Summarizer interface {
	Summarize(ctx context.Context, a *article.Article, opts Options) (*Summary, error)
}
