package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DigestSchedule is a channel's daily digest.
type DigestSchedule struct {
	GuildID, ChannelID string
	// Time is the local time of day, "HH:MM" (24-hour).
	Time string
	// Timezone is an IANA zone name such as "Europe/Berlin"; "" means UTC.
	Timezone string
	// Sources is "shared", "feeds" or "both" ("" leaves the choice to the
	// digest's default).
	Sources string
	// QuietDay posts a short note instead of nothing on days without news.
	QuietDay bool
	// UpdatedAt is when the schedule was last set; zero means now.
	UpdatedAt time.Time
}

// SetDigestSchedule creates or replaces a channel's digest schedule. A
// malformed Time, unknown Timezone or unknown Sources is refused with an
// error wrapping ErrInvalid.
func (s *Store) SetDigestSchedule(ctx context.Context, d DigestSchedule) error {
	if d.GuildID == "" || d.ChannelID == "" {
		return fmt.Errorf("set digest schedule: %w: guild and channel IDs are required", ErrInvalid)
	}
	if _, err := time.Parse("15:04", d.Time); err != nil || len(d.Time) != 5 {
		return fmt.Errorf("set digest schedule: %w: time %q (want HH:MM)", ErrInvalid, d.Time)
	}
	if _, err := time.LoadLocation(d.Timezone); err != nil {
		return fmt.Errorf("set digest schedule: %w: time zone %q", ErrInvalid, d.Timezone)
	}
	switch d.Sources {
	case "", "shared", "feeds", "both":
	default:
		return fmt.Errorf("set digest schedule: %w: sources %q (want shared, feeds or both)", ErrInvalid, d.Sources)
	}
	quiet := 0
	if d.QuietDay {
		quiet = 1
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO digest_schedules
		(guild_id, channel_id, digest_time, timezone, sources, quiet_day, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (guild_id, channel_id) DO UPDATE SET
			digest_time = excluded.digest_time, timezone = excluded.timezone, sources = excluded.sources,
			quiet_day = excluded.quiet_day, updated_at = excluded.updated_at`,
		d.GuildID, d.ChannelID, d.Time, d.Timezone, d.Sources, quiet, fmtTime(s.stampOr(d.UpdatedAt)))
	if err != nil {
		return fmt.Errorf("set digest schedule of channel %s: %w", d.ChannelID, err)
	}
	return nil
}

// DeleteDigestSchedule removes a channel's digest schedule; channelID ""
// removes every schedule in the guild. Removing nothing is not an error.
func (s *Store) DeleteDigestSchedule(ctx context.Context, guildID, channelID string) error {
	var err error
	if channelID == "" {
		_, err = s.db.ExecContext(ctx, `DELETE FROM digest_schedules WHERE guild_id = ?`, guildID)
	} else {
		_, err = s.db.ExecContext(ctx, `DELETE FROM digest_schedules WHERE guild_id = ? AND channel_id = ?`, guildID, channelID)
	}
	if err != nil {
		return fmt.Errorf("delete digest schedule of guild %s channel %q: %w", guildID, channelID, err)
	}
	return nil
}

// DigestSchedules returns every schedule, ordered by guild then channel.
func (s *Store) DigestSchedules(ctx context.Context) ([]DigestSchedule, error) {
	out, err := s.schedules(ctx, `SELECT guild_id, channel_id, digest_time, timezone, sources, quiet_day, updated_at
		FROM digest_schedules ORDER BY guild_id, channel_id`)
	if err != nil {
		return nil, fmt.Errorf("list digest schedules: %w", err)
	}
	return out, nil
}

// GuildDigestSchedules returns a guild's schedules, ordered by channel.
func (s *Store) GuildDigestSchedules(ctx context.Context, guildID string) ([]DigestSchedule, error) {
	out, err := s.schedules(ctx, `SELECT guild_id, channel_id, digest_time, timezone, sources, quiet_day, updated_at
		FROM digest_schedules WHERE guild_id = ? ORDER BY channel_id`, guildID)
	if err != nil {
		return nil, fmt.Errorf("list digest schedules of guild %s: %w", guildID, err)
	}
	return out, nil
}

func (s *Store) schedules(ctx context.Context, query string, args ...any) ([]DigestSchedule, error) {
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DigestSchedule
	for rows.Next() {
		var d DigestSchedule
		var quiet int
		var at string
		if err := rows.Scan(&d.GuildID, &d.ChannelID, &d.Time, &d.Timezone, &d.Sources, &quiet, &at); err != nil {
			return nil, err
		}
		d.QuietDay = quiet != 0
		if d.UpdatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Digest run states.
const (
	// RunClaimed: an instance holds the run (until its lease runs out) and
	// is composing or posting the digest.
	RunClaimed = "claimed"
	// RunRetry: an attempt failed and the run may be claimed again from
	// DigestRun.NextAttempt on (see RetryDigestRun).
	RunRetry = "retry"
	// RunDone: the digest for that date is finished; it is never claimed
	// again.
	RunDone = "done"
)

// DigestRun is the record of one channel's digest for one local date.
type DigestRun struct {
	ChannelID, LocalDate string
	// Owner is the instance that holds (or last held) the claim.
	Owner string
	// Status is RunClaimed, RunRetry or RunDone.
	Status string
	// Report is what the finisher recorded (JSON chosen by the digest).
	Report string
	// ClaimedAt is when the current owner claimed the run; FinishedAt when
	// it was finished (zero until then).
	ClaimedAt, FinishedAt time.Time
	// LeaseUntil is when the owner's claim runs out unless renewed; after
	// it, another instance may take the run over.
	LeaseUntil time.Time
	// Attempts counts the attempts that ended in RetryDigestRun.
	Attempts int
	// NextAttempt is when a RunRetry run may be claimed again.
	NextAttempt time.Time
	// LastError is why the last failed attempt failed ("" if none did).
	LastError string
	// Messages are the IDs of the messages posted for this run so far, by
	// any owner, in the order they were recorded (AddDigestMessage).
	Messages []string
}

// ClaimDigestRun claims the digest of channelID for localDate on behalf of
// owner, holding it until now+lease, and reports whether the caller won the
// claim and must now work on it. It is one atomic statement, so among any
// number of concurrent callers, in one process or many sharing the
// database, exactly one gets true:
//   - no row yet: the row is inserted as claimed by owner; true.
//   - a "done" row: false.
//   - a "claimed" row whose lease ran out (LeaseUntil before now: its owner
//     died or lost the database mid-run): taken over by owner; true.
//   - a "retry" row whose NextAttempt has come: claimed by owner; true.
//   - a fresher "claimed" row, or a "retry" row not yet due: false.
//
// A takeover keeps the run's recorded Messages and Attempts: the winner
// reads them with DigestRunFor to learn what the previous owner already
// posted. lease must be positive.
func (s *Store) ClaimDigestRun(ctx context.Context, channelID, localDate, owner string, now time.Time, lease time.Duration) (bool, error) {
	if channelID == "" || localDate == "" || owner == "" {
		return false, fmt.Errorf("claim digest run: %w: channel ID, local date and owner are required", ErrInvalid)
	}
	if lease <= 0 {
		return false, fmt.Errorf("claim digest run: %w: lease %v must be positive", ErrInvalid, lease)
	}
	// On conflict the WHERE turns the upsert into a no-op unless the existing
	// claim is stale or due for a retry; the statement's write lock makes
	// check and takeover one step, and the affected-row count says who won.
	var n int64
	err := retryTransient(ctx, func() error {
		res, err := s.db.ExecContext(ctx, `INSERT INTO digest_runs
			(channel_id, local_date, owner, status, report, claimed_at, lease_until, finished_at, attempts, next_attempt, last_error)
			VALUES (?, ?, ?, 'claimed', '', ?, ?, NULL, 0, NULL, '')
			ON CONFLICT (channel_id, local_date) DO UPDATE SET
				owner = excluded.owner, status = 'claimed', claimed_at = excluded.claimed_at,
				lease_until = excluded.lease_until, report = '', finished_at = NULL
			WHERE (digest_runs.status = 'claimed' AND digest_runs.lease_until < ?)
				OR (digest_runs.status = 'retry' AND COALESCE(digest_runs.next_attempt, '') <= ?)`,
			channelID, localDate, owner, fmtTime(now), fmtTime(now.Add(lease)), fmtTime(now), fmtTime(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim digest run of channel %s for %s: %w", channelID, localDate, err)
	}
	return n == 1, nil
}

// RenewDigestRun extends owner's claim on a run to now+lease and reports
// whether owner still holds it. It is fenced: false (and no change) when
// the run was taken over, finished or released, in which case the caller
// must stop working on it and post nothing more. A claim whose lease ran out
// but that nobody took over yet is still owner's and is renewed. Renew well
// inside the lease (every lease/3, say), so that a slow database does not
// let the claim lapse.
func (s *Store) RenewDigestRun(ctx context.Context, channelID, localDate, owner string, now time.Time, lease time.Duration) (bool, error) {
	if lease <= 0 {
		return false, fmt.Errorf("renew digest run: %w: lease %v must be positive", ErrInvalid, lease)
	}
	var n int64
	err := retryTransient(ctx, func() error {
		res, err := s.db.ExecContext(ctx, `UPDATE digest_runs SET lease_until = ?
			WHERE channel_id = ? AND local_date = ? AND owner = ? AND status = 'claimed'`,
			fmtTime(now.Add(lease)), channelID, localDate, owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("renew digest run of channel %s for %s: %w", channelID, localDate, err)
	}
	return n == 1, nil
}

// AddDigestMessage records that owner posted messageID for the run, right
// after posting it, so that an instance taking the run over knows what is
// already in the channel (DigestRun.Messages). It is fenced: it fails with
// ErrNotFound when owner does not hold the claim (then it must post nothing
// more). Recording the same message again is a no-op, so callers may retry
// freely. On PostgreSQL the run row is share-locked for the statement, so a
// concurrent takeover either happens before (and this fails) or after (and
// sees the message).
func (s *Store) AddDigestMessage(ctx context.Context, channelID, localDate, owner, messageID string) error {
	if channelID == "" || localDate == "" || owner == "" || messageID == "" {
		return fmt.Errorf("add digest message: %w: channel ID, local date, owner and message ID are required", ErrInvalid)
	}
	lock := ""
	if s.postgres {
		lock = " FOR SHARE OF r"
	}
	var n int64
	err := retryTransient(ctx, func() error {
		res, err := s.db.ExecContext(ctx, `INSERT INTO digest_run_messages
			(channel_id, local_date, seq, message_id, owner, posted_at)
			SELECT r.channel_id, r.local_date,
				(SELECT COALESCE(MAX(m.seq), 0) + 1 FROM digest_run_messages m
					WHERE m.channel_id = r.channel_id AND m.local_date = r.local_date),
				CAST(? AS TEXT), r.owner, CAST(? AS TEXT)
			FROM digest_runs r
			WHERE r.channel_id = ? AND r.local_date = ? AND r.owner = ? AND r.status = 'claimed'`+lock+`
			ON CONFLICT (channel_id, local_date, message_id) DO NOTHING`,
			messageID, fmtTime(s.now()), channelID, localDate, owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("add message %s to digest run of channel %s for %s: %w", messageID, channelID, localDate, err)
	}
	if n == 1 {
		return nil
	}
	var count int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM digest_run_messages
		WHERE channel_id = ? AND local_date = ? AND message_id = ?`, channelID, localDate, messageID).Scan(&count); err != nil {
		return fmt.Errorf("add message %s to digest run of channel %s for %s: %w", messageID, channelID, localDate, err)
	}
	if count > 0 {
		return nil // recorded before
	}
	return fmt.Errorf("add message %s to digest run of channel %s for %s by %s: not the claimer: %w",
		messageID, channelID, localDate, owner, ErrNotFound)
}

// FinishDigestRun marks owner's claimed run done with its report. It fails
// with ErrNotFound when owner no longer holds the claim (never claimed, or
// taken over after the lease ran out), so a late finisher cannot overwrite
// the run of the instance that took over. Transient database errors (a
// locked SQLite file, a PostgreSQL serialization failure or dropped
// connection) are retried with backoff until ctx ends, and finishing a run
// that owner already finished succeeds, so a retry after a commit whose
// answer was lost is harmless. Callers should still give it a context that
// outlives their own shutdown: the messages are out.
func (s *Store) FinishDigestRun(ctx context.Context, channelID, localDate, owner string, now time.Time, report string) error {
	var n int64
	err := retryTransient(ctx, func() error {
		res, err := s.db.ExecContext(ctx, `UPDATE digest_runs SET status = 'done', report = ?, finished_at = ?, lease_until = ?
			WHERE channel_id = ? AND local_date = ? AND owner = ? AND status = 'claimed'`,
			report, fmtTime(now), fmtTime(now), channelID, localDate, owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("finish digest run of channel %s for %s: %w", channelID, localDate, err)
	}
	if n == 1 {
		return nil
	}
	if run, ok, err := s.DigestRunFor(ctx, channelID, localDate); err == nil && ok && run.Status == RunDone && run.Owner == owner {
		return nil // finished by an earlier attempt
	}
	return fmt.Errorf("finish digest run of channel %s for %s by %s: not the claimer: %w", channelID, localDate, owner, ErrNotFound)
}

// RetryDigestRun gives up owner's claim on a run after a failed attempt (a
// Discord 5xx or timeout on the first message, say) and marks it "retry":
// any instance may claim it again from next on, so a failed post does not
// mark the day done. Attempts is incremented and errText kept as LastError
// for /digest status; the caller picks next (with backoff, from Attempts).
// Recorded Messages are kept. It fails with ErrNotFound when owner does not
// hold the claim; repeating it after it succeeded is a no-op.
func (s *Store) RetryDigestRun(ctx context.Context, channelID, localDate, owner string, now, next time.Time, errText string) error {
	var n int64
	err := retryTransient(ctx, func() error {
		res, err := s.db.ExecContext(ctx, `UPDATE digest_runs SET status = 'retry', attempts = attempts + 1,
				next_attempt = ?, last_error = ?, lease_until = ?
			WHERE channel_id = ? AND local_date = ? AND owner = ? AND status = 'claimed'`,
			fmtTime(next), errText, fmtTime(now), channelID, localDate, owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("mark digest run of channel %s for %s for retry: %w", channelID, localDate, err)
	}
	if n == 1 {
		return nil
	}
	if run, ok, err := s.DigestRunFor(ctx, channelID, localDate); err == nil && ok && run.Status == RunRetry && run.Owner == owner {
		return nil // marked by an earlier attempt
	}
	return fmt.Errorf("mark digest run of channel %s for %s for retry by %s: not the claimer: %w", channelID, localDate, owner, ErrNotFound)
}

const digestRunColumns = `channel_id, local_date, owner, status, report, claimed_at, finished_at,
	lease_until, attempts, next_attempt, last_error`

// LastDigestRun returns the channel's most recent run (latest local date,
// then latest claim), if any, with its recorded messages.
func (s *Store) LastDigestRun(ctx context.Context, channelID string) (DigestRun, bool, error) {
	r, ok, err := s.digestRun(ctx, `SELECT `+digestRunColumns+` FROM digest_runs WHERE channel_id = ?
		ORDER BY local_date DESC, claimed_at DESC LIMIT 1`, channelID)
	if err != nil {
		return DigestRun{}, false, fmt.Errorf("read last digest run of channel %s: %w", channelID, err)
	}
	return r, ok, nil
}

// DigestRunFor returns the channel's run for localDate, if any, with its
// recorded messages: what a claimer reads after winning a takeover.
func (s *Store) DigestRunFor(ctx context.Context, channelID, localDate string) (DigestRun, bool, error) {
	r, ok, err := s.digestRun(ctx, `SELECT `+digestRunColumns+` FROM digest_runs
		WHERE channel_id = ? AND local_date = ?`, channelID, localDate)
	if err != nil {
		return DigestRun{}, false, fmt.Errorf("read digest run of channel %s for %s: %w", channelID, localDate, err)
	}
	return r, ok, nil
}

// digestRun reads the run query selects (digestRunColumns) and its messages.
func (s *Store) digestRun(ctx context.Context, query string, args ...any) (DigestRun, bool, error) {
	db := s.rdb
	var r DigestRun
	var claimed, lease string
	var finished, next sql.NullString
	err := db.QueryRowContext(ctx, query, args...).Scan(&r.ChannelID, &r.LocalDate, &r.Owner, &r.Status, &r.Report,
		&claimed, &finished, &lease, &r.Attempts, &next, &r.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return DigestRun{}, false, nil
	}
	if err == nil {
		r.ClaimedAt, err = parseTime(claimed)
	}
	if err == nil {
		r.FinishedAt, err = parseNullTime(finished)
	}
	if err == nil {
		r.LeaseUntil, err = parseTime(lease)
	}
	if err == nil {
		r.NextAttempt, err = parseNullTime(next)
	}
	if err != nil {
		return DigestRun{}, false, err
	}
	rows, err := db.QueryContext(ctx, `SELECT message_id FROM digest_run_messages
		WHERE channel_id = ? AND local_date = ? ORDER BY seq, posted_at, message_id`, r.ChannelID, r.LocalDate)
	if err != nil {
		return DigestRun{}, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return DigestRun{}, false, err
		}
		r.Messages = append(r.Messages, id)
	}
	if err := rows.Err(); err != nil {
		return DigestRun{}, false, err
	}
	return r, true, nil
}
