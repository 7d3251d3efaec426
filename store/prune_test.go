package store

import (
	"context"
	"testing"
	"time"
)

func TestPrune(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
		clock := &fakeClock{t: now.Add(-60 * 24 * time.Hour)}
		s := openURL(t, b.newURL(t), clock)
		old := clock.Now()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.PutSummary(ctx, "old", "https://a.example/1", []byte("{}")))
		must(s.RecordLink(ctx, SharedLink{URL: "https://a.example/1", NormURL: "https://a.example/1", GuildID: "g", ChannelID: "c", MessageID: "m1", AuthorID: "u", SharedAt: old}))
		must(s.AddUsage(ctx, "g", old.Add(-60*24*time.Hour).Format("2006-01-02"), 1, 10))
		clock.Advance(now.Sub(clock.Now()))
		must(s.PutSummary(ctx, "new", "https://a.example/2", []byte("{}")))
		must(s.RecordLink(ctx, SharedLink{URL: "https://a.example/2", NormURL: "https://a.example/2", GuildID: "g", ChannelID: "c", MessageID: "m2", AuthorID: "u", SharedAt: now}))
		must(s.AddUsage(ctx, "g", now.Format("2006-01-02"), 1, 10))

		n, err := s.Prune(ctx, now)
		if err != nil || n != 3 {
			t.Fatalf("Prune = %d, %v; want 3 rows (old summary, link, usage)", n, err)
		}
		if _, ok, _ := s.CachedSummary(ctx, "new"); !ok {
			t.Error("recent summary pruned")
		}
		if links, _ := s.LinksSince(ctx, "g", old.Add(-time.Hour)); len(links) != 1 {
			t.Errorf("links left = %d, want the recent one", len(links))
		}
		if _, tokens, _ := s.Usage(ctx, "g", now.Format("2006-01-02")); tokens != 10 {
			t.Error("today's usage pruned")
		}
	})
}
