package main

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/fakellm"
	"github.com/precisbot/precis/internal/pgtest"
)

// TestTwoShardsOnePostgres runs Precis as shard 0 and shard 1 of 2 on one
// PostgreSQL database, each owning one guild, as a big community would: a
// link pasted in both guilds at once costs one model call, the hourly quota
// of a member active in both guilds is shared, and each guild's digest is
// posted once although both processes run every schedule.
func TestTwoShardsOnePostgres(t *testing.T) {
	base := os.Getenv("PRECIS_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("PRECIS_TEST_POSTGRES_URL is not set (.ci/run starts a PostgreSQL for this test)")
	}
	t.Parallel()
	dbURL := postgresSchema(t, base)
	articles := site(t, seed(t))
	guildA, guildB := guildOnShard(0, 2, 1), guildOnShard(1, 2, 2)
	chanA, chanB := guildA+"7", guildB+"7"
	fake := fakediscord.New(t, fakediscord.Options{Guilds: []fakediscord.Guild{
		{ID: guildA, Name: "A", Channels: []fakediscord.Channel{{ID: chanA, Name: "news"}}},
		{ID: guildB, Name: "B", Channels: []fakediscord.Channel{{ID: chanB, Name: "news"}}},
	}})
	llm := fakellm.New(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clock := &testClock{now: time.Date(2026, 3, 28, 9, 0, 0, 0, berlin)}
	env := func(shard int) map[string]string {
		return map[string]string{
			"DISCORD_TOKEN": fake.Token(), "DISCORD_API_URL": fake.APIURL(), "HTTP_ADDR": "off",
			"DISCORD_SHARD_ID": strconv.Itoa(shard), "DISCORD_SHARD_COUNT": "2",
			"DATABASE_URL": dbURL, "FETCH_ALLOW_PRIVATE": "true", "QUOTA_USER_PER_HOUR": "2",
			"LLM_BASE_URL": llm.BaseURL(), "LLM_API_KEY": "sk-test", "LLM_MODEL": "fake-model",
		}
	}
	m0, _ := runMain(t, env(0), clock)
	m1, _ := runMain(t, env(1), clock)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := fake.WaitReady(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitRequest(ctx, fakediscord.Match("PUT", "/applications/*/**")); err != nil {
		t.Fatal(err)
	}

	// A digest in each guild, set through each guild's own shard.
	manager := fakediscord.Invoker{Permissions: discordgo.PermissionManageGuild | fakediscord.DefaultUserPermissions}
	for _, g := range []struct{ guild, channel string }{{guildA, chanA}, {guildB, chanB}} {
		in, err := fake.SendSlashCommand(fakediscord.SlashCommand{
			Invoker: manager, Name: "digest", GuildID: g.guild, ChannelID: g.channel,
			Options: digestSet(g.channel, "Europe/Berlin", "shared"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
			return strings.Contains(r.Path, in.Token) && strings.Contains(string(r.Body), "Daily digest for")
		}); err != nil {
			t.Fatalf("no confirmation of /digest set in %s: %v", g.guild, err)
		}
	}

	// The same link pasted in both guilds at once: one model call.
	link := articles.URL + "/article"
	var ids []string
	for _, g := range []struct{ guild, channel string }{{guildA, chanA}, {guildB, chanB}} {
		m, err := fake.SendMessage(fakediscord.Message{GuildID: g.guild, ChannelID: g.channel, Content: "news " + link})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m["id"].(string))
	}
	for _, id := range ids {
		if _, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
			return r.Method == http.MethodPost && strings.Contains(string(r.Body), `"message_id":"`+id+`"`)
		}); err != nil {
			t.Fatalf("no reply to %s: %v", id, err)
		}
	}
	if n := llm.Calls(); n != 1 {
		t.Errorf("%d model calls for one link pasted in two shards, want 1", n)
	}

	// The member's hourly quota (2) is shared: a third link, pasted in the
	// other shard's guild, gets no summary.
	third, err := fake.SendMessage(fakediscord.Message{GuildID: guildB, ChannelID: chanB, Content: "and " + articles.URL + "/article?v=3"})
	if err != nil {
		t.Fatal(err)
	}
	// Another member's link in the same channel, sent after it, is answered;
	// by then shard 1 has taken up the third link too, and Idle waits for
	// its handler to end.
	other, err := fake.SendMessage(fakediscord.Message{GuildID: guildB, ChannelID: chanB, Content: "also " + articles.URL + "/article?v=4",
		Author: &discordgo.User{ID: "1300000000000000777", Username: "other-member"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
		return r.Method == http.MethodPost && strings.Contains(string(r.Body), `"message_id":"`+other["id"].(string)+`"`)
	}); err != nil {
		t.Fatalf("no reply to another member's link: %v", err)
	}
	if !m1.bot.Idle(ctx) {
		t.Fatal("shard 1 still busy")
	}
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPost && strings.Contains(string(r.Body), `"message_id":"`+third["id"].(string)+`"`) {
			t.Errorf("a third summary within the member's hourly quota of 2 across shards")
		}
	}

	// Next morning both processes run every schedule; each digest is posted
	// once, by whichever process claimed it.
	clock.Set(time.Date(2026, 3, 29, 8, 0, 30, 0, berlin))
	m0.digests.RunDue(ctx)
	m1.digests.RunDue(ctx)
	m0.digests.RunDue(ctx)
	for _, ch := range []string{chanA, chanB} {
		path := "/api/v9/channels/" + ch + "/messages"
		n := count(fake.Requests(), func(r fakediscord.Request) bool {
			return r.Method == http.MethodPost && r.Path == path && strings.Contains(string(r.Body), "Daily digest")
		})
		if n != 1 {
			t.Errorf("channel %s got %d digests, want 1", ch, n)
		}
	}
}

// guildOnShard returns a guild id that Discord routes to shard of count
// (id >> 22 % count), the k-th such.
func guildOnShard(shard, count, k int) string {
	base := uint64(1300000000000000000) >> 22
	for id := base; ; id++ {
		if int(id%uint64(count)) == shard {
			if k--; k == 0 {
				return strconv.FormatUint(id<<22, 10)
			}
		}
	}
}

// postgresSchema makes a schema for one test on the server at base and
// returns a DATABASE_URL whose search_path is it; it is dropped after.
func postgresSchema(t *testing.T, base string) string { return pgtest.SchemaURL(t, base) }
