package commands

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/summarize"
)

// Request is one command invocation, free of Discord plumbing.
type Request struct {
	// Name is the command's name, e.g. "summarize" or "Summarize links".
	Name string
	// Path is the subcommand group and subcommand, e.g. ["feeds", "add"].
	Path []string
	// Options holds the leaf options by name: string, bool or int64 values;
	// channel options hold the channel ID as a string.
	Options map[string]any

	GuildID, ChannelID, UserID string
	// Permissions are the member's permissions in the channel.
	Permissions int64
	// TargetMessageID and TargetContent describe the message a context-menu
	// command was used on; TargetContent includes its embeds' links.
	TargetMessageID string
	TargetContent   string
	Locale          string
}

// Sub is the subcommand path joined with spaces, e.g. "feeds add".
func (r Request) Sub() string { return strings.Join(r.Path, " ") }

// String returns a string option, or "" when absent.
func (r Request) String(name string) string {
	s, _ := r.Options[name].(string)
	return strings.TrimSpace(s)
}

// Bool returns a boolean option, or false when absent.
func (r Request) Bool(name string) bool {
	b, _ := r.Options[name].(bool)
	return b
}

// Int returns an integer option and whether it was given.
func (r Request) Int(name string) (int64, bool) {
	switch v := r.Options[name].(type) {
	case int64:
		return v, true
	case int:
		return int64(v), true
	case float64:
		return int64(v), true
	}
	return 0, false
}

// Has reports whether an option was given.
func (r Request) Has(name string) bool {
	_, ok := r.Options[name]
	return ok
}

// Response is what a handler wants shown. The bot renders Summaries and
// Messages; Error, when set, replaces everything else with a short
// explanation only the user sees.
type Response struct {
	Ephemeral bool
	Content   string
	Summaries []*summarize.Summary
	// Length is the summary length asked for, so short ones render compactly.
	Length   string
	Messages []*discordgo.MessageSend
	Error    string
}

// RequestFromInteraction converts an application-command interaction into a
// Request. It returns false for other interaction types.
func RequestFromInteraction(i *discordgo.Interaction) (Request, bool) {
	if i == nil || i.Type != discordgo.InteractionApplicationCommand {
		return Request{}, false
	}
	data := i.ApplicationCommandData()
	req := Request{
		Name:      data.Name,
		Options:   map[string]any{},
		GuildID:   i.GuildID,
		ChannelID: i.ChannelID,
		Locale:    string(i.Locale),
	}
	switch {
	case i.Member != nil:
		req.Permissions = i.Member.Permissions
		if i.Member.User != nil {
			req.UserID = i.Member.User.ID
		}
	case i.User != nil:
		req.UserID = i.User.ID
	}
	opts := data.Options
	for len(opts) == 1 && (opts[0].Type == discordgo.ApplicationCommandOptionSubCommand ||
		opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
		req.Path = append(req.Path, opts[0].Name)
		opts = opts[0].Options
	}
	for _, o := range opts {
		switch o.Type {
		case discordgo.ApplicationCommandOptionString, discordgo.ApplicationCommandOptionChannel,
			discordgo.ApplicationCommandOptionUser, discordgo.ApplicationCommandOptionRole,
			discordgo.ApplicationCommandOptionMentionable:
			if s, ok := o.Value.(string); ok {
				req.Options[o.Name] = s
			}
		case discordgo.ApplicationCommandOptionBoolean:
			if b, ok := o.Value.(bool); ok {
				req.Options[o.Name] = b
			}
		case discordgo.ApplicationCommandOptionInteger:
			if f, ok := o.Value.(float64); ok {
				req.Options[o.Name] = int64(f)
			}
		case discordgo.ApplicationCommandOptionNumber:
			if f, ok := o.Value.(float64); ok {
				req.Options[o.Name] = f
			}
		}
	}
	if data.CommandType == discordgo.MessageApplicationCommand {
		req.TargetMessageID = data.TargetID
		if data.Resolved != nil {
			if m := data.Resolved.Messages[data.TargetID]; m != nil {
				req.TargetContent = MessageText(m)
			}
		}
	}
	return req, true
}

// MessageText is a message's content followed by the links in its embeds,
// which is where feed bots put their article links.
func MessageText(m *discordgo.Message) string {
	var b strings.Builder
	b.WriteString(m.Content)
	for _, e := range m.Embeds {
		if e != nil && e.URL != "" {
			b.WriteString("\n")
			b.WriteString(e.URL)
		}
	}
	return b.String()
}
