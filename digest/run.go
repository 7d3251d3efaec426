package digest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
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
		if _, err := s.runContained(ctx, d); err != nil {
			s.log.Error("digest run", "guild_id", d.GuildID, "channel_id", d.ChannelID, "err", err)
		}
	}
}

// runContained is runIfDue with a panic (hostile feed text deep in
// composing, say) turned into that run's error: the other digests go on,
// and the run's claim runs out and is retried.
func (s *Service) runContained(ctx context.Context, d store.DigestSchedule) (posted bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			if s.onPanic != nil {
				s.onPanic("digest")
			}
			s.log.Error("panic in digest run", "channel_id", d.ChannelID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			posted, err = false, fmt.Errorf("digest run of channel %s panicked: %v", d.ChannelID, r)
		}
	}()
	return s.runIfDue(ctx, d)
}

// runIfDue runs the schedule's digest if it is due and this instance wins
// the claim. It reports whether it posted (or tried to).
//
// Exactly once, under faults: the run is claimed for Options.Lease and the
// claim renewed while this instance works (a run that loses its claim
// stops and posts nothing more); each message id is recorded as soon as it
// is posted, so an instance that takes a run over after a crash or a lost
// finish sees what is already in the channel and does not post it again;
// a failure before the first message is out (a Discord 5xx or timeout, a
// compose error) releases the run for a retry with backoff the same day
// instead of marking the day done; and finishing is retried.
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
	if lastOK && last.LocalDate == today && last.Status == store.RunRetry && now.Before(last.NextAttempt) {
		return false, nil // waiting for its next attempt
	}
	won, err := s.store.ClaimDigestRun(ctx, d.ChannelID, today, s.opts.InstanceID, now, s.opts.Lease)
	if err != nil {
		return false, fmt.Errorf("claim digest run %s/%s: %w", d.ChannelID, today, err)
	}
	if !won {
		return false, nil // another instance has it, or it is done
	}
	log := s.log.With("guild_id", d.GuildID, "channel_id", d.ChannelID, "local_date", today)
	run := s.holdRun(ctx, d.ChannelID, today, now)
	defer run.release()
	log.Info("digest run claimed")

	prev, _, err := s.store.DigestRunFor(ctx, d.ChannelID, today)
	if err != nil {
		s.retryLater(ctx, run, prev.Attempts, fmt.Sprintf("reading the run failed: %v", err))
		return false, fmt.Errorf("digest run %s/%s: %w", d.ChannelID, today, err)
	}
	if len(prev.Messages) > 0 {
		// An instance that held this run before posted (part of) it and
		// then lost its claim (it died, or could not record the run as
		// done). Composing again could post a different digest twice:
		// record the run as done with what is known.
		// The claim replaced the owner; the run read before it names the
		// one that posted.
		previous := "another instance"
		if lastOK && last.LocalDate == today && last.Owner != "" {
			previous = last.Owner
		}
		rep := Report{LocalDate: today, Sources: d.Sources, WindowStart: s.windowStart(last, lastOK, now).UTC(), WindowEnd: now.UTC(),
			Messages: prev.Messages, Error: fmt.Sprintf("taken over after %s had been posted by %s; not posted again",
				plural(len(prev.Messages), "message", "messages"), previous)}
		s.finish(ctx, run, rep)
		log.Warn("digest run taken over after messages were posted; not posting again", "messages", len(prev.Messages), "previous_owner", previous)
		return true, nil
	}

	if lastOK && last.LocalDate == today && (last.Status == store.RunClaimed || last.Status == store.RunRetry && last.Attempts > 0) {
		// Taken over from an instance that may have died between posting and
		// recording a message: look at the channel before posting again.
		ids, err := s.poster.PostedDigest(run.ctx, &Digest{GuildID: d.GuildID, ChannelID: d.ChannelID, LocalDate: today, Date: now.In(p.loc)})
		if err != nil {
			log.Warn("look for an already posted digest", "err", err)
		} else if len(ids) > 0 {
			for _, id := range ids {
				if err := run.posted(id); err != nil {
					log.Error("record found digest message", "message_id", id, "err", err)
				}
			}
			rep := Report{LocalDate: today, Sources: d.Sources, WindowStart: s.windowStart(last, lastOK, now).UTC(), WindowEnd: now.UTC(),
				Messages: ids, Error: "taken over; the digest was already in the channel, not posted again"}
			s.finish(ctx, run, rep)
			log.Warn("digest run taken over; found the digest in the channel", "messages", len(ids))
			return true, nil
		}
	}

	// Precis may have lost its permissions in the channel since /digest
	// set: check again before composing, and say why in /digest status.
	if c, ok := s.poster.(postChecker); ok {
		if err := c.CanPost(run.ctx, d.GuildID, d.ChannelID); err != nil {
			why := err.Error()
			var um interface{ UserMessage() string }
			if errors.As(err, &um) {
				why = um.UserMessage()
			}
			next := s.retryLater(ctx, run, prev.Attempts, why)
			log.Warn("digest not posted: cannot post in the channel", "next_attempt", next, "err", err)
			return true, nil
		}
	}

	// Composing (which may call the LLM) gets half the lease; the claim is
	// renewed meanwhile, and losing it cancels run.ctx.
	composeCtx, cancel := context.WithTimeout(run.ctx, s.opts.Lease/2)
	comp, err := s.compose(composeCtx, d, p.loc, s.windowStart(last, lastOK, now), now)
	cancel()
	if err != nil {
		switch {
		case ctx.Err() != nil:
			s.retryLater(ctx, run, -1, "shut down while composing")
			log.Warn("digest not posted: shutting down", "err", err)
			return false, nil
		case run.lost():
			return false, fmt.Errorf("compose digest: lost the claim: %w", err)
		}
		s.retryLater(ctx, run, prev.Attempts, "composing failed: "+err.Error())
		return false, fmt.Errorf("compose digest: %w", err)
	}

	rep := comp.report
	rep.Messages = []string{}
	dg := comp.digest(d.ChannelID)
	errLost := errors.New("the run lost its claim")
	err = s.poster.PostDigest(run.ctx, dg, PostHooks{
		Before: func(int) error {
			if run.lost() {
				return errLost
			}
			return nil
		},
		Posted: func(_ int, id string) {
			rep.Messages = append(rep.Messages, id)
			if err := run.posted(id); err != nil {
				log.Error("record posted digest message", "message_id", id, "err", err)
			}
		},
	})
	var pe *PostError
	switch {
	case errors.Is(err, errLost):
		// The instance that took the run over finishes it.
		log.Error("digest run lost its claim; posting nothing more", "posted", len(rep.Messages))
		return true, nil
	case err != nil && len(rep.Messages) == 0:
		if ctx.Err() != nil {
			// Shut down before anything was posted: release the run so
			// the next start posts the digest (same local day).
			s.retryLater(ctx, run, -1, "shut down before posting")
			log.Warn("digest not posted: shutting down", "err", err)
			return false, nil
		}
		if run.lost() {
			return false, fmt.Errorf("post digest: lost the claim: %w", err)
		}
		// Nothing is out: try again later the same day, with backoff.
		next := s.retryLater(ctx, run, prev.Attempts, "posting the first message failed: "+err.Error())
		log.Error("post digest; will retry", "next_attempt", next, "err", err)
		return true, nil
	case errors.As(err, &pe):
		// Not retried: a partial digest posted twice is worse than one
		// missing part. The report says what happened.
		rep.Error = fmt.Sprintf("posting message %d of %d failed", pe.Index+1, pe.Total)
		log.Error("post digest", "message", pe.Index+1, "messages", pe.Total, "err", err)
	case err != nil:
		rep.Error = fmt.Sprintf("posting failed after %d messages", len(rep.Messages))
		log.Error("post digest", "messages_posted", len(rep.Messages), "err", err)
	}
	s.finish(ctx, run, rep)
	log.Info("digest posted", "stories", len(dg.Stories), "messages", len(rep.Messages), "quiet", dg.Quiet)
	return true, nil
}

// errLeaseLost ends a run's context when its claim is gone.
var errLeaseLost = errors.New("digest run claim lost")

// heldRun is this instance's claim on one run while it works on it: a
// goroutine renews the claim every Options.Lease/3, and ctx is cancelled
// (cause errLeaseLost) as soon as the claim is known to be lost or cannot
// be renewed before it runs out.
type heldRun struct {
	s                    *Service
	channelID, localDate string
	ctx                  context.Context
	cancel               context.CancelCauseFunc
	stop                 chan struct{}
	stopped              chan struct{}
}

// holdRun starts holding a run claimed at claimedAt.
func (s *Service) holdRun(ctx context.Context, channelID, localDate string, claimedAt time.Time) *heldRun {
	rctx, cancel := context.WithCancelCause(ctx)
	r := &heldRun{s: s, channelID: channelID, localDate: localDate, ctx: rctx, cancel: cancel,
		stop: make(chan struct{}), stopped: make(chan struct{})}
	go r.renew(claimedAt.Add(s.opts.Lease))
	return r
}

func (r *heldRun) renew(until time.Time) {
	defer close(r.stopped)
	lease := r.s.opts.Lease
	for {
		select {
		case <-r.stop:
			return
		case <-r.ctx.Done():
			return
		case <-r.s.clock.After(lease / 3):
		}
		now := r.s.clock.Now()
		ok, err := r.s.store.RenewDigestRun(r.ctx, r.channelID, r.localDate, r.s.opts.InstanceID, now, lease)
		switch {
		case err == nil && ok:
			until = now.Add(lease)
		case err == nil:
			r.s.log.Error("digest run claim taken over", "channel_id", r.channelID, "local_date", r.localDate)
			r.cancel(errLeaseLost)
			return
		case !now.Before(until):
			r.s.log.Error("digest run claim could not be renewed before it ran out", "channel_id", r.channelID, "local_date", r.localDate, "err", err)
			r.cancel(errLeaseLost)
			return
		default:
			r.s.log.Warn("renew digest run claim", "channel_id", r.channelID, "local_date", r.localDate, "err", err)
		}
	}
}

// lost reports whether the claim is gone (or could not be kept).
func (r *heldRun) lost() bool { return errors.Is(context.Cause(r.ctx), errLeaseLost) }

// posted records a posted message id with the run; it fails (and marks the
// claim lost) when the claim is gone.
func (r *heldRun) posted(messageID string) error {
	// The message is out: record it even while shutting down.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), 30*time.Second)
	defer cancel()
	err := r.s.store.AddDigestMessage(ctx, r.channelID, r.localDate, r.s.opts.InstanceID, messageID)
	if errors.Is(err, store.ErrNotFound) {
		r.cancel(errLeaseLost)
	}
	return err
}

// release stops renewing. The claim itself ends with finish or
// retryLater, or runs out.
func (r *heldRun) release() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	<-r.stopped
	r.cancel(context.Canceled)
}

// retryBackoff is the wait before attempt n+1 after n failed attempts:
// a minute, doubling, at most an hour.
func retryBackoff(failed int) time.Duration {
	d := time.Minute
	for i := 1; i < failed && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// retryLater releases a run that posted nothing for another attempt.
// attempts is how many attempts had failed before this one (the next waits
// retryBackoff(attempts+1)); -1 means this attempt was not the run's fault
// (shutting down) and the run may be claimed again at once. It returns the
// next attempt's time.
func (s *Service) retryLater(ctx context.Context, run *heldRun, attempts int, why string) time.Time {
	now := s.clock.Now()
	next := now
	if attempts >= 0 {
		next = now.Add(retryBackoff(attempts + 1))
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.store.RetryDigestRun(rctx, run.channelID, run.localDate, s.opts.InstanceID, now, next, why); err != nil {
		// The claim runs out by itself and the run is retried then.
		s.log.Error("release digest run for retry", "channel_id", run.channelID, "local_date", run.localDate, "err", err)
	}
	return next
}

// finish records the run as done, even while shutting down: the messages
// are out, and a second run would post them again. A failure is retried a
// few times; if the run still cannot be recorded, the claim runs out and
// the instance that takes it over finds the recorded messages and records
// the run as done without posting again.
func (s *Service) finish(ctx context.Context, run *heldRun, rep Report) {
	data, err := json.Marshal(rep)
	if err != nil {
		s.log.Error("marshal digest report", "err", err)
		data = []byte("{}")
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	wait := s.finishWait
	for attempt := 1; ; attempt++ {
		err = s.store.FinishDigestRun(fctx, run.channelID, run.localDate, s.opts.InstanceID, s.clock.Now(), string(data))
		if err == nil || errors.Is(err, store.ErrNotFound) || attempt == 5 {
			break
		}
		s.log.Warn("record digest run; retrying", "channel_id", run.channelID, "local_date", run.localDate, "attempt", attempt, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-fctx.Done():
			t.Stop()
		case <-t.C:
		}
		if fctx.Err() != nil {
			break
		}
		wait *= 2
	}
	if err != nil {
		s.log.Error("record digest run", "channel_id", run.channelID, "local_date", run.localDate, "err", err)
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

// postChecker is implemented by posters that can tell whether Precis may
// post in a channel before it tries (the Discord adapter's client).
type postChecker interface {
	CanPost(ctx context.Context, guildID, channelID string) error
}
