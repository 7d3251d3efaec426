package digest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/store"
)

// countdownCtx is a context whose deadline passes after its Err has been
// asked a given number of times: it stops compose at each of its checks in
// turn, without timing anything.
type countdownCtx struct {
	context.Context
	mu    sync.Mutex
	left  int
	calls int
	done  chan struct{}
}

func newCountdownCtx(n int) *countdownCtx {
	return &countdownCtx{Context: context.Background(), left: n, done: make(chan struct{})}
}

func (c *countdownCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.left > 0 {
		c.left--
		return nil
	}
	select {
	case <-c.done:
	default:
		close(c.done)
	}
	return context.DeadlineExceeded
}

func (c *countdownCtx) Done() <-chan struct{} { return c.done }

// TestComposeStopsAtDeadline: whichever of compose's checks first sees the
// deadline passed (while collecting, clustering, summarizing or naming
// channels), compose returns an error wrapping it, never a digest.
func TestComposeStopsAtDeadline(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
	st := newMemStore()
	seedShared(t, st, loadClusterFixture(t), now.Add(-6*time.Hour), func(i int) int { return 1 + i%3 })
	for k := range 3 { // shared links without a cached summary, for the summarizer
		u := fmt.Sprintf("https://uncached.example/news/story-number-%d", k)
		st.links = append(st.links, store.SharedLink{URL: u, NormURL: u, GuildID: "g", ChannelID: "ch1", MessageID: fmt.Sprint(7000 + k), AuthorID: "u1", SharedAt: now.Add(-time.Hour)})
	}
	for f := range 2 {
		fu := fmt.Sprintf("https://feed%d.example/rss", f)
		st.feeds = append(st.feeds, store.Feed{GuildID: "g", ChannelID: "c", URL: fu})
		for k := range 3 {
			st.items[fu] = append(st.items[fu], store.FeedItem{FeedURL: fu, GUID: fmt.Sprint(k), URL: fmt.Sprintf("https://feed%d.example/item/%d", f, k),
				Title: fmt.Sprintf("Feed %d item %d", f, k), Summary: "Text of the item.", Published: now.Add(-time.Hour), SeenAt: now.Add(-time.Minute)})
		}
	}
	svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: &fakePoster{}, Clock: newFakeClock(now), Logger: discardLogger(),
		Summarizer: &fakeSummarizer{}, Channels: fakeNamer{"ch1": "general"}}, Options{InstanceID: "t"})
	sched := store.DigestSchedule{GuildID: "g", ChannelID: "c", Sources: SourcesBoth, QuietDay: true}
	compose := func(ctx context.Context) (*composition, error) {
		return svc.compose(ctx, sched, time.UTC, now.Add(-24*time.Hour), now)
	}

	count := newCountdownCtx(1 << 30)
	if _, err := compose(count); err != nil {
		t.Fatal(err)
	}
	checks := count.calls
	if checks < 15 {
		t.Fatalf("compose checked its context %d times; want checks all through its work", checks)
	}
	for n := range checks {
		comp, err := compose(newCountdownCtx(n))
		if !errors.Is(err, context.DeadlineExceeded) || comp != nil {
			t.Fatalf("deadline at check %d of %d: compose = %v, %v; want an error wrapping context.DeadlineExceeded", n+1, checks, comp != nil, err)
		}
	}
	if comp, err := compose(newCountdownCtx(checks)); err != nil || len(comp.entries) == 0 {
		t.Fatalf("deadline after the last check: %v", err)
	}
}
