// Package commands owns Precis's application commands: their definitions
// and their handlers. Handlers are plain functions of a Request to a
// Response, both domain values: the Discord adapter turns interactions into
// Requests and the render package turns Responses and Definitions into
// Discord payloads, so the handlers are tested without Discord and this
// package never imports discordgo.
package commands

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

// Discord permission bits the handlers check (Discord's own values).
const (
	PermAdministrator int64 = 1 << 3
	PermManageGuild   int64 = 1 << 5
	PermViewChannel   int64 = 1 << 10
	PermSendMessages  int64 = 1 << 11
	PermEmbedLinks    int64 = 1 << 14
	// PermReadMessageHistory lets a member read what was said before.
	PermReadMessageHistory int64 = 1 << 16
	PermSendInThreads      int64 = 1 << 38
)

// MaxMinWords bounds the min_words channel setting.
const MaxMinWords = 5000

// OptionType is the kind of a command option.
type OptionType int

// Option kinds.
const (
	OptSubcommand OptionType = iota + 1
	OptGroup
	OptString
	OptInteger
	OptBoolean
	OptChannel // a text or announcement channel of the server
)

// Option is one option, subcommand or subcommand group of a command.
type Option struct {
	Type        OptionType
	Name        string
	Description string
	Required    bool
	// Choices are the allowed string values; empty means any.
	Choices []string
	// MaxLength bounds a string option; 0 means Discord's own limit.
	MaxLength int
	// MinValue and MaxValue bound an integer option when MaxValue > 0.
	MinValue, MaxValue float64
	// Options are a subcommand's (or group's) own options.
	Options []Option
}

// Command is one application command as Precis registers it.
type Command struct {
	Name        string
	Description string
	// MessageMenu makes it a message context-menu command (no description
	// or options).
	MessageMenu bool
	// Permissions, when not zero, are the member permissions Discord asks
	// for by default before showing the command; handlers check again.
	Permissions int64
	// GuildOnly hides the command outside servers.
	GuildOnly bool
	Options   []Option
}

// Definitions returns every command Precis registers.
func Definitions() []Command {
	optChannel := func(desc string, required bool) Option {
		return Option{Type: OptChannel, Name: "channel", Description: desc, Required: required}
	}
	optURL := func(desc string) Option {
		return Option{Type: OptString, Name: "url", Description: desc, Required: true, MaxLength: 2000}
	}
	sub := func(name, desc string, opts ...Option) Option {
		return Option{Type: OptSubcommand, Name: name, Description: desc, Options: opts}
	}
	return []Command{
		{
			Name:        NameSummarize,
			Description: "Summarise a news article neutrally, with verified key quotes",
			GuildOnly:   true,
			Options: []Option{
				optURL("Link to the article"),
				{
					Type: OptString, Name: "length", Description: "How long the summary should be (default: normal)",
					Choices: []string{"short", "normal", "detailed"},
				},
				{Type: OptBoolean, Name: "private", Description: "Only you see the summary"},
			},
		},
		{Name: NameSummarizeLink, MessageMenu: true, GuildOnly: true},
		askCommand(),
		compareCommand(),
		recapCommand(),
		{Name: NameSummarizeDiscussion, MessageMenu: true, GuildOnly: true},
		{
			Name:        NamePrecis,
			Description: "Precis settings and information for this server",
			Permissions: PermManageGuild,
			GuildOnly:   true,
			Options: []Option{
				sub("settings", "Show or change how Precis treats links in this channel",
					Option{
						Type: OptString, Name: "mode", Description: "auto: summarise pasted links; reaction: on a 📰 reaction; off",
						Choices: []string{ModeAuto, ModeReaction, ModeOff},
					},
					Option{
						Type: OptString, Name: "language", MaxLength: 35,
						Description: "Summary language code, e.g. en or pt-BR; 'article' for the article's own",
					},
					Option{
						Type: OptInteger, Name: "min_words", MinValue: 0, MaxValue: MaxMinWords,
						Description: "Ignore pasted pages shorter than this many words (0: default 80; lower has no effect)",
					},
					recapSettingOption(),
					Option{
						Type: OptString, Name: "length", Description: "Summary length for pasted links (default: normal)",
						Choices: []string{"short", "normal", "detailed"},
					},
				),
				sub("help", "What Precis does and how to use it"),
				sub("usage", "Today's summaries and LLM tokens for this server"),
			},
		},
		{
			Name:        NameDigest,
			Description: "Daily news digest for a channel",
			Permissions: PermManageGuild,
			GuildOnly:   true,
			Options: []Option{
				sub("set", "Post a daily digest in a channel",
					optChannel("Channel to post the digest in", true),
					Option{Type: OptString, Name: "time", Description: "Local time of day, HH:MM (24-hour)", Required: true, MaxLength: 5},
					Option{Type: OptString, Name: "timezone", Description: "IANA time zone, e.g. Europe/Paris or America/New_York", Required: true, MaxLength: 64},
					Option{
						Type: OptString, Name: "sources", Description: "Links shared in this server, subscribed feeds, or both (default: both)",
						Choices: []string{"shared", "feeds", "both"},
					},
					Option{Type: OptBoolean, Name: "quiet_day", Description: "On days with nothing to report, post a short line (default: true)"},
				),
				sub("off", "Stop a daily digest",
					optChannel("Channel whose digest to stop (default: every digest in this server)", false)),
				{
					Type: OptGroup, Name: "feeds", Description: "RSS/Atom feeds for a channel's digest",
					Options: []Option{
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
