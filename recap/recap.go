// Package recap owns recaps: a neutral summary of a Discord discussion (a
// thread, or the last hours of a channel) in which every quote of a member
// is checked against that member's own messages and linked to the message
// it came from. It reads conversations from DiscordChatExporter JSON
// exports or from messages the Discord adapter fetched, leaves out bots and
// system messages, asks an OpenAI-compatible model (or, without one, makes
// an extractive recap) and checks the answer. It knows nothing of Discord's
// types: the render package turns a Recap into a message.
package recap

import (
	"strings"
	"time"

	"github.com/precisbot/precis/summarize"
)

// Message is one message of a conversation.
type Message struct {
	ID   string
	Time time.Time
	// Content is the message text with mentions already written as names
	// (@name), as DiscordChatExporter and discordgo's
	// ContentWithMentionsReplaced give it.
	Content string
	Author  Author
	// ReplyTo is the ID of the message this one replies to, if any.
	ReplyTo string
	// System marks messages Discord writes (joins, pins, thread
	// creation): they are left out like bots' messages.
	System bool
}

// Author is who wrote a message.
type Author struct {
	ID string
	// Name is the account's user name.
	Name string
	// GlobalName is the account's display name, if set.
	GlobalName string
	// Nickname is the member's server nickname, if set.
	Nickname string
	Bot      bool
}

// DisplayName is the name Discord shows for the author: the server
// nickname, else the display name, else the user name.
func (a Author) DisplayName() string {
	for _, n := range []string{a.Nickname, a.GlobalName, a.Name} {
		if n = strings.TrimSpace(n); n != "" {
			return n
		}
	}
	return "unknown member"
}

// names are every name a reader or a model may use for the author.
func (a Author) names() []string {
	var out []string
	for _, n := range []string{a.Nickname, a.GlobalName, a.Name} {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Conversation is the messages to recap, oldest first, with where they
// were written.
type Conversation struct {
	GuildID, ChannelID string
	// ChannelName is shown in the recap's title ("general", a thread's
	// name).
	ChannelName string
	Messages    []Message
}

// Quote is a member's words, checked verbatim against a message they wrote.
type Quote struct {
	Text string `json:"text"`
	// Author is the display name of the member who wrote the message, as
	// text: mentions in it are inert.
	Author    string `json:"author"`
	MessageID string `json:"message_id"`
	// URL is the message's jump link.
	URL string `json:"url"`
}

// Recap is a checked recap. Its JSON form is what `precis recap --json`
// prints.
type Recap struct {
	Channel string `json:"channel"`
	// From and To are the times of the first and last message recapped
	// (RFC 3339), "" when there were none.
	From         string   `json:"from"`
	To           string   `json:"to"`
	Messages     int      `json:"messages"`
	Participants int      `json:"participants"`
	Summary      string   `json:"summary"`
	Points       []string `json:"points"`
	// OpenQuestions are questions the discussion left open.
	OpenQuestions []string `json:"open_questions"`
	Quotes        []Quote  `json:"quotes"`
	// Links are the links members shared, listed, never fetched.
	Links []string        `json:"links"`
	Model string          `json:"model"`
	Usage summarize.Usage `json:"usage"`
	// Note explains a degraded recap (offline, cut to the latest
	// messages).
	Note string `json:"note"`

	// GuildID and ChannelID locate the conversation (jump links).
	GuildID   string `json:"-"`
	ChannelID string `json:"-"`
	// Names are the participants' display names, most active first.
	Names []string `json:"-"`
	// Offline is set when no model wrote the recap.
	Offline bool `json:"-"`
}

// JumpURL is the link that opens a message in Discord.
func JumpURL(guildID, channelID, messageID string) string {
	if guildID == "" {
		guildID = "@me"
	}
	return "https://discord.com/channels/" + guildID + "/" + channelID + "/" + messageID
}

// ExtractiveModel is Recap.Model for the offline recap.
const ExtractiveModel = summarize.ExtractiveModel

// Notes shown under degraded recaps.
const (
	NoteOffline     = "Offline recap: no AI model is configured, so this lists who took part, the most-replied messages and the links shared."
	NoteLLMFallback = "The AI model failed, so this is an offline recap: who took part, the most-replied messages and the links shared."
	NoteBudget      = "Today's AI budget for this server is used up, so this is an offline recap."
)
