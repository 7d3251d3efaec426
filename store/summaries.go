package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// storedKey is the form of a summary cache key in the database. A key that
// is valid UTF-8 without NUL bytes is stored as it is; any other key (older
// builds joined key parts with NUL bytes, which PostgreSQL refuses in TEXT)
// is stored as "sha256:" and the hex digest of its bytes. The mapping is
// one-to-one for practical purposes, so distinct keys never share a row
// (stripping the NULs instead could merge two keys), and CachedSummary finds
// what PutSummary stored on either engine.
func storedKey(key string) string {
	if textSafe(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// CachedSummary returns the cached summary stored under key, if any. It
// implements pipeline.Store. Any key works, including one with NUL bytes
// (see storedKey).
func (s *Store) CachedSummary(ctx context.Context, key string) ([]byte, bool, error) {
	var data []byte
	err := s.rdb.QueryRowContext(ctx, `SELECT data FROM summaries WHERE cache_key = ?`, storedKey(key)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read cached summary %q: %w", key, err)
	}
	return data, true, nil
}

// PutSummary stores data under key (replacing what was there), remembers the
// normalised article URL it belongs to and stamps it with the store's clock.
// It implements pipeline.Store. Any non-empty key works, including one
// with NUL bytes (see storedKey); normURL is cleaned of NUL bytes and invalid
// UTF-8 like every text the store writes.
func (s *Store) PutSummary(ctx context.Context, key, normURL string, data []byte) error {
	if key == "" {
		return fmt.Errorf("put summary: %w: empty key", ErrInvalid)
	}
	if data == nil {
		data = []byte{}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO summaries (cache_key, norm_url, data, created_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (cache_key) DO UPDATE SET
			norm_url = excluded.norm_url, data = excluded.data, created_at = excluded.created_at`,
		storedKey(key), normURL, data, fmtTime(s.now()))
	if err != nil {
		return fmt.Errorf("put summary %q: %w", key, err)
	}
	return nil
}

// LatestSummaryByURL returns the most recently stored summary of the article
// at normURL, whatever options it was made with.
func (s *Store) LatestSummaryByURL(ctx context.Context, normURL string) ([]byte, bool, error) {
	var data []byte
	err := s.rdb.QueryRowContext(ctx, `SELECT data FROM summaries WHERE norm_url = ?
		ORDER BY created_at DESC, cache_key DESC LIMIT 1`, normURL).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read latest summary of %s: %w", normURL, err)
	}
	return data, true, nil
}

// PruneSummaries deletes cached summaries stored before olderThan and
// reports how many went.
func (s *Store) PruneSummaries(ctx context.Context, olderThan time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM summaries WHERE created_at < ?`, fmtTime(olderThan))
	if err != nil {
		return 0, fmt.Errorf("prune summaries: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune summaries: %w", err)
	}
	return n, nil
}
