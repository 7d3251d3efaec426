package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestArticles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, newClock())
		if _, ok, err := s.CachedArticle(ctx, "https://a.example/1"); ok || err != nil {
			t.Fatalf("empty store: ok=%v err=%v", ok, err)
		}
		blob := []byte{0x1f, 0x8b, 0x00, 0xff, 0x00} // binary, as gzip is
		if err := s.PutArticle(ctx, "https://a.example/1", blob); err != nil {
			t.Fatal(err)
		}
		if err := s.PutArticle(ctx, "https://a.example/1", append(blob, 1)); err != nil {
			t.Fatalf("replace: %v", err)
		}
		got, ok, err := s.CachedArticle(ctx, "https://a.example/1")
		if err != nil || !ok || string(got) != string(append(blob, 1)) {
			t.Errorf("CachedArticle = %x, %v, %v; want the replacement", got, ok, err)
		}
		if err := s.PutArticle(ctx, "", blob); err == nil {
			t.Error("empty URL accepted")
		}
	})
}

func TestAskTurns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clock := newClock()
		s := b.open(t, clock)
		const u = "https://a.example/1"
		add := func(guild, user, url, q string) {
			t.Helper()
			clock.Advance(time.Second)
			if err := s.AddAskTurn(ctx, AskTurn{GuildID: guild, UserID: user, NormURL: url, Question: q, Answer: "A " + q}); err != nil {
				t.Fatal(err)
			}
		}
		for i := 1; i <= 5; i++ {
			add("g", "u1", u, fmt.Sprintf("q%d", i))
		}
		add("g", "u2", u, "other member")
		add("g", "u1", "https://a.example/2", "other article")
		add("g2", "u1", u, "other server")

		turns, err := s.AskTurns(ctx, "g", "u1", u, 10)
		if err != nil {
			t.Fatal(err)
		}
		var qs []string
		for _, tr := range turns {
			qs = append(qs, tr.Question)
			if tr.Answer != "A "+tr.Question || tr.AskedAt.IsZero() {
				t.Errorf("turn %+v", tr)
			}
		}
		if fmt.Sprint(qs) != "[q3 q4 q5]" {
			t.Errorf("turns = %v, want the last %d, oldest first", qs, AskTurnsPerArticle)
		}
		if turns, _ := s.AskTurns(ctx, "g", "u1", u, 2); len(turns) != 2 || turns[1].Question != "q5" {
			t.Errorf("limit 2 = %+v", turns)
		}
		if turns, _ := s.AskTurns(ctx, "g", "u2", u, 3); len(turns) != 1 || turns[0].Question != "other member" {
			t.Errorf("another member's turns = %+v", turns)
		}
		// A clock that stands still keeps the order of turns.
		for _, q := range []string{"s1", "s2"} {
			if err := s.AddAskTurn(ctx, AskTurn{GuildID: "g", UserID: "still", NormURL: u, Question: q}); err != nil {
				t.Fatal(err)
			}
		}
		if turns, _ := s.AskTurns(ctx, "g", "still", u, 3); len(turns) != 2 || turns[0].Question != "s1" || turns[1].Question != "s2" {
			t.Errorf("turns at one instant = %+v", turns)
		}
		if err := s.AddAskTurn(ctx, AskTurn{GuildID: "g", NormURL: u}); err == nil {
			t.Error("turn without a user accepted")
		}
	})
}

func TestPruneAsk(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
		clock := &fakeClock{t: now.Add(-KeepArticles - time.Hour)}
		s := b.open(t, clock)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.PutArticle(ctx, "https://a.example/old", []byte("x")))
		must(s.AddAskTurn(ctx, AskTurn{GuildID: "g", UserID: "u", NormURL: "https://a.example/old", Question: "q", Answer: "a"}))
		clock.Advance(now.Sub(clock.Now()))
		must(s.PutArticle(ctx, "https://a.example/new", []byte("y")))
		must(s.AddAskTurn(ctx, AskTurn{GuildID: "g", UserID: "u", NormURL: "https://a.example/new", Question: "q", Answer: "a"}))

		if n, err := s.Prune(ctx, now); err != nil || n != 2 {
			t.Fatalf("Prune = %d, %v; want 2 rows (old article, old question)", n, err)
		}
		if _, ok, _ := s.CachedArticle(ctx, "https://a.example/new"); !ok {
			t.Error("recent article pruned")
		}
		if turns, _ := s.AskTurns(ctx, "g", "u", "https://a.example/new", 3); len(turns) != 1 {
			t.Error("recent question pruned")
		}
	})
}
