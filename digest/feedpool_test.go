package digest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/store"
)

// TestParseFeedCleansText: NUL bytes and invalid UTF-8 in a feed (raw in
// XML, escaped in JSON) are removed from every field that is kept, and a
// stray NUL no longer fails the whole XML feed.
func TestParseFeedCleansText(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, body string
	}{
		{"rss with raw NUL and bad UTF-8", "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>" +
			"<item><title>Quake\x00 hits \xff\xfecoast</title><link>https://f.example/a\x00b</link><guid>id\x00-1</guid>" +
			"<description>Officials\x00 said \xc3\x28more.</description></item></channel></rss>"},
		{"rss in Latin-1 keeps its accents", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>T</title>" +
			"<item><title>Quake\x00 hits caf\xe9 coast</title><link>https://f.example/a\x00b</link><guid>id\x00-1</guid>" +
			"<description>Officials said more.</description></item></channel></rss>"},
		{"json feed with escaped NUL", `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[` +
			`{"id":"id\u0000-1","url":"https://f.example/a\u0000b","title":"Quake\u0000 hits \u0001coast","content_text":"Officials\u0000 said more."}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := parseFeed([]byte(tt.body), "https://f.example/feed", now)
			if err != nil {
				t.Fatalf("parseFeed: %v", err)
			}
			if len(items) != 1 {
				t.Fatalf("%d items, want 1", len(items))
			}
			it := items[0]
			for name, v := range map[string]string{"title": it.Title, "summary": it.Summary, "url": it.URL, "guid": it.GUID} {
				if strings.ContainsRune(v, 0) || !utf8.ValidString(v) || strings.ContainsRune(v, 1) {
					t.Errorf("%s = %q still has NUL, control or invalid bytes", name, v)
				}
			}
			if strings.Contains(tt.name, "Latin-1") && !strings.Contains(it.Title, "café") {
				t.Errorf("title = %q; want the Latin-1 é decoded", it.Title)
			}
			if it.URL != "https://f.example/ab" || it.GUID != "id-1" || !strings.HasPrefix(it.Title, "Quake hits") || !strings.HasPrefix(it.Summary, "Officials said") {
				t.Errorf("item = %+v", it)
			}
		})
	}
}

// failingItemsStore refuses to store feed items, as PostgreSQL did with
// NUL bytes before they were cleaned.
type failingItemsStore struct{ *memStore }

func (failingItemsStore) AddFeedItems(context.Context, []store.FeedItem) error {
	return errors.New(`invalid byte sequence for encoding "UTF8": 0x00`)
}

// TestFeedThatCannotBeStoredBacksOff: a feed whose items cannot be stored
// counts as failing and backs off, instead of being fetched every minute.
func TestFeedThatCannotBeStoredBacksOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := newFeedServer(t)
	start := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	clock := newFakeClock(start)
	mem := newMemStore()
	st := failingItemsStore{mem}
	svc := newTestService(t, st, clock, &fakePoster{}, "a")
	u := srv.URL + "/rss.xml"
	if err := mem.AddFeed(ctx, store.Feed{GuildID: "g", ChannelID: "c", URL: u}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []time.Duration{time.Hour, 2 * time.Hour} {
		svc.pollDueFeeds(ctx)
		state := mem.states[u]
		if state.Failures != i+1 || state.NextPoll.Sub(clock.Now()) != want || !strings.Contains(state.LastError, "save items") {
			t.Fatalf("poll %d: state = %+v; want failure %d, next poll in %s", i+1, state, i+1, want)
		}
		// Every minute until then: no fetch.
		before := srv.count(srv.requests, "/rss.xml")
		clock.Advance(time.Minute)
		svc.pollDueFeeds(ctx)
		if srv.count(srv.requests, "/rss.xml") != before {
			t.Fatalf("poll %d: fetched again a minute after a failure", i+1)
		}
		clock.Set(state.NextPoll)
	}
}

// gatedFetcher serves a one-item feed for every URL; fetches from the host
// "slow.example" wait until release is closed. It records how many fetches
// per host run at once.
type gatedFetcher struct {
	release chan struct{}
	started chan string // each fetch's URL, as it starts

	mu      sync.Mutex
	running map[string]int
	maxRun  map[string]int
	total   int
	maxAll  int
}

func (f *gatedFetcher) Get(ctx context.Context, rawURL string, _ article.GetOptions) (*article.Page, error) {
	host := feedHost(rawURL)
	f.mu.Lock()
	f.running[host]++
	f.total++
	f.maxRun[host] = max(f.maxRun[host], f.running[host])
	f.maxAll = max(f.maxAll, f.total)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running[host]--
		f.total--
		f.mu.Unlock()
	}()
	f.started <- rawURL
	if host == "slow.example" {
		select {
		case <-f.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	body := fmt.Sprintf(`{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[{"id":"1","url":"%s/item","title":"Item"}]}`, rawURL)
	return &article.Page{URL: rawURL, ContentType: "application/feed+json", Body: []byte(body)}, nil
}

// TestSlowHostDelaysOnlyItself: with one host hanging, every other host's
// feeds are polled, the hanging host never gets more than FeedsPerHost
// fetches at once, and no more than FeedWorkers fetches run in all.
func TestSlowHostDelaysOnlyItself(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	st := newMemStore()
	var slow, fast []string
	for i := range 4 {
		slow = append(slow, fmt.Sprintf("https://slow.example/feed%d", i))
	}
	for i := range 6 {
		fast = append(fast, fmt.Sprintf("https://fast%d.example/feed", i))
	}
	fast = append(fast, "https://fast0.example/other", "https://fast0.example/third")
	for _, u := range append(append([]string{}, slow...), fast...) {
		st.feeds = append(st.feeds, store.Feed{GuildID: "g", ChannelID: "c", URL: u})
	}
	f := &gatedFetcher{release: make(chan struct{}), started: make(chan string, 64), running: map[string]int{}, maxRun: map[string]int{}}
	svc := New(Deps{Store: st, Fetcher: f, Poster: &fakePoster{}, Clock: newFakeClock(now), Logger: discardLogger()},
		Options{InstanceID: "a", FeedWorkers: 3, FeedsPerHost: 2})

	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.pollDueFeeds(ctx)
	}()
	// Two slow fetches hang; the fast feeds all go through the one worker
	// left.
	startedSlow, startedFast := 0, 0
	for startedFast < len(fast) || startedSlow < 2 {
		u := <-f.started
		if feedHost(u) == "slow.example" {
			startedSlow++
		} else {
			startedFast++
		}
	}
	f.mu.Lock()
	if startedSlow != 2 || f.running["slow.example"] != 2 {
		t.Errorf("slow host: %d fetches started, %d running; want 2 (FeedsPerHost)", startedSlow, f.running["slow.example"])
	}
	f.mu.Unlock()
	close(f.release)
	<-done
	for range 2 { // the other two slow feeds, after the first two
		<-f.started
	}
	for _, u := range append(append([]string{}, slow...), fast...) {
		if s, ok, _ := st.FeedState(ctx, u); !ok || s.Failures != 0 || s.NextPoll.IsZero() {
			t.Errorf("%s not polled: %+v", u, s)
		}
	}
	if f.maxRun["slow.example"] > 2 || f.maxRun["fast0.example"] > 2 || f.maxAll > 3 {
		t.Errorf("concurrency: slow host %d, fast0 host %d, all %d; want at most 2, 2 and 3", f.maxRun["slow.example"], f.maxRun["fast0.example"], f.maxAll)
	}
}

// TestAddFeedServerCap: a server's digests together follow at most
// MaxFeedsPerServer feeds, with a message saying so.
func TestAddFeedServerCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: &fakePoster{}, Clock: newFakeClock(time.Now()), Logger: discardLogger()},
		Options{MaxFeedsPerServer: 2})
	srv := newFeedServer(t)
	if err := svc.AddFeed(ctx, "g", "c1", srv.URL+"/rss.xml"); err != nil {
		t.Fatal(err)
	}
	if err := svc.AddFeed(ctx, "g", "c2", srv.URL+"/atom.xml"); err != nil {
		t.Fatal(err)
	}
	err := svc.AddFeed(ctx, "g", "c3", srv.URL+"/feed.json")
	var ue *UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "2 feeds") || !strings.Contains(ue.Msg, "/digest feeds remove") {
		t.Fatalf("third feed in the server: %v; want a UserError naming the cap and the way out", err)
	}
	if err := svc.AddFeed(ctx, "other", "c9", srv.URL+"/feed.json"); err != nil {
		t.Fatalf("another server is not affected: %v", err)
	}
}
