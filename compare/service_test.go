package compare

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/internal/fakellm"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// now is the tests' clock: the morning after the council vote.
var now = time.Date(2026, 5, 6, 9, 0, 0, 0, time.UTC)

// fixtureReader serves the fixtures at their canonical addresses and
// counts reads.
type fixtureReader struct {
	mu    sync.Mutex
	arts  map[string]*article.Article
	calls map[string]int
}

func newFixtureReader(t testing.TB) *fixtureReader {
	r := &fixtureReader{arts: map[string]*article.Article{}, calls: map[string]int{}}
	for _, name := range []string{"herald", "coastal", "courier", "unrelated"} {
		a := readArticle(t, name)
		r.arts[a.URL] = a
	}
	return r
}

func (r *fixtureReader) Read(_ context.Context, u string) (*article.Article, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[u]++
	a, ok := r.arts[u]
	if !ok {
		return nil, fmt.Errorf("read %s: %w", u, article.ErrNoArticle)
	}
	c := *a
	return &c, nil
}

// Addresses of the fixtures.
const (
	heraldURL    = "https://herald.example/2026/05/05/council-approves-sea-wall"
	coastalURL   = "https://coastaltimes.example/news/northport-sea-wall-vote"
	courierURL   = "https://www.baycourier.example/local/sea-wall-council-tax"
	libraryURL   = "https://herald.example/2026/05/05/library-weekend-hours"
	oldStoryURL  = "https://coastaltimes.example/news/northport-sea-wall-plan-2025"
	staffChannel = "staff"
	newsChannel  = "news"
	feedA        = "https://coastaltimes.example/feed.xml"
	feedB        = "https://www.baycourier.example/rss"
)

// fakeVisibility lets the news channel's viewers see the channels listed.
type fakeVisibility struct{ covers map[string]bool }

func (v fakeVisibility) Covers(_ context.Context, _, shared, viewer string) (bool, error) {
	if viewer != newsChannel {
		return false, errors.New("unknown channel")
	}
	return v.covers[shared], nil
}

// newStore is a server whose news channel follows the Coastal Times' feed
// and whose staff channel follows the Courier's and shares links there.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenWith(ctx, "sqlite:"+filepath.Join(t.TempDir(), "precis.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.AddFeed(ctx, store.Feed{GuildID: "g", ChannelID: newsChannel, URL: feedA}))
	must(st.AddFeed(ctx, store.Feed{GuildID: "g", ChannelID: staffChannel, URL: feedB}))
	must(st.AddFeedItems(ctx, []store.FeedItem{
		{FeedURL: feedA, GUID: "1", URL: coastalURL, Title: "Northport votes for sea wall after long debate",
			Summary:   "<p>After a five-hour debate, Northport city council voted 9 to 4 on Tuesday to build a £48 million sea wall along the harbour.</p>",
			Published: now.Add(-13 * time.Hour), SeenAt: now.Add(-12 * time.Hour)},
		{FeedURL: feedA, GUID: "2", URL: oldStoryURL, Title: "Northport council to debate £48 million sea wall",
			Summary:   "Northport city council will debate a £48 million sea wall for the harbour.",
			Published: now.Add(-200 * 24 * time.Hour), SeenAt: now.Add(-200 * 24 * time.Hour)},
		{FeedURL: feedB, GUID: "3", URL: courierURL, Title: "Sea wall will raise council tax by 4 percent, finance chief says",
			Summary:   "Northport households will pay 4 percent more council tax to fund the £48 million sea wall approved on Tuesday.",
			Published: now.Add(-2 * time.Hour), SeenAt: now.Add(-time.Hour)},
	}))
	for i, l := range []store.SharedLink{
		{URL: libraryURL, ChannelID: newsChannel},
		{URL: courierURL, ChannelID: staffChannel},
	} {
		l.GuildID, l.MessageID, l.AuthorID, l.SharedAt = "g", fmt.Sprint(100+i), "u", now.Add(-time.Hour)
		l.NormURL, _ = article.NormalizeURL(l.URL)
		must(st.RecordLink(ctx, l))
	}
	return st
}

func heraldTarget() Target {
	return Target{
		GuildID: "g", ChannelID: newsChannel, URL: heraldURL, Site: herald,
		Title:   "Council approves £48 million sea wall for Northport",
		Summary: "Northport city council approved a £48 million sea wall on Tuesday after a five-hour debate. Councillors voted 9 to 4.",
	}
}

// TestFinder: other coverage comes from the feeds and links the channel's
// viewers may see, within the window, on the same story, from other
// outlets.
func TestFinder(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	tests := []struct {
		name string
		vis  Visibility
		want []string
	}{
		{"without a visibility rule only the channel's own", nil, []string{coastalURL}},
		{"a staff channel the viewers cannot see stays out", fakeVisibility{covers: map[string]bool{}}, []string{coastalURL}},
		{"a channel the viewers can see counts", fakeVisibility{covers: map[string]bool{staffChannel: true}}, []string{courierURL, coastalURL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := NewFinder(&StoreSource{Store: st, Visibility: tt.vis}, FinderOptions{Now: func() time.Time { return now }})
			got, err := f.Find(context.Background(), heraldTarget())
			if err != nil {
				t.Fatal(err)
			}
			var urls []string
			for _, c := range got {
				urls = append(urls, c.URL)
			}
			if !slices.Equal(urls, tt.want) {
				t.Errorf("found %v, want %v", urls, tt.want)
			}
		})
	}
	// AlsoCovered names outlets by host while Precis has not read them.
	f := NewFinder(&StoreSource{Store: st}, FinderOptions{Now: func() time.Time { return now }})
	cov, err := f.AlsoCovered(context.Background(), pipeline.CoverageQuery{
		GuildID: "g", ChannelID: newsChannel, URL: heraldURL, Title: heraldTarget().Title, Summary: heraldTarget().Summary, Site: herald,
	})
	if err != nil || len(cov) != 1 || cov[0].Site != "coastaltimes.example" || cov[0].Title != "Northport votes for sea wall after long debate" {
		t.Errorf("AlsoCovered = %+v, %v", cov, err)
	}
	// A window that ends before the story finds nothing.
	f = NewFinder(&StoreSource{Store: st}, FinderOptions{Window: time.Hour, Now: func() time.Time { return now.Add(-48 * time.Hour) }})
	if got, err := f.Find(context.Background(), heraldTarget()); err != nil || len(got) != 0 {
		t.Errorf("outside the window: %+v, %v", got, err)
	}
}

type serviceEnv struct {
	svc    *Service
	core   *pipeline.Pipeline
	st     *store.Store
	reader *fixtureReader
	llm    *fakellm.Server
}

func newServiceEnv(t *testing.T, withModel bool, opts func(*pipeline.Options)) *serviceEnv {
	t.Helper()
	e := &serviceEnv{st: newStore(t), reader: newFixtureReader(t)}
	o := pipeline.Options{Workers: 2, QueueSize: 8, ModelConcurrency: 2, MaxLinks: 3, JobTimeout: time.Minute, CacheMaxAge: 24 * time.Hour}
	if opts != nil {
		opts(&o)
	}
	finder := NewFinder(&StoreSource{Store: e.st, Visibility: fakeVisibility{covers: map[string]bool{staffChannel: true}}},
		FinderOptions{Now: func() time.Time { return now }})
	core, err := pipeline.New(pipeline.Deps{
		Reader: e.reader, Extractive: summarize.NewExtractive(), Store: e.st, Coverage: finder,
		Now: func() time.Time { return now },
	}, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(core.Stop)
	e.core = core
	var model Model
	if withModel {
		e.llm = fakellm.New(t)
		e.llm.SetResponder(fakellm.GoodCompare)
		model = newLLM(t, e.llm, 16000)
	}
	e.svc = NewService(ServiceDeps{Core: core, Comparer: New(model, Options{}, nil), Finder: finder, Summaries: e.st})
	return e
}

func (e *serviceEnv) compare(user string) (*Comparison, error) {
	return e.svc.Compare(context.Background(), Request{URL: heraldURL, GuildID: "g", ChannelID: newsChannel, UserID: user})
}

func TestServiceCompare(t *testing.T) {
	t.Parallel()
	e := newServiceEnv(t, true, func(o *pipeline.Options) { o.TokensPerDay = 1_000_000 })
	// The summary of the Herald's story says where else it is covered.
	s, err := e.core.Summarize(context.Background(), pipeline.Request{URL: heraldURL, GuildID: "g", ChannelID: newsChannel, Source: pipeline.SourceAuto})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.AlsoCovered) != 2 {
		t.Fatalf("also covered by %+v", s.AlsoCovered)
	}
	var progress []string
	c, err := e.svc.Compare(context.Background(), Request{URL: heraldURL, GuildID: "g", ChannelID: newsChannel, UserID: "u",
		Progress: func(s string) { progress = append(progress, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if c.Offline || len(c.Articles) != 3 || c.Articles[0].Site != herald || e.llm.Calls() != 1 {
		t.Fatalf("comparison %+v (model calls %d)", c, e.llm.Calls())
	}
	if !slices.Equal(progress, []string{"Reading 3 articles…", "Comparing 3 outlets…"}) {
		t.Errorf("progress %q", progress)
	}
	day := now.Format("2006-01-02")
	summaries, tokens, _ := e.st.Usage(context.Background(), "g", day)
	if summaries != 2 || tokens != c.Usage.PromptTokens+c.Usage.CompletionTokens || tokens == 0 {
		t.Errorf("usage: %d summaries, %d tokens; the comparison used %+v", summaries, tokens, c.Usage)
	}
	if n := e.reader.calls[heraldURL]; n != 1 {
		t.Errorf("the Herald read %d times, want once (kept from the summary)", n)
	}
}

func TestServiceGuards(t *testing.T) {
	t.Parallel()
	t.Run("over the budget the comparison is offline", func(t *testing.T) {
		t.Parallel()
		e := newServiceEnv(t, true, func(o *pipeline.Options) { o.TokensPerDay = 1000 })
		c, err := e.compare("u")
		if err != nil {
			t.Fatal(err)
		}
		if !c.Offline || c.Note != NoteBudget || e.llm.Calls() != 0 {
			t.Errorf("offline %v note %q calls %d", c.Offline, c.Note, e.llm.Calls())
		}
	})
	t.Run("the member's allowance is shared with summaries", func(t *testing.T) {
		t.Parallel()
		e := newServiceEnv(t, false, func(o *pipeline.Options) { o.UserPerHour = 1 })
		if _, err := e.core.SummarizeLinks(context.Background(), pipeline.Request{GuildID: "g", ChannelID: newsChannel, UserID: "u"}, []string{heraldURL}); err != nil {
			t.Fatal(err)
		}
		_, err := e.compare("u")
		var qe *pipeline.QuotaError
		if !errors.As(err, &qe) || qe.Scope != "user" {
			t.Errorf("err %v, want the member's quota", err)
		}
		if c, err := e.compare("other member"); err != nil || !c.Offline || c.Note != NoteOffline {
			t.Errorf("another member: %v", err)
		}
	})
	t.Run("no coverage costs nothing", func(t *testing.T) {
		t.Parallel()
		e := newServiceEnv(t, false, func(o *pipeline.Options) { o.UserPerHour = 1 })
		if _, err := e.core.Summarize(context.Background(), pipeline.Request{URL: libraryURL, GuildID: "g"}); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.Compare(context.Background(), Request{URL: libraryURL, GuildID: "g", ChannelID: newsChannel, UserID: "u"})
		if !errors.Is(err, ErrNoCoverage) || pipeline.Explain(err) != ErrNoCoverage.(*UserError).Msg {
			t.Fatalf("err %v (%q)", err, pipeline.Explain(err))
		}
		if _, err := e.compare("u"); err != nil {
			t.Errorf("the allowance was spent: %v", err)
		}
	})
	t.Run("links given are compared as they are", func(t *testing.T) {
		t.Parallel()
		e := newServiceEnv(t, false, nil)
		c, err := e.svc.Compare(context.Background(), Request{URL: courierURL, Others: []string{heraldURL, "https://gone.example/x"}, GuildID: "g", UserID: "u"})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Articles) != 2 || c.Articles[0].Site != courier || c.Articles[1].Site != herald {
			t.Errorf("articles %+v", c.Articles)
		}
		if _, err := e.svc.Compare(context.Background(), Request{URL: courierURL, Others: []string{"https://gone.example/x"}, GuildID: "g"}); !errors.Is(err, ErrUnreadable) {
			t.Errorf("err %v, want ErrUnreadable", err)
		}
	})
}
