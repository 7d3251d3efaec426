package bot

import (
	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/render"
)

// compareRequest turns a click on the Compare button under a summary into
// a commands.NameCompareButton Request, which onInteractionCreate defers
// (privately), hands to the command handler and finishes like any
// command. The article is the clicked message's embed link.
func compareRequest(i *discordgo.Interaction) (commands.Request, bool) {
	if i == nil || i.Data == nil || i.Type != discordgo.InteractionMessageComponent ||
		i.MessageComponentData().CustomID != render.CompareButtonID {
		return commands.Request{}, false
	}
	req := commands.Request{
		Name:      commands.NameCompareButton,
		Options:   map[string]any{"url": messageArticleURL(i.Message)},
		GuildID:   i.GuildID,
		ChannelID: i.ChannelID,
		Locale:    string(i.Locale),
	}
	req.UserID, req.Permissions = invoker(i)
	return req, true
}
