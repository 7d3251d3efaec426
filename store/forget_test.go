package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"
)

// world is what one test guild holds: two channels with settings, a
// digest with a run and a posted message, a feed, and links in several
// messages.
type world struct {
	guild, news, staff, thread string
}

func seedWorld(t *testing.T, ctx context.Context, s *Store, clock *fakeClock, w world) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, ch := range []string{w.news, w.staff} {
		must(s.SetChannelSettings(ctx, ChannelSettings{GuildID: w.guild, ChannelID: ch, Mode: ModeReaction}))
	}
	must(s.SetDigestSchedule(ctx, DigestSchedule{GuildID: w.guild, ChannelID: w.news, Time: "08:00", Timezone: "UTC", Sources: "both"}))
	must(s.AddFeed(ctx, Feed{GuildID: w.guild, ChannelID: w.news, URL: "https://feeds.example/" + w.guild}))
	now := clock.Now()
	won, err := s.ClaimDigestRun(ctx, w.news, "2025-03-14", "me", now, time.Minute)
	if err != nil || !won {
		t.Fatalf("ClaimDigestRun = %v, %v", won, err)
	}
	must(s.AddDigestMessage(ctx, w.news, "2025-03-14", "me", "posted-"+w.guild))
	must(s.FinishDigestRun(ctx, w.news, "2025-03-14", "me", now, `{}`))
	must(s.AddUsage(ctx, w.guild, "2025-03-14", 3, 300))
	must(s.SetRecapEnabled(ctx, w.guild, w.staff, true))
	must(s.AddAskTurn(ctx, AskTurn{GuildID: w.guild, UserID: "u", NormURL: "https://a.example/1", Question: "why?", Answer: "because"}))
	for i, l := range []struct{ ch, msg, url string }{
		{w.news, "m1", "https://a.example/1"},
		{w.news, "m1", "https://a.example/2"},
		{w.news, "m2", "https://a.example/3"},
		{w.staff, "m3", "https://a.example/4"},
		{w.staff, "m4", "https://a.example/5"},
		{w.thread, "m5", "https://a.example/6"},
	} {
		must(s.RecordLink(ctx, SharedLink{URL: l.url, NormURL: l.url, GuildID: w.guild, ChannelID: l.ch,
			MessageID: w.guild + l.msg, AuthorID: "u", SharedAt: now.Add(time.Duration(i) * time.Second)}))
	}
}

// seedTwoWorlds seeds the guild under test and another one whose rows a
// forget must leave alone.
func seedTwoWorlds(t *testing.T, ctx context.Context, s *Store, clock *fakeClock) (w, other world) {
	t.Helper()
	w = world{guild: "g1", news: "c-news", staff: "c-staff", thread: "c-thread"}
	other = world{guild: "g2", news: "d-news", staff: "d-staff", thread: "d-thread"}
	seedWorld(t, ctx, s, clock, w)
	seedWorld(t, ctx, s, clock, other)
	return w, other
}

// linkKeys lists a guild's links as "channel/message/url".
func linkKeys(t *testing.T, ctx context.Context, s *Store, guild string) []string {
	t.Helper()
	links, err := s.LinksSince(ctx, guild, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range links {
		out = append(out, fmt.Sprintf("%s/%s/%s", l.ChannelID, l.MessageID[len(guild):], l.NormURL))
	}
	slices.Sort(out)
	return out
}

// rowCounts counts a guild's rows in every table forgetting touches.
func rowCounts(t *testing.T, ctx context.Context, s *Store, w world) map[string]int {
	t.Helper()
	out := map[string]int{}
	for what, q := range map[string]string{
		"settings":  `SELECT COUNT(*) FROM channel_settings WHERE guild_id = ?`,
		"schedules": `SELECT COUNT(*) FROM digest_schedules WHERE guild_id = ?`,
		"feeds":     `SELECT COUNT(*) FROM feeds WHERE guild_id = ?`,
		"links":     `SELECT COUNT(*) FROM shared_links WHERE guild_id = ?`,
		"usage":     `SELECT COUNT(*) FROM guild_usage WHERE guild_id = ?`,
		"recap":     `SELECT COUNT(*) FROM recap_channels WHERE guild_id = ?`,
		"ask":       `SELECT COUNT(*) FROM ask_turns WHERE guild_id = ?`,
	} {
		var n int
		if err := s.rdb.QueryRowContext(ctx, q, w.guild).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[what] = n
	}
	for what, q := range map[string]string{
		"runs":         `SELECT COUNT(*) FROM digest_runs WHERE channel_id = ?`,
		"run messages": `SELECT COUNT(*) FROM digest_run_messages WHERE channel_id = ?`,
	} {
		var n int
		if err := s.rdb.QueryRowContext(ctx, q, w.news).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[what] = n
	}
	return out
}

func TestForgetMessagesAndEdits(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clock := newClock()
		s := b.open(t, clock)
		w, other := seedTwoWorlds(t, ctx, s, clock)

		steps := []struct {
			name string
			do   func() (int64, error)
			n    int64
			want []string
		}{
			{"delete one message", func() (int64, error) { return s.ForgetMessages(ctx, w.news, []string{"g1m2"}) }, 1, []string{
				"c-news/m1/https://a.example/1", "c-news/m1/https://a.example/2",
				"c-staff/m3/https://a.example/4", "c-staff/m4/https://a.example/5", "c-thread/m5/https://a.example/6",
			}},
			{"a message id in the wrong channel deletes nothing", func() (int64, error) { return s.ForgetMessages(ctx, w.news, []string{"g1m3"}) }, 0, []string{
				"c-news/m1/https://a.example/1", "c-news/m1/https://a.example/2",
				"c-staff/m3/https://a.example/4", "c-staff/m4/https://a.example/5", "c-thread/m5/https://a.example/6",
			}},
			{"an edit keeps the links still there", func() (int64, error) {
				return s.KeepMessageLinks(ctx, w.news, "g1m1", []string{"https://a.example/2", "https://elsewhere.example/"})
			}, 1, []string{
				"c-news/m1/https://a.example/2",
				"c-staff/m3/https://a.example/4", "c-staff/m4/https://a.example/5", "c-thread/m5/https://a.example/6",
			}},
			{"an edit that removes every link", func() (int64, error) { return s.KeepMessageLinks(ctx, w.news, "g1m1", nil) }, 1, []string{
				"c-staff/m3/https://a.example/4", "c-staff/m4/https://a.example/5", "c-thread/m5/https://a.example/6",
			}},
			{"bulk delete", func() (int64, error) {
				ids := []string{"g1m3", "g1m4", "unknown"}
				for i := range 250 { // more than one statement's worth
					ids = append(ids, fmt.Sprint("x", i))
				}
				return s.ForgetMessages(ctx, w.staff, ids)
			}, 2, []string{"c-thread/m5/https://a.example/6"}},
		}
		for _, st := range steps {
			n, err := st.do()
			if err != nil || n != st.n {
				t.Fatalf("%s: = %d, %v; want %d", st.name, n, err, st.n)
			}
			if got := linkKeys(t, ctx, s, w.guild); !slices.Equal(got, st.want) {
				t.Fatalf("%s: links = %q\nwant %q", st.name, got, st.want)
			}
		}
		if got := linkKeys(t, ctx, s, other.guild); len(got) != 6 {
			t.Errorf("the other guild's links changed: %q", got)
		}
	})
}

func TestForgetChannelsAndGuild(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clock := newClock()
		s := b.open(t, clock)
		w, other := seedTwoWorlds(t, ctx, s, clock)
		full := map[string]int{"settings": 2, "schedules": 1, "feeds": 1, "links": 6, "usage": 1, "runs": 1, "run messages": 1, "recap": 1, "ask": 1}
		if got := rowCounts(t, ctx, s, w); !maps.Equal(got, full) {
			t.Fatalf("seeded rows = %v, want %v", got, full)
		}

		// The staff channel and a thread in it are deleted.
		n, err := s.ForgetChannels(ctx, w.guild, []string{w.staff, w.thread})
		if err != nil || n != 5 { // settings, recap permission, two links, the thread's link
			t.Fatalf("ForgetChannels(staff, thread) = %d, %v; want 5", n, err)
		}
		want := map[string]int{"settings": 1, "schedules": 1, "feeds": 1, "links": 3, "usage": 1, "runs": 1, "run messages": 1, "recap": 0, "ask": 1}
		if got := rowCounts(t, ctx, s, w); !maps.Equal(got, want) {
			t.Errorf("after deleting #staff: %v, want %v", got, want)
		}
		// Another guild's forget leaves this guild's rows alone.
		if n, err := s.ForgetChannels(ctx, other.guild, []string{w.news, w.staff}); err != nil || n != 0 {
			t.Errorf("ForgetChannels(other guild, this guild's channels) = %d, %v; want 0", n, err)
		}

		// The digest channel is deleted: its schedule, run records, feed,
		// settings and links go.
		if _, err := s.ForgetChannels(ctx, w.guild, []string{w.news}); err != nil {
			t.Fatal(err)
		}
		want = map[string]int{"settings": 0, "schedules": 0, "feeds": 0, "links": 0, "usage": 1, "runs": 0, "run messages": 0, "recap": 0, "ask": 1}
		if got := rowCounts(t, ctx, s, w); !maps.Equal(got, want) {
			t.Errorf("after deleting #news: %v, want %v", got, want)
		}

		// The bot leaves the guild: everything but usage goes; the other
		// guild keeps all of its rows.
		seedWorld(t, ctx, s, clock, w)
		if n, err := s.ForgetGuild(ctx, w.guild); err != nil || n < 10 {
			t.Fatalf("ForgetGuild = %d, %v", n, err)
		}
		want = map[string]int{"settings": 0, "schedules": 0, "feeds": 0, "links": 0, "usage": 1, "runs": 0, "run messages": 0, "recap": 0, "ask": 0}
		if got := rowCounts(t, ctx, s, w); !maps.Equal(got, want) {
			t.Errorf("after leaving the guild: %v, want %v", got, want)
		}
		if got := rowCounts(t, ctx, s, other); !maps.Equal(got, full) {
			t.Errorf("the other guild: %v, want %v", got, full)
		}
		if n, err := s.ForgetGuild(ctx, w.guild); err != nil || n != 0 {
			t.Errorf("ForgetGuild again = %d, %v; want 0", n, err)
		}
	})
}
