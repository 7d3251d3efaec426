package recap

import (
	"context"
	"log/slog"
	"time"
)

// Quota is the hourly allowance a recap is taken from, like a summary;
// *pipeline.Limiter implements it.
type Quota interface {
	Take(guildID, userID string, n int) error
	Refund(guildID, userID string, n int)
}

// UsageStore holds a server's daily usage; *store.Store implements it.
type UsageStore interface {
	Usage(ctx context.Context, guildID, day string) (summaries, tokens int, err error)
	AddUsage(ctx context.Context, guildID, day string, summaries, tokens int) error
}

// ServiceDeps are the Service's collaborators. Quota and Usage may be nil
// (no limits, nothing recorded).
type ServiceDeps struct {
	Recapper *Recapper
	Quota    Quota
	Usage    UsageStore
	// TokensPerDay is the server's daily token budget
	// (QUOTA_SERVER_TOKENS_PER_DAY); 0 means no limit.
	TokensPerDay int
	Logger       *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service makes recaps asked for in a server under the same guards as
// summaries: each recap takes one from the member's and the server's
// hourly allowances, the model is asked only when the recap's worst-case
// cost fits what is left of the server's daily token budget (otherwise the
// offline recap answers), and the tokens spent are recorded.
type Service struct {
	deps ServiceDeps
	log  *slog.Logger
}

// NewService returns a Service.
func NewService(deps ServiceDeps) *Service {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Service{deps: deps, log: deps.Logger.With("component", "recap")}
}

// Recap recaps c for a member of a server. Quota errors come from Quota
// as they are (the core's *QuotaError, which pipeline.Explain words).
func (s *Service) Recap(ctx context.Context, guildID, userID string, c *Conversation) (*Recap, error) {
	if s.deps.Quota != nil {
		if err := s.deps.Quota.Take(guildID, userID, 1); err != nil {
			return nil, err
		}
	}
	day := s.deps.Now().UTC().Format("2006-01-02")
	rc, err := s.recap(ctx, guildID, day, c)
	if err != nil {
		if s.deps.Quota != nil {
			s.deps.Quota.Refund(guildID, userID, 1)
		}
		return nil, err
	}
	if s.deps.Usage != nil && guildID != "" {
		tokens := rc.Usage.PromptTokens + rc.Usage.CompletionTokens
		// Accounting must not fail the recap the member is waiting for.
		if err := s.deps.Usage.AddUsage(context.WithoutCancel(ctx), guildID, day, 1, tokens); err != nil {
			s.log.Warn("record usage", "guild_id", guildID, "err", err)
		}
	}
	return rc, nil
}

func (s *Service) recap(ctx context.Context, guildID, day string, c *Conversation) (*Recap, error) {
	r := s.deps.Recapper
	if r.model == nil || s.deps.TokensPerDay <= 0 || s.deps.Usage == nil || guildID == "" {
		return r.Recap(ctx, c)
	}
	_, used, err := s.deps.Usage.Usage(ctx, guildID, day)
	if err != nil {
		// Fail open, as summaries do: a database hiccup should not
		// degrade every recap.
		s.log.Warn("read usage", "guild_id", guildID, "err", err)
		return r.Recap(ctx, c)
	}
	if est := r.Estimate(c); used+est > s.deps.TokensPerDay {
		s.log.Info("recap over the daily budget, offline", "guild_id", guildID, "used", used, "estimate", est, "budget", s.deps.TokensPerDay)
		return r.Offline(c, NoteBudget)
	}
	return r.Recap(ctx, c)
}
