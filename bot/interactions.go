package bot

import (
	"context"
	"github.com/precisbot/precis/internal/discordtext"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/commands"
)

// onInteractionCreate defers the interaction at once, runs the command's
// handler with a progress callback that edits the deferred message, and
// finishes with the result.
//
// Errors: an ephemeral deferral is edited into the explanation. A public
// deferral ("Precis is thinking…" visible to the channel) is deleted and
// the explanation sent as an ephemeral follow-up, so a failed /summarize
// does not leave a public error message behind for everyone.
func (b *Bot) onInteractionCreate(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	received := time.Now()
	req, ok := commands.RequestFromInteraction(ic.Interaction)
	if !ok {
		return
	}
	if !b.inflight.start() {
		return
	}
	defer b.inflight.done()
	h := b.commandHandler()
	eph := h.Ephemeral(req)
	log := b.log.With("command", req.Name, "sub", req.Sub(), "guild_id", req.GuildID, "channel_id", req.ChannelID, "user_id", req.UserID)

	var flags discordgo.MessageFlags
	if eph {
		flags = discordgo.MessageFlagsEphemeral
	}
	err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags, AllowedMentions: discordtext.NoMentions()},
	}, discordgo.WithContext(b.work))
	if err != nil {
		log.Warn("defer interaction", "err", err)
		return
	}

	ctx, cancel := context.WithTimeout(b.work, b.opts.JobTimeout)
	defer cancel()
	prog := newProgressEditor(func(text string) {
		if _, err := s.InteractionResponseEdit(ic.Interaction, RenderProgress(text), discordgo.WithContext(ctx)); err != nil {
			log.Debug("progress edit", "err", err)
		}
	})
	resp := h.Handle(ctx, req, prog.set)
	prog.stop()
	source := "command"
	if req.Name == commands.NameSummarizeLink {
		source = "context"
	}
	b.finish(ctx, s, ic.Interaction, resp, eph, log)
	if req.Name == commands.NameSummarize || req.Name == commands.NameSummarizeLink {
		outcome := "ok"
		if resp.Error != "" {
			outcome = "error"
		}
		b.metrics.summary(source, outcome, time.Since(received))
	}
}

// finish replaces the deferred message with the response: the first
// message edits @original, the rest are follow-ups.
func (b *Bot) finish(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, resp commands.Response, eph bool, log interface {
	Warn(string, ...any)
}) {
	// Finishing must happen even when the work context has just expired.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	opt := discordgo.WithContext(ctx)
	if resp.Error != "" {
		if eph {
			if _, err := s.InteractionResponseEdit(i, RenderErrorEdit(resp.Error), opt); err != nil {
				log.Warn("edit error reply", "err", err)
			}
			return
		}
		if err := s.InteractionResponseDelete(i, opt); err != nil {
			log.Warn("delete public deferral", "err", err)
		}
		d := RenderError(resp.Error)
		if _, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
			Content: d.Content, Flags: d.Flags, AllowedMentions: d.AllowedMentions, Components: d.Components,
		}, opt); err != nil {
			log.Warn("send error follow-up", "err", err)
		}
		return
	}

	msgs := make([]*discordgo.MessageSend, 0, len(resp.Summaries)+len(resp.Messages)+1)
	for _, sum := range resp.Summaries {
		msgs = append(msgs, RenderSummary(sum, RenderOptions{Length: resp.Length}))
	}
	msgs = append(msgs, resp.Messages...)
	if resp.Content != "" {
		if len(msgs) > 0 && msgs[0].Content == "" {
			msgs[0].Content = resp.Content
		} else {
			msgs = append([]*discordgo.MessageSend{{Content: resp.Content}}, msgs...)
		}
	}
	if len(msgs) == 0 {
		msgs = append(msgs, &discordgo.MessageSend{Content: "Done."})
	}
	first := msgs[0]
	content := first.Content
	embeds := first.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	components := first.Components
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	if err := retryPost(ctx, b.opts.RetryBase, func() error {
		_, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{
			Content: &content, Embeds: &embeds, Components: &components, AllowedMentions: discordtext.NoMentions(),
		}, opt)
		return err
	}); err != nil {
		log.Warn("edit reply", "err", err)
	}
	for _, m := range msgs[1:] {
		var flags discordgo.MessageFlags
		if eph {
			flags = discordgo.MessageFlagsEphemeral
		}
		components := m.Components
		if components == nil {
			components = []discordgo.MessageComponent{}
		}
		if err := retryPost(ctx, b.opts.RetryBase, func() error {
			_, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
				Content: m.Content, Embeds: m.Embeds, Components: components,
				AllowedMentions: discordtext.NoMentions(), Flags: flags,
			}, opt)
			return err
		}); err != nil {
			log.Warn("send follow-up", "err", err)
		}
	}
}

// progressEditor shows the latest progress line without making the
// pipeline wait for Discord: set stores the line and wakes one editing
// goroutine; stop waits for it so no progress edit lands after the final
// answer.
type progressEditor struct {
	edit    func(string)
	mu      sync.Mutex
	pending string
	shown   string
	running bool
	stopped bool
	idle    *sync.Cond
}

func newProgressEditor(edit func(string)) *progressEditor {
	p := &progressEditor{edit: edit}
	p.idle = sync.NewCond(&p.mu)
	return p
}

func (p *progressEditor) set(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped || text == p.shown {
		return
	}
	p.pending = text
	if !p.running {
		p.running = true
		go p.loop()
	}
}

func (p *progressEditor) loop() {
	p.mu.Lock()
	for !p.stopped && p.pending != "" && p.pending != p.shown {
		text := p.pending
		p.shown = text
		p.mu.Unlock()
		p.edit(text)
		p.mu.Lock()
	}
	p.running = false
	p.idle.Broadcast()
	p.mu.Unlock()
}

func (p *progressEditor) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	for p.running {
		p.idle.Wait()
	}
}
