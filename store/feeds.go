package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Feed is a channel's subscription to an RSS/Atom/JSON feed.
type Feed struct {
	GuildID, ChannelID, URL string
	// AddedAt is when the subscription was made; zero means now.
	AddedAt time.Time
}

// AddFeed subscribes a channel to a feed. Adding an existing subscription
// changes nothing (its AddedAt stays).
func (s *Store) AddFeed(ctx context.Context, f Feed) error {
	if f.GuildID == "" || f.ChannelID == "" || f.URL == "" {
		return fmt.Errorf("add feed: %w: guild ID, channel ID and URL are required", ErrInvalid)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO feeds (guild_id, channel_id, url, added_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (guild_id, channel_id, url) DO NOTHING`,
		f.GuildID, f.ChannelID, f.URL, fmtTime(s.stampOr(f.AddedAt)))
	if err != nil {
		return fmt.Errorf("add feed %s to channel %s: %w", f.URL, f.ChannelID, err)
	}
	return nil
}

// RemoveFeed unsubscribes a channel from a feed and reports whether the
// subscription existed.
func (s *Store) RemoveFeed(ctx context.Context, guildID, channelID, url string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM feeds WHERE guild_id = ? AND channel_id = ? AND url = ?`,
		guildID, channelID, url)
	if err != nil {
		return false, fmt.Errorf("remove feed %s from channel %s: %w", url, channelID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("remove feed %s from channel %s: %w", url, channelID, err)
	}
	return n > 0, nil
}

// Feeds returns a channel's subscriptions in the order they were added;
// channelID "" returns every subscription in the guild.
func (s *Store) Feeds(ctx context.Context, guildID, channelID string) ([]Feed, error) {
	var rows *sql.Rows
	var err error
	if channelID == "" {
		rows, err = s.rdb.QueryContext(ctx, `SELECT guild_id, channel_id, url, added_at FROM feeds
			WHERE guild_id = ? ORDER BY channel_id, added_at, url`, guildID)
	} else {
		rows, err = s.rdb.QueryContext(ctx, `SELECT guild_id, channel_id, url, added_at FROM feeds
			WHERE guild_id = ? AND channel_id = ? ORDER BY added_at, url`, guildID, channelID)
	}
	if err != nil {
		return nil, fmt.Errorf("list feeds of guild %s channel %q: %w", guildID, channelID, err)
	}
	defer rows.Close()
	var out []Feed
	for rows.Next() {
		var f Feed
		var at string
		if err := rows.Scan(&f.GuildID, &f.ChannelID, &f.URL, &at); err != nil {
			return nil, fmt.Errorf("list feeds of guild %s: %w", guildID, err)
		}
		if f.AddedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("list feeds of guild %s: %w", guildID, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list feeds of guild %s: %w", guildID, err)
	}
	return out, nil
}

// AllFeedURLs returns every feed URL some channel subscribes to, once each,
// sorted: the poller's work list.
func (s *Store) AllFeedURLs(ctx context.Context) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT DISTINCT url FROM feeds ORDER BY url`)
	if err != nil {
		return nil, fmt.Errorf("list feed URLs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("list feed URLs: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list feed URLs: %w", err)
	}
	return out, nil
}

// DueFeedURLs returns the subscribed feed URLs whose next poll is at or
// before now, or that were never polled, once each, most overdue first:
// the poller's work list in one query.
func (s *Store) DueFeedURLs(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT f.url FROM feeds f
		LEFT JOIN feed_state st ON st.url = f.url
		WHERE st.next_poll IS NULL OR st.next_poll <= ?
		GROUP BY f.url ORDER BY MIN(COALESCE(st.next_poll, '')), f.url`, fmtTime(now))
	if err != nil {
		return nil, fmt.Errorf("list due feeds: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("list due feeds: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list due feeds: %w", err)
	}
	return out, nil
}

// GuildFeedCount is how many feed subscriptions the guild has across all
// its channels, for the per-server cap.
func (s *Store) GuildFeedCount(ctx context.Context, guildID string) (int, error) {
	var n int
	if err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM feeds WHERE guild_id = ?`, guildID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count feeds of guild %s: %w", guildID, err)
	}
	return n, nil
}

// FeedState is the poller's memory of one feed URL.
type FeedState struct {
	URL, ETag, LastModified string
	// LastError is the last poll's error text ("" after a success).
	LastError string
	// NextPoll is when to poll next; LastPolled when it was last polled.
	NextPoll, LastPolled time.Time
	// Failures counts consecutive failed polls, for back-off.
	Failures int
}

// FeedState returns the stored state of a feed URL, if any.
func (s *Store) FeedState(ctx context.Context, url string) (FeedState, bool, error) {
	st := FeedState{}
	var next, last sql.NullString
	err := s.rdb.QueryRowContext(ctx, `SELECT url, etag, last_modified, last_error, next_poll, last_polled, failures
		FROM feed_state WHERE url = ?`, url).
		Scan(&st.URL, &st.ETag, &st.LastModified, &st.LastError, &next, &last, &st.Failures)
	if errors.Is(err, sql.ErrNoRows) {
		return FeedState{}, false, nil
	}
	if err == nil {
		st.NextPoll, err = parseNullTime(next)
	}
	if err == nil {
		st.LastPolled, err = parseNullTime(last)
	}
	if err != nil {
		return FeedState{}, false, fmt.Errorf("read state of feed %s: %w", url, err)
	}
	return st, true, nil
}

// SetFeedState creates or replaces the state of st.URL.
func (s *Store) SetFeedState(ctx context.Context, st FeedState) error {
	if st.URL == "" {
		return fmt.Errorf("set feed state: %w: URL is required", ErrInvalid)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO feed_state
		(url, etag, last_modified, last_error, next_poll, last_polled, failures) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET
			etag = excluded.etag, last_modified = excluded.last_modified, last_error = excluded.last_error,
			next_poll = excluded.next_poll, last_polled = excluded.last_polled, failures = excluded.failures`,
		st.URL, st.ETag, st.LastModified, st.LastError, nullTime(st.NextPoll), nullTime(st.LastPolled), st.Failures)
	if err != nil {
		return fmt.Errorf("set state of feed %s: %w", st.URL, err)
	}
	return nil
}

// FeedItem is one entry seen in a feed.
type FeedItem struct {
	FeedURL, GUID, URL, Title, Summary string
	// Published is the feed's own date for the item (zero if it gave none);
	// SeenAt is when the poller first saw it (zero means now).
	Published, SeenAt time.Time
}

// AddFeedItems stores items in one transaction. An item whose (FeedURL,
// GUID) is already stored is left as it was, so its SeenAt keeps the first
// sighting; only its last sighting is moved on, which keeps items the feed
// still lists from being pruned (see Prune). Text fields are cleaned of NUL
// bytes and invalid UTF-8 (PostgreSQL refuses both).
func (s *Store) AddFeedItems(ctx context.Context, items []FeedItem) error {
	if len(items) == 0 {
		return nil
	}
	for _, it := range items {
		if it.FeedURL == "" || it.GUID == "" {
			return fmt.Errorf("add feed items: %w: feed URL and GUID are required", ErrInvalid)
		}
	}
	now := s.now()
	err := s.withTx(ctx, func(tx *sqlTx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO feed_items
			(feed_url, guid, url, title, summary, published, seen_at, item_at, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (feed_url, guid) DO UPDATE SET last_seen = excluded.last_seen`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, it := range items {
			seen := it.SeenAt
			if seen.IsZero() {
				seen = now
			}
			at := it.Published
			if at.IsZero() {
				at = seen
			}
			if _, err := stmt.ExecContext(ctx, it.FeedURL, it.GUID, it.URL, it.Title, it.Summary,
				nullTime(it.Published), fmtTime(seen), fmtTime(at), fmtTime(seen)); err != nil {
				return fmt.Errorf("item %s: %w", it.GUID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add %d feed items: %w", len(items), err)
	}
	return nil
}

// FeedItemsSince returns a feed's items whose time (Published, or SeenAt
// when the feed gave no date) is at or after since, oldest first.
func (s *Store) FeedItemsSince(ctx context.Context, feedURL string, since time.Time) ([]FeedItem, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT feed_url, guid, url, title, summary, published, seen_at
		FROM feed_items WHERE feed_url = ? AND item_at >= ? ORDER BY item_at, guid`, feedURL, fmtTime(since))
	if err != nil {
		return nil, fmt.Errorf("list items of feed %s: %w", feedURL, err)
	}
	defer rows.Close()
	var out []FeedItem
	for rows.Next() {
		var it FeedItem
		var pub sql.NullString
		var seen string
		if err := rows.Scan(&it.FeedURL, &it.GUID, &it.URL, &it.Title, &it.Summary, &pub, &seen); err != nil {
			return nil, fmt.Errorf("list items of feed %s: %w", feedURL, err)
		}
		if it.Published, err = parseNullTime(pub); err == nil {
			it.SeenAt, err = parseTime(seen)
		}
		if err != nil {
			return nil, fmt.Errorf("list items of feed %s: %w", feedURL, err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list items of feed %s: %w", feedURL, err)
	}
	return out, nil
}
