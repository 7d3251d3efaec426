package bot

import (
	"context"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/render"
)

// askRequest handles the interactions of the Ask button under summaries.
// A click on the button is answered at once with the question modal (a
// modal cannot be deferred) and yields no Request; a submitted modal
// becomes a commands.NameAskButton Request, which onInteractionCreate
// defers, hands to the command handler and finishes like any command. The
// article is the clicked message's embed link, which Discord sends with
// both interactions (and the modal's custom_id carries it as a fallback).
func (b *Bot) askRequest(s *discordgo.Session, i *discordgo.Interaction) (commands.Request, bool) {
	if i == nil || i.Data == nil {
		return commands.Request{}, false
	}
	switch i.Type {
	case discordgo.InteractionMessageComponent:
		if i.MessageComponentData().CustomID == render.AskButtonID {
			b.openAskModal(s, i)
		}
	case discordgo.InteractionModalSubmit:
		data := i.ModalSubmitData()
		if !strings.HasPrefix(data.CustomID, render.AskModalID) {
			return commands.Request{}, false
		}
		u := messageArticleURL(i.Message)
		if u == "" {
			u = render.AskModalURL(data.CustomID)
		}
		req := commands.Request{
			Name:      commands.NameAskButton,
			Options:   map[string]any{"url": u, "question": modalValue(data.Components, render.AskInputID)},
			GuildID:   i.GuildID,
			ChannelID: i.ChannelID,
			Locale:    string(i.Locale),
		}
		req.UserID, req.Permissions = invoker(i)
		return req, true
	}
	return commands.Request{}, false
}

// openAskModal answers a click on the Ask button with the question modal,
// or privately says why it cannot.
func (b *Bot) openAskModal(s *discordgo.Session, i *discordgo.Interaction) {
	if !b.inflight.start() {
		return
	}
	defer b.inflight.done()
	ctx, cancel := context.WithTimeout(b.work, 10*time.Second)
	defer cancel()
	u := messageArticleURL(i.Message)
	resp := render.AskModal(u)
	if u == "" {
		resp = &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: render.Error("I can't tell which article this button belongs to. Use /ask with the link instead."),
		}
	}
	if err := s.InteractionRespond(i, resp, discordgo.WithContext(ctx)); err != nil {
		b.log.Warn("open ask modal", "guild_id", i.GuildID, "channel_id", i.ChannelID, "err", err)
	}
}

// messageArticleURL is the article a summary or answer message is about:
// its first embed's link.
func messageArticleURL(m *discordgo.Message) string {
	if m == nil {
		return ""
	}
	for _, e := range m.Embeds {
		if e != nil && e.URL != "" {
			return e.URL
		}
	}
	return ""
}

// modalValue is the value of the modal's text input customID.
func modalValue(components []discordgo.MessageComponent, customID string) string {
	for _, c := range components {
		switch v := c.(type) {
		case *discordgo.ActionsRow:
			if s := modalValue(v.Components, customID); s != "" {
				return s
			}
		case discordgo.ActionsRow:
			if s := modalValue(v.Components, customID); s != "" {
				return s
			}
		case *discordgo.TextInput:
			if v.CustomID == customID {
				return v.Value
			}
		case discordgo.TextInput:
			if v.CustomID == customID {
				return v.Value
			}
		}
	}
	return ""
}

// invoker is the member (or user) behind an interaction and the member's
// permissions in the channel.
func invoker(i *discordgo.Interaction) (userID string, perms int64) {
	switch {
	case i.Member != nil:
		if i.Member.User != nil {
			userID = i.Member.User.ID
		}
		return userID, i.Member.Permissions
	case i.User != nil:
		return i.User.ID, 0
	}
	return "", 0
}
