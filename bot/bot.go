// Package bot is the Discord adapter: the discordgo session, gateway
// events routed to the application core and the command handlers, their
// answers posted through the render package, and the health and metrics
// server. It decides nothing about summaries, quotas or digests.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/internal/metrics"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/render"
	"github.com/precisbot/precis/store"
)

// Core is the application core the adapter hands pasted links and
// reactions to; *pipeline.Pipeline implements it.
type Core interface {
	SummarizeLinks(ctx context.Context, req pipeline.Request, links []string) ([]pipeline.Result, error)
	LinksPerMessage() int
}

// Handler answers commands; *commands.Handler implements it.
type Handler interface {
	Ephemeral(req commands.Request) bool
	Handle(ctx context.Context, req commands.Request, progress func(string)) commands.Response
}

// Store is the storage the adapter uses; *store.Store implements it.
type Store interface {
	ChannelSettings(ctx context.Context, guildID, channelID string) (store.ChannelSettings, error)
	RecordLink(ctx context.Context, l store.SharedLink) error
	Ping(ctx context.Context) error
	Forgetter
}

// ModelState reports what Precis last heard from its model server for
// /healthz; *pipeline.ModelHealth implements it.
type ModelState interface {
	State() string
}

// Deps are the adapter's collaborators, built by main. All are required
// but Model, Logger, Metrics and Now.
type Deps struct {
	Core     Core
	Commands Handler
	Store    Store
	Metrics  *metrics.Metrics
	Logger   *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Model, when set, adds the model's state to /healthz. It does not
	// decide health: without the model, summaries are made offline.
	Model ModelState
}

// Options configure the adapter; main fills them from config.
type Options struct {
	// GuildID registers the commands in one guild instead of globally.
	GuildID string
	// HTTPListener, when not nil, serves /healthz and /metrics.
	HTTPListener net.Listener
	// ShutdownGrace is how long in-flight work may finish after the context
	// is cancelled before it is cancelled too.
	ShutdownGrace time.Duration
	// JobTimeout bounds the handling of one event or interaction.
	JobTimeout time.Duration
	// SkipCommandRegistration leaves the registered commands alone.
	SkipCommandRegistration bool
}

// Bot is the running Discord adapter.
type Bot struct {
	client  *Client
	opts    Options
	deps    Deps
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics.Metrics

	connected atomic.Bool
	selfID    atomic.Value // string
	reactions *recentSet

	// work is the lifetime of in-flight work; cancelled after the grace
	// period at shutdown.
	work       context.Context
	cancelWork context.CancelFunc
	inflight   tracker
	ran        atomic.Bool
}

// New adds Precis's event handlers to the client's session without
// connecting.
func New(client *Client, deps Deps, opts Options) (*Bot, error) {
	if client == nil || deps.Core == nil || deps.Commands == nil || deps.Store == nil {
		return nil, errors.New("bot: Client, Core, Commands and Store are required")
	}
	if opts.ShutdownGrace <= 0 || opts.JobTimeout <= 0 {
		return nil, errors.New("bot: ShutdownGrace and JobTimeout must be positive")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Metrics == nil {
		deps.Metrics = client.metrics
	}
	b := &Bot{
		client: client, opts: opts, deps: deps, now: deps.Now, metrics: deps.Metrics,
		log:       deps.Logger.With("component", "bot"),
		reactions: newRecentSet(10_000, time.Hour, deps.Now),
	}
	b.selfID.Store("")
	b.work, b.cancelWork = context.WithCancel(context.Background())
	s := client.session
	s.AddHandler(b.onReady)
	s.AddHandler(b.onResumed)
	s.AddHandler(b.onConnect)
	s.AddHandler(b.onDisconnect)
	s.AddHandler(contained(b, "message", b.onMessageCreate))
	s.AddHandler(contained(b, "reaction", b.onReactionAdd))
	s.AddHandler(contained(b, "interaction", b.onInteractionCreate))
	s.AddHandler(contained(b, "message_delete", b.onMessageDelete))
	s.AddHandler(contained(b, "message_delete_bulk", b.onMessageDeleteBulk))
	s.AddHandler(contained(b, "message_update", b.onMessageUpdate))
	s.AddHandler(contained(b, "channel_delete", b.onChannelDelete))
	s.AddHandler(contained(b, "thread_delete", b.onThreadDelete))
	s.AddHandler(contained(b, "guild_delete", b.onGuildDelete))
	s.AddHandler(b.onRateLimit)
	return b, nil
}

// Idle waits until no event or interaction is being handled, or ctx ends;
// it reports whether the bot is idle. Tests use it to know a handler that
// posts nothing has finished.
func (b *Bot) Idle(ctx context.Context) bool {
	d := time.Minute
	if dl, ok := ctx.Deadline(); ok {
		d = time.Until(dl)
	}
	return b.inflight.wait(d)
}

// Metrics returns the metrics registry.
func (b *Bot) Metrics() *metrics.Metrics { return b.metrics }

// Run connects to the gateway, registers the commands, serves health and
// metrics, and handles events until ctx is cancelled. It then stops taking
// new events, lets in-flight work finish for the grace period, cancels the
// rest, closes the session and returns nil: within ShutdownGrace + 1.5 s
// for work, about 1 s for discordgo's close handshake and 1 s for the HTTP
// server, under ten seconds with the default grace.
func (b *Bot) Run(ctx context.Context) error {
	if !b.ran.CompareAndSwap(false, true) {
		return errors.New("bot: Run called twice")
	}
	defer b.cancelWork()

	if ln := b.opts.HTTPListener; ln != nil {
		srv := serveHealth(ln, b.health, b.metrics, b.log)
		defer srv.shutdown()
	}

	if err := b.client.session.Open(); err != nil {
		return fmt.Errorf("bot: open gateway: %w", explainGatewayError(err))
	}
	b.connected.Store(true)
	b.metrics.SetConnected(true)
	b.log.Info("gateway connected", "shard_id", b.client.opts.ShardID, "shard_count", b.client.opts.ShardCount)
	if !b.opts.SkipCommandRegistration && b.client.opts.ShardID == 0 {
		if err := b.registerCommands(ctx); err != nil {
			// Pasted links still work; say loudly that commands will not.
			b.log.Error("register commands", "err", err)
		}
	}

	<-ctx.Done()
	b.log.Info("shutting down", "in_flight", b.inflight.count())
	b.inflight.close()
	if !b.inflight.wait(b.opts.ShutdownGrace) {
		b.log.Warn("cancelling in-flight work", "in_flight", b.inflight.count())
		b.cancelWork()
		b.inflight.wait(1500 * time.Millisecond)
	}
	b.cancelWork()
	if err := b.client.session.Close(); err != nil {
		b.log.Warn("close gateway", "err", err)
	}
	b.client.session.Client.CloseIdleConnections()
	b.connected.Store(false)
	b.metrics.SetConnected(false)
	return nil
}

// explainGatewayError adds the fix to errors a server admin can act on.
func explainGatewayError(err error) error {
	if strings.Contains(err.Error(), "4004") {
		return fmt.Errorf("%w (Discord rejected DISCORD_TOKEN: open the developer portal, your application's Bot page, press Reset Token and set the new token)", err)
	}
	return err
}

// contained runs an event handler and turns a panic into a log line with
// the stack and a metric, so one hostile event never ends the bot.
func contained[E any](b *Bot, where string, h func(*discordgo.Session, E)) func(*discordgo.Session, E) {
	return func(s *discordgo.Session, e E) {
		defer func() {
			if r := recover(); r != nil {
				b.metrics.Panic(where)
				b.log.Error("panic in event handler", "event", where, "panic", fmt.Sprint(r), "stack", stack())
			}
		}()
		h(s, e)
	}
}

// registerCommands replaces the application's commands with Precis's, in
// one request, globally or in the configured guild.
func (b *Bot) registerCommands(ctx context.Context) error {
	appID := b.applicationID(ctx)
	if appID == "" {
		return errors.New("unknown application id")
	}
	defs, err := render.CommandsPayload(commands.Definitions())
	if err != nil {
		return err
	}
	endpoint := discordgo.EndpointApplicationGlobalCommands(appID)
	if b.opts.GuildID != "" {
		endpoint = discordgo.EndpointApplicationGuildCommands(appID, b.opts.GuildID)
	}
	if _, err := b.client.session.RequestWithBucketID("PUT", endpoint, defs, endpoint, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("bulk overwrite %d commands (guild %q): %w", len(defs), b.opts.GuildID, err)
	}
	b.log.Info("commands registered", "count", len(defs), "guild_id", b.opts.GuildID)
	return nil
}

// applicationID comes from READY; failing that, from the API.
func (b *Bot) applicationID(ctx context.Context) string {
	if st := b.client.session.State; st != nil {
		st.RLock()
		var id string
		if st.Application != nil {
			id = st.Application.ID
		}
		if id == "" && st.User != nil {
			id = st.User.ID
		}
		st.RUnlock()
		if id != "" {
			return id
		}
	}
	app, err := b.client.session.Application("@me")
	if err != nil {
		b.log.Warn("get application", "err", err)
		return ""
	}
	return app.ID
}

// health reports whether the gateway is connected and the database answers.
func (b *Bot) health(ctx context.Context) healthStatus {
	st := healthStatus{Gateway: b.connected.Load(), Database: "ok"}
	if err := b.deps.Store.Ping(ctx); err != nil {
		st.Database = "error"
		b.log.Warn("health: database ping", "err", err)
	}
	if b.deps.Model != nil {
		st.Model = b.deps.Model.State()
	}
	st.OK = st.Gateway && st.Database == "ok"
	return st
}
