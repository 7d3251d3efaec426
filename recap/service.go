package recap

import (
	"context"
	"log/slog"
	"time"

	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/store"
)

// Guards are the allowances and the token budget every process on one
// database shares with summaries; *store.Store implements it.
type Guards interface {
	TakeQuota(ctx context.Context, windowStart time.Time, n int, limits []store.QuotaLimit) (int, error)
	RefundQuota(ctx context.Context, windowStart time.Time, n int, keys []string) error
	ReserveTokens(ctx context.Context, guildID, day string, n, limit int) (bool, error)
	SettleTokens(ctx context.Context, guildID, day string, reserved, used int) error
	AddUsage(ctx context.Context, guildID, day string, summaries, tokens int) error
}

// ServiceDeps are the Service's collaborators and limits. Guards may be
// nil: then nothing is limited or recorded.
type ServiceDeps struct {
	Recapper *Recapper
	Guards   Guards
	// UserPerHour and ServerPerHour are the hourly allowances summaries
	// and recaps share (QUOTA_USER_PER_HOUR, QUOTA_SERVER_PER_HOUR); 0
	// means no limit.
	UserPerHour, ServerPerHour int
	// TokensPerDay is the server's daily token budget
	// (QUOTA_SERVER_TOKENS_PER_DAY); 0 means no limit.
	TokensPerDay int
	Logger       *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service makes recaps asked for in a server under the same guards as
// summaries: each recap takes one from the member's and the server's
// hourly allowances (the same counters summaries take from), the model is
// asked only when the recap's worst-case cost could be reserved from the
// server's daily token budget (otherwise the offline recap answers), and
// the tokens spent settle the reservation.
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

// Recap recaps c for a member of a server. A used-up allowance is a
// *pipeline.QuotaError, which pipeline.Explain words for the member.
func (s *Service) Recap(ctx context.Context, guildID, userID string, c *Conversation) (*Recap, error) {
	now := s.deps.Now()
	window, day := now.UTC().Truncate(time.Hour), now.UTC().Format("2006-01-02")
	if err := s.takeQuota(ctx, guildID, userID, window, now); err != nil {
		return nil, err
	}
	r := s.deps.Recapper
	reserved, useModel := 0, true
	if r.model != nil && s.deps.TokensPerDay > 0 && s.deps.Guards != nil && guildID != "" {
		est := r.Estimate(c)
		ok, err := s.deps.Guards.ReserveTokens(ctx, guildID, day, est, s.deps.TokensPerDay)
		switch {
		case err != nil:
			// Fail closed, as summaries do: without a reservation the
			// budget could be passed.
			s.log.Warn("reserve tokens", "guild_id", guildID, "err", err)
			useModel = false
		case !ok:
			s.log.Info("recap over the daily budget, offline", "guild_id", guildID, "estimate", est, "budget", s.deps.TokensPerDay)
			useModel = false
		default:
			reserved = est
		}
	}
	var rc *Recap
	var err error
	if useModel {
		rc, err = r.Recap(ctx, c)
	} else {
		rc, err = r.Offline(c, NoteBudget)
	}
	used := 0
	if rc != nil {
		used = rc.Usage.PromptTokens + rc.Usage.CompletionTokens
	}
	s.settle(ctx, guildID, day, reserved, used, err == nil)
	if err != nil {
		s.refundQuota(ctx, guildID, userID, window)
		return nil, err
	}
	return rc, nil
}

// quotaKeys are the counters a recap takes from, named as the core names
// them so that recaps and summaries share one allowance.
func (s *Service) quotaKeys(guildID, userID string) (limits []store.QuotaLimit, scopes []string) {
	if userID != "" && s.deps.UserPerHour > 0 {
		limits = append(limits, store.QuotaLimit{Key: "u:" + userID, Limit: s.deps.UserPerHour})
		scopes = append(scopes, "user")
	}
	if guildID != "" && s.deps.ServerPerHour > 0 {
		limits = append(limits, store.QuotaLimit{Key: "g:" + guildID, Limit: s.deps.ServerPerHour})
		scopes = append(scopes, "server")
	}
	return limits, scopes
}

func (s *Service) takeQuota(ctx context.Context, guildID, userID string, window, now time.Time) error {
	limits, scopes := s.quotaKeys(guildID, userID)
	if s.deps.Guards == nil || len(limits) == 0 {
		return nil
	}
	refused, err := s.deps.Guards.TakeQuota(ctx, window, 1, limits)
	if err != nil {
		// A database hiccup should not refuse every recap.
		s.log.Warn("take quota", "guild_id", guildID, "err", err)
		return nil
	}
	if refused < 0 {
		return nil
	}
	return &pipeline.QuotaError{Scope: scopes[refused], Limit: limits[refused].Limit, RetryIn: window.Add(time.Hour).Sub(now)}
}

func (s *Service) refundQuota(ctx context.Context, guildID, userID string, window time.Time) {
	limits, _ := s.quotaKeys(guildID, userID)
	if s.deps.Guards == nil || len(limits) == 0 {
		return
	}
	keys := make([]string, len(limits))
	for i, l := range limits {
		keys[i] = l.Key
	}
	if err := s.deps.Guards.RefundQuota(context.WithoutCancel(ctx), window, 1, keys); err != nil {
		s.log.Warn("refund quota", "guild_id", guildID, "err", err)
	}
}

// settle ends the reservation with the tokens really used and counts the
// recap in the server's usage.
func (s *Service) settle(ctx context.Context, guildID, day string, reserved, used int, done bool) {
	if s.deps.Guards == nil || guildID == "" {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if reserved > 0 || used > 0 {
		if err := s.deps.Guards.SettleTokens(ctx, guildID, day, reserved, used); err != nil {
			s.log.Warn("settle tokens", "guild_id", guildID, "err", err)
		}
	}
	if done {
		if err := s.deps.Guards.AddUsage(ctx, guildID, day, 1, 0); err != nil {
			s.log.Warn("record usage", "guild_id", guildID, "err", err)
		}
	}
}
