package store

import (
	"context"
	"fmt"
	"time"
)

// Retention of what Prune deletes. Digests look back at most two days, the
// summary cache is worth a month, and run reports and usage are kept for a
// quarter for /digest status and /precis usage history.
const (
	KeepSummaries   = 30 * 24 * time.Hour
	KeepSharedLinks = 30 * 24 * time.Hour
	KeepDigestRuns  = 90 * 24 * time.Hour
	KeepUsage       = 90 * 24 * time.Hour
)

// Prune deletes rows past their retention, so the database stays small on
// a long-running bot: shared links, finished digest runs, old usage, the
// summary cache, stored articles and members' questions (KeepAskTurns).
// Feed items are kept: an undated item a feed still
// lists would otherwise come back as new.
func (s *Store) Prune(ctx context.Context, now time.Time) (int64, error) {
	steps := []struct {
		what, query string
		arg         string
	}{
		{"shared links", `DELETE FROM shared_links WHERE shared_at < ?`, fmtTime(now.Add(-KeepSharedLinks))},
		{"digest runs", `DELETE FROM digest_runs WHERE status = 'done' AND claimed_at < ?`, fmtTime(now.Add(-KeepDigestRuns))},
		{"usage", `DELETE FROM guild_usage WHERE day < ?`, now.Add(-KeepUsage).UTC().Format("2006-01-02")},
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
