package store

import (
	"context"
	"fmt"
	"time"
)

// Retention of what Prune deletes. Digests look back at most two days, the
// summary cache is worth a month, and run reports and usage are kept for a
// quarter for /digest status and /precis usage history. Feed items are kept
// for a month after the last poll that still listed them.
const (
	KeepSummaries   = 30 * 24 * time.Hour
	KeepSharedLinks = 30 * 24 * time.Hour
	KeepDigestRuns  = 90 * 24 * time.Hour
	KeepUsage       = 90 * 24 * time.Hour
	KeepFeedItems   = 30 * 24 * time.Hour
)

// Prune deletes rows past their retention, so the database stays small on
// a long-running bot, and reports how many rows went. A feed item goes
// KeepFeedItems after the last poll that listed it (not after its first
// sighting: an undated item the feed still lists would otherwise come back
// as new), and the polling state of a feed nobody follows any more goes
// once it has not been polled for KeepFeedItems.
// Stored articles and members' questions go after KeepArticles and
// KeepAskTurns.
func (s *Store) Prune(ctx context.Context, now time.Time) (int64, error) {
	feedCutoff := fmtTime(now.Add(-KeepFeedItems))
	steps := []struct {
		what, query string
		arg         string
	}{
		{"shared links", `DELETE FROM shared_links WHERE shared_at < ?`, fmtTime(now.Add(-KeepSharedLinks))},
		{"digest runs", `DELETE FROM digest_runs WHERE claimed_at < ?`, fmtTime(now.Add(-KeepDigestRuns))},
		{"usage", `DELETE FROM guild_usage WHERE day < ?`, now.Add(-KeepUsage).UTC().Format("2006-01-02")},
		{"quota windows", `DELETE FROM quota_windows WHERE window_start < ?`, fmtTime(now.Add(-2 * time.Hour))},
		{"summary claims", `DELETE FROM summary_claims WHERE lease_until < ?`, fmtTime(now.Add(-time.Hour))},
		{"feed items", `DELETE FROM feed_items WHERE COALESCE(last_seen, seen_at) < ?`, feedCutoff},
		{"feed state", `DELETE FROM feed_state WHERE COALESCE(last_polled, '') < ?
			AND NOT EXISTS (SELECT 1 FROM feeds f WHERE f.url = feed_state.url)`, feedCutoff},
		{"articles", `DELETE FROM articles WHERE created_at < ?`, fmtTime(now.Add(-KeepArticles))},
		{"ask turns", `DELETE FROM ask_turns WHERE asked_at < ?`, fmtTime(now.Add(-KeepAskTurns))},
	}
	total, err := s.PruneSummaries(ctx, now.Add(-KeepSummaries))
	if err != nil {
		return total, err
	}
	for _, st := range steps {
		res, err := s.db.ExecContext(ctx, st.query, st.arg)
		if err != nil {
			return total, fmt.Errorf("prune %s: %w", st.what, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("prune %s: %w", st.what, err)
		}
		total += n
	}
	return total, nil
}
