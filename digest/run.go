package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/precisbot/precis/store"
)

// Run schedules digests and polls feeds until ctx ends, then returns nil.
// It checks schedules at the start of every minute and posts each due
// digest once: the run is claimed in the database first (so several
// instances sharing it post once), and recorded as done with its report
// after posting. A digest missed while no instance was running is posted
// when Run starts if it is still the same local day. Feeds are polled on
// their own loop and a bounded pool (Options.FeedWorkers, at most
// Options.FeedsPerHost per host), so a slow feed never delays a digest and
// a slow host never delays other hosts' feeds.
func (s *Service) Run(ctx context.Context) error {
	s.log.Info("digest scheduler started", "instance", s.opts.InstanceID)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.loop(ctx, func(ctx context.Context) { s.startDueFeeds(ctx) })
	}()
	s.loop(ctx, s.RunDue)
	wg.Wait()
	s.feeds.wg.Wait()
	s.log.Info("digest scheduler stopped")
	return nil
}

// loop calls f now and then at every minute boundary until ctx ends.
func (s *Service) loop(ctx context.Context, f func(context.Context)) {
	for {
		if ctx.Err() != nil {
			return
		}
		f(ctx)
		now := s.clock.Now()
		wait := now.Truncate(time.Minute).Add(time.Minute).Sub(now)
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(wait):
		}
	}
}

// RunDue posts every digest that is due now and has not been posted for
// its local day. Run calls it every minute; it is exported for tests and
// for callers that drive scheduling themselves.
func (s *Service) RunDue(ctx context.Context) {
	scheds, err := s.store.DigestSchedules(ctx)
	if err != nil {
		s.log.Error("list digest schedules", "err", err)
		return
	}
	for _, d := range scheds {
		if ctx.Err() != nil {
			return
		}
		if _, err := s.runIfDue(ctx, d); err != nil {
			s.log.Error("digest run", "guild_id", d.GuildID, "channel_id", d.ChannelID, "err", err)
		}
	}
}

// runIfDue runs the schedule's digest if it is due and this instance wins
// the claim. It reports whether it posted (or tried to).
func (s *Service) runIfDue(ctx context.Context, d store.DigestSchedule) (bool, error) {
	p, err := newPlan(d)
	if err != nil {
		return false, fmt.Errorf("schedule of channel %s: %w", d.ChannelID, err)
	}
	now := s.clock.Now()
	today := p.localDate(now)
	last, lastOK, err := s.store.LastDigestRun(ctx, d.ChannelID)
	if err != nil {
		return false, fmt.Errorf("last digest run of channel %s: %w", d.ChannelID, err)
	}
	done := ranFor(last, lastOK, today)
	if !p.dueToday(now, done) {
		return false, nil
	}
	won, err := s.store.ClaimDigestRun(ctx, d.ChannelID, today, s.opts.InstanceID, now, s.opts.Lease)
	if err != nil {
		return false, fmt.Errorf("claim digest run %s/%s: %w", d.ChannelID, today, err)
	}
	if !won {
		return false, nil // another instance has it, or it is done
	}
	log := s.log.With("guild_id", d.GuildID, "channel_id", d.ChannelID, "local_date", today)
	log.Info("digest run claimed")

	// The lease must outlast composing (which may call the LLM), or
	// another instance could take the run over and post it twice.
	composeCtx, cancel := context.WithTimeout(ctx, s.opts.Lease/2)
	comp, err := s.compose(composeCtx, d, p.loc, s.windowStart(last, lastOK, now), now)
	cancel()
	if err != nil {
		// Nothing was posted: leave the claim to expire, so this or another
		// instance retries once the lease is over (still the same day).
		return false, fmt.Errorf("compose digest: %w", err)
	}

	rep := comp.report
	msgs := comp.render()
	rep.Messages = []string{}
	for i, m := range msgs {
		id, err := s.poster.Send(ctx, d.ChannelID, m)
		if err != nil && i == 0 && ctx.Err() != nil {
			// Shut down before anything was posted: leave the claim to
			// expire so the next start posts the digest (same local day).
			log.Warn("digest not posted: shutting down", "err", err)
			return false, nil
		}
		if err != nil {
			// Not retried: a partial digest posted twice is worse than one
			// missing part. The report says what happened.
			rep.Error = fmt.Sprintf("posting message %d of %d failed", i+1, len(msgs))
			log.Error("post digest", "message", i+1, "messages", len(msgs), "err", err)
			break
		}
		rep.Messages = append(rep.Messages, id)
	}
	s.finish(ctx, d.ChannelID, today, rep)
	log.Info("digest posted", "stories", len(comp.entries), "messages", len(rep.Messages), "quiet", comp.quiet)
	return true, nil
}

// finish records the run as done, even while shutting down: the messages
// are out, and a second run would post them again.
func (s *Service) finish(ctx context.Context, channelID, localDate string, rep Report) {
	data, err := json.Marshal(rep)
	if err != nil {
		s.log.Error("marshal digest report", "err", err)
		data = []byte("{}")
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.store.FinishDigestRun(fctx, channelID, localDate, s.opts.InstanceID, s.clock.Now(), string(data)); err != nil {
		s.log.Error("record digest run", "channel_id", channelID, "local_date", localDate, "err", err)
	}
}

// ranFor reports whether the channel's digest for localDate is done, given
// its last run. A last run on a later local date counts as done too: after
// a time zone change moves "today" back to a date that already had its
// digest in the old zone, the digest does not run twice.
func ranFor(last store.DigestRun, ok bool, localDate string) bool {
	if !ok {
		return false
	}
	return last.LocalDate > localDate || last.LocalDate == localDate && last.Status == store.RunDone
}

// windowStart is where the next digest's window begins: the end of the
// previous run's window, or DefaultWindow ago for a first run (or when the
// previous run's report is unreadable). A window never reaches back more
// than two DefaultWindows, so a digest switched off for a month does not
// come back with a month of news.
func (s *Service) windowStart(last store.DigestRun, ok bool, now time.Time) time.Time {
	floor := now.Add(-2 * s.opts.DefaultWindow)
	start := now.Add(-s.opts.DefaultWindow)
	if ok && last.Status == store.RunDone {
		var rep Report
		if err := json.Unmarshal([]byte(last.Report), &rep); err == nil && !rep.WindowEnd.IsZero() {
			start = rep.WindowEnd
		} else if !last.ClaimedAt.IsZero() {
			start = last.ClaimedAt
		}
	}
	if start.Before(floor) {
		start = floor
	}
	if start.After(now) {
		start = now
	}
	return start
}
