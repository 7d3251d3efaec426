package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/recap"
)

// historyPage is the most messages Discord returns for one request.
const historyPage = 100

// errNoAccess is what a member hears when Discord refuses the bot a
// channel's history.
type errNoAccess struct{ err error }

func (e errNoAccess) Error() string { return "read channel history: " + e.err.Error() }
func (e errNoAccess) Unwrap() error { return e.err }

// UserMessage implements pipeline.Explainer.
func (errNoAccess) UserMessage() string {
	return "I can't read this channel's messages: I need View Channel and Read Message History here."
}

// historyError marks Discord's refusals (403, 404) so the member is told
// what is missing.
func historyError(what string, err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil &&
		(re.Response.StatusCode == http.StatusForbidden || re.Response.StatusCode == http.StatusNotFound) {
		return fmt.Errorf("%s: %w", what, errNoAccess{err})
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Channel describes a channel from the gateway's state, or the API for
// channels the state does not hold; it implements commands.History.
func (c *Client) Channel(ctx context.Context, channelID string) (commands.ChannelInfo, error) {
	ch, err := c.session.State.Channel(channelID)
	if err != nil {
		ch, err = c.session.Channel(channelID, discordgo.WithContext(ctx))
		if err != nil {
			return commands.ChannelInfo{}, historyError("channel "+channelID, err)
		}
	}
	return commands.ChannelInfo{ID: ch.ID, Name: ch.Name, Thread: ch.IsThread(), ParentID: ch.ParentID}, nil
}

// Message reads one message of a channel; it implements commands.History.
func (c *Client) Message(ctx context.Context, channelID, messageID string) (recap.Message, error) {
	m, err := c.session.ChannelMessage(channelID, messageID, discordgo.WithContext(ctx))
	if err != nil {
		return recap.Message{}, historyError("message "+messageID, err)
	}
	return recapMessage(m), nil
}

// Messages reads a channel's messages through the REST API, a page of 100
// at a time, oldest first: the latest q.Limit (back to q.Since), or with
// q.After the first q.Limit after that message. It implements
// commands.History.
func (c *Client) Messages(ctx context.Context, channelID string, q commands.HistoryQuery) ([]recap.Message, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	var out []*discordgo.Message
	before, after := "", q.After
	for len(out) < q.Limit {
		page, err := c.session.ChannelMessages(channelID, min(historyPage, q.Limit-len(out)), before, after, "", discordgo.WithContext(ctx))
		if err != nil {
			return nil, historyError("messages of "+channelID, err)
		}
		if len(page) == 0 {
			break
		}
		sortByID(page)
		older := false
		for _, m := range page {
			if !q.Since.IsZero() && m.Timestamp.Before(q.Since) {
				older = true
				continue
			}
			out = append(out, m)
		}
		if older || len(page) < historyPage {
			break
		}
		if q.After != "" {
			after = page[len(page)-1].ID
		} else {
			before = page[0].ID
		}
	}
	sortByID(out)
	if len(out) > q.Limit {
		if q.After != "" {
			out = out[:q.Limit]
		} else {
			out = out[len(out)-q.Limit:]
		}
	}
	msgs := make([]recap.Message, len(out))
	for i, m := range out {
		msgs[i] = recapMessage(m)
	}
	return msgs, nil
}

// sortByID puts messages in the order they were sent: Discord returns
// pages newest first.
func sortByID(ms []*discordgo.Message) {
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i].ID, ms[j].ID
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		return a < b
	})
}

// recapMessage converts a Discord message. User mentions become @name, so
// the model reads names and no ID can turn back into a ping; webhooks
// count as bots; anything but a plain message or a reply is a system
// message.
func recapMessage(m *discordgo.Message) recap.Message {
	out := recap.Message{ID: m.ID, Time: m.Timestamp, Content: mentionsAsNames(m)}
	if m.Author != nil {
		out.Author = recap.Author{ID: m.Author.ID, Name: m.Author.Username, GlobalName: m.Author.GlobalName, Bot: m.Author.Bot || m.Author.System}
	}
	if m.Member != nil {
		out.Author.Nickname = m.Member.Nick
	}
	if m.WebhookID != "" {
		out.Author.Bot = true
	}
	out.System = m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply
	if m.MessageReference != nil && m.Type == discordgo.MessageTypeReply {
		out.ReplyTo = m.MessageReference.MessageID
	}
	if out.Time.IsZero() {
		out.Time = snowflakeTime(m.ID)
	}
	return out
}

// mentionsAsNames writes <@id> and <@!id> as @display name.
func mentionsAsNames(m *discordgo.Message) string {
	s := m.Content
	for _, u := range m.Mentions {
		if u == nil {
			continue
		}
		name := u.GlobalName
		if name == "" {
			name = u.Username
		}
		s = strings.NewReplacer("<@"+u.ID+">", "@"+name, "<@!"+u.ID+">", "@"+name).Replace(s)
	}
	return s
}

// snowflakeTime is when a Discord ID was made.
func snowflakeTime(id string) time.Time {
	t, err := discordgo.SnowflakeTimestamp(id)
	if err != nil {
		return time.Time{}
	}
	return t
}
