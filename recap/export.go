package recap

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// MaxExportBytes bounds the export a recap reads.
const MaxExportBytes = 64 << 20

// ErrNotExport is returned for JSON that is not a DiscordChatExporter
// channel export.
var ErrNotExport = errors.New("not a DiscordChatExporter JSON export (want an object with guild, channel and messages)")

// export is the part of DiscordChatExporter's JSON format a recap reads.
type export struct {
	Guild *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"guild"`
	Channel *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"channel"`
	Messages *[]struct {
		ID        string `json:"id"`
		Type      string `json:"type"`
		Timestamp string `json:"timestamp"`
		Content   string `json:"content"`
		Author    struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Nickname string `json:"nickname"`
			IsBot    bool   `json:"isBot"`
		} `json:"author"`
		Reference *struct {
			MessageID string `json:"messageId"`
		} `json:"reference"`
	} `json:"messages"`
}

// ReadExport reads a DiscordChatExporter JSON export of one channel or
// thread (top-level guild, channel and messages). Messages come back
// oldest first; bots and system messages are kept and marked (Select
// leaves them out). A DM export (guild id "0") gets jump links under @me.
func ReadExport(r io.Reader) (*Conversation, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxExportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read export: %w", err)
	}
	if len(data) > MaxExportBytes {
		return nil, fmt.Errorf("read export: larger than %d MiB", MaxExportBytes>>20)
	}
	var ex export
	if err := json.Unmarshal(data, &ex); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("read export: invalid JSON at byte %d: %w", syn.Offset, err)
		}
		return nil, fmt.Errorf("read export: %w: %w", ErrNotExport, err)
	}
	if ex.Guild == nil || ex.Channel == nil || ex.Messages == nil {
		return nil, fmt.Errorf("read export: %w", ErrNotExport)
	}
	c := &Conversation{GuildID: ex.Guild.ID, ChannelID: ex.Channel.ID, ChannelName: strings.TrimSpace(ex.Channel.Name)}
	if c.GuildID == "0" {
		c.GuildID = ""
	}
	for i, m := range *ex.Messages {
		ts, err := time.Parse(time.RFC3339Nano, m.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("read export: message %d (%s): timestamp %q: %w", i+1, m.ID, m.Timestamp, err)
		}
		msg := Message{
			ID: m.ID, Time: ts, Content: m.Content,
			Author: Author{ID: m.Author.ID, Name: m.Author.Name, Nickname: m.Author.Nickname, Bot: m.Author.IsBot},
			System: !userMessageType(m.Type),
		}
		if m.Reference != nil {
			msg.ReplyTo = m.Reference.MessageID
		}
		c.Messages = append(c.Messages, msg)
	}
	sortMessages(c.Messages)
	return c, nil
}

// userMessageType reports whether an exported message type is something a
// member wrote: a plain message or a reply. The exporter names Discord's
// types ("Default", "Reply", "ThreadCreated", "GuildMemberJoin", ...);
// older exports leave the field out.
func userMessageType(t string) bool {
	switch t {
	case "", "Default", "Reply":
		return true
	}
	return false
}
