package bot

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/commands"
)

const admin = int64(discordgo.PermissionManageGuild)

func TestRequestFromInteraction(t *testing.T) {
	t.Parallel()
	i := &discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommand, GuildID: "g", ChannelID: "c", Locale: "de",
		Member: &discordgo.Member{User: &discordgo.User{ID: "u"}, Permissions: admin},
		Data: discordgo.ApplicationCommandInteractionData{
			Name: "digest", CommandType: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{
				Name: "feeds", Type: discordgo.ApplicationCommandOptionSubCommandGroup,
				Options: []*discordgo.ApplicationCommandInteractionDataOption{{
					Name: "add", Type: discordgo.ApplicationCommandOptionSubCommand,
					Options: []*discordgo.ApplicationCommandInteractionDataOption{
						{Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: "https://f.example/rss"},
						{Name: "channel", Type: discordgo.ApplicationCommandOptionChannel, Value: "c7"},
						{Name: "min_words", Type: discordgo.ApplicationCommandOptionInteger, Value: float64(150)},
						{Name: "private", Type: discordgo.ApplicationCommandOptionBoolean, Value: true},
					},
				}},
			}},
		},
	}
	r, ok := requestFromInteraction(i)
	if !ok {
		t.Fatal("not converted")
	}
	n, _ := r.Int("min_words")
	if r.Sub() != "feeds add" || r.String("url") != "https://f.example/rss" || r.String("channel") != "c7" ||
		n != 150 || !r.Bool("private") || r.UserID != "u" || r.Permissions != admin || r.Locale != "de" {
		t.Errorf("request %+v", r)
	}

	mc := &discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommand, GuildID: "g", ChannelID: "c",
		Member: &discordgo.Member{User: &discordgo.User{ID: "u"}},
		Data: discordgo.ApplicationCommandInteractionData{
			Name: commands.NameSummarizeLink, CommandType: discordgo.MessageApplicationCommand, TargetID: "m1",
			Resolved: &discordgo.ApplicationCommandInteractionDataResolved{Messages: map[string]*discordgo.Message{
				"m1": {ID: "m1", Content: "see this", Embeds: []*discordgo.MessageEmbed{{URL: "https://news.example/e"}}},
			}},
		},
	}
	r, _ = requestFromInteraction(mc)
	if r.TargetMessageID != "m1" || !strings.Contains(r.TargetContent, "https://news.example/e") {
		t.Errorf("message command request %+v", r)
	}
	if _, ok := requestFromInteraction(&discordgo.Interaction{Type: discordgo.InteractionPing}); ok {
		t.Errorf("ping converted")
	}
}
