package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Channel summary modes.
const (
	ModeAuto     = "auto"     // summarise every article link posted
	ModeReaction = "reaction" // summarise when someone reacts to the message
	ModeOff      = "off"      // never summarise unasked
)

// ChannelSettings are per-channel preferences.
type ChannelSettings struct {
	GuildID, ChannelID string
	// Mode is "auto", "reaction" or "off"; "" is stored as "auto".
	Mode string
	// Language is the summary language ("" = the article's own).
	Language string
	// MinWords raises the article quality gate for links pasted in the
	// channel (0 = the default gate); asked-for summaries ignore it.
	MinWords int
	// Length is the summary length for links pasted in the channel:
	// "short", "normal" or "detailed"; "" = normal.
	Length string
}

// ChannelSettings returns a channel's settings, or the defaults (Mode
// "auto", Language "", MinWords 0) when none were set.
func (s *Store) ChannelSettings(ctx context.Context, guildID, channelID string) (ChannelSettings, error) {
	cs := ChannelSettings{GuildID: guildID, ChannelID: channelID, Mode: ModeAuto}
	err := s.rdb.QueryRowContext(ctx, `SELECT mode, language, min_words, summary_length FROM channel_settings
		WHERE guild_id = ? AND channel_id = ?`, guildID, channelID).Scan(&cs.Mode, &cs.Language, &cs.MinWords, &cs.Length)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return ChannelSettings{}, fmt.Errorf("read settings of channel %s: %w", channelID, err)
	}
	return cs, nil
}

// SetChannelSettings saves a channel's settings, replacing earlier ones. An
// unknown Mode or Length or a negative MinWords is refused with an error
// wrapping ErrInvalid.
func (s *Store) SetChannelSettings(ctx context.Context, cs ChannelSettings) error {
	if cs.GuildID == "" || cs.ChannelID == "" {
		return fmt.Errorf("set channel settings: %w: guild and channel IDs are required", ErrInvalid)
	}
	mode := strings.ToLower(strings.TrimSpace(cs.Mode))
	switch mode {
	case "":
		mode = ModeAuto
	case ModeAuto, ModeReaction, ModeOff:
	default:
		return fmt.Errorf("set channel settings: %w: mode %q (want auto, reaction or off)", ErrInvalid, cs.Mode)
	}
	length := strings.ToLower(strings.TrimSpace(cs.Length))
	switch length {
	case "", "short", "normal", "detailed":
	default:
		return fmt.Errorf("set channel settings: %w: length %q (want short, normal or detailed)", ErrInvalid, cs.Length)
	}
	if cs.MinWords < 0 {
		return fmt.Errorf("set channel settings: %w: negative minimum word count %d", ErrInvalid, cs.MinWords)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO channel_settings
		(guild_id, channel_id, mode, language, min_words, summary_length, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (guild_id, channel_id) DO UPDATE SET
			mode = excluded.mode, language = excluded.language, min_words = excluded.min_words,
			summary_length = excluded.summary_length, updated_at = excluded.updated_at`,
		cs.GuildID, cs.ChannelID, mode, cs.Language, cs.MinWords, length, fmtTime(s.now()))
	if err != nil {
		return fmt.Errorf("set settings of channel %s: %w", cs.ChannelID, err)
	}
	return nil
}

// AddUsage adds to a guild's counters for day (UTC, "2006-01-02"), creating
// them at zero first if needed.
func (s *Store) AddUsage(ctx context.Context, guildID, day string, summaries, tokens int) error {
	if err := checkDay(day); err != nil {
		return fmt.Errorf("add usage: %w", err)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO guild_usage (guild_id, day, summaries, tokens) VALUES (?, ?, ?, ?)
		ON CONFLICT (guild_id, day) DO UPDATE SET
			summaries = guild_usage.summaries + excluded.summaries,
			tokens = guild_usage.tokens + excluded.tokens`,
		guildID, day, summaries, tokens)
	if err != nil {
		return fmt.Errorf("add usage of guild %s on %s: %w", guildID, day, err)
	}
	return nil
}

// Usage returns a guild's counters for day; zero when nothing was recorded.
func (s *Store) Usage(ctx context.Context, guildID, day string) (summaries, tokens int, err error) {
	err = s.rdb.QueryRowContext(ctx, `SELECT summaries, tokens FROM guild_usage WHERE guild_id = ? AND day = ?`,
		guildID, day).Scan(&summaries, &tokens)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("read usage of guild %s on %s: %w", guildID, day, err)
	}
	return summaries, tokens, nil
}

// checkDay refuses anything but a "2006-01-02" date, so counters cannot be
// split across spellings of one day.
func checkDay(day string) error {
	if _, err := time.Parse(time.DateOnly, day); err != nil || len(day) != len(time.DateOnly) {
		return fmt.Errorf("%w: day %q (want YYYY-MM-DD)", ErrInvalid, day)
	}
	return nil
}
