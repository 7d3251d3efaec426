package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSummaries(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clock := newClock()
		s := b.open(t, clock)

		if _, ok, err := s.CachedSummary(ctx, "missing"); ok || err != nil {
			t.Fatalf("CachedSummary(missing) = %v, %v", ok, err)
		}
		if _, ok, err := s.LatestSummaryByURL(ctx, "https://a.example/x"); ok || err != nil {
			t.Fatalf("LatestSummaryByURL(missing) = %v, %v", ok, err)
		}
		if err := s.PutSummary(ctx, "", "u", []byte("x")); !errors.Is(err, ErrInvalid) {
			t.Errorf("PutSummary with empty key: err = %v", err)
		}

		t0 := clock.Now()
		steps := []struct {
			key, url, data string
		}{
			{"a|short", "https://a.example/x", `{"v":1}`},
			{"a|long", "https://a.example/x", `{"v":2}`},
			{"b|short", "https://b.example/y", `{"v":3}`},
			{"a|short", "https://a.example/x", `{"v":4}`}, // overwrite: newest for a again
		}
		for _, st := range steps {
			clock.Advance(time.Minute)
			if err := s.PutSummary(ctx, st.key, st.url, []byte(st.data)); err != nil {
				t.Fatalf("PutSummary(%s): %v", st.key, err)
			}
		}
		for key, want := range map[string]string{"a|short": `{"v":4}`, "a|long": `{"v":2}`, "b|short": `{"v":3}`} {
			got, ok, err := s.CachedSummary(ctx, key)
			if err != nil || !ok || string(got) != want {
				t.Errorf("CachedSummary(%s) = %q, %v, %v; want %q", key, got, ok, err, want)
			}
		}
		for url, want := range map[string]string{"https://a.example/x": `{"v":4}`, "https://b.example/y": `{"v":3}`} {
			got, ok, err := s.LatestSummaryByURL(ctx, url)
			if err != nil || !ok || string(got) != want {
				t.Errorf("LatestSummaryByURL(%s) = %q, %v, %v; want %q", url, got, ok, err, want)
			}
		}

		// Binary data survives untouched.
		bin := []byte{0, 1, 2, 0xff, 0xfe, '\n'}
		if err := s.PutSummary(ctx, "bin", "u", bin); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.CachedSummary(ctx, "bin"); !reflect.DeepEqual(got, bin) {
			t.Errorf("binary round trip = %v, want %v", got, bin)
		}

		// Rows stamped at t0+1m (a|short was re-stamped at +4m), +2m, +3m, "bin" at +4m.
		n, err := s.PruneSummaries(ctx, t0.Add(2*time.Minute+time.Second))
		if err != nil || n != 1 {
			t.Fatalf("PruneSummaries = %d, %v; want 1 (a|long)", n, err)
		}
		if _, ok, _ := s.CachedSummary(ctx, "a|long"); ok {
			t.Error("a|long survived pruning")
		}
		if _, ok, _ := s.CachedSummary(ctx, "b|short"); !ok {
			t.Error("b|short was pruned")
		}
	})
}

func TestLinks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clock := newClock()
		s := b.open(t, clock)
		base := clock.Now()

		links := []SharedLink{
			{URL: "https://a.example/1?utm=x", NormURL: "https://a.example/1", GuildID: "g1", ChannelID: "c1", MessageID: "m1", AuthorID: "u1", SharedAt: base.Add(2 * time.Hour)},
			{URL: "https://a.example/2", NormURL: "https://a.example/2", GuildID: "g1", ChannelID: "c1", MessageID: "m1", AuthorID: "u1", SharedAt: base.Add(2 * time.Hour)},
			{URL: "https://b.example/1", NormURL: "https://b.example/1", GuildID: "g1", ChannelID: "c2", MessageID: "m0", AuthorID: "u2", SharedAt: base.Add(time.Hour)},
			{URL: "https://c.example/old", NormURL: "https://c.example/old", GuildID: "g1", ChannelID: "c2", MessageID: "m9", AuthorID: "u2", SharedAt: base.Add(-time.Hour)},
			{URL: "https://other.example", NormURL: "https://other.example", GuildID: "g2", ChannelID: "c9", MessageID: "m5", AuthorID: "u3", SharedAt: base.Add(time.Hour)},
		}
		for _, l := range links {
			if err := s.RecordLink(ctx, l); err != nil {
				t.Fatalf("RecordLink(%+v): %v", l, err)
			}
		}
		// Replays (even with different details) change nothing.
		replay := links[0]
		replay.SharedAt = base.Add(5 * time.Hour)
		replay.URL = "https://a.example/1?utm=y"
		if err := s.RecordLink(ctx, replay); err != nil {
			t.Fatal(err)
		}
		// A link without a time is stamped with the store clock.
		clock.Advance(3 * time.Hour)
		stamped := SharedLink{URL: "https://d.example", NormURL: "https://d.example", GuildID: "g1", ChannelID: "c1", MessageID: "m7", AuthorID: "u1"}
		if err := s.RecordLink(ctx, stamped); err != nil {
			t.Fatal(err)
		}
		stamped.SharedAt = clock.Now()

		got, err := s.LinksSince(ctx, "g1", base)
		if err != nil {
			t.Fatal(err)
		}
		want := []SharedLink{links[2], links[0], links[1], stamped}
		if !sameLinks(got, want) {
			t.Errorf("LinksSince(g1, base) =\n%+v\nwant\n%+v", got, want)
		}
		// since is inclusive.
		got, err = s.LinksSince(ctx, "g1", base.Add(2*time.Hour))
		if err != nil || !sameLinks(got, []SharedLink{links[0], links[1], stamped}) {
			t.Errorf("LinksSince(g1, base+2h) = %+v, %v", got, err)
		}
		if got, err := s.LinksSince(ctx, "nobody", time.Time{}); err != nil || len(got) != 0 {
			t.Errorf("LinksSince(nobody) = %+v, %v", got, err)
		}

		for _, bad := range []SharedLink{{NormURL: "u"}, {MessageID: "m"}} {
			if err := s.RecordLink(ctx, bad); !errors.Is(err, ErrInvalid) {
				t.Errorf("RecordLink(%+v): err = %v, want ErrInvalid", bad, err)
			}
		}
	})
}

func sameLinks(a, b []SharedLink) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.SharedAt.Equal(y.SharedAt) {
			return false
		}
		x.SharedAt, y.SharedAt = time.Time{}, time.Time{}
		if x != y {
			return false
		}
	}
	return true
}

func TestChannelSettings(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, nil)

		got, err := s.ChannelSettings(ctx, "g", "c")
		want := ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "auto"}
		if err != nil || got != want {
			t.Fatalf("defaults = %+v, %v; want %+v", got, err, want)
		}

		tests := []struct {
			name    string
			in      ChannelSettings
			want    ChannelSettings
			wantErr bool
		}{
			{"reaction", ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "reaction", Language: "de", MinWords: 120},
				ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "reaction", Language: "de", MinWords: 120}, false},
			{"upsert to off", ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "off"},
				ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "off"}, false},
			{"mode case folded", ChannelSettings{GuildID: "g", ChannelID: "c", Mode: " Reaction "},
				ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "reaction"}, false},
			{"empty mode is auto", ChannelSettings{GuildID: "g", ChannelID: "c", Language: "fr"},
				ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "auto", Language: "fr"}, false},
			{"unknown mode", ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "sometimes"}, ChannelSettings{}, true},
			{"length", ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "auto", Length: " Short"},
				ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "auto", Length: "short"}, false},
			{"unknown length", ChannelSettings{GuildID: "g", ChannelID: "c", Length: "tiny"}, ChannelSettings{}, true},
			{"negative min words", ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "auto", MinWords: -1}, ChannelSettings{}, true},
			{"missing channel", ChannelSettings{GuildID: "g", Mode: "auto"}, ChannelSettings{}, true},
		}
		// Sequential: each step builds on the last.
		last := want
		for _, tt := range tests {
			err := s.SetChannelSettings(ctx, tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("%s: err = %v, want ErrInvalid", tt.name, err)
				}
			} else {
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				last = tt.want
			}
			got, err := s.ChannelSettings(ctx, "g", "c")
			if err != nil || got != last {
				t.Errorf("%s: ChannelSettings = %+v, %v; want %+v", tt.name, got, err, last)
			}
		}
		// Other channels keep defaults.
		if got, _ := s.ChannelSettings(ctx, "g", "other"); got.Mode != "auto" {
			t.Errorf("other channel = %+v", got)
		}
	})
}

func TestUsage(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, nil)

		adds := []struct {
			guild, day        string
			summaries, tokens int
		}{
			{"g1", "2025-03-14", 1, 100},
			{"g1", "2025-03-14", 2, 250},
			{"g1", "2025-03-15", 1, 10},
			{"g2", "2025-03-14", 5, 0},
		}
		for _, a := range adds {
			if err := s.AddUsage(ctx, a.guild, a.day, a.summaries, a.tokens); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			guild, day        string
			summaries, tokens int
		}{
			{"g1", "2025-03-14", 3, 350},
			{"g1", "2025-03-15", 1, 10},
			{"g2", "2025-03-14", 5, 0},
			{"g2", "2025-03-15", 0, 0},
			{"nobody", "2025-03-14", 0, 0},
		}
		for _, tt := range tests {
			sum, tok, err := s.Usage(ctx, tt.guild, tt.day)
			if err != nil || sum != tt.summaries || tok != tt.tokens {
				t.Errorf("Usage(%s, %s) = %d, %d, %v; want %d, %d", tt.guild, tt.day, sum, tok, err, tt.summaries, tt.tokens)
			}
		}
		for _, bad := range []string{"", "2025-3-14", "14.03.2025", "2025-03-14T00:00:00Z", "2025-13-01"} {
			if err := s.AddUsage(ctx, "g1", bad, 1, 1); !errors.Is(err, ErrInvalid) {
				t.Errorf("AddUsage(day %q): err = %v, want ErrInvalid", bad, err)
			}
		}
	})
}

// TestUsageConcurrentProcesses increments one counter from two Stores on
// one file (two processes, in effect): no update may be lost and no writer
// may fail with SQLITE_BUSY.
func TestUsageConcurrentProcesses(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		u := b.newURL(t)
		stores := []*Store{openURL(t, u, nil), openURL(t, u, nil)}
		const perStore, each = 20, 5
		var wg sync.WaitGroup
		errs := make(chan error, len(stores)*perStore*each)
		for _, s := range stores {
			for range perStore {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range each {
						errs <- s.AddUsage(ctx, "g", "2025-03-14", 1, 10)
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("AddUsage: %v", err)
			}
		}
		sum, tok, err := stores[1].Usage(ctx, "g", "2025-03-14")
		total := len(stores) * perStore * each
		if err != nil || sum != total || tok != total*10 {
			t.Errorf("Usage = %d, %d, %v; want %d, %d", sum, tok, err, total, total*10)
		}
	})
}

func TestDigestSchedules(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clock := newClock()
		s := b.open(t, clock)

		updated := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
		scheds := []DigestSchedule{
			{GuildID: "g2", ChannelID: "c1", Time: "07:30", Timezone: "UTC", Sources: "both", UpdatedAt: updated},
			{GuildID: "g1", ChannelID: "c2", Time: "18:00", Timezone: "Europe/Berlin", Sources: "feeds", QuietDay: true, UpdatedAt: updated},
			{GuildID: "g1", ChannelID: "c1", Time: "09:00", Timezone: "America/New_York", Sources: "shared"},
		}
		for _, d := range scheds {
			if err := s.SetDigestSchedule(ctx, d); err != nil {
				t.Fatalf("SetDigestSchedule(%+v): %v", d, err)
			}
		}
		scheds[2].UpdatedAt = clock.Now() // stamped by the store

		// Replace g1/c2.
		clock.Advance(time.Hour)
		repl := DigestSchedule{GuildID: "g1", ChannelID: "c2", Time: "06:05", Timezone: "Asia/Tokyo", Sources: "both"}
		if err := s.SetDigestSchedule(ctx, repl); err != nil {
			t.Fatal(err)
		}
		repl.UpdatedAt = clock.Now()

		all, err := s.DigestSchedules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := []DigestSchedule{scheds[2], repl, scheds[0]}; !sameSchedules(all, want) {
			t.Errorf("DigestSchedules =\n%+v\nwant\n%+v", all, want)
		}
		g1, err := s.GuildDigestSchedules(ctx, "g1")
		if err != nil || !sameSchedules(g1, []DigestSchedule{scheds[2], repl}) {
			t.Errorf("GuildDigestSchedules(g1) = %+v, %v", g1, err)
		}

		// Delete one, then the rest of the guild; deleting nothing is fine.
		if err := s.DeleteDigestSchedule(ctx, "g1", "c1"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteDigestSchedule(ctx, "g1", "c1"); err != nil {
			t.Fatal(err)
		}
		if g1, _ := s.GuildDigestSchedules(ctx, "g1"); !sameSchedules(g1, []DigestSchedule{repl}) {
			t.Errorf("after deleting c1: %+v", g1)
		}
		if err := s.DeleteDigestSchedule(ctx, "g1", ""); err != nil {
			t.Fatal(err)
		}
		if all, _ := s.DigestSchedules(ctx); !sameSchedules(all, []DigestSchedule{scheds[0]}) {
			t.Errorf("after deleting g1: %+v", all)
		}

		bad := []DigestSchedule{
			{GuildID: "g", ChannelID: "c", Time: "9:00", Timezone: "UTC", Sources: "both"},
			{GuildID: "g", ChannelID: "c", Time: "24:00", Timezone: "UTC", Sources: "both"},
			{GuildID: "g", ChannelID: "c", Time: "09:00", Timezone: "Mars/Olympus", Sources: "both"},
			{GuildID: "g", ChannelID: "c", Time: "09:00", Timezone: "UTC", Sources: "rss"},
			{ChannelID: "c", Time: "09:00", Timezone: "UTC", Sources: "both"},
		}
		for _, d := range bad {
			if err := s.SetDigestSchedule(ctx, d); !errors.Is(err, ErrInvalid) {
				t.Errorf("SetDigestSchedule(%+v): err = %v, want ErrInvalid", d, err)
			}
		}
	})
}

func sameSchedules(a, b []DigestSchedule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.UpdatedAt.Equal(y.UpdatedAt) {
			return false
		}
		x.UpdatedAt, y.UpdatedAt = time.Time{}, time.Time{}
		if x != y {
			return false
		}
	}
	return true
}

func TestDigestRuns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, nil)
		t0 := time.Date(2025, 3, 14, 8, 0, 0, 0, time.UTC)
		const lease = 10 * time.Minute

		if _, ok, err := s.LastDigestRun(ctx, "c"); ok || err != nil {
			t.Fatalf("LastDigestRun before any = %v, %v", ok, err)
		}
		steps := []struct {
			name  string
			owner string
			date  string
			at    time.Time
			want  bool
		}{
			{"first claim wins", "a", "2025-03-14", t0, true},
			{"second claimer loses", "b", "2025-03-14", t0.Add(time.Minute), false},
			{"same owner again loses", "a", "2025-03-14", t0.Add(time.Minute), false},
			{"exactly at lease end still held", "b", "2025-03-14", t0.Add(lease), false},
			{"stale claim taken over", "b", "2025-03-14", t0.Add(lease + time.Nanosecond), true},
			{"takeover is itself a fresh claim", "c", "2025-03-14", t0.Add(lease + time.Minute), false},
			{"other date is independent", "c", "2025-03-15", t0, true},
		}
		for _, st := range steps {
			got, err := s.ClaimDigestRun(ctx, "c", st.date, st.owner, st.at, lease)
			if err != nil || got != st.want {
				t.Fatalf("%s: ClaimDigestRun = %v, %v; want %v", st.name, got, err, st.want)
			}
		}

		run, ok, err := s.LastDigestRun(ctx, "c")
		want := DigestRun{ChannelID: "c", LocalDate: "2025-03-15", Owner: "c", Status: "claimed", ClaimedAt: t0}
		if err != nil || !ok || !sameRun(run, want) {
			t.Fatalf("LastDigestRun = %+v, %v, %v; want %+v", run, ok, err, want)
		}

		finished := t0.Add(lease + 2*time.Minute)
		if err := s.FinishDigestRun(ctx, "c", "2025-03-14", "a", finished, `{"items":3}`); !errors.Is(err, ErrNotFound) {
			t.Fatalf("finish by the owner whose claim was taken over: %v, want ErrNotFound", err)
		}
		if err := s.FinishDigestRun(ctx, "c", "2025-03-14", "b", finished, `{"items":3}`); err != nil {
			t.Fatal(err)
		}
		// A done run is never claimed again, however old.
		if got, err := s.ClaimDigestRun(ctx, "c", "2025-03-14", "d", finished.Add(48*time.Hour), lease); got || err != nil {
			t.Errorf("claim of a done run = %v, %v", got, err)
		}
		if err := s.FinishDigestRun(ctx, "c", "2025-03-15", "c", finished, `{}`); err != nil {
			t.Fatal(err)
		}
		run, ok, err = s.LastDigestRun(ctx, "c")
		want = DigestRun{ChannelID: "c", LocalDate: "2025-03-15", Owner: "c", Status: "done", Report: `{}`, ClaimedAt: t0, FinishedAt: finished}
		if err != nil || !ok || !sameRun(run, want) {
			t.Errorf("LastDigestRun = %+v, %v, %v; want %+v", run, ok, err, want)
		}

		// The taken-over run records its new owner and report.
		if _, err := s.db.ExecContext(ctx, `DELETE FROM digest_runs WHERE local_date = '2025-03-15'`); err != nil {
			t.Fatal(err)
		}
		run, _, _ = s.LastDigestRun(ctx, "c")
		want = DigestRun{ChannelID: "c", LocalDate: "2025-03-14", Owner: "b", Status: "done", Report: `{"items":3}`,
			ClaimedAt: t0.Add(lease + time.Nanosecond), FinishedAt: finished}
		if !sameRun(run, want) {
			t.Errorf("LastDigestRun after takeover = %+v, want %+v", run, want)
		}

		if err := s.FinishDigestRun(ctx, "never", "2025-03-14", "a", finished, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("FinishDigestRun of an unclaimed run: err = %v, want ErrNotFound", err)
		}
		for _, lease := range []time.Duration{0, -time.Second} {
			if _, err := s.ClaimDigestRun(ctx, "c", "2025-04-01", "a", t0, lease); !errors.Is(err, ErrInvalid) {
				t.Errorf("lease %v: err = %v, want ErrInvalid", lease, err)
			}
		}
		if _, err := s.ClaimDigestRun(ctx, "", "2025-04-01", "a", t0, lease); !errors.Is(err, ErrInvalid) {
			t.Errorf("empty channel: err = %v, want ErrInvalid", err)
		}
	})
}

// sameRun compares runs, ignoring LeaseUntil when want leaves it zero.
func sameRun(got, want DigestRun) bool {
	if want.LeaseUntil.IsZero() {
		got.LeaseUntil = time.Time{}
	}
	for _, p := range [][2]*time.Time{{&got.ClaimedAt, &want.ClaimedAt}, {&got.FinishedAt, &want.FinishedAt},
		{&got.LeaseUntil, &want.LeaseUntil}, {&got.NextAttempt, &want.NextAttempt}} {
		if !p[0].Equal(*p[1]) {
			return false
		}
		*p[0], *p[1] = time.Time{}, time.Time{}
	}
	return reflect.DeepEqual(got, want)
}

// TestClaimDigestRunRace races 20 goroutines on each of two Stores opened
// separately on one file (as two processes would) for several runs: each
// run must have exactly one winner, first for fresh claims and then for the
// takeover of stale ones.
func TestClaimDigestRunRace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		u := b.newURL(t)
		stores := []*Store{openURL(t, u, nil), openURL(t, u, nil)}
		const perStore = 20
		const lease = time.Minute
		t0 := time.Date(2025, 3, 14, 8, 0, 0, 0, time.UTC)

		race := func(date string, now time.Time) (winners []string) {
			var mu sync.Mutex
			var wg sync.WaitGroup
			start := make(chan struct{})
			var failures atomic.Int32
			for si, s := range stores {
				for g := range perStore {
					owner := fmt.Sprintf("store%d-g%d", si, g)
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						ok, err := s.ClaimDigestRun(ctx, "chan", date, owner, now, lease)
						if err != nil {
							failures.Add(1)
							t.Errorf("ClaimDigestRun(%s): %v", owner, err)
							return
						}
						if ok {
							mu.Lock()
							winners = append(winners, owner)
							mu.Unlock()
						}
					}()
				}
			}
			close(start)
			wg.Wait()
			return winners
		}

		lastWinner := map[string]string{}
		for day := 1; day <= 12; day++ {
			date := fmt.Sprintf("2025-03-%02d", day)
			winners := race(date, t0)
			if len(winners) != 1 {
				t.Fatalf("%s fresh claim: winners = %v, want exactly one", date, winners)
			}
			run, _, err := stores[0].LastDigestRun(ctx, "chan")
			if err != nil || run.LocalDate != date || run.Owner != winners[0] {
				t.Errorf("%s: LastDigestRun = %+v, %v; want owner %s", date, run, err, winners[0])
			}

			// Still within the lease: nobody wins.
			if w := race(date, t0.Add(lease)); len(w) != 0 {
				t.Fatalf("%s within lease: winners = %v, want none", date, w)
			}
			// The winner "died": after the lease exactly one racer takes over.
			winners = race(date, t0.Add(lease+time.Second))
			if len(winners) != 1 {
				t.Fatalf("%s stale takeover: winners = %v, want exactly one", date, winners)
			}
			lastWinner[date] = winners[0]
		}

		// Once done, no racer wins, however late.
		if err := stores[1].FinishDigestRun(ctx, "chan", "2025-03-01", lastWinner["2025-03-01"], t0, "{}"); err != nil {
			t.Fatal(err)
		}
		if w := race("2025-03-01", t0.Add(24*time.Hour)); len(w) != 0 {
			t.Errorf("done run: winners = %v, want none", w)
		}
	})
}

func TestFeeds(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clock := newClock()
		s := b.open(t, clock)

		adds := []Feed{
			{GuildID: "g1", ChannelID: "c1", URL: "https://b.example/feed"},
			{GuildID: "g1", ChannelID: "c1", URL: "https://a.example/rss"},
			{GuildID: "g1", ChannelID: "c2", URL: "https://a.example/rss"},
			{GuildID: "g2", ChannelID: "c9", URL: "https://z.example/atom", AddedAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		}
		for i := range adds {
			clock.Advance(time.Minute)
			if err := s.AddFeed(ctx, adds[i]); err != nil {
				t.Fatal(err)
			}
			if adds[i].AddedAt.IsZero() {
				adds[i].AddedAt = clock.Now()
			}
		}
		// Adding again is a no-op that keeps the original time.
		clock.Advance(time.Hour)
		if err := s.AddFeed(ctx, Feed{GuildID: "g1", ChannelID: "c1", URL: "https://b.example/feed"}); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			guild, channel string
			want           []Feed
		}{
			{"g1", "c1", []Feed{adds[0], adds[1]}},
			{"g1", "c2", []Feed{adds[2]}},
			{"g1", "", []Feed{adds[0], adds[1], adds[2]}},
			{"g2", "c9", []Feed{adds[3]}},
			{"g3", "", nil},
		}
		for _, tt := range tests {
			got, err := s.Feeds(ctx, tt.guild, tt.channel)
			if err != nil || !sameFeeds(got, tt.want) {
				t.Errorf("Feeds(%s, %q) = %+v, %v; want %+v", tt.guild, tt.channel, got, err, tt.want)
			}
		}
		urls, err := s.AllFeedURLs(ctx)
		if want := []string{"https://a.example/rss", "https://b.example/feed", "https://z.example/atom"}; err != nil || !reflect.DeepEqual(urls, want) {
			t.Errorf("AllFeedURLs = %v, %v; want %v", urls, err, want)
		}

		removed, err := s.RemoveFeed(ctx, "g1", "c1", "https://a.example/rss")
		if err != nil || !removed {
			t.Errorf("RemoveFeed(existing) = %v, %v", removed, err)
		}
		removed, err = s.RemoveFeed(ctx, "g1", "c1", "https://a.example/rss")
		if err != nil || removed {
			t.Errorf("RemoveFeed(again) = %v, %v", removed, err)
		}
		if removed, _ := s.RemoveFeed(ctx, "g2", "c1", "https://b.example/feed"); removed {
			t.Error("RemoveFeed removed another guild's subscription")
		}
		// a.example is still followed by c2.
		if urls, _ := s.AllFeedURLs(ctx); len(urls) != 3 {
			t.Errorf("AllFeedURLs after removal = %v", urls)
		}

		if err := s.AddFeed(ctx, Feed{GuildID: "g1", ChannelID: "c1"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddFeed without URL: err = %v", err)
		}
	})
}

func sameFeeds(a, b []Feed) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.AddedAt.Equal(y.AddedAt) {
			return false
		}
		x.AddedAt, y.AddedAt = time.Time{}, time.Time{}
		if x != y {
			return false
		}
	}
	return true
}

func TestFeedState(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, nil)
		const u = "https://a.example/rss"

		if _, ok, err := s.FeedState(ctx, u); ok || err != nil {
			t.Fatalf("FeedState(unknown) = %v, %v", ok, err)
		}
		polled := time.Date(2025, 3, 14, 9, 0, 0, 123, time.UTC)
		states := []FeedState{
			{URL: u}, // all zero: times stay zero
			{URL: u, ETag: `"abc"`, LastModified: "Fri, 14 Mar 2025 09:00:00 GMT", NextPoll: polled.Add(30 * time.Minute), LastPolled: polled},
			{URL: u, ETag: `"abc"`, LastError: "fetch: 503", Failures: 2, NextPoll: polled.Add(2 * time.Hour), LastPolled: polled.Add(time.Hour)},
		}
		for _, st := range states {
			if err := s.SetFeedState(ctx, st); err != nil {
				t.Fatal(err)
			}
			got, ok, err := s.FeedState(ctx, u)
			if err != nil || !ok || got.ETag != st.ETag || got.LastModified != st.LastModified || got.LastError != st.LastError ||
				got.Failures != st.Failures || !got.NextPoll.Equal(st.NextPoll) || !got.LastPolled.Equal(st.LastPolled) || got.URL != u {
				t.Errorf("FeedState after Set(%+v) = %+v, %v, %v", st, got, ok, err)
			}
		}
		if err := s.SetFeedState(ctx, FeedState{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetFeedState without URL: err = %v", err)
		}
	})
}

func TestFeedItems(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clock := newClock()
		s := b.open(t, clock)
		const f1, f2 = "https://a.example/rss", "https://b.example/rss"
		now := clock.Now()

		items := []FeedItem{
			{FeedURL: f1, GUID: "1", URL: "https://a.example/1", Title: "One", Summary: "s1", Published: now.Add(-48 * time.Hour), SeenAt: now.Add(-time.Hour)},
			{FeedURL: f1, GUID: "2", URL: "https://a.example/2", Title: "Two", Published: now.Add(-2 * time.Hour), SeenAt: now.Add(-time.Hour)},
			{FeedURL: f1, GUID: "3", URL: "https://a.example/3", Title: "Three (no date)"}, // seen now
			{FeedURL: f2, GUID: "1", URL: "https://b.example/1", Title: "Other feed", Published: now},
		}
		if err := s.AddFeedItems(ctx, items); err != nil {
			t.Fatal(err)
		}
		items[2].SeenAt = now
		items[3].SeenAt = now

		// Re-adding (with changes) keeps the first version and sighting.
		clock.Advance(time.Hour)
		again := items[1]
		again.Title, again.SeenAt = "Two, edited", time.Time{}
		if err := s.AddFeedItems(ctx, []FeedItem{again, {FeedURL: f1, GUID: "4", URL: "https://a.example/4", Title: "Four"}}); err != nil {
			t.Fatal(err)
		}
		four := FeedItem{FeedURL: f1, GUID: "4", URL: "https://a.example/4", Title: "Four", SeenAt: clock.Now()}

		tests := []struct {
			name  string
			feed  string
			since time.Time
			want  []FeedItem
		}{
			{"all of f1 by item time", f1, time.Time{}, []FeedItem{items[0], items[1], items[2], four}},
			{"published old but seen recently is excluded", f1, now.Add(-3 * time.Hour), []FeedItem{items[1], items[2], four}},
			{"undated items count from first sighting", f1, now, []FeedItem{items[2], four}},
			{"other feed", f2, now, []FeedItem{items[3]}},
			{"unknown feed", "https://nope.example", time.Time{}, nil},
		}
		for _, tt := range tests {
			got, err := s.FeedItemsSince(ctx, tt.feed, tt.since)
			if err != nil || !sameItems(got, tt.want) {
				t.Errorf("%s: FeedItemsSince = %+v, %v\nwant %+v", tt.name, got, err, tt.want)
			}
		}

		if err := s.AddFeedItems(ctx, nil); err != nil {
			t.Errorf("AddFeedItems(nil): %v", err)
		}
		// A bad item rejects the whole batch.
		bad := []FeedItem{{FeedURL: f2, GUID: "9"}, {FeedURL: f2}}
		if err := s.AddFeedItems(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddFeedItems without GUID: err = %v", err)
		}
		if got, _ := s.FeedItemsSince(ctx, f2, time.Time{}); len(got) != 1 {
			t.Errorf("partial batch stored: %+v", got)
		}
	})
}

func sameItems(a, b []FeedItem) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.Published.Equal(y.Published) || !x.SeenAt.Equal(y.SeenAt) {
			return false
		}
		x.Published, y.Published, x.SeenAt, y.SeenAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if x != y {
			return false
		}
	}
	return true
}

func BenchmarkPutSummary(b *testing.B) {
	s := openTest(b, nil)
	ctx := context.Background()
	data := make([]byte, 2048)
	for i := 0; b.Loop(); i++ {
		if err := s.PutSummary(ctx, fmt.Sprintf("key-%d", i%1000), "https://a.example/x", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCachedSummary(b *testing.B) {
	s := openTest(b, nil)
	ctx := context.Background()
	for i := range 1000 {
		if err := s.PutSummary(ctx, fmt.Sprintf("key-%d", i), "https://a.example/x", make([]byte, 2048)); err != nil {
			b.Fatal(err)
		}
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok, err := s.CachedSummary(ctx, fmt.Sprintf("key-%d", i%1000)); err != nil || !ok {
				b.Fatal(ok, err)
			}
			i++
		}
	})
}

func BenchmarkRecordLink(b *testing.B) {
	s := openTest(b, nil)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		l := SharedLink{URL: "https://a.example/x", NormURL: "https://a.example/x", GuildID: "g", ChannelID: "c",
			MessageID: fmt.Sprintf("m%d", i), AuthorID: "u"}
		if err := s.RecordLink(ctx, l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClaimDigestRun(b *testing.B) {
	s := openTest(b, nil)
	ctx := context.Background()
	now := time.Now()
	for i := 0; b.Loop(); i++ {
		if _, err := s.ClaimDigestRun(ctx, fmt.Sprintf("c%d", i), "2025-03-14", "me", now, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

// TestChannelLengthUpgrade: a database from before the length setting
// keeps its channel settings when the migration adds the column, and the
// new setting reads as the default.
func TestChannelLengthUpgrade(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		u := b.newURL(t)
		s := openURL(t, u, nil)
		old := ChannelSettings{GuildID: "g", ChannelID: "c", Mode: "reaction", Language: "de", MinWords: 150}
		if err := s.SetChannelSettings(ctx, old); err != nil {
			t.Fatal(err)
		}
		// Back to the schema before 0006.
		for _, q := range []string{
			`ALTER TABLE channel_settings DROP COLUMN summary_length`,
			`DELETE FROM schema_migrations WHERE version = 6`,
		} {
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		s2 := openURL(t, u, nil)
		if got, err := s2.ChannelSettings(ctx, "g", "c"); err != nil || got != old {
			t.Fatalf("after the upgrade: %+v, %v; want %+v", got, err, old)
		}
		withLength := old
		withLength.Length = "detailed"
		if err := s2.SetChannelSettings(ctx, withLength); err != nil {
			t.Fatal(err)
		}
		if got, _ := s2.ChannelSettings(ctx, "g", "c"); got != withLength {
			t.Errorf("length not kept: %+v", got)
		}
	})
}
