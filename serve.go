package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/internal/metrics"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// runServe loads the configuration and runs Precis until ctx is cancelled
// (SIGINT, SIGTERM).
func runServe(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	if len(args) > 0 {
		return usageError{"serve takes no arguments; settings come from the environment"}
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if err := cfg.ValidateServe(); err != nil {
		return err
	}
	if _, err := outletFacts(cfg); err != nil {
		return err
	}
	logger := newLogger(cfg, stderr, false, getenv)
	bot.RouteLogs(logger)
	m, err := NewMain(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}

// Main is Precis with every dependency built from the configuration, in a
// straight line: config -> store -> reader -> summarizers -> core ->
// Discord client -> digest -> command handlers -> Discord adapter. Nothing
// is set after construction. Tests drive it through NewMain, Run and
// Close, and read the addresses it bound.
type Main struct {
	cfg      *config.Config
	log      *slog.Logger
	store    *store.Store
	fetcher  *article.Fetcher
	pipeline *pipeline.Pipeline
	model    *pipeline.ModelHealth
	client   *bot.Client
	digests  *digest.Service
	bot      *bot.Bot
	httpLn   net.Listener
	now      func() time.Time
}

// NewMain builds Precis from cfg and binds HTTP_ADDR, without connecting
// to Discord. Close releases what it holds.
func NewMain(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*Main, error) {
	return newMain(ctx, cfg, logger, nil)
}

// newMain is NewMain with a clock for tests; nil means the system clock.
func newMain(ctx context.Context, cfg *config.Config, logger *slog.Logger, clock digest.Clock) (_ *Main, err error) {
	m := &Main{cfg: cfg, log: logger, now: time.Now}
	var now func() time.Time
	if clock != nil {
		now, m.now = clock.Now, clock.Now
	}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	m.store, err = store.OpenWith(ctx, cfg.DatabaseURL, store.Options{Logger: logger, Now: now})
	if err != nil {
		return nil, fmt.Errorf("open database: %w%s", err, openHint(err))
	}
	var reader *article.ArchiveReader
	m.fetcher, _, reader = readers(cfg, logger)
	// Every model request goes through m.model, so /healthz tells the
	// model's last state; Run checks the server at start.
	m.model = pipeline.NewModelHealth(pipeline.ModelHealthOptions{
		BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel, Now: now,
	})
	// One client for summaries, recaps and comparisons: what it learns of
	// the server (response formats, token parameter) serves all three.
	var chat *summarize.LLM
	var llm pipeline.Summarizer
	if cfg.LLMAPIKey != "" {
		lc := llmConfig(cfg, logger)
		lc.HTTPClient = m.model.HTTPClient()
		chat, err = summarize.NewLLM(lc)
		if err != nil {
			return nil, err
		}
		llm = chat
		logger.Info("summarizer", "model", cfg.LLMModel, "base_url", config.RedactURL(cfg.LLMBaseURL), "concurrency", cfg.LLMConcurrency)
	} else {
		logger.Warn("no LLM_API_KEY set: using the offline extractive summarizer")
	}
	reg := metrics.New()
	m.client, err = bot.NewClient(bot.ClientOptions{
		Token: cfg.DiscordToken, APIURL: cfg.DiscordAPIURL,
		ShardID: cfg.ShardID, ShardCount: cfg.ShardCount, RetryBase: config.DefaultRetryBase,
	}, reg, logger)
	if err != nil {
		return nil, err
	}
	// Other coverage comes from the server's feeds and shared links that
	// everyone who sees the channel may see, as for digests.
	finder := newCompareFinder(m.store, m.client, now, logger)
	m.pipeline, err = pipeline.New(pipeline.Deps{
		Reader: reader, LLM: llm, Extractive: summarize.NewExtractive(), Store: m.store, Coverage: finder,
		Metrics: reg, Logger: logger, Now: now,
	}, pipeline.Options{
		Workers: cfg.Workers, QueueSize: config.DefaultQueueSize, ModelConcurrency: cfg.LLMConcurrency,
		UserPerHour: cfg.QuotaUserPerHour, ServerPerHour: cfg.QuotaServerPerHour,
		TokensPerDay: cfg.QuotaServerTokensPerDay, MaxLinks: cfg.MaxLinksPerMessage,
		JobTimeout: config.DefaultJobTimeout, CacheMaxAge: cfg.CacheMaxAge, Language: cfg.SummaryLanguage,
	})
	if err != nil {
		return nil, err
	}
	m.digests = digest.New(digest.Deps{
		Store: m.store, Fetcher: m.fetcher, Poster: m.client, Clock: clock,
		Summarizer: pipeline.DigestSummaries{Pipeline: m.pipeline}, Channels: m.client, Logger: logger, OnPanic: reg.Panic,
		Visibility: m.client,
	}, digest.Options{Lease: cfg.DigestLease})
	handler := commands.New(commands.Deps{
		Pipeline: m.pipeline, Settings: m.store, Usage: m.store, Digest: m.digests, Access: m.client, FindLinks: article.FindLinks, Now: now,
		History: m.client, Recaps: newRecaps(cfg, chat, m.pipeline, logger), RecapOptIn: m.store,
		Compares: newCompareService(cfg, chat, m.pipeline, finder, m.store, logger),
	}, commands.Limits{
		UserPerHour: cfg.QuotaUserPerHour, ServerPerHour: cfg.QuotaServerPerHour,
		ServerTokensPerDay: cfg.QuotaServerTokensPerDay, MinWords: config.DefaultMinWords,
	})
	if cfg.HTTPAddr != "" {
		m.httpLn, err = net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return nil, fmt.Errorf("listen on HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
		}
	}
	m.bot, err = bot.New(m.client, bot.Deps{
		Core: m.pipeline, Commands: handler, Store: m.store, Metrics: reg, Logger: logger, Now: now, Model: m.model,
	}, bot.Options{
		GuildID: cfg.DiscordGuildID, HTTPListener: m.httpLn,
		ShutdownGrace: config.DefaultShutdownGrace, JobTimeout: config.DefaultJobTimeout,
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// HTTPAddr is the address /healthz and /metrics are served on, or "" when
// HTTP_ADDR is off.
func (m *Main) HTTPAddr() string {
	if m.httpLn == nil {
		return ""
	}
	return m.httpLn.Addr().String()
}

// Run runs the bot, the digest scheduler and the daily pruning until ctx
// is cancelled, then stops the core.
func (m *Main) Run(ctx context.Context) error {
	defer m.pipeline.Stop()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return m.bot.Run(gctx) })
	g.Go(func() error {
		// Digests post through the REST client, which works before the
		// gateway is up; a digest cut off by shutdown before its first
		// message is left to the next start (see digest.Service.Run).
		if err := m.digests.Run(gctx); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("digest scheduler: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		pruneDaily(gctx, m.store, m.now, m.log)
		return nil
	})
	g.Go(func() error {
		checkModel(gctx, m.model, m.cfg.LLMModel, m.log)
		return nil
	})
	err := g.Wait()
	m.log.Info("stopped")
	return err
}

// Close releases the database and the HTTP listener.
func (m *Main) Close() error {
	var errs []error
	if m.pipeline != nil {
		m.pipeline.Stop()
	}
	if m.httpLn != nil {
		if err := m.httpLn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}

// checkModel asks the model server, once at start, whether it answers
// and offers the model, and logs what to fix when it does not: otherwise
// the first sign of a wrong key or address is an offline summary.
func checkModel(ctx context.Context, h *pipeline.ModelHealth, model string, logger *slog.Logger) {
	err := h.Check(ctx)
	var me *pipeline.ModelError
	switch {
	case h.State() == pipeline.ModelOffline:
		return // newMain said so already
	case errors.As(err, &me):
		logger.Error("model check failed: summaries are offline until the model answers",
			"server", me.Host, "model", model, "cause", me.Cause, "detail", me.Detail, "fix", me.Fix)
	case err != nil:
		if ctx.Err() == nil {
			logger.Warn("model check", "err", err)
		}
	default:
		logger.Info("model check passed", "server", h.Host(), "model", model)
	}
}

// openHint adds the likely fix to SQLite's "unable to open database file",
// what a bind-mounted folder the process may not write to gives.
func openHint(err error) string {
	if !strings.Contains(err.Error(), "unable to open database file") {
		return ""
	}
	return fmt.Sprintf(" (can this process, uid %d, write to the database's folder? In Docker: `chown 65532:65532` the mounted folder, or run with --user \"$(id -u):$(id -g)\")", os.Getuid())
}

// pruneDaily deletes old rows now and then once a day until ctx ends.
func pruneDaily(ctx context.Context, st *store.Store, now func() time.Time, logger *slog.Logger) {
	tick := time.NewTicker(24 * time.Hour)
	defer tick.Stop()
	for {
		if n, err := st.Prune(ctx, now()); err != nil && ctx.Err() == nil {
			logger.Warn("prune database", "err", err)
		} else if n > 0 {
			logger.Info("pruned database", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
