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
	RunClaimed = "claimed" // a process is composing and posting the digest
	RunDone    = "done"    // the digest for that date is finished
)

// DigestRun is the record of one channel's digest for one local date.
type DigestRun struct {
	ChannelID, LocalDate, Owner string
	// Status is "claimed" or "done".
	Status string
	// Report is what the finisher recorded (JSON chosen by the digest).
	Report                string
	ClaimedAt, FinishedAt time.Time
}

// ClaimDigestRun claims the digest of channelID for localDate on behalf of
// owner and reports whether the caller won the claim and must now post it.
// It is one atomic statement, so among any number of concurrent callers, in
// one process or many sharing the database, exactly one gets true:
//   - no row yet: the row is inserted as claimed by owner at now; true.
//   - a "done" row: false.
//   - a "claimed" row with claimed_at + lease < now (its claimer died
//     mid-run): taken over by owner at now; true.
//   - a fresher "claimed" row: false.
//
// lease must be positive.
func (s *Store) ClaimDigestRun(ctx context.Context, channelID, localDate, owner string, now time.Time, lease time.Duration) (bool, error) {
	if channelID == "" || localDate == "" {
		return false, fmt.Errorf("claim digest run: %w: channel ID and local date are required", ErrInvalid)
	}
	if lease <= 0 {
		return false, fmt.Errorf("claim digest run: %w: lease %v must be positive", ErrInvalid, lease)
	}
	// On conflict the WHERE turns the upsert into a no-op unless the existing
	// claim is stale; the statement's write lock makes check and takeover
	// one step, and the affected-row count says who won.
	res, err := s.db.ExecContext(ctx, `INSERT INTO digest_runs
		(channel_id, local_date, owner, status, report, claimed_at, finished_at)
		VALUES (?, ?, ?, 'claimed', '', ?, NULL)
		ON CONFLICT (channel_id, local_date) DO UPDATE SET
			owner = excluded.owner, claimed_at = excluded.claimed_at, report = '', finished_at = NULL
		WHERE digest_runs.status = 'claimed' AND digest_runs.claimed_at < ?`,
		channelID, localDate, owner, fmtTime(now), fmtTime(now.Add(-lease)))
	if err != nil {
		return false, fmt.Errorf("claim digest run of channel %s for %s: %w", channelID, localDate, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim digest run of channel %s for %s: %w", channelID, localDate, err)
	}
	return n == 1, nil
}

// FinishDigestRun marks owner's claimed run done with its report. It fails
// with ErrNotFound when owner no longer holds the claim (never claimed, or
// taken over after the lease ran out), so a late finisher cannot overwrite
// the run of the instance that took over.
func (s *Store) FinishDigestRun(ctx context.Context, channelID, localDate, owner string, now time.Time, report string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE digest_runs SET status = 'done', report = ?, finished_at = ?
		WHERE channel_id = ? AND local_date = ? AND owner = ? AND status = 'claimed'`, report, fmtTime(now), channelID, localDate, owner)
	if err != nil {
		return fmt.Errorf("finish digest run of channel %s for %s: %w", channelID, localDate, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("finish digest run of channel %s for %s: %w", channelID, localDate, err)
	}
	if n == 0 {
		return fmt.Errorf("finish digest run of channel %s for %s by %s: not the claimer: %w", channelID, localDate, owner, ErrNotFound)
	}
	return nil
}

// LastDigestRun returns the channel's most recent run (latest local date,
// then latest claim), if any.
func (s *Store) LastDigestRun(ctx context.Context, channelID string) (DigestRun, bool, error) {
	var r DigestRun
	var claimed string
	var finished sql.NullString
	err := s.rdb.QueryRowContext(ctx, `SELECT channel_id, local_date, owner, status, report, claimed_at, finished_at
		FROM digest_runs WHERE channel_id = ? ORDER BY local_date DESC, claimed_at DESC LIMIT 1`, channelID).
		Scan(&r.ChannelID, &r.LocalDate, &r.Owner, &r.Status, &r.Report, &claimed, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return DigestRun{}, false, nil
	}
	if err == nil {
		r.ClaimedAt, err = parseTime(claimed)
	}
	if err == nil {
		r.FinishedAt, err = parseNullTime(finished)
	}
	if err != nil {
		return DigestRun{}, false, fmt.Errorf("read last digest run of channel %s: %w", channelID, err)
	}
	return r, true, nil
}
