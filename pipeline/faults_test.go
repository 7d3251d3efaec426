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
	_, err = p.Summarize(context.Background(), Request{URL: "https://news.example/other", Asked: true})
	if errors.Is(err, ErrBusy) {
		t.Fatalf("second link: %v: the panicking call kept the only model slot", err)
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
	e.llm.FailAsks(nil)
	// un-panic
	e.llm.UnpanicAsks()
	_, err = e.p.Ask(context.Background(), AskRequest{URL: "https://news.example/a", Question: "what?", GuildID: "g", UserID: "u"})
	if errors.Is(err, ErrBusy) {
		t.Errorf("second ask: %v: the panicking ask kept the only model slot", err)
	}
}

// gatedLLM counts model calls and waits on a gate.
type gatedLLM struct {
	*fakecore.Summarizer
	gate chan struct{}
}

func (g gatedLLM) Summarize(ctx context.Context, a *article.Article, o summarize.Options) (*summarize.Summary, error) {
	<-g.gate
	return g.Summarizer.Summarize(ctx, a, o)
}

// One link, one process, two callers whose flight keys differ only in the
// gate (a pasted link and a /summarize of it): one model call.
func TestOneModelCallPerLinkInOneProcess(t *testing.T) {
	e := newPipeEnv(t, nil)
	gate := make(chan struct{})
	p, err := New(Deps{Reader: e.reader, LLM: gatedLLM{e.llm, gate}, Extractive: e.ext, Store: e.store}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
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
	time.Sleep(300 * time.Millisecond)
	close(gate)
	wg.Wait()
	if n := e.llm.Calls(u); n != 1 {
		t.Errorf("%d model calls for one link in one process, want 1", n)
	}
}
