package bot

import (
	"context"
	"errors"
	"fmt"
	"github.com/precisbot/precis/internal/discordtext"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
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
	b.metrics.setConnected(true)
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
	b.metrics.setConnected(true)
	b.log.Info("gateway resumed")
}

func (b *Bot) onConnect(*discordgo.Session, *discordgo.Connect) {
	b.connected.Store(true)
	b.metrics.setConnected(true)
}

func (b *Bot) onDisconnect(*discordgo.Session, *discordgo.Disconnect) {
	b.connected.Store(false)
	b.metrics.setConnected(false)
	b.log.Info("gateway disconnected")
}

func (b *Bot) onRateLimit(_ *discordgo.Session, rl *discordgo.RateLimit) {
	b.metrics.rateLimited()
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
	b.replyWithSummaries(ctx, m.Message, links, cs, "auto", received)
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
	links := article.FindLinks(commands.MessageText(msg), b.limits().LinksPerMessage())
	if len(links) == 0 {
		return
	}
	b.replyWithSummaries(ctx, msg, links, cs, "reaction", received)
}

// settings are the channel's settings, or the defaults if the store fails.
func (b *Bot) settings(ctx context.Context, guildID, channelID string) store.ChannelSettings {
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

// replyWithSummaries summarises the first few links of a message and replies
// to it with one message per summary, in link order. Failures are logged,
// never posted: nobody asked.
func (b *Bot) replyWithSummaries(ctx context.Context, m *discordgo.Message, links []string, cs store.ChannelSettings, source string, received time.Time) {
	if n := b.limits().LinksPerMessage(); len(links) > n {
		links = links[:n]
	}
	log := b.log.With("source", source, "guild_id", m.GuildID, "channel_id", m.ChannelID, "message_id", m.ID)
	if err := b.limiter.Take(m.GuildID, "", len(links)); err != nil {
		b.metrics.summary(source, "quota", 0)
		log.Info("summary skipped", "reason", err)
		return
	}
	stopTyping := b.typing(ctx, m.ChannelID)
	results := make([]*summarize.Summary, len(links))
	errs := make([]error, len(links))
	done := make(chan int, len(links))
	for i, u := range links {
		go func() {
			results[i], errs[i] = b.pipe.Summarize(ctx, commands.Job{
				URL: u, GuildID: m.GuildID, ChannelID: m.ChannelID,
				Language: cs.Language, MinWords: cs.MinWords, Source: source,
			})
			done <- i
		}()
	}
	for range links {
		<-done
	}
	stopTyping()
	for i, u := range links {
		if err := errs[i]; err != nil {
			kind := errorKind(err)
			b.metrics.summary(source, kind, 0)
			switch {
			case errors.Is(err, commands.ErrBusy):
				log.Warn("summary dropped: queue full", "url", u)
			default:
				log.Info("no summary", "url", u, "reason", kind, "err", err)
			}
			continue
		}
		msg := RenderSummary(results[i], RenderOptions{ReplyTo: &discordgo.MessageReference{
			MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: new(false),
		}})
		msg.AllowedMentions = discordtext.NoMentions() // also: the reply does not ping its author
		start := time.Now()
		err := retryPost(ctx, b.opts.RetryBase, func() error {
			_, err := b.session.ChannelMessageSendComplex(m.ChannelID, msg, discordgo.WithContext(ctx))
			return err
		})
		b.metrics.observeStage("post", time.Since(start))
		if err != nil {
			b.metrics.summary(source, "post_error", 0)
			log.Warn("post summary", "url", u, "err", err)
			continue
		}
		b.metrics.summary(source, "ok", time.Since(received))
		log.Info("summary posted", "url", u, "model", results[i].Model, "elapsed_ms", time.Since(received).Milliseconds())
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
			if err := b.session.ChannelTyping(channelID, discordgo.WithContext(ctx)); err != nil && ctx.Err() == nil {
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
