package bot

import (
	"sync"
	"time"
)

// tracker counts in-flight event handlers so shutdown can wait for them,
// and refuses new ones once closed.
type tracker struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   chan struct{} // closed when n drops to 0 after close
}

// start registers a handler; it returns false once shutdown has begun.
func (t *tracker) start() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.n++
	return true
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 && t.idle != nil {
		close(t.idle)
		t.idle = nil
	}
}

func (t *tracker) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// close stops new handlers from starting.
func (t *tracker) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
}

// wait waits up to d for in-flight handlers; it reports whether all ended.
func (t *tracker) wait(d time.Duration) bool {
	t.mu.Lock()
	if t.n == 0 {
		t.mu.Unlock()
		return true
	}
	if t.idle == nil {
		t.idle = make(chan struct{})
	}
	idle := t.idle
	t.mu.Unlock()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-idle:
		return true
	case <-timer.C:
		return false
	}
}

// recentSet remembers keys for a while, bounded in size: the 📰 reactions
// already acted on, so several readers reacting get one summary.
type recentSet struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	seen  map[string]time.Time
	order []recentEntry // insertion order, oldest first
}

type recentEntry struct {
	key string
	at  time.Time
}

func newRecentSet(max int, ttl time.Duration, now func() time.Time) *recentSet {
	return &recentSet{max: max, ttl: ttl, now: now, seen: map[string]time.Time{}}
}

// add records key and reports whether it was new (or had expired).
func (r *recentSet) add(key string) bool {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.seen[key]; ok && now.Sub(t) < r.ttl {
		return false
	}
	for len(r.order) > 0 && (len(r.order) >= r.max || now.Sub(r.order[0].at) >= r.ttl) {
		e := r.order[0]
		if r.seen[e.key].Equal(e.at) {
			delete(r.seen, e.key)
		}
		r.order = r.order[1:]
	}
	r.order = append(r.order, recentEntry{key, now})
	r.seen[key] = now
	return true
}
