package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/precisbot/precis/summarize"
)

// flights runs one call per key at a time; later callers with the same key
// wait for its result. Unlike x/sync/singleflight, the call runs on its own
// context (the pipeline's lifetime plus the job timeout), so the first
// caller giving up does not fail the others, and every call is tracked so
// Stop waits for it: no flight outlives the pipeline or writes to a closed
// store. A call's costs are charged inside the call, so they are billed
// whoever is still waiting.
type flights struct {
	mu      sync.Mutex
	calls   map[string]*flight
	wg      sync.WaitGroup
	stopped bool
	// onJoin, when set (tests), is called when a caller joins a flight.
	onJoin func(key string)
}

type flight struct {
	done chan struct{}
	s    *summarize.Summary
	err  error
}

// do returns the call's result and whether this caller started it. After
// stop it returns context.Canceled without calling fn.
func (g *flights) do(ctx, base context.Context, key string, timeout time.Duration,
	fn func(context.Context) (*summarize.Summary, error)) (*summarize.Summary, bool, error) {
	g.mu.Lock()
	if g.stopped {
		g.mu.Unlock()
		return nil, false, context.Canceled
	}
	if g.calls == nil {
		g.calls = map[string]*flight{}
	}
	f, joined := g.calls[key]
	if joined && g.onJoin != nil {
		g.onJoin(key)
	}
	if !joined {
		f = &flight{done: make(chan struct{})}
		g.calls[key] = f
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			fctx, cancel := context.WithTimeout(base, timeout)
			defer cancel()
			f.s, f.err = fn(fctx)
			g.mu.Lock()
			delete(g.calls, key)
			g.mu.Unlock()
			close(f.done)
		}()
	}
	g.mu.Unlock()
	select {
	case <-f.done:
		return f.s, !joined, f.err
	case <-ctx.Done():
		return nil, !joined, ctx.Err()
	}
}

// stop refuses new calls and waits for the running ones.
func (g *flights) stop() {
	g.mu.Lock()
	g.stopped = true
	g.mu.Unlock()
	g.wg.Wait()
}
