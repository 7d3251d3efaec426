package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// The guards live in the store, so every process on one database shares
// them: hourly quotas are counted per UTC hour, the daily token budget is
// reserved before a model call and settled after, and the making of a
// link's summary is claimed so that one process makes it while the others
// wait for the stored result.

// takeQuota takes n summaries from the member's (when userID is set) and
// the server's hourly allowances, all or nothing; a used-up allowance is a
// *QuotaError. A database error lets the work through: a hiccup should not
// refuse every summary.
func (p *Pipeline) takeQuota(ctx context.Context, guildID, userID string, n int) error {
	var limits []store.QuotaLimit
	var scopes []string
	if userID != "" && p.opts.UserPerHour > 0 {
		limits = append(limits, store.QuotaLimit{Key: "u:" + userID, Limit: p.opts.UserPerHour})
		scopes = append(scopes, "user")
	}
	if guildID != "" && p.opts.ServerPerHour > 0 {
		limits = append(limits, store.QuotaLimit{Key: "g:" + guildID, Limit: p.opts.ServerPerHour})
		scopes = append(scopes, "server")
	}
	if len(limits) == 0 {
		return nil
	}
	now := p.deps.Now()
	window := now.UTC().Truncate(time.Hour)
	refused, err := p.deps.Store.TakeQuota(ctx, window, n, limits)
	if err != nil {
		p.log.Warn("take quota", "guild_id", guildID, "err", err)
		return nil
	}
	if refused < 0 {
		return nil
	}
	return &QuotaError{Scope: scopes[refused], Limit: limits[refused].Limit, RetryIn: window.Add(time.Hour).Sub(now)}
}

// refundQuota gives back n summaries taken this hour.
func (p *Pipeline) refundQuota(ctx context.Context, guildID, userID string, n int) {
	if n <= 0 {
		return
	}
	var keys []string
	if userID != "" && p.opts.UserPerHour > 0 {
		keys = append(keys, "u:"+userID)
	}
	if guildID != "" && p.opts.ServerPerHour > 0 {
		keys = append(keys, "g:"+guildID)
	}
	if len(keys) == 0 {
		return
	}
	if err := p.deps.Store.RefundQuota(context.WithoutCancel(ctx), p.deps.Now().UTC().Truncate(time.Hour), n, keys); err != nil {
		p.log.Warn("refund quota", "guild_id", guildID, "err", err)
	}
}

// estimator is implemented by *summarize.LLM: the most tokens a summary
// may use.
type estimator interface {
	Estimate(a *article.Article, opts summarize.Options) int
}

// estimate is what a model summary of a may cost, for the reservation.
func estimate(sum Summarizer, a *article.Article, opts summarize.Options) int {
	if e, ok := sum.(estimator); ok {
		return e.Estimate(a, opts)
	}
	return 2*summarize.EstimateTokens(a.Text) + 2000
}

// reservation is a server's tokens reserved for one model summary.
type reservation struct {
	guildID, day string
	tokens       int
}

// reserve reserves the tokens a model summary of a may use from the
// server's budget; ok is false when they do not fit (the offline summary
// is used then). Without a budget or a server there is nothing to reserve.
func (p *Pipeline) reserve(ctx context.Context, guildID, day string, n int) (r *reservation, ok bool) {
	if p.opts.TokensPerDay <= 0 || guildID == "" {
		return nil, true
	}
	won, err := p.deps.Store.ReserveTokens(ctx, guildID, day, n, p.opts.TokensPerDay)
	if err != nil {
		// Fail closed: without a reservation the budget could be passed.
		p.log.Warn("reserve tokens", "guild_id", guildID, "err", err)
		return nil, false
	}
	if !won {
		return nil, false
	}
	return &reservation{guildID: guildID, day: day, tokens: n}, true
}

// settle ends a reservation with the tokens really used (r may be nil:
// then the usage is only added).
func (p *Pipeline) settle(ctx context.Context, r *reservation, guildID, day string, used int) {
	ctx = context.WithoutCancel(ctx)
	if r == nil {
		if used > 0 && guildID != "" {
			if err := p.deps.Store.AddUsage(ctx, guildID, day, 0, used); err != nil {
				p.log.Warn("record token usage", "guild_id", guildID, "err", err)
			}
		}
		return
	}
	if err := p.deps.Store.SettleTokens(ctx, r.guildID, r.day, r.tokens, used); err != nil {
		p.log.Warn("settle tokens", "guild_id", r.guildID, "err", err)
	}
}

// claimPoll is how often a process waiting for another's summary looks
// for it.
const claimPoll = 200 * time.Millisecond

// awaitClaim makes this process the one to produce key's summary, or
// waits for the process that is: it returns the stored summary when that
// one finished, or claimed true when this process holds the claim now (the
// other's lease ran out, or nobody held it). A claim won after waiting is
// checked against the store, where the other's summary is once it has let
// the claim go. A database error lets this process go ahead.
func (p *Pipeline) awaitClaim(ctx context.Context, key, owner string) (s *summarize.Summary, claimed bool, err error) {
	for waited := false; ; waited = true {
		if waited {
			t := time.NewTimer(claimPoll)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, false, ctx.Err()
			case <-t.C:
			}
		}
		won, err := p.deps.Store.ClaimSummary(ctx, key, owner, p.deps.Now(), p.opts.JobTimeout)
		if err != nil {
			p.log.Warn("claim summary", "err", err)
			return nil, false, nil
		}
		if !won {
			continue
		}
		if waited {
			if s, ok := p.lookup(ctx, key); ok {
				p.release(ctx, key, owner)
				p.metrics.Cache("flight")
				return s, false, nil
			}
		}
		return nil, true, nil
	}
}

// release ends owner's claim on key.
func (p *Pipeline) release(ctx context.Context, key, owner string) {
	if err := p.deps.Store.ReleaseSummary(context.WithoutCancel(ctx), key, owner); err != nil {
		p.log.Warn("release summary claim", "err", err)
	}
}

// claimOwner names one flight of this process in summary claims: two
// flights for one key (a pasted link and a /summarize of it, say) are two
// owners, so the second waits for the first's result.
func (p *Pipeline) claimOwner() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return p.instance + "/" + hex.EncodeToString(b[:])
}

// newInstanceID names this process in summary claims.
func newInstanceID() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
