package pipeline

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/internal/fakecore"
	"github.com/precisbot/precis/summarize"
)

// panicLLM panics inside the model call, like a crash in Verify on a hostile page.
type panicLLM struct{ *fakecore.Summarizer }

func (panicLLM) Summarize(context.Context, *article.Article, summarize.Options) (*summarize.Summary, error) {
	panic("verify crashed")
}

// A panic in the model call must give its model slot back.
func TestModelSlotSurvivesPanic(t *testing.T) {
	e := newPipeEnv(t, nil)
	opts := testOptions()
	opts.ModelConcurrency, opts.QueueSize = 1, 0
	p, err := New(Deps{Reader: e.reader, LLM: panicLLM{e.llm}, Extractive: e.ext, Store: e.store}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	_, err = p.Summarize(context.Background(), Request{URL: "https://news.example/boom", Asked: true})
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("first: %v, want PanicError", err)
	}
	// The second link reaches the model (and its panic) only if the first
	// gave the only slot back.
	_, err = p.Summarize(context.Background(), Request{URL: "https://news.example/other", Asked: true})
	if !errors.As(err, &pe) {
		t.Fatalf("second link: %v, want PanicError (ErrBusy: the panicking call kept the only model slot)", err)
	}
}

// A panic in the LLM asker must give back its reservation and its model slot.
func TestAskPanicLeaksReservationAndSlot(t *testing.T) {
	e := newPipeEnv(t, func(o *Options) { o.TokensPerDay, o.ModelConcurrency, o.QueueSize = 100000, 1, 0 })
	e.llm.PanicAsks()
	_, err := e.p.Ask(context.Background(), AskRequest{URL: "https://news.example/a", Question: "what?", GuildID: "g", UserID: "u"})
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("first: %v, want PanicError", err)
	}
	reserved := e.store.ReservedFor("g/2026-03-14")
	if reserved != 0 {
		t.Errorf("reserved after a panicking ask = %d, want 0", reserved)
	}
	e.llm.UnpanicAsks()
	if _, err = e.p.Ask(context.Background(), AskRequest{URL: "https://news.example/a", Question: "what?", GuildID: "g", UserID: "u"}); err != nil {
		t.Errorf("second ask: %v (ErrBusy: the panicking ask kept the only model slot)", err)
	}
}

// gatedLLM tells entered of each model call and holds it until gate closes.
type gatedLLM struct {
	*fakecore.Summarizer
	entered chan<- struct{}
	gate    <-chan struct{}
}

func (g gatedLLM) Summarize(ctx context.Context, a *article.Article, o summarize.Options) (*summarize.Summary, error) {
	g.entered <- struct{}{}
	<-g.gate
	return g.Summarizer.Summarize(ctx, a, o)
}

// lostClaimStore tells lost of each summary claim it refuses.
type lostClaimStore struct {
	*fakecore.Store
	lost chan<- struct{}
}

func (s lostClaimStore) ClaimSummary(ctx context.Context, key, owner string, now time.Time, lease time.Duration) (bool, error) {
	won, err := s.Store.ClaimSummary(ctx, key, owner, now, lease)
	if err == nil && !won {
		select {
		case s.lost <- struct{}{}:
		default: // the test heard the first refusal; the later polls are alike
		}
	}
	return won, err
}

// One link, one process, two callers whose flight keys differ only in the
// gate (a pasted link and a /summarize of it): one model call. The gate
// opens once one caller is in the model and the other was refused the
// link's claim, so the second has to wait for the first's summary.
func TestOneModelCallPerLinkInOneProcess(t *testing.T) {
	e := newPipeEnv(t, nil)
	entered, lost, gate := make(chan struct{}, 2), make(chan struct{}, 1), make(chan struct{})
	p, err := New(Deps{Reader: e.reader, LLM: gatedLLM{e.llm, entered, gate}, Extractive: e.ext,
		Store: lostClaimStore{e.store, lost}}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	var opened sync.Once
	open := func() { opened.Do(func() { close(gate) }) }
	defer open() // before Stop, which waits for the held flights
	const u = "https://news.example/same"
	var wg sync.WaitGroup
	for _, asked := range []bool{false, true} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.Summarize(context.Background(), Request{URL: u, GuildID: "g", Asked: asked}); err != nil {
				t.Error(err)
			}
		}()
	}
	timeout := time.After(10 * time.Second)
	for inModel, refused := 0, false; inModel < 1 || !refused; {
		select {
		case <-entered:
			if inModel++; inModel > 1 {
				t.Fatal("both callers reached the model")
			}
		case <-lost:
			refused = true
		case <-timeout:
			t.Fatalf("%d callers in the model, claim refused: %t", inModel, refused)
		}
	}
	open()
	wg.Wait()
	if n := e.llm.Calls(u); n != 1 {
		t.Errorf("%d model calls for one link in one process, want 1", n)
	}
	// Each caller looked in the cache once (two misses); the one that
	// waited got the other's summary (one flight), however long it polled.
	for result, want := range map[string]float64{"miss": 2, "hit": 0, "flight": 1} {
		if got := p.metrics.Counter("precis_cache_lookups_total", "result", result); got != want {
			t.Errorf("cache lookups %s = %v, want %v", result, got, want)
		}
	}
}

// finishingStore refuses the first summary claim; before granting the
// next it runs finish, as if the process that held the claim had just
// stored its summary and let the claim go.
type finishingStore struct {
	*fakecore.Store
	mu     sync.Mutex
	calls  int
	finish func()
}

func (s *finishingStore) ClaimSummary(ctx context.Context, key, owner string, now time.Time, lease time.Duration) (bool, error) {
	s.mu.Lock()
	s.calls++
	first := s.calls == 1
	s.mu.Unlock()
	if first {
		return false, nil
	}
	s.finish()
	return s.Store.ClaimSummary(ctx, key, owner, now, lease)
}

// A process that wins a link's claim after waiting for another one takes
// the summary the other just stored instead of making it again.
func TestClaimWonAfterWaitTakesTheStoredSummary(t *testing.T) {
	e := newPipeEnv(t, nil)
	const u = "https://news.example/raced"
	st := &finishingStore{Store: e.store, finish: func() {
		e.putSummary(u, e.llm.Model(), &summarize.Summary{URL: u, Title: "Raced", Summary: "Made by the other process."})
	}}
	p, err := New(Deps{Reader: e.reader, LLM: e.llm, Extractive: e.ext, Store: st, Now: func() time.Time { return e.now }}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	s, err := p.Summarize(context.Background(), Request{URL: u, Asked: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Summary != "Made by the other process." || e.reader.Calls(u) != 0 || e.llm.Calls(u) != 0 {
		t.Errorf("summary %q after %d fetches and %d model calls, want the other's, none",
			s.Summary, e.reader.Calls(u), e.llm.Calls(u))
	}
	if won, err := e.store.ClaimSummary(context.Background(), CacheKey(u, e.llm.Model(), summarize.Options{Length: summarize.LengthNormal}), "someone", e.now, time.Minute); err != nil || !won {
		t.Errorf("the claim taken to look was kept: ClaimSummary = %v, %v", won, err)
	}
}
