package summarize

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/internal/fakellm"
)

// BenchmarkLLMOverhead is the summarizer's own cost per article around one
// zero-latency fake LLM call (prompt building, JSON encoding, loopback HTTP,
// parsing, verification). It also reports the prompt tokens sent per article
// word and the fixed prompt overhead in tokens.
func BenchmarkLLMOverhead(b *testing.B) {
	srv := fakellm.New(b)
	l, err := NewLLM(Config{BaseURL: srv.BaseURL(), APIKey: "k", Model: "fake-model", Timeout: time.Minute, MaxTokens: 1200, ContextTokens: 32000})
	if err != nil {
		b.Fatal(err)
	}
	a := seedArticle(b)
	words := len(strings.Fields(a.Text))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Summarize(ctx, a, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	r := srv.Requests()[0]
	sent := EstimateTokens(r.Prompt())
	b.ReportMetric(float64(sent)/float64(words), "prompt_tokens/word")
	b.ReportMetric(float64(sent-EstimateTokens(a.Text)), "fixed_prompt_tokens")
	b.ReportMetric(float64(EstimateTokens(a.Text))/float64(words), "article_tokens/word")
}

// BenchmarkVerify is the deterministic verification of one LLM answer.
func BenchmarkVerify(b *testing.B) {
	a := seedArticle(b)
	base, err := parseOutput(fakellm.Payload{
		Headline:  "US and Russia plan further talks",
		Summary:   "Putin has amassed more than 106,000 troops, western officials say. More than 14,000 people have died since 2014.",
		KeyPoints: []string{"Blinken said Washington planned to share written proposals.", "Lavrov called warnings “hysteria”."},
		Quotes:    []fakellm.Quote{{Text: "I can't say whether we are on the right track or not", Speaker: "Lavrov"}, {Text: "invented words here", Speaker: "Nobody"}},
		Language:  "en",
	}.JSON())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c := *base
		c.Quotes = append([]Quote(nil), base.Quotes...)
		c.KeyPoints = append([]string(nil), base.KeyPoints...)
		s := &c
		Verify(s, a)
	}
}

// BenchmarkExtractive is the offline summarizer on the seed article.
func BenchmarkExtractive(b *testing.B) {
	a := seedArticle(b)
	e := NewExtractive()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Summarize(ctx, a, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
