package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/fakellm"
)

// TestRecapEndToEnd runs Precis through serve's wiring against a fake
// Discord that serves the channel's history and a fake model: /recap is
// refused until an admin allows it, the context menu answers privately
// with checked quotes linked to their messages, /recap in a thread follows
// its channel's setting and answers in public, and nothing can ping.
func TestRecapEndToEnd(t *testing.T) {
	t.Parallel()
	const (
		general = fakediscord.DefaultChannelID
		thread  = "1300000000000000002"
		guild   = fakediscord.DefaultGuildID
	)
	fake := fakediscord.New(t, fakediscord.Options{Guilds: []fakediscord.Guild{{
		ID: guild, Name: fakediscord.DefaultGuildName,
		Channels: []fakediscord.Channel{
			{ID: general, Name: "general"},
			{ID: thread, Name: "seed-swap", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: general},
		},
	}}})
	llm := fakellm.New(t)
	llm.SetResponder(fakellm.ModifyRecap(func(p *fakellm.RecapPayload, lines []fakellm.RecapLine) {
		p.Quotes = append(p.Quotes, fakellm.RecapQuote{Text: "We should cancel the whole event", Author: "Alice"})
		p.Summary += " <@" + fakediscord.DefaultUserID + "> @everyone"
	}))
	runMain(t, serveEnv(t, fake, modelEnv(llm)), nil)
	ctx, _ := commandsRegistered(t, fake, 60*time.Second)

	alice := &discordgo.User{ID: "1400000000000000011", Username: "alice_w", GlobalName: "Alice", Discriminator: "0"}
	bob := &discordgo.User{ID: "1400000000000000012", Username: "bobby", Discriminator: "0"}
	start := time.Now().Add(-2 * time.Hour).UTC()
	history := []fakediscord.Message{
		{ID: "1500000000000000001", ChannelID: general, Author: alice, Timestamp: start,
			Content: "I propose we move the seed swap to the library on March 21."},
		{ID: "1500000000000000002", ChannelID: general, Author: bob, Timestamp: start.Add(time.Minute), ReplyTo: "1500000000000000001",
			Content: "The library closes at 4pm on Saturdays, so we would lose the afternoon."},
		{ID: "1500000000000000003", ChannelID: general, Author: &discordgo.User{ID: fakediscord.DefaultBotUserID, Username: "Precis", Bot: true},
			Timestamp: start.Add(2 * time.Minute), Content: "Bot status line that must never be recapped."},
		{ID: "1500000000000000004", ChannelID: general, Author: alice, Timestamp: start.Add(3 * time.Minute), ReplyTo: "1500000000000000002",
			Content: "@everyone fair point, I will ask them about Sunday instead."},
		{ID: "1500000000000000005", ChannelID: thread, Author: bob, Timestamp: start.Add(4 * time.Minute),
			Content: "In this thread we collect the list of seeds people are bringing."},
		{ID: "1500000000000000006", ChannelID: thread, Author: alice, Timestamp: start.Add(5 * time.Minute),
			Content: "I am bringing tomatoes, beans and three kinds of squash."},
	}
	for _, m := range history {
		fake.AddMessage(m)
	}
	member := fakediscord.Invoker{Permissions: fakediscord.DefaultUserPermissions | discordgo.PermissionSendMessagesInThreads}
	admin := fakediscord.Invoker{Permissions: member.Permissions | discordgo.PermissionManageGuild}

	type answer struct {
		deferral struct {
			Type int `json:"type"`
			Data struct {
				Flags int `json:"flags"`
			} `json:"data"`
		}
		body string
	}
	// await waits for the interaction's deferral and its final edit (or,
	// for a public error, its private follow-up) containing want.
	await := func(in fakediscord.Interaction, want string) answer {
		t.Helper()
		var a answer
		cb, err := fake.WaitRequest(ctx, fakediscord.Match("POST", in.CallbackPath))
		if err != nil {
			t.Fatal(err)
		}
		if err := cb.Decode(&a.deferral); err != nil {
			t.Fatal(err)
		}
		r, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
			return strings.Contains(r.Path, in.Token) && r.Method != http.MethodGet && strings.Contains(string(r.Body), want)
		})
		if err != nil {
			t.Fatalf("no answer with %q: %v", want, err)
		}
		a.body = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(r.Body))
		if !strings.Contains(a.body, `"parse":[]`) {
			t.Errorf("answer without allowed_mentions parse []: %s", a.body)
		}
		return a
	}
	jump := func(channel, id string) string {
		return "https://discord.com/channels/" + guild + "/" + channel + "/" + id
	}

	// Off by default: refused, saying how to turn it on; the model is not
	// asked.
	in, err := fake.SendSlashCommand(fakediscord.SlashCommand{Invoker: member, Name: "recap", ChannelID: general})
	if err != nil {
		t.Fatal(err)
	}
	refused := await(in, "Recaps are off")
	if !strings.Contains(refused.body, "/precis settings recap:true") || llm.Calls() != 0 {
		t.Errorf("refusal %s, %d model calls", refused.body, llm.Calls())
	}

	// An admin allows recaps in #general.
	in, err = fake.SendSlashCommand(fakediscord.SlashCommand{
		Invoker: admin, Name: "precis", ChannelID: general,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "settings", Type: discordgo.ApplicationCommandOptionSubCommand,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{
				{Name: "recap", Type: discordgo.ApplicationCommandOptionBoolean, Value: true},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	await(in, "Recaps: on")

	// The context menu on Bob's reply: private, the reply chain and what
	// followed, bots left out, quotes checked and linked.
	in, err = fake.SendMessageCommand(fakediscord.MessageCommand{
		Invoker: member, Name: "Summarize discussion", ChannelID: general, Target: history[1],
	})
	if err != nil {
		t.Fatal(err)
	}
	menu := await(in, "Recap of #general")
	if menu.deferral.Data.Flags&int(discordgo.MessageFlagsEphemeral) == 0 {
		t.Errorf("context-menu recap is not private: %+v", menu.deferral)
	}
	for _, id := range []string{"1500000000000000001", "1500000000000000002"} {
		if !strings.Contains(menu.body, jump(general, id)) {
			t.Errorf("recap lacks the jump link to %s:\n%s", id, menu.body)
		}
	}
	// The chain (Alice, Bob) and Alice's answer after it; not the bot.
	if !strings.Contains(menu.body, "3 messages · 2 members") {
		t.Errorf("recap does not cover the discussion's three messages:\n%s", menu.body)
	}
	for _, bad := range []string{"cancel the whole event", "Bot status line", "@everyone", "<@" + fakediscord.DefaultUserID} {
		if strings.Contains(menu.body, bad) {
			t.Errorf("recap contains %q:\n%s", bad, menu.body)
		}
	}
	if p := llm.Requests()[0].LastUser(); strings.Contains(p, "Bot status line") || !strings.Contains(p, "<<<MESSAGES ") {
		t.Errorf("prompt holds the bot's message or no fenced messages:\n%s", p)
	}

	// /recap in a thread follows #general's setting and answers in public.
	in, err = fake.SendSlashCommand(fakediscord.SlashCommand{
		Invoker: member, Name: "recap", ChannelID: thread,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: "since", Type: discordgo.ApplicationCommandOptionString, Value: "24h"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	th := await(in, "Recap of #seed-swap")
	if th.deferral.Data.Flags&int(discordgo.MessageFlagsEphemeral) != 0 {
		t.Errorf("thread recap is private, want public: %+v", th.deferral)
	}
	if !strings.Contains(th.body, jump(thread, "1500000000000000006")) || strings.Contains(th.body, "seed swap to the library") {
		t.Errorf("thread recap is not the thread's:\n%s", th.body)
	}

	// A member who cannot send messages here gets the recap privately,
	// told why.
	readOnly := fakediscord.Invoker{Permissions: discordgo.PermissionViewChannel | discordgo.PermissionReadMessageHistory | discordgo.PermissionUseApplicationCommands}
	in, err = fake.SendSlashCommand(fakediscord.SlashCommand{Invoker: readOnly, Name: "recap", ChannelID: general})
	if err != nil {
		t.Fatal(err)
	}
	ro := await(in, "Only you can see this recap")
	if ro.deferral.Data.Flags&int(discordgo.MessageFlagsEphemeral) == 0 {
		t.Errorf("recap for a read-only member is public: %+v", ro.deferral)
	}
}
