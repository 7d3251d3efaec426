package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestSummaryCacheRoundTrip writes summaries under keys of every shape,
// including the NUL-separated keys older builds made (which PostgreSQL
// refuses in TEXT), and reads each back.
func TestSummaryCacheRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, newClock())
		keys := []string{
			"https://a.example/x|short|en|gpt",
			"https://a.example/x\x00short\x00en\x00gpt",
			"https://a.example/x\x00shorten\x00gpt", // differs from the one above only in where the NULs are
			"https://a.example/x\xff\xfe|bad-utf8",
			"https://a.example/x|bad-utf8", // what the one above would become if invalid bytes were dropped
			"sha256:" + strings.Repeat("0", 64),
		}
		for i, k := range keys {
			if err := s.PutSummary(ctx, k, "https://a.example/x\x00", fmt.Appendf(nil, `{"v":%d}`, i)); err != nil {
				t.Fatalf("PutSummary(%q): %v", k, err)
			}
		}
		for i, k := range keys {
			got, ok, err := s.CachedSummary(ctx, k)
			if want := fmt.Sprintf(`{"v":%d}`, i); err != nil || !ok || string(got) != want {
				t.Errorf("CachedSummary(%q) = %s, %v, %v; want %s", k, got, ok, err, want)
			}
		}
		// The URL was stored without its NUL; a lookup with or without it
		// finds the newest summary.
		for _, u := range []string{"https://a.example/x", "https://a.example/x\x00"} {
			if _, ok, err := s.LatestSummaryByURL(ctx, u); !ok || err != nil {
				t.Errorf("LatestSummaryByURL(%q) = %v, %v", u, ok, err)
			}
		}
		if _, ok, err := s.CachedSummary(ctx, "https://a.example/x\x00missing"); ok || err != nil {
			t.Errorf("CachedSummary(missing key with NUL) = %v, %v; want a plain miss", ok, err)
		}
	})
}

// TestUntrustedTextIsStorable writes NUL bytes and invalid UTF-8 (from feeds,
// messages and reports) into every kind of text column; both engines store
// the same cleaned text.
func TestUntrustedTextIsStorable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clock := newClock()
		s := b.open(t, clock)
		now := clock.Now()
		const dirty = "Ti\x00tle \xc3\x28ok"
		const clean = "Title (ok"

		fi := FeedItem{FeedURL: "https://f.example/rss", GUID: "g\x001", URL: "https://a.example/\x001", Title: dirty, Summary: dirty, SeenAt: now}
		if err := s.AddFeedItems(ctx, []FeedItem{fi}); err != nil {
			t.Fatalf("AddFeedItems: %v", err)
		}
		items, err := s.FeedItemsSince(ctx, fi.FeedURL, time.Time{})
		want := FeedItem{FeedURL: fi.FeedURL, GUID: "g1", URL: "https://a.example/1", Title: clean, Summary: clean, SeenAt: now}
		if err != nil || !sameItems(items, []FeedItem{want}) {
			t.Errorf("feed items = %+v, %v; want %+v", items, err, want)
		}

		l := SharedLink{URL: "https://a.example/\x00x", NormURL: "https://a.example/x\xff", GuildID: "g", ChannelID: "c", MessageID: "m", AuthorID: "u\x00", SharedAt: now}
		if err := s.RecordLink(ctx, l); err != nil {
			t.Fatalf("RecordLink: %v", err)
		}
		links, err := s.LinksSince(ctx, "g", now)
		wantLink := SharedLink{URL: "https://a.example/x", NormURL: "https://a.example/x", GuildID: "g", ChannelID: "c", MessageID: "m", AuthorID: "u", SharedAt: now}
		if err != nil || !sameLinks(links, []SharedLink{wantLink}) {
			t.Errorf("links = %+v, %v; want %+v", links, err, wantLink)
		}

		st := FeedState{URL: fi.FeedURL, ETag: "\"e\x00\"", LastModified: "Fri\xff", LastError: dirty}
		if err := s.SetFeedState(ctx, st); err != nil {
			t.Fatalf("SetFeedState: %v", err)
		}
		if got, _, err := s.FeedState(ctx, fi.FeedURL); err != nil || got.ETag != `"e"` || got.LastModified != "Fri" || got.LastError != clean {
			t.Errorf("feed state = %+v, %v", got, err)
		}

		if ok, err := s.ClaimDigestRun(ctx, "c", "2025-03-14", "a", now, time.Minute); !ok || err != nil {
			t.Fatalf("ClaimDigestRun = %v, %v", ok, err)
		}
		if err := s.FinishDigestRun(ctx, "c", "2025-03-14", "a", now, `{"title":"`+dirty+`"}`); err != nil {
			t.Fatalf("FinishDigestRun: %v", err)
		}
		if run, _, err := s.LastDigestRun(ctx, "c"); err != nil || run.Report != `{"title":"`+clean+`"}` {
			t.Errorf("report = %q, %v", run.Report, err)
		}
	})
}

// TestDigestRunLeaseAndMessages walks one run through the faults the
// digest must survive: renewal, fencing after a takeover, messages recorded
// as they are posted and kept across the takeover, and finishing twice.
func TestDigestRunLeaseAndMessages(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, newClock())
		t0 := time.Date(2025, 3, 14, 8, 0, 0, 0, time.UTC)
		const lease = 10 * time.Minute
		const ch, day = "c", "2025-03-14"
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		claim := func(owner string, at time.Time) bool {
			t.Helper()
			ok, err := s.ClaimDigestRun(ctx, ch, day, owner, at, lease)
			must(err)
			return ok
		}
		renew := func(owner string, at time.Time) bool {
			t.Helper()
			ok, err := s.RenewDigestRun(ctx, ch, day, owner, at, lease)
			must(err)
			return ok
		}

		if renew("a", t0) {
			t.Fatal("renewed a run nobody claimed")
		}
		if !claim("a", t0) {
			t.Fatal("first claim lost")
		}
		// Renewing keeps the run a's past the first lease.
		if !renew("a", t0.Add(8*time.Minute)) {
			t.Fatal("owner's renewal refused")
		}
		if claim("b", t0.Add(lease+time.Minute)) {
			t.Fatal("renewed claim taken over")
		}
		if renew("b", t0.Add(lease)) {
			t.Fatal("a non-owner renewed the claim")
		}
		must(s.AddDigestMessage(ctx, ch, day, "a", "m1"))
		must(s.AddDigestMessage(ctx, ch, day, "a", "m1")) // repeated after a lost answer: no-op
		if err := s.AddDigestMessage(ctx, ch, day, "b", "mb"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("non-owner's message: err = %v, want ErrNotFound", err)
		}
		run, ok, err := s.DigestRunFor(ctx, ch, day)
		if err != nil || !ok || !reflect.DeepEqual(run.Messages, []string{"m1"}) || !run.LeaseUntil.Equal(t0.Add(18*time.Minute)) {
			t.Fatalf("DigestRunFor = %+v, %v, %v; want m1 recorded, lease until +18m", run, ok, err)
		}

		// a dies after its first message; b takes over once the lease is out
		// and sees what a posted. a's late writes are fenced off.
		if !claim("b", t0.Add(18*time.Minute+time.Second)) {
			t.Fatal("stale claim not taken over")
		}
		if renew("a", t0.Add(19*time.Minute)) {
			t.Error("the old owner renewed a claim taken over")
		}
		if err := s.AddDigestMessage(ctx, ch, day, "a", "m2"); !errors.Is(err, ErrNotFound) {
			t.Errorf("old owner's message after takeover: err = %v, want ErrNotFound", err)
		}
		if err := s.FinishDigestRun(ctx, ch, day, "a", t0.Add(19*time.Minute), "{}"); !errors.Is(err, ErrNotFound) {
			t.Errorf("old owner's finish after takeover: err = %v, want ErrNotFound", err)
		}
		must(s.AddDigestMessage(ctx, ch, day, "b", "m3"))
		run, _, _ = s.LastDigestRun(ctx, ch)
		if run.Owner != "b" || run.Status != RunClaimed || !reflect.DeepEqual(run.Messages, []string{"m1", "m3"}) {
			t.Fatalf("after takeover: %+v; want b's claim with m1, m3", run)
		}

		// Finishing is idempotent for the owner: a retry after a commit
		// whose answer was lost succeeds.
		fin := t0.Add(20 * time.Minute)
		must(s.FinishDigestRun(ctx, ch, day, "b", fin, `{"ok":true}`))
		must(s.FinishDigestRun(ctx, ch, day, "b", fin, `{"ok":true}`))
		if err := s.AddDigestMessage(ctx, ch, day, "b", "m4"); !errors.Is(err, ErrNotFound) {
			t.Errorf("message after finish: err = %v, want ErrNotFound", err)
		}
		run, _, _ = s.LastDigestRun(ctx, ch)
		want := DigestRun{ChannelID: ch, LocalDate: day, Owner: "b", Status: RunDone, Report: `{"ok":true}`,
			ClaimedAt: t0.Add(18*time.Minute + time.Second), FinishedAt: fin, LeaseUntil: fin, Messages: []string{"m1", "m3"}}
		if !sameRun(run, want) {
			t.Errorf("done run = %+v\nwant %+v", run, want)
		}
		if claim("c", fin.Add(48*time.Hour)) {
			t.Error("a done run was claimed again")
		}
		for _, bad := range [][4]string{{"", day, "a", "m"}, {ch, "", "a", "m"}, {ch, day, "", "m"}, {ch, day, "a", ""}} {
			if err := s.AddDigestMessage(ctx, bad[0], bad[1], bad[2], bad[3]); !errors.Is(err, ErrInvalid) {
				t.Errorf("AddDigestMessage%q: err = %v, want ErrInvalid", bad, err)
			}
		}
		if _, err := s.RenewDigestRun(ctx, ch, day, "b", fin, 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("renew with zero lease: err = %v, want ErrInvalid", err)
		}
	})
}

// TestDigestRunRetry: a failed first post releases the run for a later
// attempt instead of marking the day done.
func TestDigestRunRetry(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, newClock())
		t0 := time.Date(2025, 3, 14, 8, 0, 0, 0, time.UTC)
		const lease = 10 * time.Minute
		const ch, day = "c", "2025-03-14"

		if ok, err := s.ClaimDigestRun(ctx, ch, day, "a", t0, lease); !ok || err != nil {
			t.Fatalf("claim = %v, %v", ok, err)
		}
		if err := s.RetryDigestRun(ctx, ch, day, "b", t0, t0.Add(time.Minute), "x"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("retry by a non-owner: err = %v, want ErrNotFound", err)
		}
		next := t0.Add(2 * time.Minute)
		for range 2 { // the second call is a repeat after a lost answer
			if err := s.RetryDigestRun(ctx, ch, day, "a", t0.Add(time.Second), next, "Discord answered 503"); err != nil {
				t.Fatal(err)
			}
		}
		run, _, err := s.LastDigestRun(ctx, ch)
		if err != nil || run.Status != RunRetry || run.Attempts != 1 || !run.NextAttempt.Equal(next) || run.LastError != "Discord answered 503" {
			t.Fatalf("after retry: %+v, %v", run, err)
		}
		if err := s.FinishDigestRun(ctx, ch, day, "a", t0, "{}"); !errors.Is(err, ErrNotFound) {
			t.Errorf("finish of a released run: err = %v, want ErrNotFound", err)
		}
		steps := []struct {
			owner string
			at    time.Time
			want  bool
		}{
			{"a", next.Add(-time.Nanosecond), false}, // not due yet, even for its last owner
			{"b", next, true},                        // due: claimable by anyone
			{"c", next.Add(time.Second), false},      // b's fresh claim holds
		}
		for _, st := range steps {
			if ok, err := s.ClaimDigestRun(ctx, ch, day, st.owner, st.at, lease); ok != st.want || err != nil {
				t.Fatalf("claim by %s at %s = %v, %v; want %v", st.owner, st.at, ok, err, st.want)
			}
		}
		if err := s.RetryDigestRun(ctx, ch, day, "b", next, next.Add(4*time.Minute), "timeout"); err != nil {
			t.Fatal(err)
		}
		run, _, _ = s.LastDigestRun(ctx, ch)
		if run.Attempts != 2 || run.LastError != "timeout" {
			t.Errorf("second failure: %+v; want 2 attempts", run)
		}
		if ok, _ := s.ClaimDigestRun(ctx, ch, day, "c", next.Add(4*time.Minute), lease); !ok {
			t.Fatal("second retry not claimable")
		}
		if err := s.FinishDigestRun(ctx, ch, day, "c", next.Add(5*time.Minute), "{}"); err != nil {
			t.Fatal(err)
		}
		if run, _, _ := s.LastDigestRun(ctx, ch); run.Status != RunDone || run.Attempts != 2 {
			t.Errorf("finished after retries: %+v", run)
		}
	})
}

// TestMigrationKeepsVersion1Data opens a database made by the first schema
// and checks that its digest runs and feed items survive the upgrade.
func TestMigrationKeepsVersion1Data(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		u := b.newURL(t)
		ms, err := loadMigrations(migrationFiles)
		if err != nil {
			t.Fatal(err)
		}
		tgt, err := parseDatabaseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		driverName, dsn := "sqlite", sqliteDSN(tgt.path, time.Second, false)
		if tgt.postgres != "" {
			driverName, dsn = "pgx", tgt.postgres
		}
		raw, err := sql.Open(driverName, dsn)
		if err != nil {
			t.Fatal(err)
		}
		old := &Store{db: &sqlDB{db: raw, pg: tgt.postgres != ""}, postgres: tgt.postgres != ""}
		stmts := []string{
			`CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
			old.dialectSQL(ms[0].sql),
			`INSERT INTO schema_migrations VALUES (1, '0001_init', '')`,
			`INSERT INTO digest_runs VALUES ('c', '2025-03-13', 'a', 'done', '{"x":1}', '2025-03-13T08:00:00.000000000Z', '2025-03-13T08:01:00.000000000Z')`,
			`INSERT INTO feed_items VALUES ('https://f.example/rss', 'g1', 'https://a.example/1', 'T', 'S', NULL,
				'2025-03-13T08:00:00.000000000Z', '2025-03-13T08:00:00.000000000Z')`,
		}
		for _, q := range stmts {
			if _, err := old.db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		raw.Close()

		s := openURL(t, u, newClock())
		run, ok, err := s.LastDigestRun(ctx, "c")
		if err != nil || !ok || run.Status != RunDone || run.Report != `{"x":1}` || run.Owner != "a" {
			t.Errorf("run after upgrade = %+v, %v, %v", run, ok, err)
		}
		items, err := s.FeedItemsSince(ctx, "https://f.example/rss", time.Time{})
		if err != nil || len(items) != 1 || items[0].Title != "T" {
			t.Errorf("feed items after upgrade = %+v, %v", items, err)
		}
		// A feed still listing the item keeps it past the retention.
		seen := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
		if err := s.AddFeedItems(ctx, []FeedItem{{FeedURL: "https://f.example/rss", GUID: "g1", URL: "https://a.example/1", SeenAt: seen}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Prune(ctx, seen.Add(KeepFeedItems-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if items, _ := s.FeedItemsSince(ctx, "https://f.example/rss", time.Time{}); len(items) != 1 {
			t.Errorf("an item the feed still lists was pruned")
		}
	})
}

// TestPruneFeeds: items a feed stopped listing go after KeepFeedItems, and
// so does the polling state of a feed nobody follows.
func TestPruneFeeds(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, newClock())
		t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		const f = "https://f.example/rss"
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.AddFeed(ctx, Feed{GuildID: "g", ChannelID: "c", URL: f}))
		must(s.AddFeedItems(ctx, []FeedItem{
			{FeedURL: f, GUID: "dropped", URL: "https://a.example/1", SeenAt: t0},
			{FeedURL: f, GUID: "listed", URL: "https://a.example/2", SeenAt: t0}, // undated, still in the feed
		}))
		later := t0.Add(KeepFeedItems)
		must(s.AddFeedItems(ctx, []FeedItem{{FeedURL: f, GUID: "listed", URL: "https://a.example/2", SeenAt: later}}))
		must(s.SetFeedState(ctx, FeedState{URL: f, LastPolled: t0}))
		must(s.SetFeedState(ctx, FeedState{URL: "https://gone.example/rss", LastPolled: t0}))
		must(s.SetFeedState(ctx, FeedState{URL: "https://gone-recent.example/rss", LastPolled: later}))

		n, err := s.Prune(ctx, later.Add(time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("Prune = %d, %v; want 2 (the dropped item, the unfollowed feed's state)", n, err)
		}
		items, _ := s.FeedItemsSince(ctx, f, time.Time{})
		if len(items) != 1 || items[0].GUID != "listed" || !items[0].SeenAt.Equal(t0) {
			t.Errorf("items left = %+v; want the listed one, first seen at t0", items)
		}
		for u, want := range map[string]bool{f: true, "https://gone.example/rss": false, "https://gone-recent.example/rss": true} {
			if _, ok, _ := s.FeedState(ctx, u); ok != want {
				t.Errorf("feed state of %s kept = %v, want %v", u, ok, want)
			}
		}
	})
}

func TestDueFeedURLsAndGuildCount(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t, newClock())
		now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range []Feed{
			{GuildID: "g", ChannelID: "c1", URL: "https://new.example/rss"},
			{GuildID: "g", ChannelID: "c1", URL: "https://due.example/rss"},
			{GuildID: "g", ChannelID: "c2", URL: "https://due.example/rss"},
			{GuildID: "h", ChannelID: "c3", URL: "https://later.example/rss"},
			{GuildID: "h", ChannelID: "c3", URL: "https://overdue.example/rss"},
		} {
			must(s.AddFeed(ctx, f))
		}
		must(s.SetFeedState(ctx, FeedState{URL: "https://due.example/rss", NextPoll: now}))
		must(s.SetFeedState(ctx, FeedState{URL: "https://overdue.example/rss", NextPoll: now.Add(-time.Hour)}))
		must(s.SetFeedState(ctx, FeedState{URL: "https://later.example/rss", NextPoll: now.Add(time.Second)}))
		must(s.SetFeedState(ctx, FeedState{URL: "https://unfollowed.example/rss", NextPoll: now.Add(-time.Hour)}))
		got, err := s.DueFeedURLs(ctx, now)
		want := []string{"https://new.example/rss", "https://overdue.example/rss", "https://due.example/rss"}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("DueFeedURLs = %v, %v; want %v", got, err, want)
		}
		for g, want := range map[string]int{"g": 3, "h": 2, "none": 0} {
			if n, err := s.GuildFeedCount(ctx, g); n != want || err != nil {
				t.Errorf("GuildFeedCount(%s) = %d, %v; want %d", g, n, err, want)
			}
		}
	})
}
