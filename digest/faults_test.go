package digest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/internal/pgtest"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// Fault injection for the run bookkeeping: whatever fails, each channel
// gets one digest per local day. The Discord side (nonce, enforce_nonce,
// looking at the channel before posting again) is the poster's; these tests
// cover what the run records and decides.

// finishFaults fails FinishDigestRun a number of times, as a locked or
// unreachable database would.
type finishFaults struct {
	Store
	mu       sync.Mutex
	failures int
}

func (f *finishFaults) FinishDigestRun(ctx context.Context, channelID, localDate, owner string, now time.Time, report string) error {
	f.mu.Lock()
	if f.failures > 0 {
		f.failures--
		f.mu.Unlock()
		return errors.New("database is locked (5) (SQLITE_BUSY)")
	}
	f.mu.Unlock()
	return f.Store.FinishDigestRun(ctx, channelID, localDate, owner, now, report)
}

// faultStores runs a test on the in-memory store, on a real SQLite one and,
// when PRECIS_TEST_POSTGRES_URL names a server (as .ci/run provides), on
// PostgreSQL in a schema of its own.
func faultStores(t *testing.T, fn func(t *testing.T, st Store, clock *fakeClock)) {
	t.Parallel()
	start := time.Date(2025, 5, 2, 8, 0, 0, 0, time.UTC)
	names := []string{"memory", "sqlite"}
	pg := os.Getenv("PRECIS_TEST_POSTGRES_URL")
	if pg != "" {
		names = append(names, "postgres")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock(start)
			var st Store = newMemStore()
			switch name {
			case "sqlite":
				st = openStore(t, filepath.Join(t.TempDir(), "precis.db"), clock)
			case "postgres":
				st = openPostgres(t, pg, clock)
			}
			fn(t, st, clock)
		})
	}
}

// openPostgres opens a store in a fresh schema of the server at base,
// dropped when the test ends.
func openPostgres(t *testing.T, base string, clock *fakeClock) *store.Store {
	t.Helper()
	st, err := store.OpenWith(context.Background(), pgtest.SchemaURL(t, base), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// tickDay runs the scheduler every minute from the clock's time to the end
// of the UTC day.
func tickDay(ctx context.Context, clock *fakeClock, svcs ...*Service) {
	day := clock.Now().Truncate(24 * time.Hour)
	for now := clock.Now(); now.Before(day.Add(24 * time.Hour)); now = now.Add(time.Minute) {
		clock.Set(now)
		for _, s := range svcs {
			s.RunDue(ctx)
		}
	}
}

// TestFirstMessageFailsRetriedWithinTheDay: 5xx answers on the first
// message release the run for a retry with backoff; the digest is posted
// once when Discord comes back, and /digest status says what happened
// meanwhile.
func TestFirstMessageFailsRetriedWithinTheDay(t *testing.T) {
	faultStores(t, func(t *testing.T, st Store, clock *fakeClock) {
		ctx := context.Background()
		poster := &fakePoster{failures: 4, err: errors.New("HTTP 503 Service Unavailable"), clock: clock}
		svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: poster, Clock: clock, Logger: discardLogger()}, Options{InstanceID: "a"})
		if _, err := svc.Set(ctx, "g", "c", "09:00", "UTC", "both"); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC))
		svc.RunDue(ctx)
		out, _ := svc.Status(ctx, "g", nil)
		for _, want := range []string{"not posted yet", "HTTP 503", "1 failed attempt", "next try 09:01"} {
			if !strings.Contains(out, want) {
				t.Errorf("status after a failed first post lacks %q:\n%s", want, out)
			}
		}
		tickDay(ctx, clock, svc)
		sent := poster.sent()
		if len(sent) != 1 {
			t.Fatalf("posted %d digests, want 1", len(sent))
		}
		// Attempts at 09:00, then after 1, 2, 4 and 8 minutes.
		if want := time.Date(2025, 5, 2, 9, 15, 0, 0, time.UTC); !sent[0].at.Equal(want) || poster.attempts != 5 {
			t.Errorf("posted at %s after %d attempts, want %s after 5", sent[0].at.Format("15:04"), poster.attempts, want.Format("15:04"))
		}
		if last, _, _ := st.LastDigestRun(ctx, "c"); last.Status != store.RunDone || last.Attempts != 4 {
			t.Errorf("run = %+v, want done after 4 failed attempts", last)
		}
	})
}

// TestFinishFailureNeverPostsTwice: the database refuses to record the run
// as done. A failure that passes is retried at once; one that lasts leaves
// the run claimed, and when its lease runs out the instance that takes it
// over (here the same one, the case seen in production) finds the posted
// message recorded and finishes without posting again.
func TestFinishFailureNeverPostsTwice(t *testing.T) {
	for _, failures := range []int{1, 5, 50} {
		t.Run(fmt.Sprintf("failures=%d", failures), func(t *testing.T) {
			faultStores(t, func(t *testing.T, st Store, clock *fakeClock) {
				ctx := context.Background()
				faulty := &finishFaults{Store: st, failures: failures}
				poster := &fakePoster{clock: clock}
				svc := New(Deps{Store: faulty, Fetcher: &httpFetcher{}, Poster: poster, Clock: clock, Logger: discardLogger()},
					Options{InstanceID: "a", Lease: 5 * time.Minute})
				svc.finishWait = 0
				if _, err := svc.Set(ctx, "g", "c", "09:00", "UTC", "both"); err != nil {
					t.Fatal(err)
				}
				clock.Set(time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC))
				if failures > 5 {
					// Even the instance that took over cannot finish at
					// first; it stops retrying once the database is back.
					faulty.failures = 5 + 5
					defer func() { faulty.mu.Lock(); faulty.failures = 0; faulty.mu.Unlock() }()
				}
				tickDay(ctx, clock, svc)
				if n := len(poster.sent()); n != 1 {
					t.Fatalf("posted %d digests, want 1", n)
				}
				last, _, _ := st.LastDigestRun(ctx, "c")
				if failures > 1 && last.Status == store.RunDone && !strings.Contains(last.Report, "taken over") {
					t.Errorf("report = %s; want the takeover noted", last.Report)
				}
				if last.Status != store.RunDone || len(last.Messages) != 1 {
					t.Errorf("run = %+v; want done with the one message recorded", last)
				}
			})
		})
	}
}

// TestKilledAfterPostingIsNotPostedAgain: an instance killed right after
// its first or its last message leaves the run claimed with those messages
// recorded; the instance that takes over posts nothing more.
func TestKilledAfterPostingIsNotPostedAgain(t *testing.T) {
	for _, posted := range []int{1, 3} {
		t.Run(fmt.Sprintf("posted=%d", posted), func(t *testing.T) {
			faultStores(t, func(t *testing.T, st Store, clock *fakeClock) {
				ctx := context.Background()
				poster := &fakePoster{clock: clock}
				svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: poster, Clock: clock, Logger: discardLogger()}, Options{InstanceID: "b"})
				if _, err := svc.Set(ctx, "g", "c", "09:00", "UTC", "both"); err != nil {
					t.Fatal(err)
				}
				at := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
				if ok, err := st.ClaimDigestRun(ctx, "c", "2025-05-02", "killed", at, 10*time.Minute); !ok || err != nil {
					t.Fatalf("claim: %v %v", ok, err)
				}
				for i := range posted {
					if err := st.AddDigestMessage(ctx, "c", "2025-05-02", "killed", fmt.Sprintf("dead-%d", i)); err != nil {
						t.Fatal(err)
					}
				}
				clock.Set(at)
				tickDay(ctx, clock, svc)
				if n := len(poster.sent()); n != 0 {
					t.Fatalf("the instance that took over posted %d messages, want none", n)
				}
				last, _, _ := st.LastDigestRun(ctx, "c")
				if last.Status != store.RunDone || last.Owner != "b" || len(last.Messages) != posted || !strings.Contains(last.Report, "posted by killed") {
					t.Errorf("run = %+v; want done by b with the killed instance's %d messages", last, posted)
				}
				if !last.ClaimedAt.Equal(at.Add(10*time.Minute + time.Minute)) {
					t.Errorf("taken over at %s, want the first tick after the lease", last.ClaimedAt.Format("15:04"))
				}
			})
		})
	}
}

// blockingSummarizer blocks every call until its context ends.
type blockingSummarizer struct{ entered chan struct{} }

func (b *blockingSummarizer) Cached(context.Context, string, string) (*summarize.Summary, bool) {
	return nil, false
}

func (b *blockingSummarizer) Summarize(ctx context.Context, _, _ string) (*summarize.Summary, error) {
	b.entered <- struct{}{}
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestLostLeaseWhileComposingPostsNothing: a run whose claim was taken over
// while it composed (its renewal is refused) stops and posts nothing.
func TestLostLeaseWhileComposingPostsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	clock := newFakeClock(now.Add(-time.Hour))
	st := newMemStore()
	st.links = append(st.links, store.SharedLink{URL: "https://a.example/news/some-story-here", NormURL: "https://a.example/news/some-story-here",
		GuildID: "g", ChannelID: "c", MessageID: "1", AuthorID: "u", SharedAt: now.Add(-time.Hour)})
	sum := &blockingSummarizer{entered: make(chan struct{}, 1)}
	poster := &fakePoster{}
	svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: poster, Clock: clock, Logger: discardLogger(), Summarizer: sum},
		Options{InstanceID: "a", Lease: 9 * time.Minute})
	if _, err := svc.Set(ctx, "g", "c", "09:00", "UTC", "both"); err != nil {
		t.Fatal(err)
	}
	clock.Set(now)
	result := make(chan error, 1)
	go func() {
		_, err := svc.runIfDue(ctx, st.scheds["c"])
		result <- err
	}()
	<-clock.blocked // the claim's renewal is waiting for its time
	<-sum.entered   // composing is under way
	st.mu.Lock()
	r := st.runs["c|2025-05-02"]
	r.Owner, r.ClaimedAt, r.LeaseUntil = "b", now.Add(time.Minute), now.Add(10*time.Minute) // taken over
	st.mu.Unlock()
	clock.Advance(3 * time.Minute) // renewal time: refused
	err := <-result
	if err == nil || !strings.Contains(err.Error(), "lost the claim") {
		t.Errorf("runIfDue = %v; want an error saying the claim was lost", err)
	}
	if n := len(poster.sent()); n != 0 {
		t.Errorf("posted %d messages after losing the claim", n)
	}
	if r, _, _ := st.DigestRunFor(ctx, "c", "2025-05-02"); r.Owner != "b" || r.Status != store.RunClaimed {
		t.Errorf("run = %+v; the loser must leave b's claim alone", r)
	}
}

// TestTakeoverFindsTheDigestInTheChannel: an instance died after Discord
// accepted its message but before recording it; the instance that takes the
// run over finds the digest in the channel and does not post it again.
func TestTakeoverFindsTheDigestInTheChannel(t *testing.T) {
	faultStores(t, func(t *testing.T, st Store, clock *fakeClock) {
		ctx := context.Background()
		poster := &fakePoster{clock: clock, found: []string{"already-there"}}
		svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: poster, Clock: clock, Logger: discardLogger()}, Options{InstanceID: "b"})
		if _, err := svc.Set(ctx, "g", "c", "09:00", "UTC", "both"); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
		if ok, err := st.ClaimDigestRun(ctx, "c", "2025-05-02", "crashed", at, 10*time.Minute); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
		clock.Set(at)
		tickDay(ctx, clock, svc)
		if n := len(poster.sent()); n != 0 {
			t.Fatalf("posted %d messages, want none: the digest was in the channel", n)
		}
		last, _, _ := st.LastDigestRun(ctx, "c")
		if last.Status != store.RunDone || len(last.Messages) != 1 || last.Messages[0] != "already-there" {
			t.Errorf("run = %+v; want done with the message found in the channel", last)
		}
	})
}

// deniedPoster is a poster whose bot has lost Send Messages in the channel.
type deniedPoster struct{ fakePoster }

type deniedError struct{}

func (deniedError) Error() string { return "missing Send Messages" }
func (deniedError) UserMessage() string {
	return "Precis can't post in <#c>: it needs the Send Messages permission there."
}

func (p *deniedPoster) CanPost(context.Context, string, string) error { return deniedError{} }

// TestRunChecksPermissionsFirst: a digest whose channel Precis can no
// longer post in is not attempted; /digest status says why.
func TestRunChecksPermissionsFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newFakeClock(time.Date(2025, 5, 2, 8, 0, 0, 0, time.UTC))
	st := newMemStore()
	poster := &deniedPoster{}
	svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: poster, Clock: clock, Logger: discardLogger()}, Options{InstanceID: "a"})
	if _, err := svc.Set(ctx, "g", "c", "09:00", "UTC", "both"); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC))
	svc.RunDue(ctx)
	if n := len(poster.sent()); n != 0 || poster.attempts != 0 {
		t.Fatalf("%d posts, %d attempts; want none", n, poster.attempts)
	}
	if out, _ := svc.Status(ctx, "g", nil); !strings.Contains(out, "Send Messages permission") {
		t.Errorf("status does not say why:\n%s", out)
	}
}
