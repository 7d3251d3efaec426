package pipeline

import (
	"context"
	"sync/atomic"
)

// slots bounds how many jobs do one kind of work at once, with a bounded
// number waiting: a job that would wait beyond it gets ErrBusy at once,
// never an unbounded backlog. Fetching and extracting (CPU and network) get
// one set, requests to the model another, so a job waiting for the model
// holds no fetch slot and a slow model never starves fetching.
type slots struct {
	sem      chan struct{}
	waiting  atomic.Int64
	maxWait  int64
	onChange func(waiting, busy int) // metrics; may be nil
}

func newSlots(n, maxWaiting int, onChange func(waiting, busy int)) *slots {
	return &slots{sem: make(chan struct{}, n), maxWait: int64(maxWaiting), onChange: onChange}
}

// acquire takes a slot, waiting while ctx lasts; it returns ErrBusy when
// too many jobs wait already. Call the returned release exactly once.
func (s *slots) acquire(ctx context.Context) (release func(), err error) {
	select {
	case s.sem <- struct{}{}:
		s.changed()
		return s.release, nil
	default:
	}
	if s.maxWait >= 0 && s.waiting.Add(1) > s.maxWait {
		s.waiting.Add(-1)
		return nil, ErrBusy
	}
	s.changed()
	defer func() { s.waiting.Add(-1); s.changed() }()
	select {
	case s.sem <- struct{}{}:
		return s.release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *slots) release() {
	<-s.sem
	s.changed()
}

func (s *slots) changed() {
	if s.onChange != nil {
		s.onChange(int(s.waiting.Load()), len(s.sem))
	}
}
