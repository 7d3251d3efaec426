package recap

import (
	"context"
	"log/slog"

	"github.com/precisbot/precis/pipeline"
)

// Core runs work under the guards a summary runs under; *pipeline.Pipeline
// implements it.
type Core interface {
	RunJob(ctx context.Context, req pipeline.JobRequest, work func(ctx context.Context, j *pipeline.Job) error) error
}

// ServiceDeps are the Service's collaborators.
type ServiceDeps struct {
	Recapper *Recapper
	Core     Core
	Logger   *slog.Logger
}

// Service makes recaps asked for in a server through the core, so a recap
// counts like a summary: one from the member's and the server's hourly
// allowances, the model asked only when the recap's worst case could be
// reserved from the server's daily token budget (otherwise the offline
// recap answers) and on one of the core's model slots, the tokens spent
// settling the reservation, and a panic contained.
type Service struct {
	deps ServiceDeps
	log  *slog.Logger
}

// NewService returns a Service.
func NewService(deps ServiceDeps) *Service {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{deps: deps, log: deps.Logger.With("component", "recap")}
}

// Recap recaps c for a member of a server. A used-up allowance is a
// *pipeline.QuotaError, which pipeline.Explain words for the member.
func (s *Service) Recap(ctx context.Context, guildID, userID string, c *Conversation) (*Recap, error) {
	r := s.deps.Recapper
	if len(selectMessages(c, r.opts.MaxMessages).msgs) == 0 {
		return nil, ErrNoMessages // nothing to do costs nothing
	}
	var rc *Recap
	err := s.deps.Core.RunJob(ctx, pipeline.JobRequest{Name: "recap", GuildID: guildID, ChannelID: c.ChannelID, UserID: userID},
		func(ctx context.Context, j *pipeline.Job) error {
			if r.model == nil {
				var err error
				rc, err = r.Recap(ctx, c)
				return err
			}
			release, ok, err := j.Model(ctx, r.Estimate(c))
			if err != nil {
				return err
			}
			if !ok {
				s.log.Info("recap over the daily budget, offline", "guild_id", guildID)
				rc, err = r.Offline(c, NoteBudget)
				return err
			}
			rc, err = r.Recap(ctx, c)
			if err != nil {
				return err // the job bills the whole reservation
			}
			release(rc.Usage)
			if rc.Offline { // the model failed; the offline recap stood in
				j.FallBack()
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return rc, nil
}
