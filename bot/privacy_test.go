package bot

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/internal/fakecore"
	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/store"
)

var _ digest.Visibility = (*Client)(nil)

// A server for the privacy tests: a public #general with a public and a
// private thread, a staff-only channel with a public thread, an NSFW
// channel, and an archived thread the gateway does not send.
const (
	pGuild   = fakediscord.DefaultGuildID
	pGeneral = "1300000000000000101"
	pStaff   = "1300000000000000102"
	pAdult   = "1300000000000000103"
	pAdult2  = "1300000000000000104"
	pThread  = "1300000000000000105"
	pPrivate = "1300000000000000106"
	pStaffTh = "1300000000000000107"
	pOld     = "1300000000000000108"
	pNews    = "1300000000000000109"
	pRole    = "1500000000000000101"
	pOther   = "1200000000000000999"
	pElse    = "1300000000000000999"
)

func privacyGuilds() []fakediscord.Guild {
	return []fakediscord.Guild{
		{ID: pGuild, Roles: []fakediscord.Role{{ID: pRole, Name: "staff"}}, Channels: []fakediscord.Channel{
			{ID: pGeneral, Name: "general"},
			{ID: pNews, Name: "news"},
			{ID: pStaff, Name: "staff-only", Overwrites: fakediscord.PrivateTo(pGuild, pRole)},
			{ID: pAdult, Name: "after-dark", NSFW: true},
			{ID: pAdult2, Name: "after-dark-2", NSFW: true},
			{ID: pThread, Name: "thread", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: pGeneral},
			{ID: pPrivate, Name: "private thread", Type: discordgo.ChannelTypeGuildPrivateThread, ParentID: pGeneral},
			{ID: pStaffTh, Name: "staff thread", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: pStaff},
			{ID: pOld, Name: "archived", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: pGeneral, Archived: true},
		}},
		{ID: pOther, Channels: []fakediscord.Channel{{ID: pElse, Name: "elsewhere"}}},
	}
}

// connectedClient is a Client whose session is connected to fake and
// holds its guilds in the gateway's state.
func connectedClient(t *testing.T, fake *fakediscord.Server) *Client {
	t.Helper()
	c := restClient(t, fake)
	n := len(fake.Guilds())
	created := make(chan struct{}, n)
	c.session.AddHandler(func(*discordgo.Session, *discordgo.GuildCreate) { created <- struct{}{} })
	if err := c.session.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.session.Lock()
		c.session.ShouldReconnectOnError = false
		c.session.Unlock()
		_ = c.session.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for range n {
		select {
		case <-created:
		case <-ctx.Done():
			t.Fatal("guilds never arrived")
		}
	}
	return c
}

// restClient is a Client that never connects: its state is empty, so every
// answer comes from the API, as for a server of another shard.
func restClient(t *testing.T, fake *fakediscord.Server) *Client {
	t.Helper()
	c, err := NewClient(ClientOptions{Token: fake.Token(), APIURL: fake.APIURL(), RetryBase: time.Millisecond}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.session.LogLevel = discordgo.LogError
	return c
}

func TestClientCovers(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(t, fakediscord.Options{Guilds: privacyGuilds()})
	clients := map[string]*Client{"gateway state": connectedClient(t, fake), "REST only": restClient(t, fake)}
	tests := []struct {
		name           string
		shared, digest string
		want, err      bool
	}{
		{"same channel", pGeneral, pGeneral, true, false},
		{"public into public", pGeneral, pNews, true, false},
		{"staff-only into public", pStaff, pNews, false, false},
		{"public into staff-only", pGeneral, pStaff, true, false},
		{"public thread into its channel", pThread, pGeneral, true, false},
		{"public thread judged by its parent", pThread, pNews, true, false},
		{"thread of a staff-only channel into public", pStaffTh, pNews, false, false},
		{"thread of a staff-only channel into that channel", pStaffTh, pStaff, true, false},
		{"private thread never counts", pPrivate, pGeneral, false, false},
		{"archived thread, read from the API", pOld, pNews, true, false},
		{"NSFW into a channel that is not", pAdult, pNews, false, false},
		{"NSFW into NSFW", pAdult, pAdult2, true, false},
		{"into NSFW from a channel that is not", pGeneral, pAdult, true, false},
		{"unknown channel", "1300000000000000555", pNews, false, true},
		{"another server's channel", pElse, pNews, false, true},
		{"into another server's channel", pGeneral, pElse, false, true},
	}
	for cname, c := range clients {
		t.Run(cname, func(t *testing.T) {
			t.Parallel()
			for _, tt := range tests {
				got, err := c.Covers(context.Background(), pGuild, tt.shared, tt.digest)
				if got != tt.want || (err != nil) != tt.err {
					t.Errorf("%s: Covers = %v, %v; want %v (error %v)", tt.name, got, err, tt.want, tt.err)
				}
			}
		})
	}
}

// TestClientCoversFollowsChannelChanges: a channel made private later is
// judged by its new overwrites at the next check, and a server the bot
// left covers nothing.
func TestClientCoversFollowsChannelChanges(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(t, fakediscord.Options{Guilds: privacyGuilds()})
	c := connectedClient(t, fake)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	updated := make(chan struct{}, 1)
	c.session.AddHandler(func(*discordgo.Session, *discordgo.ChannelUpdate) { updated <- struct{}{} })
	left := make(chan struct{}, 1)
	c.session.AddHandler(func(*discordgo.Session, *discordgo.GuildDelete) { left <- struct{}{} })
	wait := func(ch chan struct{}) {
		t.Helper()
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatal("event never handled")
		}
	}

	if ok, err := c.Covers(ctx, pGuild, pGeneral, pNews); !ok || err != nil {
		t.Fatalf("before: Covers = %v, %v", ok, err)
	}
	if err := fake.UpdateChannel(fakediscord.Channel{ID: pGeneral, Overwrites: fakediscord.PrivateTo(pGuild, pRole)}); err != nil {
		t.Fatal(err)
	}
	wait(updated)
	for _, shared := range []string{pGeneral, pThread} {
		if ok, err := c.Covers(ctx, pGuild, shared, pNews); ok || err != nil {
			t.Errorf("after #general went private: Covers(%s) = %v, %v; want false", shared, ok, err)
		}
	}
	if err := fake.RemoveGuild(pGuild); err != nil {
		t.Fatal(err)
	}
	wait(left)
	if ok, err := c.Covers(ctx, pGuild, pNews, pGeneral); ok || err == nil {
		t.Errorf("after leaving the server: Covers = %v, %v; want false with an error", ok, err)
	}
}

// forgetLog is the test store with its forget calls reported in order.
type forgetLog struct {
	*fakecore.Store
	calls chan string
}

func (f *forgetLog) ForgetMessages(ctx context.Context, ch string, ids []string) (int64, error) {
	defer func() { f.calls <- fmt.Sprintf("messages %s %v", ch, ids) }()
	return f.Store.ForgetMessages(ctx, ch, ids)
}

func (f *forgetLog) KeepMessageLinks(ctx context.Context, ch, msg string, keep []string) (int64, error) {
	defer func() { f.calls <- fmt.Sprintf("keep %s %s %v", ch, msg, keep) }()
	return f.Store.KeepMessageLinks(ctx, ch, msg, keep)
}

func (f *forgetLog) ForgetChannels(ctx context.Context, g string, ids []string) (int64, error) {
	defer func() { f.calls <- fmt.Sprintf("channels %s %v", g, ids) }()
	return f.Store.ForgetChannels(ctx, g, ids)
}

func (f *forgetLog) ForgetGuild(ctx context.Context, g string) (int64, error) {
	defer func() { f.calls <- "guild " + g }()
	return f.Store.ForgetGuild(ctx, g)
}

// TestForgetsWhatDiscordDeletes: deleted messages, links edited out,
// deleted channels and threads, and a server the bot left are forgotten;
// an update that is not an edit and a server's outage forget nothing.
func TestForgetsWhatDiscordDeletes(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(t, fakediscord.Options{Guilds: privacyGuilds()})
	st := fakecore.NewStore()
	for _, ch := range []string{pGeneral, pStaff, pThread} { // record links, post no summaries
		if err := st.SetChannelSettings(context.Background(), store.ChannelSettings{GuildID: pGuild, ChannelID: ch, Mode: commands.ModeReaction}); err != nil {
			t.Fatal(err)
		}
	}
	log := &forgetLog{Store: st, calls: make(chan string, 16)}
	b, _ := newTestBot(t, harnessConfig{
		client:   ClientOptions{Token: fake.Token(), APIURL: fake.APIURL(), RetryBase: time.Second},
		bot:      Options{ShutdownGrace: time.Second, JobTimeout: time.Minute, SkipCommandRegistration: true},
		core:     testCoreOptions(),
		botStore: log,
	}, fakecore.NewReader(), nil, st)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	runBot(t, b)
	if err := fake.WaitReady(ctx, 1); err != nil {
		t.Fatal(err)
	}
	next := func(want string) {
		t.Helper()
		select {
		case got := <-log.calls:
			if got != want {
				t.Errorf("store call %q, want %q", got, want)
			}
		case <-ctx.Done():
			t.Fatalf("no store call, want %q", want)
		}
	}
	post := func(ch, text string) string {
		t.Helper()
		msg, err := fake.SendMessage(fakediscord.Message{ChannelID: ch, Content: text})
		if err != nil {
			t.Fatal(err)
		}
		for range article.FindLinks(text, 10) {
			select {
			case <-st.Linked:
			case <-ctx.Done():
				t.Fatal("link not recorded")
			}
		}
		return msg["id"].(string)
	}
	links := func() []string {
		var out []string
		for _, l := range st.Links {
			out = append(out, l.ChannelID+" "+l.NormURL)
		}
		slices.Sort(out)
		return out
	}

	edited := post(pGeneral, "two stories https://a.example/one and https://a.example/two")
	gone := post(pGeneral, "https://a.example/three")
	bulk1 := post(pStaff, "https://a.example/four")
	bulk2 := post(pStaff, "https://a.example/five")
	post(pThread, "https://a.example/six")

	// An update that is not an edit (a link preview arriving) carries no
	// edited_timestamp and may lack the text: nothing is forgotten.
	if err := fake.Dispatch("MESSAGE_UPDATE", map[string]any{"id": edited, "channel_id": pGeneral, "guild_id": pGuild, "embeds": []any{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.EditMessage(pGeneral, edited, "one story left: https://a.example/two"); err != nil {
		t.Fatal(err)
	}
	next("keep " + pGeneral + " " + edited + " [https://a.example/two]")
	if err := fake.DeleteMessage(pGeneral, gone); err != nil {
		t.Fatal(err)
	}
	next(fmt.Sprintf("messages %s [%s]", pGeneral, gone))
	if err := fake.DeleteMessages(pStaff, []string{bulk1, bulk2}); err != nil {
		t.Fatal(err)
	}
	next(fmt.Sprintf("messages %s [%s %s]", pStaff, bulk1, bulk2))
	if got, want := links(), []string{pGeneral + " https://a.example/two", pThread + " https://a.example/six"}; !slices.Equal(got, want) {
		t.Errorf("links kept: %q, want %q", got, want)
	}

	// A thread deleted, then a channel with its threads.
	if err := fake.DeleteChannel(pStaffTh); err != nil {
		t.Fatal(err)
	}
	next(fmt.Sprintf("channels %s [%s]", pGuild, pStaffTh))
	if err := fake.DeleteChannel(pGeneral); err != nil {
		t.Fatal(err)
	}
	next(fmt.Sprintf("channels %s [%s %s %s]", pGuild, pGeneral, pThread, pPrivate))
	if got := links(); len(got) != 0 {
		t.Errorf("links kept after #general was deleted: %q", got)
	}

	// An outage forgets nothing; leaving the server forgets it.
	if err := fake.GuildOutage(pOther); err != nil {
		t.Fatal(err)
	}
	if err := fake.RemoveGuild(pGuild); err != nil {
		t.Fatal(err)
	}
	next("guild " + pGuild)
	if cs, _ := st.ChannelSettings(ctx, pGuild, pStaff); cs.Mode != "auto" {
		t.Errorf("settings of a server the bot left: %+v", cs)
	}
	select {
	case c := <-log.calls:
		t.Errorf("unexpected store call %q", c)
	default:
	}
}
