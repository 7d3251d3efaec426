package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/sync/errgroup"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/bot"
	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// runServe builds every dependency from the configuration and runs the bot
// and the digest scheduler until ctx is cancelled (SIGINT, SIGTERM).
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
	logger := newLogger(cfg, stderr, false, getenv)
	routeDiscordgoLogs(logger)

	st, err := store.OpenWith(ctx, cfg.DatabaseURL, store.Options{Logger: logger})
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()

	fetcher := article.NewFetcher(article.FetchOptions{
		Timeout:      cfg.FetchTimeout,
		MaxBytes:     cfg.FetchMaxBytes,
		AllowPrivate: cfg.FetchAllowPrivate,
	})
	reader := article.NewReader(fetcher, article.DefaultMinWords)
	extractive := summarize.NewCached(summarize.NewExtractive(), st, logger)
	var llm summarize.Summarizer
	if cfg.LLMAPIKey != "" {
		lc := llmConfig(cfg, logger)
		// The LLM must give up (and fall back to the offline summary) while
		// the bot's job still has time to post it.
		if d := bot.DefaultJobTimeout - cfg.FetchTimeout - 10*time.Second; d > 0 && d < lc.Deadline {
			lc.Deadline = d
		}
		l, err := summarize.NewLLM(lc)
		if err != nil {
			return err
		}
		llm = summarize.NewCached(l, st, logger)
		logger.Info("summarizer", "model", cfg.LLMModel, "base_url", cfg.LLMBaseURL)
	} else {
		logger.Warn("no LLM_API_KEY set: using the offline extractive summarizer")
	}

	b, err := bot.New(bot.Deps{
		Reader:     reader,
		LLM:        llm,
		Extractive: extractive,
		Store:      st,
		Logger:     logger,
	}, bot.Options{
		Token:                   cfg.DiscordToken,
		APIURL:                  cfg.DiscordAPIURL,
		GuildID:                 cfg.DiscordGuildID,
		ShardID:                 cfg.ShardID,
		ShardCount:              cfg.ShardCount,
		HTTPAddr:                cfg.HTTPAddr,
		QuotaUserPerHour:        cfg.QuotaUserPerHour,
		QuotaServerPerHour:      cfg.QuotaServerPerHour,
		QuotaServerTokensPerDay: cfg.QuotaServerTokensPerDay,
		Workers:                 cfg.Workers,
		MinWords:                article.DefaultMinWords,
		MaxLinksPerMessage:      cfg.MaxLinksPerMessage,
	})
	if err != nil {
		return err
	}
	digests := digest.New(digest.Deps{
		Store:      st,
		Fetcher:    fetcher,
		Poster:     b,
		Summarizer: digestSummarizer{bot: b},
		Channels:   channelNames{session: b.Session()},
		Logger:     logger,
	}, digest.Options{})
	b.SetDigest(digests)

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return b.Run(gctx) })
	g.Go(func() error {
		// Digests post through the bot's REST client, which works before
		// the gateway is up; a digest cut off by shutdown before its first
		// message is left to the next start (see digest.Service.Run).
		if err := digests.Run(gctx); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("digest scheduler: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		pruneDaily(gctx, st, logger)
		return nil
	})
	err = g.Wait()
	logger.Info("stopped")
	return err
}

// pruneDaily deletes old rows now and then once a day until ctx ends.
func pruneDaily(ctx context.Context, st *store.Store, logger *slog.Logger) {
	tick := time.NewTicker(24 * time.Hour)
	defer tick.Stop()
	for {
		if n, err := st.Prune(ctx, time.Now()); err != nil && ctx.Err() == nil {
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

// digestSummarizer lets the digest summarise through the bot's pipeline.
type digestSummarizer struct{ bot *bot.Bot }

func (d digestSummarizer) Summarize(ctx context.Context, guildID, url string) (*summarize.Summary, error) {
	return d.bot.SummarizeFor(ctx, guildID, url)
}

// channelNames names channels from the gateway's state, asking the API
// only for channels the state does not hold.
type channelNames struct{ session *discordgo.Session }

func (c channelNames) ChannelName(ctx context.Context, guildID, channelID string) (string, error) {
	if ch, err := c.session.State.Channel(channelID); err == nil {
		return ch.Name, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ch, err := c.session.Channel(channelID, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	return ch.Name, nil
}

// routeDiscordgoLogs sends discordgo's own log lines (gateway errors and
// reconnects) through slog, so they share the format and level of ours.
// discordgo only offers a package variable for this; main sets it once.
func routeDiscordgoLogs(logger *slog.Logger) {
	log := logger.With("component", "discordgo")
	discordgo.Logger = func(level, caller int, format string, args ...any) {
		l := slog.LevelDebug
		switch level {
		case discordgo.LogError:
			l = slog.LevelError
		case discordgo.LogWarning:
			l = slog.LevelWarn
		case discordgo.LogInformational:
			l = slog.LevelInfo
		}
		log.Log(context.Background(), l, fmt.Sprintf(format, args...))
	}
}
