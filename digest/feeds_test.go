package digest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// feedServer serves testdata feeds with ETags and answers conditional
// requests with 304. Tests can change a feed's version or make it fail.
type feedServer struct {
	*httptest.Server
	mu          sync.Mutex
	version     map[string]int // path -> version (ETag "v<n>")
	status      map[string]int // path -> forced status
	requests    map[string]int
	conditional map[string]int // requests carrying If-None-Match
	notModified map[string]int
	extra       map[string]string // path -> body replacing the file
}

func newFeedServer(t *testing.T) *feedServer {
	t.Helper()
	fs := &feedServer{
		version: map[string]int{}, status: map[string]int{}, requests: map[string]int{},
		conditional: map[string]int{}, notModified: map[string]int{}, extra: map[string]string{},
	}
	types := map[string]string{
		".xml": "application/rss+xml; charset=utf-8", ".json": "application/feed+json", ".html": "text/html; charset=utf-8",
	}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		p := r.URL.Path
		fs.requests[p]++
		if code := fs.status[p]; code != 0 {
			http.Error(w, "forced", code)
			return
		}
		body, ok := fs.extra[p]
		if !ok {
			b, err := os.ReadFile(filepath.Join("testdata", filepath.Base(p)))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			body = string(b)
		}
		etag := `"v` + string(rune('0'+fs.version[p])) + `"`
		if inm := r.Header.Get("If-None-Match"); inm != "" {
			fs.conditional[p]++
			if inm == etag {
				fs.notModified[p]++
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		ct := types[filepath.Ext(p)]
		if strings.HasSuffix(p, "atom.xml") {
			ct = "application/atom+xml"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("ETag", etag)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) count(m map[string]int, p string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return m[p]
}

func TestAddFeed(t *testing.T) {
	t.Parallel()
	srv := newFeedServer(t)
	now := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		path      string
		wantItems int
		wantErr   string // substring of the user message; "" = success
	}{
		{"rss 2.0", "/rss.xml", 2, ""},
		{"atom", "/atom.xml", 2, ""},
		{"json feed", "/feed.json", 2, ""},
		{"broken xml", "/broken.xml", 0, "doesn't serve an RSS, Atom or JSON feed"},
		{"html page", "/page.html", 0, "does not serve a feed"},
		{"missing", "/nope.xml", 0, "HTTP 404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newMemStore()
			svc := newTestService(t, st, newFakeClock(now), &fakePoster{}, "a")
			u := srv.URL + tt.path
			err := svc.AddFeed(context.Background(), "g", "c", u)
			if tt.wantErr != "" {
				var ue *UserError
				if !errors.As(err, &ue) || !strings.Contains(ue.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a UserError containing %q", err, tt.wantErr)
				}
				if feeds, _ := svc.Feeds(context.Background(), "g", "c"); len(feeds) != 0 {
					t.Fatalf("bad feed was added: %v", feeds)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			feeds, _ := svc.Feeds(context.Background(), "g", "c")
			if len(feeds) != 1 || feeds[0] != u {
				t.Fatalf("feeds = %v", feeds)
			}
			items := st.items[u]
			if len(items) != tt.wantItems {
				t.Fatalf("stored %d items, want %d: %+v", len(items), tt.wantItems, items)
			}
			for _, it := range items {
				if it.GUID == "" || !strings.HasPrefix(it.URL, "https://") || it.Title == "" || it.Summary == "" || it.Published.IsZero() {
					t.Errorf("incomplete item %+v", it)
				}
				if strings.Contains(it.Summary, "<") {
					t.Errorf("summary keeps HTML: %q", it.Summary)
				}
			}
			if st.states[u].ETag == "" || !st.states[u].NextPoll.Equal(now.Add(30*time.Minute)) {
				t.Errorf("state after add = %+v", st.states[u])
			}
		})
	}
}

func TestAddFeedRefusesBadURLAndTooMany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: &fakePoster{}, Clock: newFakeClock(time.Now()), Logger: discardLogger()},
		Options{MaxFeedsPerChannel: 1})
	for _, u := range []string{"ftp://x.example/feed", "not a url", "javascript:alert(1)", ""} {
		if err := svc.AddFeed(ctx, "g", "c", u); !IsUserError(err) {
			t.Errorf("AddFeed(%q) = %v, want a UserError", u, err)
		}
	}
	srv := newFeedServer(t)
	if err := svc.AddFeed(ctx, "g", "c", srv.URL+"/rss.xml"); err != nil {
		t.Fatal(err)
	}
	if err := svc.AddFeed(ctx, "g", "c", srv.URL+"/rss.xml"); err != nil {
		t.Fatalf("adding the same feed again: %v", err)
	}
	if err := svc.AddFeed(ctx, "g", "c", srv.URL+"/atom.xml"); !IsUserError(err) {
		t.Fatalf("second feed over the limit: %v", err)
	}
	if err := svc.RemoveFeed(ctx, "g", "c", srv.URL+"/atom.xml"); !IsUserError(err) {
		t.Fatalf("removing an unknown feed: %v", err)
	}
	if err := svc.RemoveFeed(ctx, "g", "c", " <"+srv.URL+"/rss.xml> "); err != nil {
		t.Fatalf("RemoveFeed: %v", err)
	}
	if feeds, _ := svc.Feeds(ctx, "g", "c"); len(feeds) != 0 {
		t.Fatalf("feeds after remove: %v", feeds)
	}
}

func TestPollFeedConditionalGET(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := newFeedServer(t)
	start := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	clock := newFakeClock(start)
	st := newMemStore()
	svc := newTestService(t, st, clock, &fakePoster{}, "a")
	u := srv.URL + "/atom.xml"
	if err := svc.AddFeed(ctx, "g", "c", u); err != nil {
		t.Fatal(err)
	}

	// Not due yet: no request.
	clock.Advance(29 * time.Minute)
	svc.pollDueFeeds(ctx)
	if n := srv.count(srv.requests, "/atom.xml"); n != 1 {
		t.Fatalf("%d requests before the interval passed, want only the add's", n)
	}

	// Due, unchanged: a conditional GET answered 304.
	clock.Advance(2 * time.Minute)
	svc.pollDueFeeds(ctx)
	if srv.count(srv.conditional, "/atom.xml") != 1 || srv.count(srv.notModified, "/atom.xml") != 1 {
		t.Fatalf("conditional=%d notModified=%d, want 1 and 1", srv.count(srv.conditional, "/atom.xml"), srv.count(srv.notModified, "/atom.xml"))
	}
	state := st.states[u]
	if state.ETag != `"v0"` || state.Failures != 0 || !state.NextPoll.Equal(clock.Now().Add(30*time.Minute)) {
		t.Fatalf("state after 304 = %+v", state)
	}
	if len(st.items[u]) != 2 {
		t.Fatalf("items after 304: %d", len(st.items[u]))
	}

	// Changed: new ETag, one new entry, old ones not duplicated.
	srv.mu.Lock()
	srv.version["/atom.xml"] = 1
	b, _ := os.ReadFile("testdata/atom.xml")
	srv.extra["/atom.xml"] = strings.Replace(string(b), "<entry>", `<entry>
    <title>Rescue teams reach coastal towns after Japan quake</title>
    <link href="https://wire.example/asia/japan-quake-rescue"/>
    <id>urn:wire:8850</id>
    <updated>2025-05-02T09:20:00Z</updated>
    <summary>Rescue teams reached towns on the coast, officials said.</summary>
  </entry>
  <entry>`, 1)
	srv.mu.Unlock()
	clock.Advance(31 * time.Minute)
	svc.pollDueFeeds(ctx)
	if n := len(st.items[u]); n != 3 {
		t.Fatalf("items after change: %d, want 3", n)
	}
	if st.states[u].ETag != `"v1"` {
		t.Fatalf("ETag not updated: %+v", st.states[u])
	}
}

func TestPollFeedBackoff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := newFeedServer(t)
	start := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	clock := newFakeClock(start)
	st := newMemStore()
	svc := newTestService(t, st, clock, &fakePoster{}, "a")
	u := srv.URL + "/rss.xml"
	if err := svc.AddFeed(ctx, "g", "c", u); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	srv.status["/rss.xml"] = http.StatusInternalServerError
	srv.mu.Unlock()

	wantWaits := []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 24 * time.Hour, 24 * time.Hour}
	for i, want := range wantWaits {
		clock.Set(st.states[u].NextPoll)
		svc.pollDueFeeds(ctx)
		state := st.states[u]
		if state.Failures != i+1 {
			t.Fatalf("poll %d: failures = %d", i+1, state.Failures)
		}
		if got := state.NextPoll.Sub(clock.Now()); got != want {
			t.Fatalf("poll %d: next poll in %s, want %s", i+1, got, want)
		}
		if !strings.Contains(state.LastError, "500") {
			t.Fatalf("last error %q", state.LastError)
		}
	}
	// A poll inside the backoff does not hit the server.
	before := srv.count(srv.requests, "/rss.xml")
	clock.Advance(time.Hour)
	svc.pollDueFeeds(ctx)
	if srv.count(srv.requests, "/rss.xml") != before {
		t.Fatal("polled during backoff")
	}
	// Recovery resets the count.
	srv.mu.Lock()
	delete(srv.status, "/rss.xml")
	srv.mu.Unlock()
	clock.Set(st.states[u].NextPoll)
	svc.pollDueFeeds(ctx)
	if s := st.states[u]; s.Failures != 0 || s.LastError != "" || s.NextPoll.Sub(clock.Now()) != 30*time.Minute {
		t.Fatalf("state after recovery = %+v", s)
	}
}

func TestParseFeedFixtures(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		file      string
		wantFirst string // URL of the first item
		wantTitle string
	}{
		{"rss.xml", "https://gazette.example/world/2025/05/02/strong-earthquake-japan-tsunami-warning?utm_source=rss", "Strong earthquake off Japan's coast prompts tsunami warning"},
		{"atom.xml", "https://wire.example/asia/japan-quake-tsunami-warning-2025", "Tsunami warning issued after magnitude 7.1 quake hits off Japan"},
		{"feed.json", "https://science.example/space/probe-reaches-asteroid-belt", "Space probe reaches the asteroid belt after six-year journey"},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		items, err := parseFeed(b, "https://gazette.example/feed/"+tt.file, now)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if len(items) == 0 || items[0].URL != tt.wantFirst || items[0].Title != tt.wantTitle {
			t.Errorf("%s: first item = %+v", tt.file, items[0])
		}
		if tt.file == "rss.xml" && items[1].URL != "https://gazette.example/local/2025/05/02/city-council-bicycle-lanes" {
			t.Errorf("relative link not resolved: %s", items[1].URL)
		}
	}
	b, _ := os.ReadFile("testdata/broken.xml")
	if _, err := parseFeed(b, "https://x.example/broken.xml", now); err == nil {
		t.Error("broken feed parsed without error")
	}
}

func TestParseFeedClampsFutureDates(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	rss := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>From the future</title><link>https://f.example/a</link><pubDate>Sun, 01 Jan 2034 00:00:00 +0000</pubDate></item>
<item><title>Today</title><link>https://f.example/b</link><pubDate>Fri, 02 May 2025 08:00:00 +0000</pubDate></item>
</channel></rss>`
	items, err := parseFeed([]byte(rss), "https://f.example/feed", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || !items[0].Published.Equal(now) || !items[1].Published.Equal(now.Add(-time.Hour)) {
		t.Fatalf("published %v, %v; want the future date clamped to now and the past one kept", items[0].Published, items[1].Published)
	}
}
