package digest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/store"
)

// fakeVisibility answers Covers from a table: true, false, or an error
// for channels it does not list. It counts its calls per channel.
type fakeVisibility struct {
	mu     sync.Mutex
	covers map[string]bool
	calls  map[string]int
}

func (f *fakeVisibility) Covers(_ context.Context, guildID, shared, digestChannel string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[shared]++
	if guildID != "g" || digestChannel != "news" {
		return false, errors.New("wrong guild or digest channel")
	}
	ok, known := f.covers[shared]
	if !known {
		return false, errors.New("unknown channel")
	}
	return ok, nil
}

// TestComposeLeavesOutLinksNotEveryoneCanSee: links shared in a channel
// some of the digest's readers cannot see (or one Precis cannot judge)
// are left out, with the reason and without the link in the report; a
// story shared in both kinds of channel keeps only its visible shares; a
// story a followed feed carries stays, without the hidden shares.
func TestComposeLeavesOutLinksNotEveryoneCanSee(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
	link := func(ch, msg, url string) store.SharedLink {
		return store.SharedLink{URL: url, NormURL: url, GuildID: "g", ChannelID: ch, MessageID: msg, AuthorID: "u-" + msg, SharedAt: now.Add(-time.Hour)}
	}
	const (
		public = "https://public.example/a-story-everyone-may-read"
		secret = "https://secret.example/the-staff-only-story"
		both   = "https://both.example/a-story-shared-in-staff-and-general"
		feed   = "https://feed.example/a-story-a-feed-carries"
		lost   = "https://lost.example/from-a-deleted-channel"
	)
	newStore := func() *memStore {
		st := newMemStore()
		st.links = []store.SharedLink{
			link("general", "1", public),
			link("staff", "2", secret),
			link("staff", "3", both),
			link("general", "4", both),
			link("staff", "5", feed),
			link("gone", "6", lost),
			link("news", "7", "https://news.example/shared-in-the-digest-channel"),
		}
		st.feeds = []store.Feed{{GuildID: "g", ChannelID: "news", URL: "https://feed.example/rss"}}
		st.items["https://feed.example/rss"] = []store.FeedItem{{FeedURL: "https://feed.example/rss", GUID: "1", URL: feed,
			Title: "A story a feed carries", Summary: "Text of the item.", Published: now.Add(-time.Hour), SeenAt: now.Add(-time.Minute)}}
		return st
	}
	sched := store.DigestSchedule{GuildID: "g", ChannelID: "news", Sources: SourcesBoth, QuietDay: true}
	type shown struct {
		url      string
		channels []string
	}
	compose := func(t *testing.T, vis Visibility) ([]shown, Report) {
		t.Helper()
		svc := New(Deps{Store: newStore(), Fetcher: &httpFetcher{}, Poster: &fakePoster{}, Clock: newFakeClock(now), Logger: discardLogger(),
			Visibility: vis}, Options{InstanceID: "t", MaxEntries: 20, WordBudget: 5000})
		c, err := svc.compose(context.Background(), sched, time.UTC, now.Add(-24*time.Hour), now)
		if err != nil {
			t.Fatal(err)
		}
		var out []shown
		for _, e := range c.entries {
			for _, it := range e.items {
				s := shown{url: it.url}
				for _, sh := range it.shares {
					s.channels = append(s.channels, sh.ChannelID)
				}
				out = append(out, s)
			}
		}
		slices.SortFunc(out, func(a, b shown) int {
			if a.url < b.url {
				return -1
			}
			return 1
		})
		return out, c.report
	}

	t.Run("checked", func(t *testing.T) {
		t.Parallel()
		vis := &fakeVisibility{covers: map[string]bool{"general": true, "staff": false}, calls: map[string]int{}}
		got, rep := compose(t, vis)
		want := []shown{
			{both, []string{"general"}},
			{feed, nil},
			{"https://news.example/shared-in-the-digest-channel", []string{"news"}},
			{public, []string{"general"}},
		}
		if !slices.EqualFunc(got, want, func(a, b shown) bool { return a.url == b.url && slices.Equal(a.channels, b.channels) }) {
			t.Errorf("digest shows %+v\nwant %+v", got, want)
		}
		hidden := 0
		for _, l := range rep.LeftOut {
			if l.Reason == ReasonNotVisible {
				hidden++
				if l.URL != "" || l.Title != "" {
					t.Errorf("report names a hidden link: %+v", l)
				}
			}
			if l.URL == secret || l.URL == lost {
				t.Errorf("report names a hidden link: %+v", l)
			}
		}
		if hidden != 4 { // three staff links and the deleted channel's
			t.Errorf("%d links left out as not visible, want 4: %+v", hidden, rep.LeftOut)
		}
		if rep.SharedLinks != 3 {
			t.Errorf("report counts %d shared links, want the 3 shown", rep.SharedLinks)
		}
		for ch, n := range vis.calls {
			if n != 1 {
				t.Errorf("Covers asked %d times about #%s in one compose, want once", n, ch)
			}
		}
	})

	t.Run("without a Visibility every link shows", func(t *testing.T) {
		t.Parallel()
		got, _ := compose(t, nil)
		if len(got) != 6 {
			t.Errorf("digest shows %d stories, want all 6: %+v", len(got), got)
		}
	})
}
