package pipeline

import (
	"errors"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestLimiter(t *testing.T) {
	t.Parallel()
	type take struct {
		advance     time.Duration
		guild, user string
		n           int
		wantScope   string // "" = allowed
		wantRetry   time.Duration
	}
	for _, tc := range []struct {
		name         string
		user, server int
		takes        []take
	}{
		{name: "user limit, then window slides", user: 2, server: 0, takes: []take{
			{guild: "g", user: "u", n: 1},
			{advance: 10 * time.Minute, guild: "g", user: "u", n: 1},
			{guild: "g", user: "u", n: 1, wantScope: "user", wantRetry: 50 * time.Minute},
			{guild: "g", user: "other", n: 1},
			{advance: 50 * time.Minute, guild: "g", user: "u", n: 1},
		}},
		{name: "server limit shared by users and auto", user: 0, server: 3, takes: []take{
			{guild: "g", user: "a", n: 1},
			{guild: "g", user: "", n: 2},
			{guild: "g", user: "b", n: 1, wantScope: "server", wantRetry: time.Hour},
			{guild: "h", user: "b", n: 1},
		}},
		{name: "all or nothing", user: 5, server: 3, takes: []take{
			{guild: "g", user: "a", n: 2},
			{guild: "g", user: "a", n: 2, wantScope: "server", wantRetry: time.Hour},
			{guild: "g", user: "a", n: 1}, // the failed take took nothing
		}},
		{name: "user reported first", user: 1, server: 1, takes: []take{
			{guild: "g", user: "a", n: 1},
			{guild: "g", user: "a", n: 1, wantScope: "user", wantRetry: time.Hour},
		}},
		{name: "zero is no limit", takes: []take{{guild: "g", user: "a", n: 1000}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			l := NewLimiter(tc.user, tc.server, c.now)
			for i, tk := range tc.takes {
				c.add(tk.advance)
				err := l.Take(tk.guild, tk.user, tk.n)
				var qe *QuotaError
				switch {
				case tk.wantScope == "" && err != nil:
					t.Fatalf("take %d: %v", i, err)
				case tk.wantScope != "" && !errors.As(err, &qe):
					t.Fatalf("take %d: err %v, want QuotaError", i, err)
				case tk.wantScope != "" && (qe.Scope != tk.wantScope || qe.RetryIn != tk.wantRetry):
					t.Fatalf("take %d: %+v, want scope %s retry %s", i, qe, tk.wantScope, tk.wantRetry)
				}
			}
		})
	}
}

func TestLimiterRefund(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLimiter(2, 3, c.now)
	if err := l.Take("g", "u", 2); err != nil {
		t.Fatal(err)
	}
	l.Refund("g", "u", 2)
	if err := l.Take("g", "u", 2); err != nil {
		t.Fatalf("after a refund: %v", err)
	}
}
