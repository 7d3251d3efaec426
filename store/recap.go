package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RecapEnabled reports whether an admin allowed recaps in a channel; the
// default is no.
func (s *Store) RecapEnabled(ctx context.Context, guildID, channelID string) (bool, error) {
	var one int
	err := s.rdb.QueryRowContext(ctx, `SELECT 1 FROM recap_channels WHERE guild_id = ? AND channel_id = ?`,
		guildID, channelID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read recap setting of channel %s: %w", channelID, err)
	}
	return true, nil
}

// SetRecapEnabled allows or forbids recaps in a channel.
func (s *Store) SetRecapEnabled(ctx context.Context, guildID, channelID string, on bool) error {
	if guildID == "" || channelID == "" {
		return fmt.Errorf("set recap setting: %w: guild and channel IDs are required", ErrInvalid)
	}
	var err error
	if on {
		_, err = s.db.ExecContext(ctx, `INSERT INTO recap_channels (guild_id, channel_id, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (guild_id, channel_id) DO UPDATE SET updated_at = excluded.updated_at`,
			guildID, channelID, fmtTime(s.now()))
	} else {
		_, err = s.db.ExecContext(ctx, `DELETE FROM recap_channels WHERE guild_id = ? AND channel_id = ?`, guildID, channelID)
	}
	if err != nil {
		return fmt.Errorf("set recap setting of channel %s: %w", channelID, err)
	}
	return nil
}
