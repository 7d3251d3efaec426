package digest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/store"
)

func TestParseClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"09:00", "09:00", true},
		{"9:05", "09:05", true},
		{" 23:59 ", "23:59", true},
		{"00:00", "00:00", true},
		{"24:00", "", false},
		{"12:60", "", false},
		{"12", "", false},
		{"12:5", "", false},
		{"noon", "", false},
		{"-1:30", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := parseClock(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseClock(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && got.String() != tt.want {
			t.Errorf("parseClock(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestScheduledAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		zone string
		date string
		at   string
		want string // UTC
	}{
		{"new york ordinary day", "America/New_York", "2025-03-08", "09:00", "2025-03-08T14:00:00Z"},
		{"new york spring forward, in the gap", "America/New_York", "2025-03-09", "02:30", "2025-03-09T07:30:00Z"}, // 03:30 EDT
		{"new york spring forward, gap start", "America/New_York", "2025-03-09", "02:00", "2025-03-09T07:00:00Z"},  // 03:00 EDT
		{"new york spring forward, after", "America/New_York", "2025-03-09", "09:00", "2025-03-09T13:00:00Z"},
		{"new york fall back, ambiguous: first", "America/New_York", "2025-11-02", "01:30", "2025-11-02T05:30:00Z"}, // 01:30 EDT
		{"new york fall back, after", "America/New_York", "2025-11-02", "09:00", "2025-11-02T14:00:00Z"},
		{"berlin spring forward, in the gap", "Europe/Berlin", "2025-03-30", "02:30", "2025-03-30T01:30:00Z"},  // 03:30 CEST
		{"berlin fall back, ambiguous: first", "Europe/Berlin", "2025-10-26", "02:30", "2025-10-26T00:30:00Z"}, // 02:30 CEST
		{"berlin fall back, after", "Europe/Berlin", "2025-10-26", "08:00", "2025-10-26T07:00:00Z"},
		{"kolkata half-hour offset", "Asia/Kolkata", "2025-03-09", "09:00", "2025-03-09T03:30:00Z"},
		{"kolkata just after midnight", "Asia/Kolkata", "2025-03-09", "00:15", "2025-03-08T18:45:00Z"},
		{"utc", "UTC", "2025-06-01", "23:59", "2025-06-01T23:59:00Z"},
		{"lord howe half-hour DST gap", "Australia/Lord_Howe", "2025-10-05", "02:15", "2025-10-04T15:45:00Z"}, // 02:45 +11
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc := mustLoad(t, tt.zone)
			d, err := time.Parse(dateLayout, tt.date)
			if err != nil {
				t.Fatal(err)
			}
			c, err := parseClock(tt.at)
			if err != nil {
				t.Fatal(err)
			}
			got := scheduledAt(d.Year(), d.Month(), d.Day(), c, loc)
			if want, _ := time.Parse(time.RFC3339, tt.want); !got.Equal(want) {
				t.Errorf("scheduledAt(%s %s %s) = %s (%s), want %s", tt.date, tt.at, tt.zone, got.UTC().Format(time.RFC3339), got.In(loc), tt.want)
			}
			if got.In(loc).Format(dateLayout) != tt.date {
				t.Errorf("run falls on local date %s, want %s", got.In(loc).Format(dateLayout), tt.date)
			}
		})
	}
}

// simulateDay sets a schedule the day before, then calls RunDue every
// minute across the whole local day and the next, and returns what was
// posted.
func simulateDay(t *testing.T, zone, at string, day string) []sent {
	t.Helper()
	loc := mustLoad(t, zone)
	d, err := time.ParseInLocation(dateLayout, day, loc)
	if err != nil {
		t.Fatal(err)
	}
	start := d.AddDate(0, 0, -1).Add(12 * time.Hour) // noon the day before
	clock := newFakeClock(start)
	st := newMemStore()
	poster := &fakePoster{}
	svc := newTestService(t, st, clock, poster, "a")
	ctx := context.Background()
	if _, err := svc.Set(ctx, "g1", "c1", at, zone, "shared"); err != nil {
		t.Fatal(err)
	}
	// Yesterday's run happens too (at its own time); count only the day.
	end := d.AddDate(0, 0, 1).Add(-time.Minute)
	for now := start; !now.After(end.Add(time.Minute)); now = now.Add(time.Minute) {
		clock.Set(now)
		svc.RunDue(ctx)
	}
	var onDay []sent
	for _, s := range poster.sent() {
		if s.at.In(loc).Format(dateLayout) == day {
			onDay = append(onDay, s)
		}
	}
	return onDay
}

func TestDigestRunsOncePerLocalDayAcrossDST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, zone, at, day string
		want                string // expected post instant, UTC
	}{
		{"new york spring forward 02:30 runs 03:30 EDT", "America/New_York", "02:30", "2025-03-09", "2025-03-09T07:30:00Z"},
		{"new york fall back 01:30 runs once, first", "America/New_York", "01:30", "2025-11-02", "2025-11-02T05:30:00Z"},
		{"new york fall back 09:00", "America/New_York", "09:00", "2025-11-02", "2025-11-02T14:00:00Z"},
		{"berlin spring forward 02:30 runs 03:30 CEST", "Europe/Berlin", "02:30", "2025-03-30", "2025-03-30T01:30:00Z"},
		{"berlin fall back 02:30 runs once, first", "Europe/Berlin", "02:30", "2025-10-26", "2025-10-26T00:30:00Z"},
		{"kolkata 07:45", "Asia/Kolkata", "07:45", "2025-03-09", "2025-03-09T02:15:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			posts := simulateDay(t, tt.zone, tt.at, tt.day)
			if len(posts) != 1 {
				t.Fatalf("posted %d times on %s, want exactly once", len(posts), tt.day)
			}
			want, _ := time.Parse(time.RFC3339, tt.want)
			if !posts[0].at.Equal(want) {
				t.Errorf("posted at %s, want %s", posts[0].at.UTC().Format(time.RFC3339), tt.want)
			}
		})
	}
}

func TestSetValidatesAndReturnsNextRun(t *testing.T) {
	t.Parallel()
	ny := mustLoad(t, "America/New_York")
	now := time.Date(2025, 3, 8, 10, 0, 0, 0, ny) // Saturday before spring forward
	tests := []struct {
		name                string
		hhmm, zone, sources string
		wantErr             bool
		want                time.Time
	}{
		{"later today", "18:00", "America/New_York", "both", false, time.Date(2025, 3, 8, 18, 0, 0, 0, ny)},
		{"already past: tomorrow across DST", "09:00", "America/New_York", "", false, time.Date(2025, 3, 9, 13, 0, 0, 0, time.UTC)},
		{"gap tomorrow", "02:30", "America/New_York", "feeds", false, time.Date(2025, 3, 9, 7, 30, 0, 0, time.UTC)},
		{"other zone, already past there", "16:00", "Asia/Kolkata", "shared", false, time.Date(2025, 3, 9, 10, 30, 0, 0, time.UTC)},
		{"bad time", "25:00", "UTC", "both", true, time.Time{}},
		{"bad time words", "noon", "UTC", "both", true, time.Time{}},
		{"unknown zone", "09:00", "Mars/Olympus", "both", true, time.Time{}},
		{"empty zone", "09:00", "", "both", true, time.Time{}},
		{"bad sources", "09:00", "UTC", "tweets", true, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newMemStore()
			svc := newTestService(t, st, newFakeClock(now), &fakePoster{}, "a")
			next, err := svc.Set(context.Background(), "g", "c", tt.hhmm, tt.zone, tt.sources)
			if tt.wantErr {
				var ue *UserError
				if !errors.As(err, &ue) || ue.Error() == "" {
					t.Fatalf("err = %v, want a *UserError", err)
				}
				if len(st.scheds) != 0 {
					t.Fatal("invalid schedule was saved")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !next.Equal(tt.want) {
				t.Errorf("next = %s, want %s", next.UTC(), tt.want.UTC())
			}
		})
	}
}

func TestMissedDigestPostedSameLocalDayOnly(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	ctx := context.Background()
	setAt := time.Date(2025, 5, 1, 20, 0, 0, 0, berlin)

	t.Run("same day", func(t *testing.T) {
		t.Parallel()
		st := newMemStore()
		clock := newFakeClock(setAt)
		if _, err := newTestService(t, st, clock, &fakePoster{}, "before-crash").Set(ctx, "g", "c", "09:00", "Europe/Berlin", "both"); err != nil {
			t.Fatal(err)
		}
		// Down from the evening until 15:10 the next day, past 09:00.
		clock.Set(time.Date(2025, 5, 2, 15, 10, 0, 0, berlin))
		poster := &fakePoster{}
		newTestService(t, st, clock, poster, "after-restart").RunDue(ctx)
		if n := len(poster.sent()); n != 1 {
			t.Fatalf("posted %d messages on start, want the missed digest", n)
		}
	})
	t.Run("next day", func(t *testing.T) {
		t.Parallel()
		st := newMemStore()
		clock := newFakeClock(setAt)
		if _, err := newTestService(t, st, clock, &fakePoster{}, "before-crash").Set(ctx, "g", "c", "09:00", "Europe/Berlin", "both"); err != nil {
			t.Fatal(err)
		}
		// Down all of 2 May; back at 08:00 on 3 May.
		clock.Set(time.Date(2025, 5, 3, 8, 0, 0, 0, berlin))
		poster := &fakePoster{}
		svc := newTestService(t, st, clock, poster, "after-restart")
		svc.RunDue(ctx)
		if n := len(poster.sent()); n != 0 {
			t.Fatalf("posted %d messages for a previous day", n)
		}
		clock.Set(time.Date(2025, 5, 3, 9, 0, 0, 0, berlin))
		svc.RunDue(ctx)
		if n := len(poster.sent()); n != 1 {
			t.Fatalf("posted %d messages at 09:00, want 1", n)
		}
	})
	t.Run("set after today's time starts tomorrow", func(t *testing.T) {
		t.Parallel()
		st := newMemStore()
		clock := newFakeClock(time.Date(2025, 5, 2, 10, 0, 0, 0, berlin))
		poster := &fakePoster{}
		svc := newTestService(t, st, clock, poster, "a")
		if _, err := svc.Set(ctx, "g", "c", "09:00", "Europe/Berlin", "both"); err != nil {
			t.Fatal(err)
		}
		svc.RunDue(ctx)
		if n := len(poster.sent()); n != 0 {
			t.Fatalf("posted %d messages right after /digest set for an earlier time", n)
		}
	})
}

func TestStaleClaimIsTakenOver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kolkata := mustLoad(t, "Asia/Kolkata")
	st := newMemStore()
	clock := newFakeClock(time.Date(2025, 7, 1, 8, 0, 0, 0, kolkata))
	poster := &fakePoster{}
	svc := newTestService(t, st, clock, poster, "new")
	if _, err := svc.Set(ctx, "g", "c", "09:30", "Asia/Kolkata", "both"); err != nil {
		t.Fatal(err)
	}
	// The previous process claimed today's run at 09:30 and died.
	claimedAt := time.Date(2025, 7, 1, 9, 30, 0, 0, kolkata)
	if ok, _ := st.ClaimDigestRun(ctx, "c", "2025-07-01", "dead", claimedAt, 10*time.Minute); !ok {
		t.Fatal("setup claim failed")
	}
	clock.Set(claimedAt.Add(5 * time.Minute))
	svc.RunDue(ctx)
	if n := len(poster.sent()); n != 0 {
		t.Fatalf("posted %d messages while another instance's claim was live", n)
	}
	clock.Set(claimedAt.Add(11 * time.Minute))
	svc.RunDue(ctx)
	svc.RunDue(ctx)
	if n := len(poster.sent()); n != 1 {
		t.Fatalf("posted %d messages after the lease ran out, want 1", n)
	}
	last, ok, _ := st.LastDigestRun(ctx, "c")
	if !ok || last.Status != store.RunDone || last.Owner != "new" {
		t.Fatalf("last run = %+v, want done by the new owner", last)
	}
}

// Two Services on one database post each channel's digest exactly once.
func testTwoSchedulers(t *testing.T, stA, stB Store) {
	ctx := context.Background()
	ny := mustLoad(t, "America/New_York")
	clock := newFakeClock(time.Date(2025, 3, 8, 12, 0, 0, 0, ny))
	poster := &fakePoster{clock: clock}
	a := newTestService(t, stA, clock, poster, "instance-a")
	b := newTestService(t, stB, clock, poster, "instance-b")
	for _, ch := range []string{"c1", "c2", "c3"} {
		if _, err := a.Set(ctx, "g", ch, "02:30", "America/New_York", "both"); err != nil {
			t.Fatal(err)
		}
	}
	// Every minute of the spring-forward night, both instances tick at once.
	for now := time.Date(2025, 3, 9, 1, 45, 0, 0, ny); now.Before(time.Date(2025, 3, 9, 4, 15, 0, 0, ny)); now = now.Add(time.Minute) {
		clock.Set(now)
		var wg sync.WaitGroup
		for _, s := range []*Service{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.RunDue(ctx)
			}()
		}
		wg.Wait()
	}
	per := make(map[string]int)
	for _, s := range poster.sent() {
		per[s.channelID]++
		if want := time.Date(2025, 3, 9, 7, 30, 0, 0, time.UTC); !s.at.Equal(want) {
			t.Errorf("channel %s posted at %s, want %s (03:30 EDT)", s.channelID, s.at.UTC(), want)
		}
	}
	for _, ch := range []string{"c1", "c2", "c3"} {
		if per[ch] != 1 {
			t.Errorf("channel %s got %d digests, want exactly 1", ch, per[ch])
		}
	}
}

func TestTwoSchedulersPostOnceFake(t *testing.T) {
	t.Parallel()
	st := newMemStore()
	testTwoSchedulers(t, st, st)
}

func TestRunLoopWithFakeClock(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	berlin := mustLoad(t, "Europe/Berlin")
	clock := newFakeClock(time.Date(2025, 10, 25, 23, 59, 30, 0, berlin))
	st := newMemStore()
	poster := &fakePoster{notify: make(chan sent, 4)}
	svc := newTestService(t, st, clock, poster, "a")
	if _, err := svc.Set(ctx, "g", "c", "00:00", "Europe/Berlin", "both"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	// Both loops (digests and feeds) ran once and now wait on the clock.
	<-clock.blocked
	<-clock.blocked
	clock.Advance(30 * time.Second) // midnight
	s := <-poster.notify
	if want := time.Date(2025, 10, 26, 0, 0, 0, 0, berlin); !s.at.Equal(want) {
		t.Errorf("posted at %s, want %s", s.at, want)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v", err)
	}
	if n := len(poster.sent()); n != 1 {
		t.Fatalf("posted %d messages, want 1", n)
	}
}

func TestZoneChangeDoesNotRepeatADay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	la := mustLoad(t, "America/Los_Angeles")
	clock := newFakeClock(time.Date(2025, 5, 1, 20, 0, 0, 0, time.UTC))
	st := newMemStore()
	poster := &fakePoster{}
	svc := newTestService(t, st, clock, poster, "a")
	if _, err := svc.Set(ctx, "g", "c", "00:30", "Europe/Berlin", "both"); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2025, 5, 1, 22, 30, 0, 0, time.UTC))
	svc.RunDue(ctx) // the 2 May digest, Berlin time
	if n := len(poster.sent()); n != 1 {
		t.Fatalf("Berlin digest: %d messages", n)
	}
	// Moving to Los Angeles, where it is 15:31 on 1 May: 16:00 today there
	// would be a second digest half an hour after the first.
	clock.Set(time.Date(2025, 5, 1, 22, 31, 0, 0, time.UTC))
	next, err := svc.Set(ctx, "g", "c", "16:00", "America/Los_Angeles", "both")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 5, 2, 16, 0, 0, 0, la); !next.Equal(want) {
		t.Errorf("next = %s, want %s", next, want)
	}
	for now := clock.Now(); now.Before(time.Date(2025, 5, 2, 15, 0, 0, 0, la)); now = now.Add(15 * time.Minute) {
		clock.Set(now)
		svc.RunDue(ctx)
	}
	if n := len(poster.sent()); n != 1 {
		t.Fatalf("posted %d digests before 2 May 16:00 in Los Angeles, want only the Berlin one", n)
	}
}
