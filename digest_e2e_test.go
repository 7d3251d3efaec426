package main

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/internal/fakediscord"
)

// testClock is a settable clock; After never fires, so the test drives the
// scheduler with RunDue instead of waiting.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *testClock) After(time.Duration) <-chan time.Time { return nil }

// TestDigestEndToEnd configures a digest with /digest set through the fake
// Discord, shares links during the "day", and checks that the digest is
// posted at the set local time, once, with the three shares of one story
// clustered into one entry that links back to each message.
func TestDigestEndToEnd(t *testing.T) {
	t.Parallel()
	page := seed(t)
	articles := site(t, page)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Date(2026, 3, 28, 9, 0, 0, 0, berlin)} // the day before DST starts
	fake := fakediscord.New(t, fakediscord.Options{Now: clock.Now, InteractionAckTimeout: -1})
	m, _ := runMain(t, serveEnv(t, fake, allowPrivate), clock)
	digests := m.digests
	ctx, _ := commandsRegistered(t, fake, 60*time.Second)

	// /digest set channel:#general time:08:00 timezone:Europe/Berlin sources:shared
	manager := fakediscord.Invoker{Permissions: discordgo.PermissionManageGuild | fakediscord.DefaultUserPermissions}
	in, err := fake.SendSlashCommand(fakediscord.SlashCommand{
		Invoker: manager,
		Name:    "digest",
		Options: digestSet(fakediscord.DefaultChannelID, "Europe/Berlin", "shared"),
	})
	if err != nil {
		t.Fatal(err)
	}
	confirm, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
		return strings.Contains(r.Path, in.Token) && strings.Contains(string(r.Body), "Daily digest for")
	})
	if err != nil {
		t.Fatalf("no confirmation of /digest set: %v", err)
	}
	t.Logf("confirmation: %s", confirm.Body)

	// During the day three people share the same story from three outlets
	// (same article, different addresses) in auto mode.
	var shared []string
	for i, path := range []string{"/article?outlet=a", "/article?outlet=b", "/article?outlet=c"} {
		clock.Set(time.Date(2026, 3, 28, 10+i, 0, 0, 0, berlin))
		m, err := fake.SendMessage(fakediscord.Message{Content: "news: " + articles.URL + path})
		if err != nil {
			t.Fatal(err)
		}
		id := m["id"].(string)
		shared = append(shared, id)
		if _, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
			return r.Method == http.MethodPost && strings.Contains(string(r.Body), `"message_id":"`+id+`"`)
		}); err != nil {
			t.Fatalf("no reply to shared link %d: %v", i, err)
		}
	}

	isDigest := func(r fakediscord.Request) bool {
		return r.Method == http.MethodPost && r.Path == "/api/v9/channels/"+fakediscord.DefaultChannelID+"/messages" &&
			strings.Contains(string(r.Body), "discord.com/channels/")
	}
	// Before 08:00 the next morning nothing is posted.
	clock.Set(time.Date(2026, 3, 29, 7, 59, 0, 0, berlin))
	digests.RunDue(ctx)
	if n := count(fake.Requests(), isDigest); n != 0 {
		t.Fatalf("digest posted before its time (%d)", n)
	}
	// At 08:00 local time (DST started at 02:00 that night) it is posted.
	clock.Set(time.Date(2026, 3, 29, 8, 0, 30, 0, berlin))
	digests.RunDue(ctx)
	post, err := fake.WaitRequest(ctx, isDigest)
	if err != nil {
		t.Fatal(err)
	}
	body := string(post.Body)
	for _, id := range shared {
		link := "https://discord.com/channels/" + fakediscord.DefaultGuildID + "/" + fakediscord.DefaultChannelID + "/" + id
		if !strings.Contains(body, link) {
			t.Errorf("digest lacks the message link %s", link)
		}
	}
	if c := strings.Count(body, "US and Russia plan further Ukraine talks"); c == 0 {
		t.Errorf("digest lacks the story:\n%s", body)
	}
	if !strings.Contains(body, `"parse":[]`) {
		t.Errorf("digest without allowed_mentions parse []")
	}
	// A second tick, and a restart of the scheduler, post nothing more.
	clock.Set(time.Date(2026, 3, 29, 8, 5, 0, 0, berlin))
	digests.RunDue(ctx)
	again := digest.New(digest.Deps{Store: m.store, Fetcher: m.fetcher, Poster: m.client, Clock: clock}, digest.Options{InstanceID: "restarted"})
	again.RunDue(ctx)
	if n := count(fake.Requests(), isDigest); n != 1 {
		t.Errorf("digest posted %d times, want once", n)
	}
}

func count(reqs []fakediscord.Request, pred func(fakediscord.Request) bool) int {
	n := 0
	for _, r := range reqs {
		if pred(r) {
			n++
		}
	}
	return n
}
