package pipeline

import (
	"sync"
	"time"
)

// Limiter enforces the hourly allowances per user and per server with a
// sliding one-hour window. Counts live in
// memory: a restart forgives the last hour, which is acceptable for a
// guard against floods (the daily token budget is in the database).
type Limiter struct {
	userLimit, serverLimit int
	now                    func() time.Time

	mu      sync.Mutex
	windows map[string][]time.Time // key -> times taken, oldest first
	takes   int
}

// NewLimiter returns a Limiter; a limit of 0 means no limit.
func NewLimiter(userPerHour, serverPerHour int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{userLimit: userPerHour, serverLimit: serverPerHour, now: now, windows: map[string][]time.Time{}}
}

// Take takes n from the server's allowance
// and, when userID is set, from the user's, or returns a
// *QuotaError and takes nothing.
func (l *Limiter) Take(guildID, userID string, n int) error {
	if n <= 0 {
		return nil
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.takes++
	if l.takes%1024 == 0 {
		l.prune(now)
	}
	type check struct {
		key, scope string
		limit      int
	}
	var checks []check
	if guildID != "" && l.serverLimit > 0 {
		checks = append(checks, check{"g:" + guildID, "server", l.serverLimit})
	}
	if userID != "" && l.userLimit > 0 {
		checks = append(checks, check{"u:" + userID, "user", l.userLimit})
	}
	// User first: "you" is the more useful message when both are out.
	for i := len(checks) - 1; i >= 0; i-- {
		c := checks[i]
		w := l.live(c.key, now)
		if len(w)+n > c.limit {
			retry := time.Hour
			if k := len(w) + n - c.limit - 1; k < len(w) {
				retry = w[k].Add(time.Hour).Sub(now)
			}
			return &QuotaError{Scope: c.scope, Limit: c.limit, RetryIn: retry}
		}
	}
	for _, c := range checks {
		w := l.windows[c.key]
		for range n {
			w = append(w, now)
		}
		l.windows[c.key] = w
	}
	return nil
}

// live drops entries older than an hour and returns the rest.
func (l *Limiter) live(key string, now time.Time) []time.Time {
	w := l.windows[key]
	cut := 0
	for cut < len(w) && !w[cut].Add(time.Hour).After(now) {
		cut++
	}
	if cut > 0 {
		w = append(w[:0], w[cut:]...)
		if len(w) == 0 {
			delete(l.windows, key)
			return nil
		}
		l.windows[key] = w
	}
	return w
}

func (l *Limiter) prune(now time.Time) {
	for k := range l.windows {
		l.live(k, now)
	}
}

// Refund gives back n summaries taken from the server's and the user's
// allowances, newest first: work that was refused (queue full) costs
// nothing.
func (l *Limiter) Refund(guildID, userID string, n int) {
	if n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, key := range []string{"g:" + guildID, "u:" + userID} {
		if key == "g:" || key == "u:" {
			continue
		}
		w := l.windows[key]
		w = w[:max(0, len(w)-n)]
		if len(w) == 0 {
			delete(l.windows, key)
		} else {
			l.windows[key] = w
		}
	}
}
