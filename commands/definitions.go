// Package commands owns Precis's application commands: their definitions as
// registered with Discord, and their handlers. Handlers are plain functions
// of a Request to a Response: the bot package turns interactions into
// Requests, defers them, and turns Responses into Discord messages, so the
// handlers are tested without Discord.
package commands

import "github.com/bwmarrin/discordgo"

// Command names as registered with Discord.
const (
	NameSummarize     = "summarize"
	NameSummarizeLink = "Summarize links" // message context menu
	NamePrecis        = "precis"
	NameDigest        = "digest"
)

// Channel modes for pasted links.
const (
	ModeAuto     = "auto"
	ModeReaction = "reaction"
	ModeOff      = "off"
)

// manageGuild is the permission the admin commands need: Discord hides them
// from other members by default, and the handlers check it again.
const manageGuild = int64(discordgo.PermissionManageGuild)

// MaxMinWords bounds the min_words channel setting.
const MaxMinWords = 5000

// Definitions returns every command Precis registers, in the form sent to
// Discord's bulk-overwrite endpoint.
func Definitions() []*discordgo.ApplicationCommand {
	admin := manageGuild
	guildOnly := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	textChannels := []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews}
	minWords := 0.0

	optChannel := func(desc string, required bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: desc,
			Required: required, ChannelTypes: textChannels,
		}
	}
	optURL := func(desc string) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: desc,
			Required: true, MaxLength: 2000,
		}
	}
	sub := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: opts,
		}
	}
	choices := func(values ...string) []*discordgo.ApplicationCommandOptionChoice {
		out := make([]*discordgo.ApplicationCommandOptionChoice, len(values))
		for i, v := range values {
			out[i] = &discordgo.ApplicationCommandOptionChoice{Name: v, Value: v}
		}
		return out
	}

	return []*discordgo.ApplicationCommand{
		{
			Type:        discordgo.ChatApplicationCommand,
			Name:        NameSummarize,
			Description: "Summarise a news article neutrally, with verified key quotes",
			Contexts:    guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				optURL("Link to the article"),
				{
					Type: discordgo.ApplicationCommandOptionString, Name: "length",
					Description: "How long the summary should be (default: normal)",
					Choices:     choices("short", "normal", "detailed"),
				},
				{
					Type: discordgo.ApplicationCommandOptionBoolean, Name: "private",
					Description: "Only you see the summary",
				},
			},
		},
		{
			Type:     discordgo.MessageApplicationCommand,
			Name:     NameSummarizeLink,
			Contexts: guildOnly,
		},
		{
			Type:                     discordgo.ChatApplicationCommand,
			Name:                     NamePrecis,
			Description:              "Precis settings and information for this server",
			DefaultMemberPermissions: &admin,
			Contexts:                 guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				sub("settings", "Show or change how Precis treats links in this channel",
					&discordgo.ApplicationCommandOption{
						Type: discordgo.ApplicationCommandOptionString, Name: "mode",
						Description: "auto: summarise pasted links; reaction: on a 📰 reaction; off",
						Choices:     choices(ModeAuto, ModeReaction, ModeOff),
					},
					&discordgo.ApplicationCommandOption{
						Type: discordgo.ApplicationCommandOptionString, Name: "language",
						Description: "Summary language code, e.g. en or pt-BR; 'article' for the article's own",
						MaxLength:   35,
					},
					&discordgo.ApplicationCommandOption{
						Type: discordgo.ApplicationCommandOptionInteger, Name: "min_words",
						Description: "Ignore pasted pages shorter than this many words (0: default 80; lower has no effect)",
						MinValue:    &minWords, MaxValue: MaxMinWords,
					},
				),
				sub("help", "What Precis does and how to use it"),
				sub("usage", "Today's summaries and LLM tokens for this server"),
			},
		},
		{
			Type:                     discordgo.ChatApplicationCommand,
			Name:                     NameDigest,
			Description:              "Daily news digest for a channel",
			DefaultMemberPermissions: &admin,
			Contexts:                 guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				sub("set", "Post a daily digest in a channel",
					optChannel("Channel to post the digest in", true),
					&discordgo.ApplicationCommandOption{
						Type: discordgo.ApplicationCommandOptionString, Name: "time",
						Description: "Local time of day, HH:MM (24-hour)", Required: true, MaxLength: 5,
					},
					&discordgo.ApplicationCommandOption{
						Type: discordgo.ApplicationCommandOptionString, Name: "timezone",
						Description: "IANA time zone, e.g. Europe/Paris or America/New_York", Required: true, MaxLength: 64,
					},
					&discordgo.ApplicationCommandOption{
						Type: discordgo.ApplicationCommandOptionString, Name: "sources",
						Description: "Links shared in this server, subscribed feeds, or both (default: both)",
						Choices:     choices("shared", "feeds", "both"),
					},
					&discordgo.ApplicationCommandOption{
						Type: discordgo.ApplicationCommandOptionBoolean, Name: "quiet_day",
						Description: "On days with nothing to report, post a short line (default: true)",
					},
				),
				sub("off", "Stop a daily digest",
					optChannel("Channel whose digest to stop (default: every digest in this server)", false)),
				{
					Type: discordgo.ApplicationCommandOptionSubCommandGroup, Name: "feeds",
					Description: "RSS/Atom feeds for a channel's digest",
					Options: []*discordgo.ApplicationCommandOption{
						sub("add", "Add a feed to a channel's digest",
							optURL("Feed address (RSS or Atom)"), optChannel("Digest channel (default: this one)", false)),
						sub("remove", "Remove a feed from a channel's digest",
							optURL("Feed address"), optChannel("Digest channel (default: this one)", false)),
						sub("list", "List a channel's feeds",
							optChannel("Digest channel (default: this one)", false)),
					},
				},
				sub("preview", "Show what the digest would look like now (only you see it)",
					optChannel("Digest channel (default: this one)", false)),
				sub("status", "Digest schedules and last runs in this server"),
			},
		},
	}
}
