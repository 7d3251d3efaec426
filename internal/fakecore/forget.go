package fakecore

import (
	"context"
	"slices"
	"strings"

	"github.com/precisbot/precis/store"
)

// forgetLinks drops the links drop matches and counts them.
func (m *Store) forgetLinks(drop func(store.SharedLink) bool) int64 {
	n := len(m.Links)
	m.Links = slices.DeleteFunc(m.Links, drop)
	return int64(n - len(m.Links))
}

// ForgetMessages forgets the links of deleted messages.
func (m *Store) ForgetMessages(_ context.Context, channelID string, messageIDs []string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.forgetLinks(func(l store.SharedLink) bool {
		return l.ChannelID == channelID && slices.Contains(messageIDs, l.MessageID)
	}), nil
}

// KeepMessageLinks forgets the links of an edited message not in keep.
func (m *Store) KeepMessageLinks(_ context.Context, channelID, messageID string, keep []string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.forgetLinks(func(l store.SharedLink) bool {
		return l.ChannelID == channelID && l.MessageID == messageID && !slices.Contains(keep, l.NormURL)
	}), nil
}

// ForgetChannels forgets the settings and links of deleted channels.
func (m *Store) ForgetChannels(_ context.Context, guildID string, channelIDs []string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for _, c := range channelIDs {
		if _, ok := m.Settings[guildID+"/"+c]; ok {
			delete(m.Settings, guildID+"/"+c)
			n++
		}
	}
	return n + m.forgetLinks(func(l store.SharedLink) bool {
		return l.GuildID == guildID && slices.Contains(channelIDs, l.ChannelID)
	}), nil
}

// ForgetGuild forgets a guild's settings and links.
func (m *Store) ForgetGuild(_ context.Context, guildID string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for k := range m.Settings {
		if strings.HasPrefix(k, guildID+"/") {
			delete(m.Settings, k)
			n++
		}
	}
	return n + m.forgetLinks(func(l store.SharedLink) bool { return l.GuildID == guildID }), nil
}
