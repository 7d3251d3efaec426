package bot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakecore"
	"github.com/precisbot/precis/internal/fakediscord"
)

// A member who may not post in a channel gets the summary privately, with
// the reason, never a public message on their behalf.
func TestSummaryForMemberWhoCannotPostIsPrivate(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	in, err := h.fake.SendSlashCommand(fakediscord.SlashCommand{
		Invoker: fakediscord.Invoker{Permissions: discordgo.PermissionViewChannel | discordgo.PermissionReadMessageHistory},
		Name:    "summarize", Options: []*discordgo.ApplicationCommandInteractionDataOption{stringOpt("url", "https://news.example/readonly")},
	})
	if err != nil {
		t.Fatal(err)
	}
	cb := h.wait(fakediscord.Match("POST", in.CallbackPath))
	var body struct {
		Data struct {
			Flags int `json:"flags"`
		} `json:"data"`
	}
	if err := cb.Decode(&body); err != nil || body.Data.Flags&64 == 0 {
		t.Fatalf("deferral %s: want an ephemeral one", cb.Body)
	}
	final := h.wait(func(r fakediscord.Request) bool {
		return r.Method == "PATCH" && r.Route == in.OriginalPath && strings.Contains(string(r.Body), "Council")
	})
	if !strings.Contains(string(final.Body), "can't post in this channel") {
		t.Errorf("the private answer does not say why: %s", final.Body)
	}
}

// Precis knows when it cannot post in a channel, from the server's roles
// and the channel's overwrites, and says what it lacks.
func TestCanPostFollowsPermissions(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(t, fakediscord.Options{Guilds: []fakediscord.Guild{{
		ID: fakediscord.DefaultGuildID, BotPermissions: discordgo.PermissionViewChannel, EveryonePermissions: discordgo.PermissionViewChannel,
	}}})
	b, _ := newTestBot(t, harnessConfig{
		client: ClientOptions{Token: fake.Token(), APIURL: fake.APIURL(), RetryBase: time.Second},
		bot:    Options{ShutdownGrace: time.Second, JobTimeout: time.Minute, SkipCommandRegistration: true},
		core:   testCoreOptions(),
	}, fakecore.NewReader(), nil, fakecore.NewStore())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// The state holds the server once its GUILD_CREATE was handled.
	guild := make(chan struct{})
	b.client.session.AddHandlerOnce(func(*discordgo.Session, *discordgo.GuildCreate) { close(guild) })
	runBot(t, b)
	select {
	case <-guild:
	case <-ctx.Done():
		t.Fatal("no GUILD_CREATE")
	}
	err := b.client.CanPost(ctx, fakediscord.DefaultGuildID, fakediscord.DefaultChannelID)
	var ae *AccessError
	if !errors.As(err, &ae) || !strings.Contains(ae.UserMessage(), "Send Messages") {
		t.Fatalf("CanPost = %v, want an AccessError naming Send Messages", err)
	}
}
