package store

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestTakeQuotaAllOrNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		w := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
		limits := []QuotaLimit{{"u:a", 2}, {"g:g", 3}}
		for i, want := range []int{-1, 0} {
			got, err := s.TakeQuota(ctx, w, 2, limits)
			if err != nil || got != want {
				t.Fatalf("take %d: %d, %v; want %d", i, got, err, want)
			}
		}
		// The refused take took nothing from the user: one more fits there,
		// and the server has one left.
		if got, err := s.TakeQuota(ctx, w, 1, []QuotaLimit{{"u:b", 5}, {"g:g", 3}}); got != -1 || err != nil {
			t.Fatalf("other member: %d %v", got, err)
		}
		if got, _ := s.TakeQuota(ctx, w, 1, limits); got != 0 {
			t.Fatalf("user over: %d, want 0", got)
		}
		if err := s.RefundQuota(ctx, w, 2, []string{"u:a"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.TakeQuota(ctx, w, 1, []QuotaLimit{{"u:a", 2}}); got != -1 {
			t.Fatalf("after refund: %d", got)
		}
		// A new hour starts afresh.
		if got, _ := s.TakeQuota(ctx, w.Add(time.Hour), 2, limits); got != -1 {
			t.Fatalf("next hour: %d", got)
		}
	})
}

// Concurrent jobs cannot all pass the token budget.
func TestReserveTokensIsACeiling(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.ReserveTokens(ctx, "g", "2026-03-14", 1000, 5000)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 5 {
			t.Fatalf("%d reservations of 1000 passed a budget of 5000", won)
		}
		if err := s.SettleTokens(ctx, "g", "2026-03-14", 1000, 400); err != nil {
			t.Fatal(err)
		}
		if _, tokens, _ := s.Usage(ctx, "g", "2026-03-14"); tokens != 400 {
			t.Errorf("tokens = %d after settling, want 400", tokens)
		}
		if ok, _ := s.ReserveTokens(ctx, "g", "2026-03-14", 600, 5000); !ok {
			t.Errorf("the settled job's unused tokens were not freed")
		}
	})
}

func TestClaimSummary(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
		if ok, err := s.ClaimSummary(ctx, "k", "a", now, time.Minute); !ok || err != nil {
			t.Fatalf("first claim: %v %v", ok, err)
		}
		if ok, _ := s.ClaimSummary(ctx, "k", "b", now.Add(30*time.Second), time.Minute); ok {
			t.Fatal("b took a live claim")
		}
		if ok, _ := s.ClaimSummary(ctx, "k", "b", now.Add(2*time.Minute), time.Minute); !ok {
			t.Fatal("b could not take an expired claim")
		}
		if err := s.ReleaseSummary(ctx, "k", "a"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimSummary(ctx, "k", "c", now.Add(2*time.Minute), time.Minute); ok {
			t.Fatal("a's release freed b's claim")
		}
		_ = s.ReleaseSummary(ctx, "k", "b")
		if ok, _ := s.ClaimSummary(ctx, "k", "c", now.Add(2*time.Minute), time.Minute); !ok {
			t.Fatal("released claim not free")
		}
	})
}

// forEachEngine runs fn on a fresh store of each backend.
func forEachEngine(t *testing.T, fn func(t *testing.T, s *Store)) {
	forEachBackend(t, func(t *testing.T, b backend) { fn(t, b.open(t, nil)) })
}
