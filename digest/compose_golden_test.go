package digest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/internal/golden"
	"github.com/precisbot/precis/store"
)

// goldenStore seeds a small, fixed news day: the quake story from five
// outlets shared in two channels (one outlet also carried by a feed), the
// rates story from two, a feed-only science item, and a link with hostile
// text in its cached summary.
func goldenStore(t *testing.T, now time.Time) *memStore {
	t.Helper()
	st := newMemStore()
	fx := loadClusterFixture(t)
	var pick []fixtureItem
	for _, f := range fx {
		if f.Story == "quake" || (f.Story == "rates" && !strings.Contains(f.URL, "bloomberg")) {
			pick = append(pick, f)
		}
	}
	pick = append(pick, fixtureItem{
		Story: "hostile", URL: "https://tabloid.example/2025/05/02/celebrity-feud-escalates",
		Title:   "Celebrity feud escalates @everyone <@123456789012345678> [click](https://evil.example)",
		Summary: "Two celebrities traded accusations online; each denied the other's claims, their representatives said. @here",
	})
	seedShared(t, st, pick, now.Add(-5*time.Hour), func(i int) int {
		switch {
		case i == 0:
			return 3
		case i < 5:
			return 2
		default:
			return 1
		}
	})
	st.feeds = append(st.feeds, store.Feed{GuildID: "g", ChannelID: "c", URL: "https://science.example/feed.json"})
	st.items["https://science.example/feed.json"] = []store.FeedItem{
		{FeedURL: "https://science.example/feed.json", GUID: "sci-77", URL: "https://science.example/space/probe-reaches-asteroid-belt",
			Title: "Space probe reaches the asteroid belt after six-year journey", Summary: "The probe entered the main asteroid belt and will study three asteroids over two years, mission controllers said.",
			Published: now.Add(-3 * time.Hour), SeenAt: now.Add(-2 * time.Hour)},
		{FeedURL: "https://science.example/feed.json", GUID: "old", URL: "https://science.example/old-news",
			Title: "Old news", Summary: "From last week.", Published: now.Add(-7 * 24 * time.Hour), SeenAt: now.Add(-2 * time.Hour)},
	}
	return st
}

func TestComposeGolden(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
	berlin := mustLoad(t, "Europe/Berlin")
	st := goldenStore(t, now)
	svc := New(Deps{
		Store: st, Fetcher: &httpFetcher{}, Poster: &fakePoster{}, Clock: newFakeClock(now), Logger: discardLogger(),
		Summarizer: storeCache{st}, Channels: fakeNamer{"ch1": "world-news"}, // ch2 has no name: rendered as <#ch2>
	}, Options{InstanceID: "golden"})
	sched := store.DigestSchedule{GuildID: "g", ChannelID: "c", Time: "20:00", Timezone: "Europe/Berlin", Sources: SourcesBoth, QuietDay: true}
	comp, err := svc.compose(context.Background(), sched, berlin, now.Add(-24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	// The domain value is also the render package's golden input.
	golden.JSON(t, "digest_value", comp.digest("c"))
	golden.JSON(t, "digest_report", comp.report)
}
