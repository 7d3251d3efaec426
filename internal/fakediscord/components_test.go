package fakediscord_test

import (
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakediscord"
)

// A button click carries the clicked message; a modal submit its values;
// discordgo decodes both.
func TestComponentAndModalInteractions(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{})
	s, got := interactionSession(t, ctx, fake, 2)
	m, err := s.ChannelMessageSendComplex(fakediscord.DefaultChannelID, &discordgo.MessageSend{
		Content:         "pick",
		Embeds:          []*discordgo.MessageEmbed{{Title: "a", URL: "https://news.example/a"}},
		Components:      []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Label: "Go", Style: discordgo.PrimaryButton, CustomID: "go"}}}},
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.SendComponent(fakediscord.ComponentClick{MessageID: m.ID, CustomID: "nope"}); err == nil {
		t.Error("a click on a button the message lacks was sent")
	}
	if _, err := fake.SendComponent(fakediscord.ComponentClick{MessageID: "404", CustomID: "go"}); err == nil {
		t.Error("a click on an unknown message was sent")
	}
	click, err := fake.SendComponent(fakediscord.ComponentClick{MessageID: m.ID, CustomID: "go"})
	if err != nil {
		t.Fatal(err)
	}
	ic := <-got
	if ic.ID != click.ID || ic.Type != discordgo.InteractionMessageComponent || ic.MessageComponentData().CustomID != "go" ||
		ic.Message == nil || ic.Message.ID != m.ID || len(ic.Message.Embeds) != 1 || ic.Message.Embeds[0].URL != "https://news.example/a" {
		t.Fatalf("click = %+v", ic.Interaction)
	}
	sub, err := fake.SendModalSubmit(fakediscord.ModalSubmit{CustomID: "modal", MessageID: m.ID, Values: map[string]string{"q": "why?"}})
	if err != nil {
		t.Fatal(err)
	}
	ic = <-got
	data := ic.ModalSubmitData()
	if ic.ID != sub.ID || ic.Type != discordgo.InteractionModalSubmit || data.CustomID != "modal" || ic.Message == nil || len(data.Components) != 1 {
		t.Fatalf("submit = %+v %+v", ic.Interaction, data)
	}
	in := data.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.TextInput)
	if in.CustomID != "q" || in.Value != "why?" {
		t.Errorf("text input = %+v", in)
	}
}
