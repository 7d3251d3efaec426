package bot

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/article"
)

// Forgetter deletes what Precis keeps about things Discord says are gone;
// *store.Store implements it. Each method reports how many rows went.
type Forgetter interface {
	// ForgetMessages drops the shared links of deleted messages.
	ForgetMessages(ctx context.Context, channelID string, messageIDs []string) (int64, error)
	// KeepMessageLinks drops the shared links of an edited message whose
	// normalised URL is not in keep.
	KeepMessageLinks(ctx context.Context, channelID, messageID string, keep []string) (int64, error)
	// ForgetChannels drops the settings, digest schedules, feeds and links
	// of deleted channels.
	ForgetChannels(ctx context.Context, guildID string, channelIDs []string) (int64, error)
	// ForgetGuild drops the settings, digest schedules, feeds and links of
	// a server the bot left.
	ForgetGuild(ctx context.Context, guildID string) (int64, error)
}

// forgetting runs one forget call on the bot's work context, bounded by
// the job timeout and counted as in-flight work; it logs what went.
func (b *Bot) forgetting(event string, f func(ctx context.Context) (int64, error), attrs ...any) {
	if !b.inflight.start() {
		return
	}
	defer b.inflight.done()
	ctx, cancel := context.WithTimeout(b.work, b.opts.JobTimeout)
	defer cancel()
	n, err := f(ctx)
	log := b.log.With(attrs...)
	switch {
	case err != nil:
		log.Warn("forget", "event", event, "err", err)
	case n > 0:
		log.Info("forgot", "event", event, "rows", n)
	default:
		log.Debug("nothing to forget", "event", event)
	}
}

// onMessageDelete forgets a deleted message's links.
func (b *Bot) onMessageDelete(_ *discordgo.Session, m *discordgo.MessageDelete) {
	if m.Message == nil || m.GuildID == "" || m.ID == "" {
		return
	}
	b.forgetting("message_delete", func(ctx context.Context) (int64, error) {
		return b.deps.Store.ForgetMessages(ctx, m.ChannelID, []string{m.ID})
	}, "guild_id", m.GuildID, "channel_id", m.ChannelID, "message_id", m.ID)
}

// onMessageDeleteBulk forgets the links of messages deleted together.
func (b *Bot) onMessageDeleteBulk(_ *discordgo.Session, m *discordgo.MessageDeleteBulk) {
	if m.GuildID == "" || len(m.Messages) == 0 {
		return
	}
	b.forgetting("message_delete_bulk", func(ctx context.Context) (int64, error) {
		return b.deps.Store.ForgetMessages(ctx, m.ChannelID, m.Messages)
	}, "guild_id", m.GuildID, "channel_id", m.ChannelID, "messages", len(m.Messages))
}

// onMessageUpdate forgets the links an edit removed: the message's new
// text is searched again and only the links still in it are kept. Updates
// that are not edits (Discord adding link previews, which may carry a
// partial message) have no edited timestamp and are ignored; links an edit
// adds are not recorded.
func (b *Bot) onMessageUpdate(_ *discordgo.Session, m *discordgo.MessageUpdate) {
	if m.Message == nil || m.GuildID == "" || m.ID == "" || m.EditedTimestamp == nil {
		return
	}
	var keep []string
	for _, u := range article.FindLinks(m.Content, maxRecordedLinks) {
		if norm, err := article.NormalizeURL(u); err == nil {
			keep = append(keep, norm)
		}
	}
	b.forgetting("message_update", func(ctx context.Context) (int64, error) {
		return b.deps.Store.KeepMessageLinks(ctx, m.ChannelID, m.ID, keep)
	}, "guild_id", m.GuildID, "channel_id", m.ChannelID, "message_id", m.ID, "links_kept", len(keep))
}

// onChannelDelete forgets a deleted channel and the threads in it that the
// gateway's state knows (Discord sends no THREAD_DELETE for them).
func (b *Bot) onChannelDelete(_ *discordgo.Session, c *discordgo.ChannelDelete) {
	if c.Channel == nil || c.GuildID == "" || c.ID == "" {
		return
	}
	ids := append([]string{c.ID}, b.client.threadsOf(c.GuildID, c.ID)...)
	b.forgetting("channel_delete", func(ctx context.Context) (int64, error) {
		return b.deps.Store.ForgetChannels(ctx, c.GuildID, ids)
	}, "guild_id", c.GuildID, "channel_id", c.ID, "threads", len(ids)-1)
}

// onThreadDelete forgets a deleted thread.
func (b *Bot) onThreadDelete(_ *discordgo.Session, c *discordgo.ThreadDelete) {
	if c.Channel == nil || c.GuildID == "" || c.ID == "" {
		return
	}
	b.forgetting("thread_delete", func(ctx context.Context) (int64, error) {
		return b.deps.Store.ForgetChannels(ctx, c.GuildID, []string{c.ID})
	}, "guild_id", c.GuildID, "channel_id", c.ID)
}

// onGuildDelete forgets a server the bot left or was removed from. A
// server that is only unavailable (an outage) is kept.
func (b *Bot) onGuildDelete(_ *discordgo.Session, g *discordgo.GuildDelete) {
	if g.Guild == nil || g.ID == "" {
		return
	}
	if g.Unavailable {
		b.log.Info("guild unavailable", "guild_id", g.ID)
		return
	}
	b.forgetting("guild_delete", func(ctx context.Context) (int64, error) {
		return b.deps.Store.ForgetGuild(ctx, g.ID)
	}, "guild_id", g.ID)
}

// threadsOf lists the threads of a channel the gateway's state holds.
func (c *Client) threadsOf(guildID, channelID string) []string {
	st := c.session.State
	if st == nil {
		return nil
	}
	g, err := st.Guild(guildID)
	if err != nil {
		return nil
	}
	st.RLock()
	defer st.RUnlock()
	var ids []string
	for _, t := range g.Threads {
		if t != nil && t.ParentID == channelID {
			ids = append(ids, t.ID)
		}
	}
	return ids
}
