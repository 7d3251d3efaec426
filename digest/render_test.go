package digest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

func checkGolden(t *testing.T, name string, got any) {
	t.Helper()
	data, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./digest -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(data, want) {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n%s", path, data)
	}
}

// checkMessages asserts the rules every posted message must meet.
func checkMessages(t *testing.T, msgs []*discordgo.MessageSend) {
	t.Helper()
	for i, m := range msgs {
		if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 ||
			len(m.AllowedMentions.Users) != 0 || len(m.AllowedMentions.Roles) != 0 {
			t.Errorf("message %d: allowed_mentions = %+v, want parse: []", i, m.AllowedMentions)
		}
		if discordtext.Len(m.Content) > discordtext.MaxContent {
			t.Errorf("message %d: content %d chars", i, discordtext.Len(m.Content))
		}
		if len(m.Embeds) > discordtext.MaxEmbeds {
			t.Errorf("message %d: %d embeds", i, len(m.Embeds))
		}
		total := 0
		for _, e := range m.Embeds {
			total += discordtext.EmbedLength(e)
			if discordtext.Len(e.Title) > discordtext.MaxEmbedTitle || discordtext.Len(e.Description) > discordtext.MaxEmbedDescription {
				t.Errorf("message %d: embed over its limits", i)
			}
		}
		if total > discordtext.MaxEmbedTotal {
			t.Errorf("message %d: embeds total %d chars", i, total)
		}
		data, _ := json.Marshal(m)
		text := strings.ReplaceAll(string(data), `\u003c`, "<")
		for _, bad := range []string{"@everyone", "@here", "<@"} {
			if strings.Contains(text, bad) {
				t.Errorf("message %d contains %q: %s", i, bad, text)
			}
		}
	}
}

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

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
	berlin := mustLoad(t, "Europe/Berlin")
	st := goldenStore(t, now)
	svc := New(Deps{
		Store: st, Fetcher: &httpFetcher{}, Poster: &fakePoster{}, Clock: newFakeClock(now), Logger: discardLogger(),
		Channels: fakeNamer{"ch1": "world-news"}, // ch2 has no name: rendered as <#ch2>
	}, Options{InstanceID: "golden"})
	sched := store.DigestSchedule{GuildID: "g", ChannelID: "c", Time: "20:00", Timezone: "Europe/Berlin", Sources: SourcesBoth, QuietDay: true}
	comp, err := svc.compose(context.Background(), sched, berlin, now.Add(-24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	msgs := comp.render()
	checkMessages(t, msgs)
	checkGolden(t, "digest", msgs)
	checkGolden(t, "digest_report", comp.report)

	quiet := &composition{date: now.In(berlin), quiet: true, quietDay: true}
	qm := quiet.render()
	checkMessages(t, qm)
	checkGolden(t, "quiet", qm)
	if off := (&composition{date: now, quiet: true}).render(); len(off) != 0 {
		t.Errorf("quiet day with QuietDay off rendered %d messages", len(off))
	}
}

func TestRenderSplitsLongDigests(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Officials said the measure would take effect next month, according to a statement. ", 40)
	c := &composition{guildID: "g", date: time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC), names: map[string]string{}}
	for i := 0; i < 14; i++ {
		it := &item{url: fmt.Sprintf("https://site%d.example/story-number-%d-headline", i, i)}
		e := &entry{title: strings.Repeat("Long headline words ", 20), url: it.url, summary: long, items: []*item{it}}
		for k := 0; k < 12; k++ {
			e.items = append(e.items, &item{url: fmt.Sprintf("https://outlet%d.example/story-%d", k, i),
				shares: []store.SharedLink{{ChannelID: "ch", MessageID: fmt.Sprint(k)}}})
		}
		c.entries = append(c.entries, e)
	}
	msgs := c.render()
	if len(msgs) < 2 {
		t.Fatalf("%d messages for 14 long entries, want a split", len(msgs))
	}
	checkMessages(t, msgs)
	n := 0
	for _, m := range msgs {
		n += len(m.Embeds)
	}
	if n != 14 {
		t.Fatalf("%d embeds in all, want 14 (one per entry)", n)
	}
	if msgs[0].Content == "" || msgs[1].Content != "" {
		t.Errorf("header should be on the first message only")
	}
}

func TestSafeText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"hello @everyone", "hello @\u200beveryone"},
		{"hello @HERE", "hello @\u200bHERE"},
		{"ping <@123> and <@&456> and <@!789>", "ping \\<\u200b@123> and \\<\u200b@&456> and \\<\u200b@!789>"},
		{"[text](https://evil.example)", "\\[text\\](https://evil.example)"},
		{"line\nbreak\tand\x00nul", "line break andnul"},
		{"`code`", "\\`code\\`"},
		{"# FREE NITRO ||click|| -# small print", "\\# FREE NITRO \\|\\|click\\|\\| -# small print"},
		{"**bold** title", "\\*\\*bold\\*\\* title"},
	}
	for _, tt := range tests {
		if got := safeText(tt.in); got != tt.want {
			t.Errorf("safeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
