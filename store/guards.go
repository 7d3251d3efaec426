package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// QuotaLimit is one allowance to take from: a key ("u:<user>",
// "g:<guild>") and how many it allows per window.
type QuotaLimit struct {
	Key   string
	Limit int
}

// TakeQuota takes n from every limit's count for the window starting at
// windowStart, all or nothing, in one transaction: concurrent takers in any
// process cannot pass a limit together. It returns the index of the first
// limit that n would exceed (then nothing is taken), or -1.
func (s *Store) TakeQuota(ctx context.Context, windowStart time.Time, n int, limits []QuotaLimit) (int, error) {
	if n <= 0 || len(limits) == 0 {
		return -1, nil
	}
	w := fmtTime(windowStart)
	refused := -1
	err := s.withTx(ctx, func(tx *sqlTx) error {
		for i, l := range limits {
			if _, err := tx.ExecContext(ctx, `INSERT INTO quota_windows (scope_key, window_start, used) VALUES (?, ?, 0)
				ON CONFLICT (scope_key, window_start) DO NOTHING`, l.Key, w); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE quota_windows SET used = used + ?
				WHERE scope_key = ? AND window_start = ? AND used + ? <= ?`, n, l.Key, w, n, l.Limit)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k != 1 {
				refused = i
				return errRefused
			}
		}
		return nil
	})
	if errors.Is(err, errRefused) {
		return refused, nil
	}
	if err != nil {
		return -1, fmt.Errorf("take quota: %w", err)
	}
	return -1, nil
}

// errRefused rolls a quota transaction back.
var errRefused = errors.New("quota refused")

// RefundQuota gives n back to each key's count for the window starting at
// windowStart (work that was refused costs nothing).
func (s *Store) RefundQuota(ctx context.Context, windowStart time.Time, n int, keys []string) error {
	w := fmtTime(windowStart)
	for _, k := range keys {
		if _, err := s.db.ExecContext(ctx, `UPDATE quota_windows SET used = CASE WHEN used > ? THEN used - ? ELSE 0 END
			WHERE scope_key = ? AND window_start = ?`, n, n, k, w); err != nil {
			return fmt.Errorf("refund quota %s: %w", k, err)
		}
	}
	return nil
}

// ReserveTokens reserves n LLM tokens of a guild's budget for day if the
// tokens used and reserved so far plus n stay within limit; it reports
// whether it did. The check and the reservation are one statement, so
// concurrent jobs in any process cannot all pass the budget.
func (s *Store) ReserveTokens(ctx context.Context, guildID, day string, n, limit int) (bool, error) {
	if err := checkDay(day); err != nil {
		return false, fmt.Errorf("reserve tokens: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO guild_usage (guild_id, day, summaries, tokens, reserved) VALUES (?, ?, 0, 0, 0)
		ON CONFLICT (guild_id, day) DO NOTHING`, guildID, day); err != nil {
		return false, fmt.Errorf("reserve tokens of guild %s: %w", guildID, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE guild_usage SET reserved = reserved + ?
		WHERE guild_id = ? AND day = ? AND tokens + reserved + ? <= ?`, n, guildID, day, n, limit)
	if err != nil {
		return false, fmt.Errorf("reserve tokens of guild %s: %w", guildID, err)
	}
	k, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("reserve tokens of guild %s: %w", guildID, err)
	}
	return k == 1, nil
}

// SettleTokens ends a reservation of reserved tokens made by ReserveTokens
// and adds the tokens really used.
func (s *Store) SettleTokens(ctx context.Context, guildID, day string, reserved, used int) error {
	if err := checkDay(day); err != nil {
		return fmt.Errorf("settle tokens: %w", err)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO guild_usage (guild_id, day, summaries, tokens, reserved) VALUES (?, ?, 0, ?, 0)
		ON CONFLICT (guild_id, day) DO UPDATE SET
			tokens = guild_usage.tokens + excluded.tokens,
			reserved = CASE WHEN guild_usage.reserved > ? THEN guild_usage.reserved - ? ELSE 0 END`,
		guildID, day, used, reserved, reserved)
	if err != nil {
		return fmt.Errorf("settle tokens of guild %s: %w", guildID, err)
	}
	return nil
}

// ClaimSummary claims the making of the summary stored under key for owner
// until now+lease, when nobody holds it or the holder's lease ran out; it
// reports whether owner holds it now.
func (s *Store) ClaimSummary(ctx context.Context, key, owner string, now time.Time, lease time.Duration) (bool, error) {
	key = storedKey(key)
	until := fmtTime(now.Add(lease))
	if _, err := s.db.ExecContext(ctx, `INSERT INTO summary_claims (cache_key, owner, lease_until) VALUES (?, ?, ?)
		ON CONFLICT (cache_key) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
		WHERE summary_claims.lease_until < ? OR summary_claims.owner = excluded.owner`,
		key, owner, until, fmtTime(now)); err != nil {
		return false, fmt.Errorf("claim summary: %w", err)
	}
	var holder string
	err := s.db.QueryRowContext(ctx, `SELECT owner FROM summary_claims WHERE cache_key = ?`, key).Scan(&holder)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim summary: %w", err)
	}
	return holder == owner, nil
}

// ReleaseSummary ends owner's claim on key.
func (s *Store) ReleaseSummary(ctx context.Context, key, owner string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM summary_claims WHERE cache_key = ? AND owner = ?`, storedKey(key), owner); err != nil {
		return fmt.Errorf("release summary claim: %w", err)
	}
	return nil
}
