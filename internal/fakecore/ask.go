package fakecore

import (
	"context"
	"fmt"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// askState is a Summarizer's record of questions.
type askState struct {
	asks    int
	history [][]summarize.QA
	err     error
	panics  bool
}

// FakeAnswer is the answer a Summarizer gives: the first sentence of the
// fake article, with that sentence as evidence.
const FakeAnswer = "The council said the plan would go ahead."

// Ask implements pipeline.Asker like the LLM or the offline asker: a fixed
// answer backed by a sentence of the fake article; a model's answers cost
// 700 prompt and 60 completion tokens, the extractive ones carry the
// offline note.
func (f *Summarizer) Ask(ctx context.Context, a *article.Article, question string, history []summarize.QA) (*summarize.Answer, error) {
	f.mu.Lock()
	f.ask.asks++
	f.ask.history = append(f.ask.history, append([]summarize.QA(nil), history...))
	err, boom := f.ask.err, f.ask.panics
	f.mu.Unlock()
	if boom {
		panic("asker crashed on " + a.URL)
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ans := &summarize.Answer{
		URL: a.URL, Title: a.Title, Question: question, Answer: FakeAnswer, Answered: true,
		Quotes: []summarize.Quote{{Text: FakeAnswer}}, Model: f.model,
	}
	if f.model == summarize.ExtractiveModel {
		ans.Note = summarize.AskOfflineNote
	} else {
		ans.Usage = summarize.Usage{PromptTokens: 700, CompletionTokens: 60, Calls: 1}
	}
	return ans, nil
}

// FailAsks makes every Ask return err (nil: answer again).
func (f *Summarizer) FailAsks(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ask.err = err
}

// PanicAsks makes every Ask panic, like a crash on a hostile page.
func (f *Summarizer) PanicAsks() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ask.panics = true
}

// Asks is how many questions were asked.
func (f *Summarizer) Asks() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ask.asks
}

// AskHistory is the history sent with the n-th question (from 0).
func (f *Summarizer) AskHistory(n int) []summarize.QA {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n < 0 || n >= len(f.ask.history) {
		return nil
	}
	return f.ask.history[n]
}

// askStore is the Store's memory of articles and questions.
type askStore struct {
	articles map[string][]byte
	turns    []store.AskTurn
	seq      int
}

// CachedArticle returns the article data stored for normURL.
func (m *Store) CachedArticle(_ context.Context, normURL string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.ask.articles[normURL]
	return b, ok, nil
}

// PutArticle stores article data for normURL.
func (m *Store) PutArticle(_ context.Context, normURL string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ask.articles == nil {
		m.ask.articles = map[string][]byte{}
	}
	m.ask.articles[normURL] = data
	return nil
}

// Articles is how many articles are stored.
func (m *Store) Articles() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.ask.articles)
}

// AddAskTurn records a question, keeping the last
// store.AskTurnsPerArticle per member and article, like the real store.
func (m *Store) AddAskTurn(_ context.Context, t store.AskTurn) error {
	if t.GuildID == "" || t.UserID == "" || t.NormURL == "" {
		return fmt.Errorf("add ask turn: %w", store.ErrInvalid)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.AskedAt.IsZero() {
		m.ask.seq++
		t.AskedAt = time.Unix(int64(m.ask.seq), 0)
	}
	m.ask.turns = append(m.ask.turns, t)
	same := func(o store.AskTurn) bool {
		return o.GuildID == t.GuildID && o.UserID == t.UserID && o.NormURL == t.NormURL
	}
	n := 0
	for _, o := range m.ask.turns {
		if same(o) {
			n++
		}
	}
	var kept []store.AskTurn
	for _, o := range m.ask.turns {
		if same(o) && n > store.AskTurnsPerArticle {
			n--
			continue
		}
		kept = append(kept, o)
	}
	m.ask.turns = kept
	return nil
}

// AskTurns returns up to limit of the member's latest questions about
// normURL, oldest first.
func (m *Store) AskTurns(_ context.Context, guildID, userID, normURL string, limit int) ([]store.AskTurn, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.AskTurn
	for _, t := range m.ask.turns {
		if t.GuildID == guildID && t.UserID == userID && t.NormURL == normURL {
			out = append(out, t)
		}
	}
	if len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}

// UnpanicAsks stops the fake from panicking on asks.
func (f *Summarizer) UnpanicAsks() { f.mu.Lock(); f.ask.panics = false; f.mu.Unlock() }

// ReservedFor is the tokens reserved for key ("guild/day").
func (m *Store) ReservedFor(k string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reserved[k]
}
