package bot

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/render"
	"github.com/precisbot/precis/store"
)

// reactionEmoji triggers a summary in reaction mode.
const reactionEmoji = "📰"

// maxRecordedLinks bounds how many links of one message are remembered for
// digests.
const maxRecordedLinks = 20

func (b *Bot) onReady(s *discordgo.Session, r *discordgo.Ready) {
	if r.User != nil {
		b.selfID.Store(r.User.ID)
	}
	b.connected.Store(true)
	b.metrics.SetConnected(true)
	appID := ""
	if r.Application != nil {
		appID = r.Application.ID
	} else if r.User != nil {
		appID = r.User.ID
	}
	b.log.Info("ready", "session_guilds", len(r.Guilds), "invite_url", InviteURL(appID))
	if len(r.Guilds) == 0 {
		b.log.Warn("the bot is in no server yet; open invite_url to add it", "invite_url", InviteURL(appID))
	}
}

// InvitePermissions are the permissions Precis asks for when invited: view
// channels, send messages (also in threads), embed links, read message
// history and add reactions.
const InvitePermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionSendMessagesInThreads | discordgo.PermissionEmbedLinks |
	discordgo.PermissionReadMessageHistory | discordgo.PermissionAddReactions

// InviteURL is the link that adds the bot with its commands to a server.
func InviteURL(appID string) string {
	if appID == "" {
		return ""
	}
	return fmt.Sprintf("https://discord.com/oauth2/authorize?client_id=%s&scope=bot+applications.commands&permissions=%d", appID, InvitePermissions)
}

func (b *Bot) onResumed(*discordgo.Session, *discordgo.Resumed) {
	b.connected.Store(true)
	b.metrics.SetConnected(true)
	b.log.Info("gateway resumed")
}

func (b *Bot) onConnect(*discordgo.Session, *discordgo.Connect) {
	b.connected.Store(true)
	b.metrics.SetConnected(true)
}

func (b *Bot) onDisconnect(*discordgo.Session, *discordgo.Disconnect) {
	b.connected.Store(false)
	b.metrics.SetConnected(false)
	b.log.Info("gateway disconnected")
}

func (b *Bot) onRateLimit(_ *discordgo.Session, rl *discordgo.RateLimit) {
	b.metrics.RateLimited()
	b.log.Info("discord rate limit", "url", rl.URL, "retry_after", rl.RetryAfter)
}

func (b *Bot) self() string { return b.selfID.Load().(string) }

// onMessageCreate records a human's article links and, in auto mode,
// replies with their summaries.
func (b *Bot) onMessageCreate(_ *discordgo.Session, m *discordgo.MessageCreate) {
	received := time.Now()
	if m.Author == nil || m.Author.Bot || m.WebhookID != "" || m.Author.ID == b.self() || m.GuildID == "" {
		return
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	if !b.inflight.start() {
		return
	}
	defer b.inflight.done()
	ctx := b.work

	links := article.FindLinks(m.Content, maxRecordedLinks)
	if len(links) == 0 {
		return
	}
	cs := b.settings(ctx, m.GuildID, m.ChannelID)
	if cs.Mode == commands.ModeOff {
		return
	}
	b.recordLinks(ctx, m.Message, links)
	if cs.Mode != commands.ModeAuto {
		return
	}
	links = links[:min(len(links), b.deps.Core.LinksPerMessage())]
	b.replyWithSummaries(ctx, m.Message, m.Author.ID, links, cs, pipeline.SourceAuto, received)
}

// onReactionAdd summarises a message's links when a person adds 📰 in a
// reaction-mode channel.
func (b *Bot) onReactionAdd(s *discordgo.Session, r *discordgo.MessageReactionAdd) {
	received := time.Now()
	if r.Emoji.Name != reactionEmoji || r.GuildID == "" || r.UserID == b.self() {
		return
	}
	if r.Member != nil && r.Member.User != nil && r.Member.User.Bot {
		return
	}
	if !b.inflight.start() {
		return
	}
	defer b.inflight.done()
	ctx := b.work

	cs := b.settings(ctx, r.GuildID, r.ChannelID)
	if cs.Mode != commands.ModeReaction {
		return
	}
	// A reaction asks Precis to speak in the channel: only for members who
	// could post there themselves.
	if !b.client.memberCanPost(r.GuildID, r.ChannelID, r.Member) {
		b.metrics.Summary(pipeline.SourceReaction, "not_allowed", 0)
		return
	}
	if !b.reactions.add(r.ChannelID + "/" + r.MessageID) {
		return // someone already asked for this message
	}
	msg, err := s.ChannelMessage(r.ChannelID, r.MessageID, discordgo.WithContext(ctx))
	if err != nil {
		b.log.Warn("fetch reacted message", "channel_id", r.ChannelID, "message_id", r.MessageID, "err", err)
		return
	}
	if msg.Author != nil && msg.Author.ID == b.self() {
		return
	}
	if msg.GuildID == "" {
		msg.GuildID = r.GuildID
	}
	links := article.FindLinks(messageText(msg), b.deps.Core.LinksPerMessage())
	if len(links) == 0 {
		return
	}
	b.replyWithSummaries(ctx, msg, r.UserID, links, cs, pipeline.SourceReaction, received)
}

// settings are the channel's settings (a thread's: its parent's), or the
// defaults if the store fails.
func (b *Bot) settings(ctx context.Context, guildID, channelID string) store.ChannelSettings {
	if parent, ok := b.client.place(channelID); ok && parent != "" {
		channelID = parent
	}
	cs, err := b.deps.Store.ChannelSettings(ctx, guildID, channelID)
	if err != nil {
		b.log.Warn("channel settings", "guild_id", guildID, "channel_id", channelID, "err", err)
		cs = store.ChannelSettings{GuildID: guildID, ChannelID: channelID}
	}
	if cs.Mode == "" {
		cs.Mode = commands.ModeAuto
	}
	return cs
}

// recordLinks remembers the links for the server's digest.
func (b *Bot) recordLinks(ctx context.Context, m *discordgo.Message, links []string) {
	at := m.Timestamp
	if at.IsZero() {
		at = b.now()
	}
	for _, u := range links {
		norm, err := article.NormalizeURL(u)
		if err != nil {
			continue
		}
		l := store.SharedLink{
			URL: u, NormURL: norm, GuildID: m.GuildID, ChannelID: m.ChannelID,
			MessageID: m.ID, AuthorID: m.Author.ID, SharedAt: at,
		}
		if err := b.deps.Store.RecordLink(ctx, l); err != nil {
			b.log.Warn("record link", "url", u, "err", err)
		}
	}
}

// replyWithSummaries asks the core for the summaries of a message's links,
// charged to the member who posted them (pasted) or reacted (reaction), and
// replies to the message with one message per summary, in link order.
// Failures are logged, never posted: nobody asked.
func (b *Bot) replyWithSummaries(ctx context.Context, m *discordgo.Message, userID string, links []string, cs store.ChannelSettings, source string, received time.Time) {
	log := b.log.With("source", source, "guild_id", m.GuildID, "channel_id", m.ChannelID, "message_id", m.ID)
	stopTyping := b.typing(ctx, m.ChannelID)
	results, err := b.deps.Core.SummarizeLinks(ctx, pipeline.Request{
		GuildID: m.GuildID, ChannelID: m.ChannelID, UserID: userID,
		Language: cs.Language, Length: cs.Length, MinWords: cs.MinWords, Source: source,
	}, links)
	stopTyping()
	if err != nil {
		b.metrics.Summary(source, pipeline.Kind(err), 0)
		log.Info("summaries skipped", "reason", err)
		return
	}
	for i, r := range results {
		if r.Err != nil {
			kind := pipeline.Kind(r.Err)
			b.metrics.Summary(source, kind, 0)
			if kind == "busy" {
				log.Warn("summary dropped: queue full", "url", r.URL)
			} else {
				log.Info("no summary", "url", r.URL, "reason", kind, "err", r.Err)
			}
			continue
		}
		msg := render.Reply(r.Summary, m.GuildID, m.ChannelID, m.ID)
		// The nonce makes a retried reply (a 5xx after Discord accepted
		// it) one message, not two.
		if _, err := b.client.sendOnce(ctx, m.ChannelID, msg, nonce("reply", m.ChannelID, m.ID, strconv.Itoa(i))); err != nil {
			b.metrics.Summary(source, "post_error", 0)
			log.Warn("post summary", "url", r.URL, "err", err)
			continue
		}
		b.metrics.Summary(source, "ok", time.Since(received))
		log.Info("summary posted", "url", r.URL, "model", r.Summary.Model, "elapsed_ms", time.Since(received).Milliseconds())
	}
}

// typingInterval renews the typing indicator, which Discord shows for ten
// seconds.
const typingInterval = 8 * time.Second

// typing shows "Precis is typing…" in a channel until the returned stop
// function is called.
func (b *Bot) typing(ctx context.Context, channelID string) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(typingInterval)
		defer t.Stop()
		for {
			if err := b.client.session.ChannelTyping(channelID, discordgo.WithContext(ctx)); err != nil && ctx.Err() == nil {
				b.log.Debug("typing indicator", "channel_id", channelID, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}
