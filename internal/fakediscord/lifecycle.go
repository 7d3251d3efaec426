package fakediscord

import (
	"fmt"
	"maps"

	"github.com/bwmarrin/discordgo"
)

// Changes a test makes to the fake's guilds while the bot runs: the fake's
// own view changes first (so REST reads agree with the event), then the
// event is dispatched as Discord sends it. Unknown guilds, channels and
// messages are refused with an error, as are changes Discord cannot make.

// UpdateChannel replaces a channel's configuration (overwrites, NSFW,
// name, parent) and dispatches CHANNEL_UPDATE, or THREAD_UPDATE for a
// thread. c.ID names the channel; its type cannot change.
func (s *Server) UpdateChannel(c Channel) error {
	var guildID string
	err := s.changeGuilds(func(gs []Guild) error {
		gi, ci, ok := findChannel(gs, c.ID)
		if !ok {
			return fmt.Errorf("update channel %s: unknown channel", c.ID)
		}
		old := gs[gi].Channels[ci]
		if c.Type != old.Type {
			return fmt.Errorf("update channel %s: type %d cannot become %d", c.ID, old.Type, c.Type)
		}
		if c.Name == "" {
			c.Name = old.Name
		}
		gs[gi].Channels[ci] = c
		guildID = gs[gi].ID
		return nil
	})
	if err != nil {
		return err
	}
	event := "CHANNEL_UPDATE"
	if isThread(c.Type) {
		event = "THREAD_UPDATE"
	}
	g, _ := s.guildByID(guildID)
	pos := 0
	for i, x := range g.Channels {
		if x.ID == c.ID {
			pos = i
		}
	}
	return s.Dispatch(event, channelJSON(guildID, c, pos))
}

// DeleteChannel removes a channel or thread and dispatches CHANNEL_DELETE,
// or THREAD_DELETE for a thread. As on Discord, the threads of a deleted
// channel go with it without events of their own.
func (s *Server) DeleteChannel(channelID string) error {
	var (
		guildID string
		gone    Channel
	)
	err := s.changeGuilds(func(gs []Guild) error {
		gi, ci, ok := findChannel(gs, channelID)
		if !ok {
			return fmt.Errorf("delete channel %s: unknown channel", channelID)
		}
		guildID, gone = gs[gi].ID, gs[gi].Channels[ci]
		kept := make([]Channel, 0, len(gs[gi].Channels))
		for _, c := range gs[gi].Channels {
			if c.ID != channelID && !(isThread(c.Type) && c.ParentID == channelID) {
				kept = append(kept, c)
			}
		}
		gs[gi].Channels = kept
		return nil
	})
	if err != nil {
		return err
	}
	if isThread(gone.Type) {
		return s.Dispatch("THREAD_DELETE", map[string]any{
			"id": gone.ID, "guild_id": guildID, "parent_id": gone.ParentID, "type": int(gone.Type),
		})
	}
	return s.Dispatch("CHANNEL_DELETE", channelJSON(guildID, gone, 0))
}

// RemoveGuild takes the bot out of a guild (kicked, or the guild deleted)
// and dispatches GUILD_DELETE without "unavailable"; REST calls about the
// guild then fail as on Discord.
func (s *Server) RemoveGuild(guildID string) error {
	err := s.changeGuilds(func(gs []Guild) error {
		for _, g := range gs {
			if g.ID == guildID {
				return nil
			}
		}
		return fmt.Errorf("remove guild %s: unknown guild", guildID)
	}, guildID)
	if err != nil {
		return err
	}
	return s.Dispatch("GUILD_DELETE", map[string]any{"id": guildID})
}

// GuildOutage dispatches GUILD_DELETE with "unavailable": true, as Discord
// does when a guild's server has an outage; the bot stays in the guild.
func (s *Server) GuildOutage(guildID string) error {
	if _, ok := s.guildByID(guildID); !ok {
		return fmt.Errorf("guild outage %s: unknown guild", guildID)
	}
	return s.Dispatch("GUILD_DELETE", map[string]any{"id": guildID, "unavailable": true})
}

// DeleteMessage deletes a message the fake knows (one sent with
// SendMessage, or posted by the bot) and dispatches MESSAGE_DELETE.
func (s *Server) DeleteMessage(channelID, messageID string) error {
	guildID, err := s.deleteStored(channelID, []string{messageID})
	if err != nil {
		return err
	}
	return s.Dispatch("MESSAGE_DELETE", map[string]any{"id": messageID, "channel_id": channelID, "guild_id": guildID})
}

// DeleteMessages deletes 2 to 100 messages of one channel at once and
// dispatches MESSAGE_DELETE_BULK, as a moderator's bulk delete does.
func (s *Server) DeleteMessages(channelID string, messageIDs []string) error {
	if len(messageIDs) < 2 || len(messageIDs) > 100 {
		return fmt.Errorf("bulk delete in channel %s: %d messages (Discord deletes 2 to 100)", channelID, len(messageIDs))
	}
	guildID, err := s.deleteStored(channelID, messageIDs)
	if err != nil {
		return err
	}
	return s.Dispatch("MESSAGE_DELETE_BULK", map[string]any{"ids": messageIDs, "channel_id": channelID, "guild_id": guildID})
}

// EditMessage changes the text of a message the fake knows, as its author
// editing it, and dispatches MESSAGE_UPDATE with the whole message and its
// edited_timestamp. It returns the edited message.
func (s *Server) EditMessage(channelID, messageID, content string) (map[string]any, error) {
	if len([]rune(content)) > maxContent {
		return nil, fmt.Errorf("edit message %s: content longer than %d characters", messageID, maxContent)
	}
	s.mu.Lock()
	sm := s.messages[messageID]
	if sm == nil || sm.deleted || sm.obj["channel_id"] != channelID {
		s.mu.Unlock()
		return nil, fmt.Errorf("edit message %s: no such message in channel %s", messageID, channelID)
	}
	edited := maps.Clone(sm.obj)
	edited["content"] = content
	edited["edited_timestamp"] = s.timestamp()
	sm.obj = edited
	s.mu.Unlock()
	return edited, s.Dispatch("MESSAGE_UPDATE", edited)
}

// deleteStored marks messages of a channel deleted and returns the
// channel's guild; every message must exist in that channel.
func (s *Server) deleteStored(channelID string, ids []string) (string, error) {
	g, _, ok := s.channelByID(channelID)
	if !ok {
		return "", fmt.Errorf("delete messages: unknown channel %s", channelID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		sm := s.messages[id]
		if sm == nil || sm.deleted || sm.obj["channel_id"] != channelID || seen[id] {
			return "", fmt.Errorf("delete messages: no message %s in channel %s", id, channelID)
		}
		seen[id] = true
	}
	for _, id := range ids {
		s.messages[id].deleted = true
	}
	return g.ID, nil
}

// changeGuilds applies change to a copy of the guilds (each guild's
// channel list copied too) and, if it succeeds, makes the copy current,
// without the guilds named in drop.
func (s *Server) changeGuilds(change func([]Guild) error, drop ...string) error {
	s.guildsMu.Lock()
	defer s.guildsMu.Unlock()
	gs := make([]Guild, 0, len(s.guilds))
	for _, g := range s.guilds {
		g.Channels = append([]Channel(nil), g.Channels...)
		gs = append(gs, g)
	}
	if err := change(gs); err != nil {
		return err
	}
	kept := gs[:0]
	for _, g := range gs {
		dropped := false
		for _, id := range drop {
			dropped = dropped || g.ID == id
		}
		if !dropped {
			kept = append(kept, g)
		}
	}
	s.guilds = kept
	return nil
}

// findChannel finds a channel's guild and place in it.
func findChannel(gs []Guild, id string) (gi, ci int, ok bool) {
	for gi, g := range gs {
		for ci, c := range g.Channels {
			if c.ID == id {
				return gi, ci, true
			}
		}
	}
	return 0, 0, false
}

// PrivateTo returns overwrites that let only the given roles (and
// administrators) view a channel of guildID: @everyone is denied View
// Channel and each role allowed it.
func PrivateTo(guildID string, roleIDs ...string) []discordgo.PermissionOverwrite {
	ows := []discordgo.PermissionOverwrite{{ID: guildID, Type: discordgo.PermissionOverwriteTypeRole, Deny: discordgo.PermissionViewChannel}}
	for _, r := range roleIDs {
		ows = append(ows, discordgo.PermissionOverwrite{ID: r, Type: discordgo.PermissionOverwriteTypeRole, Allow: discordgo.PermissionViewChannel})
	}
	return ows
}
