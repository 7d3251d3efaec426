package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Retention of what Ask keeps: the extracted articles live as long as the
// summaries they were read for, and a member's questions a week.
const (
	KeepArticles = KeepSummaries
	KeepAskTurns = 7 * 24 * time.Hour
)

// AskTurnsPerArticle is how many of a member's questions about one article
// are kept; older ones are deleted as new ones come.
const AskTurnsPerArticle = 3

// CachedArticle returns the article data stored for normURL, if any. The
// data is what PutArticle was given (the core stores it compressed).
func (s *Store) CachedArticle(ctx context.Context, normURL string) ([]byte, bool, error) {
	var data []byte
	err := s.rdb.QueryRowContext(ctx, `SELECT data FROM articles WHERE norm_url = ?`, normURL).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read cached article %s: %w", normURL, err)
	}
	return data, true, nil
}

// PutArticle stores data as the article of normURL, replacing what was
// there, stamped with the store's clock.
func (s *Store) PutArticle(ctx context.Context, normURL string, data []byte) error {
	if normURL == "" {
		return fmt.Errorf("put article: %w: empty URL", ErrInvalid)
	}
	if data == nil {
		data = []byte{}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO articles (norm_url, data, created_at) VALUES (?, ?, ?)
		ON CONFLICT (norm_url) DO UPDATE SET data = excluded.data, created_at = excluded.created_at`,
		normURL, data, fmtTime(s.now()))
	if err != nil {
		return fmt.Errorf("put article %s: %w", normURL, err)
	}
	return nil
}

// AskTurn is one question a member asked about an article, and the answer
// given.
type AskTurn struct {
	GuildID, UserID, NormURL string
	Question, Answer         string
	// AskedAt is when it was asked; zero means the store's clock.
	AskedAt time.Time
}

// AddAskTurn records a question and its answer, and forgets the member's
// older questions about the article beyond AskTurnsPerArticle.
func (s *Store) AddAskTurn(ctx context.Context, t AskTurn) error {
	if t.GuildID == "" || t.UserID == "" || t.NormURL == "" {
		return fmt.Errorf("add ask turn: %w: guild, user and URL are required", ErrInvalid)
	}
	at := s.stampOr(t.AskedAt)
	err := s.withTx(ctx, func(tx *sqlTx) error {
		// Turns keep the order they came in, even from a clock that stands
		// still or steps back: a turn is never stamped before the last.
		var last sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT MAX(asked_at) FROM ask_turns WHERE guild_id = ? AND user_id = ? AND norm_url = ?`,
			t.GuildID, t.UserID, t.NormURL).Scan(&last); err != nil {
			return err
		}
		if prev, err := parseNullTime(last); err != nil {
			return err
		} else if !prev.IsZero() && !at.After(prev) {
			at = prev.Add(time.Nanosecond)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ask_turns (guild_id, user_id, norm_url, asked_at, question, answer)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (guild_id, user_id, norm_url, asked_at) DO UPDATE SET
				question = excluded.question, answer = excluded.answer`,
			t.GuildID, t.UserID, t.NormURL, fmtTime(at), t.Question, t.Answer); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM ask_turns
			WHERE guild_id = ? AND user_id = ? AND norm_url = ? AND asked_at NOT IN (
				SELECT asked_at FROM ask_turns WHERE guild_id = ? AND user_id = ? AND norm_url = ?
				ORDER BY asked_at DESC LIMIT ?)`,
			t.GuildID, t.UserID, t.NormURL, t.GuildID, t.UserID, t.NormURL, AskTurnsPerArticle)
		return err
	})
	if err != nil {
		return fmt.Errorf("add ask turn for %s: %w", t.NormURL, err)
	}
	return nil
}

// AskTurns returns up to limit of the member's latest questions about the
// article at normURL, oldest first.
func (s *Store) AskTurns(ctx context.Context, guildID, userID, normURL string, limit int) ([]AskTurn, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT question, answer, asked_at FROM ask_turns
		WHERE guild_id = ? AND user_id = ? AND norm_url = ?
		ORDER BY asked_at DESC LIMIT ?`, guildID, userID, normURL, limit)
	if err != nil {
		return nil, fmt.Errorf("read ask turns for %s: %w", normURL, err)
	}
	defer rows.Close()
	var out []AskTurn
	for rows.Next() {
		t := AskTurn{GuildID: guildID, UserID: userID, NormURL: normURL}
		var at string
		if err := rows.Scan(&t.Question, &t.Answer, &at); err != nil {
			return nil, fmt.Errorf("read ask turns for %s: %w", normURL, err)
		}
		if t.AskedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read ask turns for %s: %w", normURL, err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}
