package summarize

import (
	"errors"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/precisbot/precis/article"
)

// ErrTokenCeiling means the next model call could pass the summary's token
// ceiling (Options.TokenCeiling); the offline summary stands in.
var ErrTokenCeiling = errors.New("token ceiling reached")

// Bounds on the work one article may cause, whatever its size: the text
// summarised is cut to maxArticleTokens (its start and its end kept), which
// with a typical context window means a handful of map calls and one or two
// merges, not dozens.
const (
	maxArticleTokens = 24000
	// keepEndTokens of the cut text come from the article's end, where news
	// stories put reactions and what happens next.
	keepEndTokens = 4000
)

// capArticle returns a with its text cut to maxArticleTokens, keeping the
// start and the end at paragraph boundaries; a itself is not changed.
func capArticle(a *article.Article) *article.Article {
	if EstimateTokens(a.Text) <= maxArticleTokens {
		return a
	}
	paras := paragraphs(a.Text)
	var head, tail []string
	used := 0
	for i := len(paras) - 1; i >= 0 && used+EstimateTokens(paras[i]) <= keepEndTokens; i-- {
		tail = append([]string{paras[i]}, tail...)
		used += EstimateTokens(paras[i])
		paras = paras[:i]
	}
	for _, p := range paras {
		t := EstimateTokens(p)
		if used+t > maxArticleTokens {
			break
		}
		head = append(head, p)
		used += t
	}
	c := *a
	c.Text = strings.Join(append(head, append([]string{"[…]"}, tail...)...), "\n\n")
	c.Words = article.CountWords(c.Text)
	return &c
}

// Estimate is what a summary of a at these options may use, in LLM tokens
// (prompt and completion): every call of the plan (one call, or map calls,
// merges and the final call) at its prompt and completion limit, plus one
// number fix-up. The pipeline reserves it from the server's budget and
// passes it as Options.TokenCeiling: a retry that would pass it is not
// made (the offline summary stands in), so the budget is a ceiling.
func (l *LLM) Estimate(a *article.Article, opts Options) int {
	a = capArticle(a)
	system := EstimateTokens(systemPrompt(normLength(opts.Length), opts.Language))
	budget := l.articleBudget(systemPrompt(normLength(opts.Length), opts.Language))
	call := func(prompt int) int { return system + prompt + promptSlack + l.cfg.MaxTokens }
	text := EstimateTokens(a.Text) + EstimateTokens(articleHeader(a))
	if budget <= 0 || text <= budget {
		return 2 * call(text) // the call and a fix-up
	}
	chunks := (text + budget - 1) / budget
	total := chunks * call(budget)
	// Merges: each partial answer is at most MaxTokens; merging them costs
	// about their sum again per level, bounded here by two levels.
	partials := chunks * l.cfg.MaxTokens
	total += 2 * call(partials)
	total += 2 * call(min(partials, budget)) // the final call and its fix-up
	return total
}

// estimateMessages is the prompt tokens of a call's messages.
func estimateMessages(msgs []openai.ChatCompletionMessage) int {
	n := 0
	for _, m := range msgs {
		n += EstimateTokens(m.Content) + 4
	}
	return n
}
