package store

import (
	"context"
	"errors"
	"testing"
)

func TestRecapEnabled(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := b.open(t, newClock())
		ctx := context.Background()
		check := func(channel string, want bool) {
			t.Helper()
			got, err := s.RecapEnabled(ctx, "g1", channel)
			if err != nil || got != want {
				t.Fatalf("RecapEnabled(%s) = %v, %v; want %v", channel, got, err, want)
			}
		}
		check("c1", false) // off by default
		for _, on := range []bool{true, true, false, true} {
			if err := s.SetRecapEnabled(ctx, "g1", "c1", on); err != nil {
				t.Fatal(err)
			}
			check("c1", on)
		}
		check("c2", false)
		if ok, _ := s.RecapEnabled(ctx, "g2", "c1"); ok {
			t.Error("setting leaked to another server")
		}
		if err := s.SetRecapEnabled(ctx, "", "c1", true); !errors.Is(err, ErrInvalid) {
			t.Errorf("empty guild: %v", err)
		}
	})
}
