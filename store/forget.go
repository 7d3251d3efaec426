package store

import (
	"context"
	"fmt"
	"strings"
)

// What Precis forgets when Discord says something is gone. A deleted
// message takes its shared links with it, an edit that removes a link
// takes that link, and a deleted channel or a server the bot left takes
// its channel settings, recap permission, digest schedules (with their run
// records), feed subscriptions and shared links; a server the bot left also
// takes its members' questions to Ask. Usage counters and quota windows
// stay: removing and re-adding the bot must not reset a server's budget.
// The summary and article caches are keyed by article, not by server, and
// stay too.

// maxForgetIDs bounds the IDs one statement lists (Discord deletes at most
// 100 messages in bulk); longer lists are split.
const maxForgetIDs = 100

// ForgetMessages deletes the shared links recorded from the given messages
// of a channel (MESSAGE_DELETE, MESSAGE_DELETE_BULK) and reports how many
// links went.
func (s *Store) ForgetMessages(ctx context.Context, channelID string, messageIDs []string) (int64, error) {
	var total int64
	for len(messageIDs) > 0 {
		batch := messageIDs[:min(len(messageIDs), maxForgetIDs)]
		messageIDs = messageIDs[len(batch):]
		args := make([]any, 0, len(batch)+1)
		args = append(args, channelID)
		for _, id := range batch {
			args = append(args, id)
		}
		res, err := s.db.ExecContext(ctx, `DELETE FROM shared_links WHERE channel_id = ? AND message_id IN (`+placeholders(len(batch))+`)`, args...)
		if err != nil {
			return total, fmt.Errorf("forget links of %d messages in channel %s: %w", len(batch), channelID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("forget links of %d messages in channel %s: %w", len(batch), channelID, err)
		}
		total += n
	}
	return total, nil
}

// KeepMessageLinks deletes the shared links recorded from a message except
// those whose normalised URL is in keep (an edited message: the links it
// still has), and reports how many went. An empty keep forgets every link
// of the message.
func (s *Store) KeepMessageLinks(ctx context.Context, channelID, messageID string, keep []string) (int64, error) {
	if len(keep) > maxForgetIDs {
		keep = keep[:maxForgetIDs] // a message records at most a few links; more is not a message of ours
	}
	query := `DELETE FROM shared_links WHERE channel_id = ? AND message_id = ?`
	args := []any{channelID, messageID}
	if len(keep) > 0 {
		query += ` AND norm_url NOT IN (` + placeholders(len(keep)) + `)`
		for _, k := range keep {
			args = append(args, k)
		}
	}
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("forget removed links of message %s: %w", messageID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("forget removed links of message %s: %w", messageID, err)
	}
	return n, nil
}

// ForgetChannels deletes what Precis keeps about channels of a guild that
// were deleted (a channel and the threads in it): their settings, recap
// permission, digest schedules and run records, feed subscriptions and
// shared links, in one transaction. It reports how many rows went.
func (s *Store) ForgetChannels(ctx context.Context, guildID string, channelIDs []string) (int64, error) {
	var total int64
	for len(channelIDs) > 0 {
		batch := channelIDs[:min(len(channelIDs), maxForgetIDs)]
		channelIDs = channelIDs[len(batch):]
		ids := make([]any, 0, len(batch))
		for _, id := range batch {
			ids = append(ids, id)
		}
		in := placeholders(len(batch))
		withGuild := append([]any{guildID}, ids...)
		steps := []forgetStep{
			{"channel settings", `DELETE FROM channel_settings WHERE guild_id = ? AND channel_id IN (` + in + `)`, withGuild},
			{"recap permissions", `DELETE FROM recap_channels WHERE guild_id = ? AND channel_id IN (` + in + `)`, withGuild},
			// Run records carry no guild: a channel's runs go with the
			// channel unless another guild schedules a digest there.
			{"digest runs", `DELETE FROM digest_runs WHERE channel_id IN (` + in + `)
				AND NOT EXISTS (SELECT 1 FROM digest_schedules d WHERE d.channel_id = digest_runs.channel_id AND d.guild_id <> ?)`,
				append(append([]any{}, ids...), guildID)},
			{"digest schedules", `DELETE FROM digest_schedules WHERE guild_id = ? AND channel_id IN (` + in + `)`, withGuild},
			{"feeds", `DELETE FROM feeds WHERE guild_id = ? AND channel_id IN (` + in + `)`, withGuild},
			{"shared links", `DELETE FROM shared_links WHERE guild_id = ? AND channel_id IN (` + in + `)`, withGuild},
		}
		n, err := s.forget(ctx, steps)
		total += n
		if err != nil {
			return total, fmt.Errorf("forget %d channels of guild %s: %w", len(batch), guildID, err)
		}
	}
	return total, nil
}

// ForgetGuild deletes what Precis keeps about a server it left: channel
// settings, recap permissions, digest schedules and their channels' run
// records, feed subscriptions, shared links and its members' questions to
// Ask, in one transaction. It reports how many
// rows went.
func (s *Store) ForgetGuild(ctx context.Context, guildID string) (int64, error) {
	g := []any{guildID}
	n, err := s.forget(ctx, []forgetStep{
		{"channel settings", `DELETE FROM channel_settings WHERE guild_id = ?`, g},
		{"recap permissions", `DELETE FROM recap_channels WHERE guild_id = ?`, g},
		{"ask turns", `DELETE FROM ask_turns WHERE guild_id = ?`, g},
		{"digest runs", `DELETE FROM digest_runs WHERE channel_id IN (SELECT channel_id FROM digest_schedules WHERE guild_id = ?)`, g},
		{"digest schedules", `DELETE FROM digest_schedules WHERE guild_id = ?`, g},
		{"feeds", `DELETE FROM feeds WHERE guild_id = ?`, g},
		{"shared links", `DELETE FROM shared_links WHERE guild_id = ?`, g},
	})
	if err != nil {
		return n, fmt.Errorf("forget guild %s: %w", guildID, err)
	}
	return n, nil
}

// forgetStep is one DELETE of a forget transaction.
type forgetStep struct {
	what, query string
	args        []any
}

// forget runs steps in one transaction and counts the rows deleted; on an
// error nothing is deleted.
func (s *Store) forget(ctx context.Context, steps []forgetStep) (int64, error) {
	var total int64
	err := s.withTx(ctx, func(tx *sqlTx) error {
		total = 0
		for _, st := range steps {
			res, err := tx.ExecContext(ctx, st.query, st.args...)
			if err != nil {
				return fmt.Errorf("delete %s: %w", st.what, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("delete %s: %w", st.what, err)
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}

// placeholders is "?, ?, ..." with n marks (n >= 1).
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
