package render

import (
	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/summarize"
)

// Response renders a command's answer as messages: the first replaces the
// deferred "thinking…" message, the rest are follow-ups. An error response
// is rendered by Error instead.
func Response(resp commands.Response) []*discordgo.MessageSend {
	msgs := make([]*discordgo.MessageSend, 0, len(resp.Summaries)+2)
	for _, s := range resp.Summaries {
		msgs = append(msgs, Summary(s, Options{Length: resp.Length}))
	}
	if resp.Answer != nil {
		msgs = append(msgs, Answer(resp.Answer))
	}
	msgs = append(msgs, Digest(resp.Digest)...)
	if resp.Recap != nil {
		msgs = append(msgs, Recap(resp.Recap))
	}
	if resp.Comparison != nil {
		msgs = append(msgs, Comparison(resp.Comparison))
	}
	if resp.Content != "" {
		content := discordtext.Truncate(discordtext.NeutralizeMentions(resp.Content), discordtext.MaxContent)
		if len(msgs) > 0 && msgs[0].Content == "" {
			msgs[0].Content = content
		} else {
			msgs = append([]*discordgo.MessageSend{{Content: content, AllowedMentions: noMentions()}}, msgs...)
		}
	}
	if len(msgs) == 0 {
		msgs = append(msgs, &discordgo.MessageSend{Content: "Done.", AllowedMentions: noMentions()})
	}
	return msgs
}

// Edit turns a message into an edit of a deferred interaction response:
// every part is replaced, and nothing can ping.
func Edit(m *discordgo.MessageSend) *discordgo.WebhookEdit {
	content := m.Content
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	components := m.Components
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	return &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &components, AllowedMentions: noMentions()}
}

// FollowUp turns a message into an interaction follow-up, private when
// ephemeral.
func FollowUp(m *discordgo.MessageSend, ephemeral bool) *discordgo.WebhookParams {
	var flags discordgo.MessageFlags
	if ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	components := m.Components
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	return &discordgo.WebhookParams{
		Content: m.Content, Embeds: m.Embeds, Components: components,
		AllowedMentions: noMentions(), Flags: flags,
	}
}

// Deferral is the immediate answer to an interaction: "Precis is
// thinking…", public or private, finished later by an edit.
func Deferral(ephemeral bool) *discordgo.InteractionResponse {
	var flags discordgo.MessageFlags
	if ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags, AllowedMentions: noMentions()},
	}
}

// Reply renders a summary as a reply to the message that shared its link;
// the reply never pings that message's author.
func Reply(s *summarize.Summary, guildID, channelID, messageID string) *discordgo.MessageSend {
	return Summary(s, Options{ReplyTo: &discordgo.MessageReference{
		MessageID: messageID, ChannelID: channelID, GuildID: guildID, FailIfNotExists: new(false),
	}})
}
