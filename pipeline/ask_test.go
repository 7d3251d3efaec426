package pipeline

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/precisbot/precis/internal/fakecore"
	"github.com/precisbot/precis/summarize"
)

const askURL = "https://news.example/story"

func ask(e *pipeEnv, q string) (*summarize.Answer, error) {
	return e.p.Ask(context.Background(), AskRequest{URL: askURL, Question: q, GuildID: "g", UserID: "u", Source: SourceAskCommand})
}

func TestAskAnswersAndBills(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, nil)
	ans, err := ask(e, "  What did the   council say? ")
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Answered || ans.Answer != fakecore.FakeAnswer || ans.Model != "fake-llm" || ans.Note != "" {
		t.Errorf("answer = %+v", ans)
	}
	if ans.Question != "What did the council say?" {
		t.Errorf("question = %q, want it with its spaces collapsed", ans.Question)
	}
	if _, tokens, _ := e.store.Usage(context.Background(), "g", e.now.Format("2006-01-02")); tokens != 760 {
		t.Errorf("tokens billed = %d, want the answer's 760", tokens)
	}
	if summaries, _, _ := e.store.Usage(context.Background(), "g", e.now.Format("2006-01-02")); summaries != 0 {
		t.Errorf("a question counted as %d summaries", summaries)
	}
	if e.ext.Asks() != 0 {
		t.Error("the offline asker was asked too")
	}
}

// The article read for a summary is at hand for questions while the cache
// is fresh; after CacheMaxAge it is read again.
func TestAskArticleAtHand(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, nil)
	if _, err := e.p.Summarize(context.Background(), Request{URL: askURL, GuildID: "g"}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := ask(e, fmt.Sprintf("question %d about the council", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.reader.Calls(askURL); n != 1 {
		t.Errorf("article read %d times for a summary and two questions, want once", n)
	}
	e.now = e.now.Add(25 * time.Hour)
	if _, err := ask(e, "and now?"); err != nil {
		t.Fatal(err)
	}
	if n := e.reader.Calls(askURL); n != 2 {
		t.Errorf("article read %d times after the cache aged, want a second read", n)
	}
}

// Up to the last three questions of the same member about the same article
// go along; other members' and other articles' do not.
func TestAskHistory(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, nil)
	for i := 1; i <= 5; i++ {
		if _, err := ask(e, fmt.Sprintf("q%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if h := e.llm.AskHistory(0); len(h) != 0 {
		t.Errorf("first question had history %+v", h)
	}
	if h := e.llm.AskHistory(1); len(h) != 1 || h[0].Question != "q1" || h[0].Answer != fakecore.FakeAnswer {
		t.Errorf("second question's history = %+v", h)
	}
	if h := e.llm.AskHistory(4); fmt.Sprint(h) != fmt.Sprintf("[{q2 %[1]s} {q3 %[1]s} {q4 %[1]s}]", fakecore.FakeAnswer) {
		t.Errorf("fifth question's history = %+v, want q2..q4", h)
	}
	if _, err := e.p.Ask(context.Background(), AskRequest{URL: askURL, Question: "mine", GuildID: "g", UserID: "other"}); err != nil {
		t.Fatal(err)
	}
	if h := e.llm.AskHistory(5); len(h) != 0 {
		t.Errorf("another member got history %+v", h)
	}
	if _, err := e.p.Ask(context.Background(), AskRequest{URL: askURL, Question: "no server", UserID: "u"}); err != nil {
		t.Fatal(err)
	}
	if h := e.llm.AskHistory(6); len(h) != 0 {
		t.Errorf("a question without a server got history %+v", h)
	}
}

func TestAskGuards(t *testing.T) {
	t.Parallel()
	boom := errors.New("model down")
	tests := []struct {
		name  string
		opts  func(*Options)
		setup func(e *pipeEnv)
		check func(t *testing.T, e *pipeEnv, ans *summarize.Answer, err error)
	}{
		{"member quota", func(o *Options) { o.UserPerHour = 1 }, func(e *pipeEnv) { _, _ = ask(e, "first") },
			func(t *testing.T, e *pipeEnv, ans *summarize.Answer, err error) {
				var qe *QuotaError
				if !errors.As(err, &qe) || qe.Scope != "user" {
					t.Errorf("err = %v, want the user's quota", err)
				}
			}},
		{"server quota shared with summaries", func(o *Options) { o.ServerPerHour = 1 }, func(e *pipeEnv) {
			_, _ = e.p.SummarizeLinks(context.Background(), Request{GuildID: "g", UserID: "x"}, []string{"https://news.example/other"})
		}, func(t *testing.T, e *pipeEnv, ans *summarize.Answer, err error) {
			var qe *QuotaError
			if !errors.As(err, &qe) || qe.Scope != "server" {
				t.Errorf("err = %v, want the server's quota", err)
			}
		}},
		{"budget used up", func(o *Options) { o.TokensPerDay = 500 }, func(e *pipeEnv) {
			_ = e.store.AddUsage(context.Background(), "g", e.now.Format("2006-01-02"), 0, 500)
		}, func(t *testing.T, e *pipeEnv, ans *summarize.Answer, err error) {
			if err != nil || ans.Model != summarize.ExtractiveModel || ans.Note != NoteAskBudget || e.llm.Asks() != 0 {
				t.Errorf("over budget: %v %+v (llm asks %d)", err, ans, e.llm.Asks())
			}
		}},
		{"llm fails", nil, func(e *pipeEnv) { e.llm.FailAsks(boom) },
			func(t *testing.T, e *pipeEnv, ans *summarize.Answer, err error) {
				if err != nil || ans.Model != summarize.ExtractiveModel || ans.Note != summarize.AskFallbackNote {
					t.Errorf("llm failure: %v %+v", err, ans)
				}
			}},
		{"offline fails too", nil, func(e *pipeEnv) { e.llm.FailAsks(boom); e.ext.FailAsks(boom) },
			func(t *testing.T, e *pipeEnv, ans *summarize.Answer, err error) {
				if !errors.Is(err, boom) || Explain(err) != "Something went wrong on my side. Try again later." {
					t.Errorf("err = %v (%q)", err, Explain(err))
				}
			}},
		{"panic contained", nil, func(e *pipeEnv) { e.llm.PanicAsks() },
			func(t *testing.T, e *pipeEnv, ans *summarize.Answer, err error) {
				var pe *PanicError
				if !errors.As(err, &pe) || pe.Where != "ask" {
					t.Errorf("err = %v, want a contained panic", err)
				}
			}},
		{"article unreadable", nil, func(e *pipeEnv) { e.reader.Errs[askURL] = fmt.Errorf("fetch: %w", errors.New("404")) },
			func(t *testing.T, e *pipeEnv, ans *summarize.Answer, err error) {
				if err == nil || e.llm.Asks() != 0 {
					t.Errorf("err = %v, llm asks %d", err, e.llm.Asks())
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newPipeEnv(t, tt.opts)
			tt.setup(e)
			ans, err := ask(e, "What did the council say?")
			tt.check(t, e, ans, err)
		})
	}
}

func TestAskEmptyQuestion(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, func(o *Options) { o.UserPerHour = 1 })
	if _, err := ask(e, " \n\t "); !errors.Is(err, ErrNoQuestion) || Explain(err) != "Ask a question about the article." {
		t.Fatalf("err = %v (%q)", err, Explain(err))
	}
	if _, err := ask(e, "a real one"); err != nil {
		t.Errorf("an empty question used the quota: %v", err)
	}
}

// A question refused because the queue is full costs no quota.
func TestAskBusyRefunds(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, func(o *Options) { o.Workers, o.QueueSize, o.UserPerHour = 1, 0, 2 })
	gate := make(chan struct{})
	started := make(chan string, 1)
	e.reader.Gate, e.reader.Started = gate, started
	done := make(chan error, 1)
	go func() { _, err := ask(e, "first"); done <- err }()
	<-started
	if _, err := e.p.Ask(context.Background(), AskRequest{URL: "https://news.example/b", Question: "second", GuildID: "g", UserID: "u"}); !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v, want ErrBusy", err)
	}
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	e.reader.Gate, e.reader.Started = nil, nil
	if _, err := ask(e, "third"); err != nil {
		t.Errorf("the refused question was charged: %v", err)
	}
}

// Without an AskStore the pipeline still answers, reading the article each
// time and sending no history.
func TestAskWithoutAskStore(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, nil)
	p, err := New(Deps{Reader: e.reader, LLM: e.llm, Extractive: e.ext, Store: plainStore{Store: e.store}}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	for _, q := range []string{"one", "two"} {
		if _, err := p.Ask(context.Background(), AskRequest{URL: askURL, Question: q, GuildID: "g", UserID: "u"}); err != nil {
			t.Fatal(err)
		}
	}
	if e.reader.Calls(askURL) != 2 || len(e.llm.AskHistory(1)) != 0 {
		t.Errorf("reads %d, history %+v", e.reader.Calls(askURL), e.llm.AskHistory(1))
	}
}

// plainStore hides the AskStore methods of a fake store: only the
// Store interface's methods are promoted.
type plainStore struct{ Store }

func TestStoredArticleRoundTrip(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, nil)
	if _, err := ask(e, "q"); err != nil {
		t.Fatal(err)
	}
	data, ok, _ := e.store.CachedArticle(context.Background(), askURL)
	if !ok || len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		t.Fatalf("stored article is not gzip: %x", data[:min(len(data), 4)])
	}
	sa, err := decodeArticle(data)
	if err != nil || sa.Article.URL != askURL || sa.Article.Words != 640 || !sa.MadeAt.Equal(e.now) {
		t.Errorf("decoded %+v, %v", sa, err)
	}
	if _, err := decodeArticle([]byte("not gzip")); err == nil {
		t.Error("garbage decoded")
	}
}
