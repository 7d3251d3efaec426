package digest

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// Compile-time proof that the real implementations satisfy the digest's
// consumer interfaces.
var (
	_ Store   = (*store.Store)(nil)
	_ Fetcher = (*article.Fetcher)(nil)
)

func openStore(t testing.TB, path string, clock *fakeClock) *store.Store {
	t.Helper()
	st, err := store.OpenWith(context.Background(), "sqlite:"+path, store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// Two instances, each with its own connection to one SQLite file, tick at
// the same minutes; each channel's digest is posted exactly once.
func TestTwoSchedulersPostOnceRealStore(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "precis.db")
	clock := newFakeClock(time.Now())
	testTwoSchedulers(t, openStore(t, path, clock), openStore(t, path, clock))
}

func TestStaleClaimRealStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ny := mustLoad(t, "America/New_York")
	clock := newFakeClock(time.Date(2025, 11, 1, 12, 0, 0, 0, ny))
	st := openStore(t, filepath.Join(t.TempDir(), "precis.db"), clock)
	poster := &fakePoster{}
	svc := newTestService(t, st, clock, poster, "new")
	if _, err := svc.Set(ctx, "g", "c", "01:30", "America/New_York", "both"); err != nil {
		t.Fatal(err)
	}
	// Fall-back night: 01:30 EDT, claimed by a process that then died.
	first := time.Date(2025, 11, 2, 5, 30, 0, 0, time.UTC)
	if ok, err := st.ClaimDigestRun(ctx, "c", "2025-11-02", "dead", first, 10*time.Minute); !ok || err != nil {
		t.Fatalf("setup claim: %v %v", ok, err)
	}
	clock.Set(first.Add(9 * time.Minute))
	svc.RunDue(ctx)
	if len(poster.sent()) != 0 {
		t.Fatal("posted during a live claim")
	}
	// 01:30 EST, the second 01:30 of the night: the stale claim is taken
	// over and the digest posted once; later ticks do nothing.
	for now := first.Add(time.Hour); now.Before(first.Add(3 * time.Hour)); now = now.Add(time.Minute) {
		clock.Set(now)
		svc.RunDue(ctx)
	}
	if n := len(poster.sent()); n != 1 {
		t.Fatalf("posted %d times, want 1", n)
	}
	if got := poster.sent()[0].at; !got.Equal(first.Add(time.Hour)) {
		t.Errorf("taken over at %s, want at the first tick after the lease", got)
	}
}

// The whole path with the real store and the real hardened fetcher: set a
// schedule, follow a feed, links shared in two channels, the digest runs
// once, feeds are polled conditionally, and Status tells about it.
func TestEndToEndRealStoreAndFetcher(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := newFeedServer(t)
	kolkata := mustLoad(t, "Asia/Kolkata")
	clock := newFakeClock(time.Date(2025, 5, 2, 8, 0, 0, 0, kolkata))
	st := openStore(t, filepath.Join(t.TempDir(), "precis.db"), clock)
	poster := &fakePoster{clock: clock}
	cache := newMemStore() // the core's summary cache
	svc := New(Deps{
		Store: st, Fetcher: article.NewFetcher(article.FetchOptions{AllowPrivate: true, Timeout: 5 * time.Second}),
		Poster: poster, Clock: clock, Logger: discardLogger(), Channels: fakeNamer{"general": "general"},
		Summarizer: storeCache{cache},
	}, Options{InstanceID: "e2e"})

	next, err := svc.Set(ctx, "g", "digest-ch", "09:30", "Asia/Kolkata", "both")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 5, 2, 9, 30, 0, 0, kolkata); !next.Equal(want) {
		t.Fatalf("next = %s, want %s", next, want)
	}
	if err := svc.AddFeed(ctx, "g", "digest-ch", srv.URL+"/atom.xml"); err != nil {
		t.Fatal(err)
	}
	if err := svc.AddFeed(ctx, "g", "digest-ch", srv.URL+"/broken.xml"); !IsUserError(err) {
		t.Fatalf("broken feed: %v", err)
	}

	// The Reuters quake story and the Atom feed's quake entry are one story.
	fx := loadClusterFixture(t)
	for i, f := range fx[:2] {
		norm, _ := article.NormalizeURL(f.URL)
		if i == 0 {
			data, _ := json.Marshal(summarize.Summary{URL: f.URL, Title: f.Title, Headline: f.Title, Summary: f.Summary, Site: "Reuters"})
			cache.summaries[norm] = data
		}
		for k, ch := range []string{"general", "news"} {
			if err := st.RecordLink(ctx, store.SharedLink{URL: f.URL, NormURL: norm, GuildID: "g", ChannelID: ch,
				MessageID: "77" + string(rune('0'+i)) + string(rune('0'+k)), AuthorID: "u" + string(rune('0'+k)), SharedAt: clock.Now().Add(-time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
	}

	for now := clock.Now(); now.Before(time.Date(2025, 5, 2, 11, 0, 0, 0, kolkata)); now = now.Add(time.Minute) {
		clock.Set(now)
		svc.pollDueFeeds(ctx)
		svc.RunDue(ctx)
	}
	msgs := poster.sent()
	if len(msgs) != 1 {
		t.Fatalf("%d messages posted, want 1", len(msgs))
	}
	if want := time.Date(2025, 5, 2, 9, 30, 0, 0, kolkata); !msgs[0].at.Equal(want) {
		t.Errorf("posted at %s, want %s", msgs[0].at, want)
	}
	text := contentOf(msgs[0].d)
	for _, want := range []string{"Magnitude 7.1 earthquake", "[Reuters]", "wire.example/asia/japan-quake-tsunami-warning-2025",
		"[shared in #general](https://discord.com/channels/g/general/7700)", "[shared in <#news>]", "Central bank holds interest rates steady"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	// The feed was polled every 30 minutes after the add, conditionally.
	if c, nm := srv.count(srv.conditional, "/atom.xml"), srv.count(srv.notModified, "/atom.xml"); c < 4 || nm != c {
		t.Errorf("conditional polls %d, 304s %d", c, nm)
	}

	status, err := svc.Status(ctx, "g", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"next: Sat 3 May 09:30 IST", "last: 2025-05-02, posted 09:30 IST", "1 followed"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}

	// The hardened fetcher refuses loopback without FETCH_ALLOW_PRIVATE.
	strict := New(Deps{Store: st, Fetcher: article.NewFetcher(article.FetchOptions{}), Poster: poster, Clock: clock, Logger: discardLogger()}, Options{})
	err = strict.AddFeed(ctx, "g", "other", srv.URL+"/rss.xml")
	var ue *UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Error(), "private or reserved") || !errors.Is(err, article.ErrRefusedAddress) {
		t.Fatalf("loopback feed with the strict fetcher: %v", err)
	}
}
