package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/render"
)

// onInteractionCreate defers the interaction at once, runs the command's
// handler with a progress callback that edits the deferred message, and
// finishes with the result.
func (b *Bot) onInteractionCreate(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	received := time.Now()
	req, ok := requestFromInteraction(ic.Interaction)
	if !ok {
		req, ok = b.askRequest(s, ic.Interaction) // the Ask button and its modal (components.go)
	}
	if !ok {
		req, ok = compareRequest(ic.Interaction) // the Compare button (compare.go)
	}
	if !ok {
		return
	}
	req.ParentID, req.InThread = b.client.place(req.ChannelID)
	req.ChannelPermissions = b.client.memberPermissions(ic.Interaction)
	if !b.inflight.start() {
		return
	}
	defer b.inflight.done()
	h := b.deps.Commands
	eph := h.Ephemeral(req)
	log := b.log.With("command", req.Name, "sub", req.Sub(), "guild_id", req.GuildID, "channel_id", req.ChannelID, "user_id", req.UserID)

	err := s.InteractionRespond(ic.Interaction, render.Deferral(eph), discordgo.WithContext(b.work))
	if err != nil {
		log.Warn("defer interaction", "err", err)
		return
	}

	ctx, cancel := context.WithTimeout(b.work, b.opts.JobTimeout)
	defer cancel()
	prog := newProgressEditor(func(text string) {
		if _, err := s.InteractionResponseEdit(ic.Interaction, render.Progress(text), discordgo.WithContext(ctx)); err != nil {
			log.Debug("progress edit", "err", err)
		}
	})
	resp := b.handle(ctx, h, req, prog.set, log)
	prog.stop()
	b.finish(ctx, s, ic.Interaction, resp, eph, log)
	if req.Name == commands.NameSummarize || req.Name == commands.NameSummarizeLink {
		source := pipeline.SourceCommand
		if req.Name == commands.NameSummarizeLink {
			source = pipeline.SourceContext
		}
		outcome := "ok"
		if resp.Error != "" {
			outcome = "error"
		}
		b.metrics.Summary(source, outcome, time.Since(received))
	}
}

// finish replaces the deferred message with the response: the first
// message edits @original, the rest are follow-ups.
//
// Errors: an ephemeral deferral is edited into the explanation. A public
// deferral ("Precis is thinking…" visible to the channel) is deleted and
// the explanation sent as an ephemeral follow-up, so a failed /summarize
// does not leave a public error message behind for everyone.
func (b *Bot) finish(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, resp commands.Response, eph bool, log *slog.Logger) {
	// Finishing must happen even when the work context has just expired.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	opt := discordgo.WithContext(ctx)
	if resp.Error != "" {
		if eph {
			if _, err := s.InteractionResponseEdit(i, render.ErrorEdit(resp.Error, resp.Links...), opt); err != nil {
				log.Warn("edit error reply", "err", err)
			}
			return
		}
		if err := s.InteractionResponseDelete(i, opt); err != nil {
			log.Warn("delete public deferral", "err", err)
		}
		d := render.Error(resp.Error, resp.Links...)
		if _, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
			Content: d.Content, Flags: d.Flags, AllowedMentions: d.AllowedMentions, Components: d.Components,
		}, opt); err != nil {
			log.Warn("send error follow-up", "err", err)
		}
		return
	}
	msgs := render.Response(resp)
	if err := retryPost(ctx, b.client.opts.RetryBase, func() error {
		_, err := s.InteractionResponseEdit(i, render.Edit(msgs[0]), opt)
		return err
	}); err != nil {
		log.Warn("edit reply", "err", err)
	}
	for _, m := range msgs[1:] {
		if err := retryPost(ctx, b.client.opts.RetryBase, func() error {
			_, err := s.FollowupMessageCreate(i, true, render.FollowUp(m, eph), opt)
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

// requestFromInteraction converts an application-command interaction into a
// Request. It returns false for other interaction types.
func requestFromInteraction(i *discordgo.Interaction) (commands.Request, bool) {
	if i == nil || i.Type != discordgo.InteractionApplicationCommand {
		return commands.Request{}, false
	}
	data := i.ApplicationCommandData()
	req := commands.Request{
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
				req.TargetContent = messageText(m)
			}
		}
	}
	return req, true
}

// messageText is a message's content followed by the links in its embeds,
// which is where feed bots put their article links.
func messageText(m *discordgo.Message) string {
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

// handle runs a command's handler; a panic (a hostile page or message
// deep in a handler) becomes an error answer, so the member is never left
// with "Precis is thinking…".
func (b *Bot) handle(ctx context.Context, h Handler, req commands.Request, progress func(string), log *slog.Logger) (resp commands.Response) {
	defer func() {
		if r := recover(); r != nil {
			b.metrics.Panic("command")
			log.Error("panic in command handler", "panic", fmt.Sprint(r), "stack", stack())
			resp = commands.Response{Error: pipeline.Explain(&pipeline.PanicError{Where: "command", Value: r}), Ephemeral: true}
		}
	}()
	return h.Handle(ctx, req, progress)
}
