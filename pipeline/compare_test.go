package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/summarize"
)

// job runs work as member u of server g.
func job(e *pipeEnv, work func(ctx context.Context, j *Job) error) error {
	return e.p.RunJob(context.Background(), JobRequest{Name: "compare", GuildID: "g", ChannelID: "c", UserID: "u"}, work)
}

// modelJob reads two articles and asks the model for tokens, using used.
func modelJob(tokens int, used summarize.Usage, asked *bool) func(ctx context.Context, j *Job) error {
	return func(ctx context.Context, j *Job) error {
		for _, u := range []string{"https://a.example/story", "https://b.example/story"} {
			if _, err := j.Article(ctx, u); err != nil {
				return err
			}
		}
		release, ok, err := j.Model(ctx, tokens)
		if err != nil {
			return err
		}
		*asked = ok
		if ok {
			release(used)
		}
		return nil
	}
}

func TestRunJobGuards(t *testing.T) {
	t.Parallel()
	used := summarize.Usage{PromptTokens: 900, CompletionTokens: 100, Calls: 1}
	day := func(e *pipeEnv) string { return e.now.Format("2006-01-02") }
	tests := []struct {
		name   string
		opts   func(*Options)
		setup  func(e *pipeEnv)
		tokens int
		check  func(t *testing.T, e *pipeEnv, asked bool, err error)
	}{
		{"billed and counted", func(o *Options) { o.TokensPerDay = 100000 }, nil, 5000,
			func(t *testing.T, e *pipeEnv, asked bool, err error) {
				summaries, tokens, _ := e.store.Usage(context.Background(), "g", day(e))
				if err != nil || !asked || tokens != 1000 || summaries != 1 {
					t.Errorf("err %v asked %v tokens %d summaries %d, want the 1000 used and one job", err, asked, tokens, summaries)
				}
			}},
		{"member quota shared with summaries", func(o *Options) { o.UserPerHour = 1 }, func(e *pipeEnv) {
			_, _ = e.p.SummarizeLinks(context.Background(), Request{GuildID: "g", UserID: "u"}, []string{"https://news.example/other"})
		}, 5000, func(t *testing.T, e *pipeEnv, asked bool, err error) {
			var qe *QuotaError
			if !errors.As(err, &qe) || qe.Scope != "user" || asked || e.reader.Calls("https://a.example/story") != 0 {
				t.Errorf("err %v asked %v: want the member's quota and nothing read", err, asked)
			}
		}},
		{"server quota", func(o *Options) { o.ServerPerHour = 1 }, func(e *pipeEnv) {
			_ = job(e, func(context.Context, *Job) error { return nil })
		}, 5000, func(t *testing.T, e *pipeEnv, asked bool, err error) {
			var qe *QuotaError
			if !errors.As(err, &qe) || qe.Scope != "server" {
				t.Errorf("err %v, want the server's quota", err)
			}
		}},
		{"the budget cannot spare the reservation", func(o *Options) { o.TokensPerDay = 6000 }, func(e *pipeEnv) {
			_ = e.store.AddUsage(context.Background(), "g", day(e), 0, 2000)
		}, 5000, func(t *testing.T, e *pipeEnv, asked bool, err error) {
			if _, tokens, _ := e.store.Usage(context.Background(), "g", day(e)); err != nil || asked || tokens != 2000 {
				t.Errorf("err %v asked %v tokens %d: want no model and nothing billed", err, asked, tokens)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newPipeEnv(t, tt.opts)
			if tt.setup != nil {
				tt.setup(e)
			}
			var asked bool
			err := job(e, modelJob(tt.tokens, used, &asked))
			tt.check(t, e, asked, err)
		})
	}
}

func TestRunJobPanicAndBusy(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, func(o *Options) { o.UserPerHour = 2 })
	err := job(e, func(context.Context, *Job) error { panic("hostile page") })
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Where != "compare" {
		t.Fatalf("err = %v, want a contained panic", err)
	}
	// A job refused with ErrBusy gives its allowance back: two more run.
	if err := job(e, func(context.Context, *Job) error { return ErrBusy }); !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v", err)
	}
	if err := job(e, func(context.Context, *Job) error { return nil }); err != nil {
		t.Errorf("the busy job was charged: %v", err)
	}
}

// The model slots hold for jobs as for summaries: with one slot and no
// queue, a second job asking while the first holds it is busy.
func TestRunJobModelSlots(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, func(o *Options) { o.ModelConcurrency, o.QueueSize = 1, 0 })
	held := make(chan struct{})
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = job(e, func(ctx context.Context, j *Job) error {
			release, ok, err := j.Model(ctx, 10)
			if err != nil || !ok {
				t.Errorf("first job: ok %v err %v", ok, err)
				close(held)
				return err
			}
			close(held)
			<-done
			release(summarize.Usage{})
			return nil
		})
	}()
	<-held
	err := job(e, func(ctx context.Context, j *Job) error {
		_, _, err := j.Model(ctx, 10)
		return err
	})
	close(done)
	wg.Wait()
	if !errors.Is(err, ErrBusy) {
		t.Errorf("err = %v, want ErrBusy while the slot is held", err)
	}
}

// fakeCoverage records the queries and answers one link.
type fakeCoverage struct {
	mu      sync.Mutex
	queries []CoverageQuery
}

func (f *fakeCoverage) AlsoCovered(_ context.Context, q CoverageQuery) ([]summarize.Coverage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	return []summarize.Coverage{{URL: "https://other.example/" + q.GuildID, Site: "Other"}}, nil
}

// Other coverage is the asking server's: looked up per request, never
// stored with the summary, and not for digest entries.
func TestAlsoCovered(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, nil)
	cov := &fakeCoverage{}
	p, err := New(Deps{
		Reader: e.reader, LLM: e.llm, Extractive: e.ext, Store: e.store, Coverage: cov,
		Now: func() time.Time { return e.now },
	}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	ctx := context.Background()
	const u = "https://news.example/story"
	for _, g := range []string{"g1", "g2"} {
		s, err := p.Summarize(ctx, Request{URL: u, GuildID: g, ChannelID: "c-" + g, Source: SourceAuto})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.AlsoCovered) != 1 || s.AlsoCovered[0].URL != "https://other.example/"+g {
			t.Errorf("%s: coverage %+v", g, s.AlsoCovered)
		}
	}
	if e.llm.Calls(u) != 1 {
		t.Errorf("summarised %d times, want once (the cache serves the second server)", e.llm.Calls(u))
	}
	norm, _ := article.NormalizeURL(u)
	data, ok, _ := e.store.CachedSummary(ctx, CacheKey(norm, "fake-llm", summarize.Options{Length: summarize.LengthNormal}))
	if !ok || strings.Contains(string(data), "other.example") {
		t.Errorf("coverage stored with the summary: %s", data)
	}
	if s, err := p.Summarize(ctx, Request{URL: u, GuildID: "g1", Source: SourceDigest}); err != nil || len(s.AlsoCovered) != 0 {
		t.Errorf("digest entry: %v %+v", err, s)
	}
	if s, err := p.Summarize(ctx, Request{URL: u, Source: SourceCLI}); err != nil || len(s.AlsoCovered) != 0 {
		t.Errorf("no server: %v %+v", err, s)
	}
	cov.mu.Lock()
	defer cov.mu.Unlock()
	if len(cov.queries) != 2 || cov.queries[1].ChannelID != "c-g2" || cov.queries[1].NormURL != norm || cov.queries[1].Title == "" {
		t.Errorf("queries %+v", cov.queries)
	}
}

// A job that panics (or fails) holding a model slot gives it back, and
// its reservation is billed whole: what the call spent is unknown.
func TestRunJobGivesBackWhatItHeld(t *testing.T) {
	t.Parallel()
	e := newPipeEnv(t, func(o *Options) { o.ModelConcurrency, o.QueueSize, o.TokensPerDay = 1, 0, 100000 })
	err := job(e, func(ctx context.Context, j *Job) error {
		if _, ok, err := j.Model(ctx, 4000); err != nil || !ok {
			t.Fatalf("ok %v err %v", ok, err)
		}
		panic("hostile page")
	})
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	if _, tokens, _ := e.store.Usage(context.Background(), "g", e.now.Format("2006-01-02")); tokens != 4000 {
		t.Errorf("billed %d tokens, want the whole reservation of 4000", tokens)
	}
	err = job(e, func(ctx context.Context, j *Job) error {
		release, ok, err := j.Model(ctx, 10)
		if err != nil || !ok {
			return fmt.Errorf("slot still held: ok %v err %w", ok, err)
		}
		release(summarize.Usage{})
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
