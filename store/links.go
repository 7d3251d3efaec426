package store

import (
	"context"
	"fmt"
	"time"
)

// SharedLink is a link someone posted in a channel.
type SharedLink struct {
	URL, NormURL, GuildID, ChannelID, MessageID, AuthorID string
	// SharedAt is when the message was posted; zero means now.
	SharedAt time.Time
}

// RecordLink remembers a shared link. Recording the same (MessageID,
// NormURL) again changes nothing, so replayed gateway events are harmless.
func (s *Store) RecordLink(ctx context.Context, l SharedLink) error {
	if l.MessageID == "" || l.NormURL == "" {
		return fmt.Errorf("record link: %w: message ID and normalised URL are required", ErrInvalid)
	}
	if l.URL == "" {
		l.URL = l.NormURL
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO shared_links
		(message_id, norm_url, url, guild_id, channel_id, author_id, shared_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (message_id, norm_url) DO NOTHING`,
		l.MessageID, l.NormURL, l.URL, l.GuildID, l.ChannelID, l.AuthorID, fmtTime(s.stampOr(l.SharedAt)))
	if err != nil {
		return fmt.Errorf("record link %s in message %s: %w", l.NormURL, l.MessageID, err)
	}
	return nil
}

// LinksSince returns the links shared in a guild at or after since, oldest
// first.
func (s *Store) LinksSince(ctx context.Context, guildID string, since time.Time) ([]SharedLink, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT url, norm_url, guild_id, channel_id, message_id, author_id, shared_at
		FROM shared_links WHERE guild_id = ? AND shared_at >= ?
		ORDER BY shared_at, message_id, norm_url`, guildID, fmtTime(since))
	if err != nil {
		return nil, fmt.Errorf("list links of guild %s: %w", guildID, err)
	}
	defer rows.Close()
	var out []SharedLink
	for rows.Next() {
		var l SharedLink
		var at string
		if err := rows.Scan(&l.URL, &l.NormURL, &l.GuildID, &l.ChannelID, &l.MessageID, &l.AuthorID, &at); err != nil {
			return nil, fmt.Errorf("list links of guild %s: %w", guildID, err)
		}
		if l.SharedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("list links of guild %s: %w", guildID, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list links of guild %s: %w", guildID, err)
	}
	return out, nil
}
