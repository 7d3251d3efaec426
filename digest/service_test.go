package digest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/store"
)

func TestStatusAfterRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC) // 20:00 in Berlin
	st := goldenStore(t, now)
	st.states["https://science.example/feed.json"] = store.FeedState{URL: "https://science.example/feed.json", Failures: 2, LastError: "fetch feed: HTTP 503"}
	clock := newFakeClock(now.Add(-time.Hour))
	poster := &fakePoster{}
	sum := &fakeSummarizer{cache: st}
	svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: poster, Clock: clock, Logger: discardLogger(), Summarizer: sum},
		Options{InstanceID: "a", MaxEntries: 2})

	out, err := svc.Status(ctx, "g", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "No digest") {
		t.Fatalf("status without schedules = %q", out)
	}
	if _, err := svc.Set(ctx, "g", "c", "20:00", "Europe/Berlin", "both"); err != nil {
		t.Fatal(err)
	}
	out, _ = svc.Status(ctx, "g", nil)
	for _, want := range []string{"<#c>", "20:00 Europe/Berlin", "next: Fri 2 May 20:00 CEST", "never run", "1 followed, 1 failing", "HTTP 503"} {
		if !strings.Contains(out, want) {
			t.Errorf("status before the run lacks %q:\n%s", want, out)
		}
	}

	clock.Set(now)
	svc.RunDue(ctx)
	if n := len(poster.sent()); n != 1 {
		t.Fatalf("posted %d messages", n)
	}
	if sum.calls != 0 {
		t.Errorf("summarizer called %d times though every included entry had a cached summary", sum.calls)
	}
	out, err = svc.Status(ctx, "g", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"next: Sat 3 May 20:00 CEST", "last: 2025-05-02, posted 20:00 CEST: 2 stories from 14 shared links and 1 feed item",
		"Magnitude 7.1 earthquake", "(5 sources, 11 shares)", "left out: 2 not among the top stories"} {
		if !strings.Contains(out, want) {
			t.Errorf("status after the run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "@everyone") || strings.Contains(out, "<@") {
		t.Errorf("status can ping:\n%s", out)
	}

	last, _, _ := st.LastDigestRun(ctx, "c")
	var rep Report
	if err := json.Unmarshal([]byte(last.Report), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Messages) != 1 || rep.Messages[0] != "m1" || len(rep.LeftOut) != 2 {
		t.Errorf("report = %+v", rep)
	}
}

func TestSecondDigestCoversOnlyNewItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
	st := goldenStore(t, now)
	clock := newFakeClock(now.Add(-time.Hour))
	poster := &fakePoster{}
	svc := newTestService(t, st, clock, poster, "a")
	if _, err := svc.Set(ctx, "g", "c", "18:00", "UTC", "shared"); err != nil {
		t.Fatal(err)
	}
	clock.Set(now)
	svc.RunDue(ctx)
	// One new link during the next day.
	st.links = append(st.links, store.SharedLink{URL: "https://news.example/canada-wildfire-evacuations", NormURL: "https://news.example/canada-wildfire-evacuations",
		GuildID: "g", ChannelID: "ch1", MessageID: "5000", AuthorID: "u9", SharedAt: now.Add(3 * time.Hour)})
	clock.Set(now.Add(24 * time.Hour))
	svc.RunDue(ctx)
	msgs := poster.sent()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	second := contentOf(msgs[1].d)
	if !strings.Contains(second, "wildfire") || strings.Contains(second, "earthquake") {
		t.Errorf("second digest should hold only the new link:\n%s", second)
	}
	if !strings.Contains(second, ": 1 story") {
		t.Errorf("header: %s", second)
	}
}

func TestQuietDaySettingKeptAndPreview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	st := newMemStore()
	poster := &fakePoster{}
	svc := newTestService(t, st, newFakeClock(now), poster, "a")

	pv, err := svc.Preview(ctx, "g", "c")
	if err != nil {
		t.Fatal(err)
	}
	if !pv.Quiet || !pv.QuietNote {
		t.Fatalf("empty preview = %+v, want a quiet day with its note", pv)
	}

	// QuietDay switched off survives a re-set, and a quiet day then posts
	// nothing but is still recorded.
	if err := svc.SetQuietDay(ctx, "g", "c", false); !IsUserError(err) {
		t.Fatalf("SetQuietDay without a digest: %v, want a user error", err)
	}
	if _, err := svc.Set(ctx, "g", "c", "10:00", "UTC", "both"); err != nil {
		t.Fatal(err)
	}
	if !st.scheds["c"].QuietDay {
		t.Fatal("a new digest should post quiet-day lines")
	}
	if err := svc.SetQuietDay(ctx, "g", "c", false); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Set(ctx, "g", "c", "09:00", "UTC", "both"); err != nil {
		t.Fatal(err)
	}
	if st.scheds["c"].QuietDay {
		t.Fatal("Set reset QuietDay")
	}
	svc.RunDue(ctx)
	if n := len(poster.sent()); n != 0 {
		t.Fatalf("quiet day with QuietDay off posted %d messages", n)
	}
	if last, ok, _ := st.LastDigestRun(ctx, "c"); !ok || last.Status != store.RunDone || !strings.Contains(last.Report, `"quiet":true`) {
		t.Fatalf("quiet run not recorded: %+v", last)
	}
	if len(poster.sent()) != 0 {
		t.Fatal("preview posted")
	}
}

func TestOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	svc := newTestService(t, st, newFakeClock(time.Now()), &fakePoster{}, "a")
	var ue *UserError
	if err := svc.Off(ctx, "g", "c1"); !errors.As(err, &ue) {
		t.Fatalf("Off without a schedule = %v", err)
	}
	for _, ch := range []string{"c1", "c2", "c3"} {
		if _, err := svc.Set(ctx, "g", ch, "09:00", "UTC", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Set(ctx, "other", "x", "09:00", "UTC", ""); err != nil {
		t.Fatal(err)
	}
	if err := svc.Off(ctx, "g", "c1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.scheds["c1"]; ok {
		t.Fatal("c1 still scheduled")
	}
	if err := svc.Off(ctx, "g", ""); err != nil {
		t.Fatal(err)
	}
	if len(st.scheds) != 1 || st.scheds["x"].GuildID != "other" {
		t.Fatalf("schedules left: %+v", st.scheds)
	}
}

func TestSummarizerUsedForTopEntriesOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
	st := newMemStore()
	for i, u := range []string{
		"https://a.example/one-story-about-ports", "https://b.example/two-story-about-trains", "https://c.example/three-story-about-bridges",
		"https://d.example/four-story-about-farms", "https://e.example/five-story-about-rivers",
	} {
		for k := 0; k <= 5-i; k++ { // a is shared most
			st.links = append(st.links, store.SharedLink{URL: u, NormURL: u, GuildID: "g", ChannelID: "ch", MessageID: u[8:9] + string(rune('0'+k)),
				AuthorID: string(rune('a' + k)), SharedAt: now.Add(-time.Hour)})
		}
	}
	sum := &fakeSummarizer{}
	svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: &fakePoster{}, Clock: newFakeClock(now), Logger: discardLogger(), Summarizer: sum},
		Options{MaxSummarize: 2})
	comp, err := svc.compose(ctx, store.DigestSchedule{GuildID: "g", ChannelID: "c", Sources: SourcesShared}, time.UTC, now.Add(-24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if sum.calls != 2 {
		t.Fatalf("summarizer called %d times, want 2", sum.calls)
	}
	var from []string
	for _, e := range comp.entries {
		from = append(from, e.from)
	}
	if got := strings.Join(from, ","); got != "summarizer,summarizer,none,none,none" {
		t.Fatalf("summary sources = %s", got)
	}
	if comp.entries[0].title != "Neutral headline for a.example" || comp.entries[2].title != "Three story about bridges" {
		t.Fatalf("titles: %q, %q", comp.entries[0].title, comp.entries[2].title)
	}
}

func TestWordBudget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
	st := goldenStore(t, now)
	svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: &fakePoster{}, Clock: newFakeClock(now), Logger: discardLogger(), Summarizer: storeCache{st}},
		Options{WordBudget: 60})
	comp, err := svc.compose(ctx, store.DigestSchedule{GuildID: "g", ChannelID: "c", Sources: SourcesBoth}, time.UTC, now.Add(-24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	words := 0
	for _, e := range comp.entries {
		words += wordCount(e.title) + wordCount(e.summary)
	}
	if words > 60 {
		t.Fatalf("%d words over a budget of 60", words)
	}
	budgetCut := 0
	for _, l := range comp.report.LeftOut {
		if l.Reason == ReasonWordBudget {
			budgetCut++
		}
	}
	if len(comp.entries) == 0 || budgetCut == 0 {
		t.Fatalf("entries %d, left out for the budget %d", len(comp.entries), budgetCut)
	}
}

// TestShutdownBeforePostingLeavesTheDigestToTheNextStart: a digest cut off
// by shutdown before its first message is not recorded as done, so the
// next start posts it (once the claim's lease is over, same local day).
func TestShutdownBeforePostingLeavesTheDigestToTheNextStart(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	st := newMemStore()
	clock := newFakeClock(now)
	stopping := &fakePoster{fail: context.Canceled}
	svc := newTestService(t, st, clock, stopping, "a")
	ctx := context.Background()
	if _, err := svc.Set(ctx, "g", "c", "09:00", "UTC", "both"); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := svc.runIfDue(cancelled, st.scheds["c"]); err != nil {
		t.Fatal(err)
	}
	if last, ok, _ := st.LastDigestRun(ctx, "c"); ok && last.Status == store.RunDone {
		t.Fatalf("a digest cut off before posting was recorded as done: %+v", last)
	}
	clock.Advance(11 * time.Minute) // past the 10-minute lease
	poster := &fakePoster{}
	newTestService(t, st, clock, poster, "b").RunDue(ctx)
	if n := len(poster.sent()); n != 1 {
		t.Fatalf("the next start posted %d messages, want the digest", n)
	}
}

// /digest status lists what a digest included only to those who can see
// its channel.
func TestStatusHidesTitlesOfChannelsTheMemberCannotSee(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
	st := goldenStore(t, now)
	clock := newFakeClock(now.Add(-time.Hour))
	svc := newTestService(t, st, clock, &fakePoster{}, "a")
	if _, err := svc.Set(ctx, "g", "c", "20:00", "Europe/Berlin", "both"); err != nil {
		t.Fatal(err)
	}
	clock.Set(now)
	svc.RunDue(ctx)
	out, err := svc.Status(ctx, "g", func(string) bool { return false })
	if err != nil || strings.Contains(out, "earthquake") || !strings.Contains(out, "shown to those who can see the channel") {
		t.Errorf("status for someone who cannot see the channel (err %v):\n%s", err, out)
	}
	if out, err := svc.Status(ctx, "g", func(string) bool { return true }); err != nil || !strings.Contains(out, "earthquake") {
		t.Errorf("status for someone who can (err %v):\n%s", err, out)
	}
}
