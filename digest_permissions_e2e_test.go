package main

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakediscord"
)

// TestDigestSetChecksPermissions: /digest set is refused, with the reason,
// when the member could not post in the target channel or when Precis
// cannot; no schedule is saved then.
func TestDigestSetChecksPermissions(t *testing.T) {
	t.Parallel()
	const (
		guild   = fakediscord.DefaultGuildID
		general = fakediscord.DefaultChannelID
		mods    = "1300000000000000099"
	)
	fake := fakediscord.New(t, fakediscord.Options{Guilds: []fakediscord.Guild{{
		ID: guild, Name: "G",
		// Members may view but not post, unless they are moderators.
		EveryonePermissions: discordgo.PermissionViewChannel | discordgo.PermissionReadMessageHistory | discordgo.PermissionUseApplicationCommands,
		Roles:               []fakediscord.Role{{ID: mods, Name: "mods", Permissions: discordgo.PermissionSendMessages}},
		// Precis may view and embed, not post.
		BotPermissions: discordgo.PermissionViewChannel | discordgo.PermissionEmbedLinks,
	}}})
	m, _ := runMain(t, serveEnv(t, fake), nil)
	ctx, _ := commandsRegistered(t, fake, 60*time.Second)
	set := func(inv fakediscord.Invoker) string {
		t.Helper()
		in, err := fake.SendSlashCommand(fakediscord.SlashCommand{
			Invoker: inv, Name: "digest",
			Options: digestSet(general, "UTC", ""),
		})
		if err != nil {
			t.Fatal(err)
		}
		r, err := fake.WaitRequest(ctx, fakediscord.Match("PATCH", in.OriginalPath))
		if err != nil {
			t.Fatal(err)
		}
		return string(r.Body)
	}
	manage := int64(discordgo.PermissionManageGuild | discordgo.PermissionViewChannel)
	if body := set(fakediscord.Invoker{Permissions: manage}); !strings.Contains(body, "see and post in") {
		t.Errorf("a manager who cannot post there: %s", body)
	}
	if body := set(fakediscord.Invoker{Permissions: manage | discordgo.PermissionSendMessages, Roles: []string{mods}}); !strings.Contains(body, "Precis can't post") || !strings.Contains(body, "Send Messages") {
		t.Errorf("a channel where Precis cannot post: %s", body)
	}
	if scheds, err := m.store.GuildDigestSchedules(ctx, guild); err != nil || len(scheds) != 0 {
		t.Errorf("schedules saved: %v %v", scheds, err)
	}
}
