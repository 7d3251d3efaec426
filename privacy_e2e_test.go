package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakediscord"
)

// TestDigestPrivacyEndToEnd runs Precis against a fake Discord whose
// server has a public #news (the digest's channel), a public #general and
// a #staff-only channel only a staff role may view, and checks what the
// daily digest in #news shows:
//
//   - a link shared in #staff-only never appears (not its address, not a
//     "shared in #staff-only" jump link), while one shared in #general does;
//   - a deleted message's link and a link edited out of a message are gone;
//   - after #general is made private, its links stay out of later digests;
//   - a deleted channel's links go, and when the bot leaves the server, its
//     schedule, settings and links go.
func TestDigestPrivacyEndToEnd(t *testing.T) {
	t.Parallel()
	articles := site(t, seed(t))
	story := func(name string) string { return articles.URL + "/article?story=" + name }
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	const (
		guild   = fakediscord.DefaultGuildID
		news    = "1300000000000000201"
		general = "1300000000000000202"
		staff   = "1300000000000000203"
		role    = "1500000000000000201"
	)
	clock := &testClock{now: time.Date(2026, 4, 1, 9, 0, 0, 0, berlin)}
	fake := fakediscord.New(t, fakediscord.Options{Now: clock.Now, InteractionAckTimeout: -1, Guilds: []fakediscord.Guild{{
		ID:    guild,
		Roles: []fakediscord.Role{{ID: role, Name: "staff"}},
		Channels: []fakediscord.Channel{
			{ID: news, Name: "news"},
			{ID: general, Name: "general"},
			{ID: staff, Name: "staff-only", Overwrites: fakediscord.PrivateTo(guild, role)},
		},
	}}})
	events := &logWatch{events: make(chan string, 64)}
	m, _ := runMainLogged(t, serveEnv(t, fake, allowPrivate), clock, slog.New(events))
	ctx, _ := commandsRegistered(t, fake, 90*time.Second)

	// /digest set channel:#news time:08:00 timezone:Europe/Berlin sources:shared
	in, err := fake.SendSlashCommand(fakediscord.SlashCommand{
		Invoker: fakediscord.Invoker{Permissions: discordgo.PermissionManageGuild | fakediscord.DefaultUserPermissions},
		Name:    "digest", ChannelID: news,
		Options: digestSet(news, "Europe/Berlin", "shared"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
		return strings.Contains(r.Path, in.Token) && strings.Contains(string(r.Body), "Daily digest for")
	}); err != nil {
		t.Fatalf("no confirmation of /digest set: %v", err)
	}

	// share posts a message and waits for the bot's summary reply, so the
	// bot has recorded the links and handled every earlier event.
	share := func(channel, text string) string {
		t.Helper()
		msg, err := fake.SendMessage(fakediscord.Message{ChannelID: channel, Content: text})
		if err != nil {
			t.Fatal(err)
		}
		id := msg["id"].(string)
		if _, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
			return r.Method == http.MethodPost && strings.Contains(string(r.Body), `"message_id":"`+id+`"`)
		}); err != nil {
			t.Fatalf("no reply to %q: %v", text, err)
		}
		return id
	}
	// digestAt runs the scheduler at 08:00 of day and returns the text of
	// every message it posted in #news.
	digestAt := func(day int) string {
		t.Helper()
		clock.Set(time.Date(2026, 4, day, 8, 0, 30, 0, berlin))
		before := len(fake.Requests())
		m.digests.RunDue(ctx)
		var b strings.Builder
		for _, r := range fake.Requests()[before:] {
			if r.Method == http.MethodPost && r.Path == "/api/v9/channels/"+news+"/messages" {
				b.Write(r.Body)
			}
		}
		if !strings.Contains(b.String(), "Daily digest") {
			t.Fatalf("no digest posted on day %d", day)
		}
		return b.String()
	}
	check := func(when, body string, shown, hidden []string) {
		t.Helper()
		for _, s := range shown {
			if !strings.Contains(body, s) {
				t.Errorf("%s: digest lacks %s", when, s)
			}
		}
		for _, s := range hidden {
			if strings.Contains(body, s) {
				t.Errorf("%s: digest shows %s", when, s)
			}
		}
		if t.Failed() {
			t.Logf("%s: digest:\n%s", when, body)
		}
	}

	// Day 1: a staff member shares in #staff-only, others in #general; one
	// message is deleted, one edited to drop one of its two links.
	clock.Set(time.Date(2026, 4, 1, 10, 0, 0, 0, berlin))
	share(staff, "internal: "+story("secret"))
	share(general, "worth a read "+story("public"))
	deleted := share(general, "oops "+story("deleted"))
	edited := share(general, "two: "+story("edited-out")+" and "+story("kept"))
	if err := fake.DeleteMessage(general, deleted); err != nil {
		t.Fatal(err)
	}
	events.wait(t, ctx, "message_delete forgot")
	if _, err := fake.EditMessage(general, edited, "just one: "+story("kept")); err != nil {
		t.Fatal(err)
	}
	events.wait(t, ctx, "message_update forgot")

	body := digestAt(2)
	check("day 2", body,
		[]string{story("public"), story("kept"), "/channels/" + guild + "/" + general + "/"},
		[]string{story("secret"), "story=secret", "story=deleted", "story=edited-out", staff, "staff-only"})

	// Day 2: a link shared in #general, which is then made staff-only; a
	// link shared in #news itself afterwards (its reply also shows the bot
	// has seen the channel change).
	clock.Set(time.Date(2026, 4, 2, 10, 0, 0, 0, berlin))
	share(general, "before the change "+story("before-private"))
	if err := fake.UpdateChannel(fakediscord.Channel{ID: general, Overwrites: fakediscord.PrivateTo(guild, role)}); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 4, 2, 11, 0, 0, 0, berlin))
	share(news, "in the open "+story("in-news"))

	body = digestAt(3)
	check("day 3", body,
		[]string{story("in-news")},
		[]string{"story=before-private", "/channels/" + guild + "/" + general + "/", "story=secret"})

	// #staff-only is deleted: its links go with it.
	if err := fake.DeleteChannel(staff); err != nil {
		t.Fatal(err)
	}
	events.wait(t, ctx, "channel_delete forgot")
	links, err := m.store.LinksSince(ctx, guild, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if l.ChannelID == staff {
			t.Errorf("a deleted channel's link is kept: %+v", l)
		}
	}
	if len(links) == 0 {
		t.Error("deleting #staff-only took the other channels' links too")
	}

	// The bot is removed from the server: what it kept about it goes.
	if err := fake.RemoveGuild(guild); err != nil {
		t.Fatal(err)
	}
	events.wait(t, ctx, "guild_delete forgot")
	if scheds, err := m.store.GuildDigestSchedules(ctx, guild); err != nil || len(scheds) != 0 {
		t.Errorf("schedules after leaving: %+v, %v", scheds, err)
	}
	if links, err := m.store.LinksSince(ctx, guild, time.Time{}); err != nil || len(links) != 0 {
		t.Errorf("%d links after leaving (%v)", len(links), err)
	}
	clock.Set(time.Date(2026, 4, 4, 8, 0, 30, 0, berlin))
	before := len(fake.Requests())
	m.digests.RunDue(ctx)
	if n := len(fake.Requests()) - before; n != 0 {
		t.Errorf("%d Discord requests by the scheduler after leaving the server", n)
	}
}

// logWatch is a slog handler that reports the bot's forget log lines as
// "event message" ("message_delete forgot"), so a test knows when a
// gateway event that posts nothing has been handled.
type logWatch struct {
	events chan string
}

func (w *logWatch) Enabled(context.Context, slog.Level) bool { return true }

func (w *logWatch) Handle(_ context.Context, r slog.Record) error {
	switch r.Message {
	case "forgot", "nothing to forget", "forget":
	default:
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "event" {
			w.events <- a.Value.String() + " " + r.Message
		}
		return true
	})
	return nil
}

func (w *logWatch) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *logWatch) WithGroup(string) slog.Handler      { return w }

// wait waits for a forget log line, failing on any other first.
func (w *logWatch) wait(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	select {
	case got := <-w.events:
		if got != want {
			t.Fatalf("log %q, want %q", got, want)
		}
	case <-ctx.Done():
		t.Fatalf("no log %q", want)
	}
}
