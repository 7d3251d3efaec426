package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/precisbot/precis/internal/discordtext"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// Default guards and sizes, used when Options leave them zero.
const (
	DefaultQuotaUserPerHour        = 20
	DefaultQuotaServerPerHour      = 120
	DefaultQuotaServerTokensPerDay = 300_000
	DefaultWorkers                 = 16
	DefaultQueueSize               = 256
	DefaultShutdownGrace           = 5 * time.Second
	DefaultJobTimeout              = 2 * time.Minute
	DefaultRetryBase               = time.Second
)

// defaultAPIURL is Discord's REST base as discordgo builds its endpoints.
var defaultAPIURL = "https://discord.com/api/v" + discordgo.APIVersion

// ArticleReader fetches and extracts one article; *article.Reader
// implements it.
type ArticleReader interface {
	Read(ctx context.Context, rawURL string) (*article.Article, error)
}

// Store is the storage the bot uses; *store.Store implements it.
type Store interface {
	commands.SettingsStore
	commands.UsageStore
	AddUsage(ctx context.Context, guildID, day string, summaries, tokens int) error
	RecordLink(ctx context.Context, l store.SharedLink) error
	// CachedSummary and PutSummary keep summaries by what was asked (link,
	// summarizer, length, language), so a link summarised before is
	// answered without a fetch.
	CachedSummary(ctx context.Context, key string) ([]byte, bool, error)
	PutSummary(ctx context.Context, key, normURL string, data []byte) error
	Ping(ctx context.Context) error
}

// Deps are the bot's collaborators, built by main.
type Deps struct {
	Reader ArticleReader
	// LLM summarises with the language model; nil means offline only. Wrap
	// it in summarize's cache so repeated links cost nothing.
	LLM summarize.Summarizer
	// Extractive is the offline summarizer, used past a server's daily
	// token budget and when the LLM fails. Required.
	Extractive summarize.Summarizer
	Store      Store
	// Digest drives the /digest commands; nil answers that digests are off.
	// It may also be set later with SetDigest, before Run.
	Digest commands.DigestService
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Options configure the bot; main fills them from config.
type Options struct {
	// Token is DISCORD_TOKEN, with or without its "Bot " prefix.
	Token string
	// APIURL is DISCORD_API_URL; every Discord request goes to its host.
	// Empty means Discord's own.
	APIURL string
	// GuildID registers the commands in one guild instead of globally.
	GuildID string
	// ShardID and ShardCount enable sharding when ShardCount > 1.
	ShardID, ShardCount int
	// HTTPAddr serves /healthz and /metrics; "" or "off" disables it.
	HTTPAddr string
	// Hourly allowances and the daily token budget (QUOTA_*); 0 means no
	// limit. The Default* constants are the recommended values.
	QuotaUserPerHour, QuotaServerPerHour, QuotaServerTokensPerDay int
	// Workers and QueueSize bound the summarising work; 0 means the default.
	Workers, QueueSize int
	// MinWords is the article quality gate's minimum, shown in settings.
	MinWords int
	// MaxLinksPerMessage is how many links of one message are summarised
	// (MAX_LINKS_PER_MESSAGE); 0 means commands.MaxLinksPerMessage.
	MaxLinksPerMessage int
	// ShutdownGrace is how long in-flight work may finish after the context
	// is cancelled before it is cancelled too; 0 means 5 s.
	ShutdownGrace time.Duration
	// JobTimeout bounds one summary (fetch + LLM); 0 means 2 min.
	JobTimeout time.Duration
	// RetryBase is the first wait before a post that met a Discord server
	// error is tried again; 0 means DefaultRetryBase.
	RetryBase time.Duration
	// SkipCommandRegistration leaves the registered commands alone.
	SkipCommandRegistration bool
}

// WithDefaults returns o with zero sizes and durations replaced by the
// defaults. Quotas are kept as given: 0 means no limit.
func (o Options) WithDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = DefaultShutdownGrace
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = DefaultJobTimeout
	}
	if o.MinWords <= 0 {
		o.MinWords = article.DefaultMinWords
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.APIURL == "" {
		o.APIURL = defaultAPIURL
	}
	return o
}

// Bot is a running Discord bot: gateway session, command and event
// handlers, the summarising pipeline and the health/metrics server.
type Bot struct {
	opts    Options
	deps    Deps
	log     *slog.Logger
	now     func() time.Time
	session *discordgo.Session

	metrics  *Metrics
	limiter  *Limiter
	pipe     *Pipeline
	handler  *commands.Handler
	digestMu sync.Mutex

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

// New builds the bot and its Discord session without connecting.
func New(deps Deps, opts Options) (*Bot, error) {
	opts = opts.WithDefaults()
	if strings.TrimSpace(opts.Token) == "" {
		return nil, errors.New("bot: DISCORD_TOKEN is empty")
	}
	if deps.Reader == nil || deps.Extractive == nil || deps.Store == nil {
		return nil, errors.New("bot: Reader, Extractive and Store are required")
	}
	if opts.ShardCount > 1 && (opts.ShardID < 0 || opts.ShardID >= opts.ShardCount) {
		return nil, fmt.Errorf("bot: shard id %d out of range for %d shards", opts.ShardID, opts.ShardCount)
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	transport, err := NewRewriteTransport(opts.APIURL, nil)
	if err != nil {
		return nil, err
	}
	s, err := discordgo.New(botToken(opts.Token))
	if err != nil {
		return nil, fmt.Errorf("bot: new session: %w", err)
	}
	s.Client = &http.Client{Transport: transport, Timeout: 20 * time.Second}
	s.UserAgent = "DiscordBot (https://github.com/precisbot/precis, 1)"
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages |
		discordgo.IntentsGuildMessageReactions | discordgo.IntentMessageContent
	s.ShouldReconnectOnError = true
	s.ShouldRetryOnRateLimit = true
	s.MaxRestRetries = 3
	s.StateEnabled = true
	if opts.ShardCount > 1 {
		s.ShardID, s.ShardCount = opts.ShardID, opts.ShardCount
	}

	log := deps.Logger.With("component", "bot")
	b := &Bot{
		opts: opts, deps: deps, log: log, now: deps.Now, session: s,
		metrics:   NewMetrics(),
		limiter:   NewLimiter(opts.QuotaUserPerHour, opts.QuotaServerPerHour, deps.Now),
		reactions: newRecentSet(10_000, time.Hour, deps.Now),
	}
	b.selfID.Store("")
	b.work, b.cancelWork = context.WithCancel(context.Background())
	b.pipe = NewPipeline(PipelineDeps{
		Reader: deps.Reader, LLM: deps.LLM, Extractive: deps.Extractive, Store: deps.Store,
		Metrics: b.metrics, Logger: log, Now: deps.Now,
	}, PipelineOptions{
		Workers: opts.Workers, QueueSize: opts.QueueSize,
		TokensPerDay: opts.QuotaServerTokensPerDay, JobTimeout: opts.JobTimeout,
	})
	b.handler = b.newHandler(deps.Digest)
	s.AddHandler(b.onReady)
	s.AddHandler(b.onResumed)
	s.AddHandler(b.onConnect)
	s.AddHandler(b.onDisconnect)
	s.AddHandler(b.onMessageCreate)
	s.AddHandler(b.onReactionAdd)
	s.AddHandler(b.onInteractionCreate)
	s.AddHandler(b.onRateLimit)
	return b, nil
}

func (b *Bot) newHandler(d commands.DigestService) *commands.Handler {
	return commands.New(commands.Deps{
		Summarizer: b.pipe, Quota: b.limiter, Settings: b.deps.Store, Usage: b.deps.Store,
		Digest: d, FindLinks: article.FindLinks, Now: b.now,
	}, b.limits())
}

// limits are the configured guards as the command handlers see them.
func (b *Bot) limits() commands.Limits {
	return commands.Limits{
		UserPerHour: b.opts.QuotaUserPerHour, ServerPerHour: b.opts.QuotaServerPerHour,
		ServerTokensPerDay: b.opts.QuotaServerTokensPerDay, MinWords: b.opts.MinWords,
		MaxLinks: b.opts.MaxLinksPerMessage,
	}
}

// SetDigest connects the /digest commands to a digest service. The digest
// service posts through the bot (Send), so main builds it after New; call
// SetDigest before Run.
func (b *Bot) SetDigest(d commands.DigestService) {
	b.digestMu.Lock()
	defer b.digestMu.Unlock()
	b.handler = b.newHandler(d)
}

func (b *Bot) commandHandler() *commands.Handler {
	b.digestMu.Lock()
	defer b.digestMu.Unlock()
	return b.handler
}

// Metrics returns the bot's metrics registry.
func (b *Bot) Metrics() *Metrics { return b.metrics }

// Session returns the underlying discordgo session, for wiring only.
func (b *Bot) Session() *discordgo.Session { return b.session }

// SummarizeFor summarises a link for a server outside any conversation (a
// digest entry): through the same pipeline as everything else, so the
// server's token budget, usage accounting, the worker pool and the caches
// all apply.
func (b *Bot) SummarizeFor(ctx context.Context, guildID, url string) (*summarize.Summary, error) {
	return b.pipe.Summarize(ctx, commands.Job{URL: url, GuildID: guildID, Length: summarize.LengthShort, Asked: true})
}

// Send posts a message to a channel with mentions disabled; it is the
// Poster the digest service uses.
func (b *Bot) Send(ctx context.Context, channelID string, msg *discordgo.MessageSend) (string, error) {
	m := *msg
	m.AllowedMentions = discordtext.NoMentions()
	start := time.Now()
	var posted *discordgo.Message
	err := retryPost(ctx, b.opts.RetryBase, func() (err error) {
		posted, err = b.session.ChannelMessageSendComplex(channelID, &m, discordgo.WithContext(ctx))
		return err
	})
	b.metrics.observeStage("post", time.Since(start))
	if err != nil {
		return "", fmt.Errorf("post to channel %s: %w", channelID, err)
	}
	return posted.ID, nil
}

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
	b.pipe.Start()
	defer b.pipe.Stop()

	var srv *healthServer
	if addr := b.opts.HTTPAddr; addr != "" && addr != "off" {
		var err error
		srv, err = startHealthServer(addr, b.health, b.metrics, b.log)
		if err != nil {
			return err
		}
		defer srv.shutdown()
	}

	if err := b.session.Open(); err != nil {
		return fmt.Errorf("bot: open gateway: %w", err)
	}
	b.connected.Store(true)
	b.metrics.setConnected(true)
	b.log.Info("gateway connected", "shard_id", b.opts.ShardID, "shard_count", b.opts.ShardCount)
	if !b.opts.SkipCommandRegistration && b.opts.ShardID == 0 {
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
	if err := b.session.Close(); err != nil {
		b.log.Warn("close gateway", "err", err)
	}
	b.session.Client.CloseIdleConnections()
	b.connected.Store(false)
	b.metrics.setConnected(false)
	return nil
}

// registerCommands replaces the application's commands with Precis's, in
// one request, globally or in the configured guild.
func (b *Bot) registerCommands(ctx context.Context) error {
	appID := b.applicationID(ctx)
	if appID == "" {
		return errors.New("unknown application id")
	}
	defs, err := commandPayload(commands.Definitions())
	if err != nil {
		return err
	}
	endpoint := discordgo.EndpointApplicationGlobalCommands(appID)
	if b.opts.GuildID != "" {
		endpoint = discordgo.EndpointApplicationGuildCommands(appID, b.opts.GuildID)
	}
	if _, err := b.session.RequestWithBucketID("PUT", endpoint, defs, endpoint, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("bulk overwrite %d commands (guild %q): %w", len(defs), b.opts.GuildID, err)
	}
	b.log.Info("commands registered", "count", len(defs), "guild_id", b.opts.GuildID)
	return nil
}

// commandPayload is the bulk-overwrite body. discordgo encodes
// default_member_permissions as a string; Discord's OpenAPI schema for this
// endpoint wants an integer, so the field is re-encoded as one.
func commandPayload(defs []*discordgo.ApplicationCommand) ([]map[string]any, error) {
	raw, err := json.Marshal(defs)
	if err != nil {
		return nil, fmt.Errorf("encode commands: %w", err)
	}
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("decode commands: %w", err)
	}
	for _, c := range out {
		if p, ok := c["default_member_permissions"].(string); ok {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("command %v: default_member_permissions %q: %w", c["name"], p, err)
			}
			c["default_member_permissions"] = n
		}
	}
	return out, nil
}

// applicationID comes from READY; failing that, from the API.
func (b *Bot) applicationID(ctx context.Context) string {
	if st := b.session.State; st != nil {
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
	app, err := b.session.Application("@me")
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
	st.OK = st.Gateway && st.Database == "ok"
	return st
}

// botToken adds the "Bot " prefix when the token lacks it.
func botToken(tok string) string {
	tok = strings.TrimSpace(tok)
	if strings.HasPrefix(tok, "Bot ") {
		return tok
	}
	return "Bot " + tok
}

// RewriteTransport sends every request to one API base: scheme and host
// are replaced, and discordgo's /api/v9 path prefix becomes the base's
// path. discordgo's endpoints are frozen at init, so this is how
// DISCORD_API_URL (proxies, tests) takes effect.
type RewriteTransport struct {
	scheme, host, prefix string
	next                 http.RoundTripper
}

// NewRewriteTransport returns a RewriteTransport to apiURL over next (nil
// means a clone of http.DefaultTransport).
func NewRewriteTransport(apiURL string, next http.RoundTripper) (*RewriteTransport, error) {
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bot: DISCORD_API_URL %q is not an http(s) URL", apiURL)
	}
	if next == nil {
		next = http.DefaultTransport.(*http.Transport).Clone()
	}
	return &RewriteTransport{scheme: u.Scheme, host: u.Host, prefix: strings.TrimSuffix(u.Path, "/"), next: next}, nil
}

// RoundTrip implements http.RoundTripper.
func (t *RewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.URL.Scheme, r2.URL.Host, r2.Host = t.scheme, t.host, ""
	std := "/api/v" + discordgo.APIVersion
	// A base without a path (http://host:port) keeps discordgo's own
	// /api/v9 paths; a base with one (http://proxy/discord/api/v10) has it
	// replace them.
	if p := r2.URL.Path; (p == std || strings.HasPrefix(p, std+"/")) && t.prefix != "" && t.prefix != std {
		r2.URL.Path = t.prefix + strings.TrimPrefix(p, std)
		r2.URL.RawPath = ""
	}
	return t.next.RoundTrip(r2)
}

// CloseIdleConnections closes the wrapped transport's idle keep-alive
// connections, so http.Client.CloseIdleConnections reaches them.
func (t *RewriteTransport) CloseIdleConnections() {
	if ci, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
