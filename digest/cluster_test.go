package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

type fixtureItem struct {
	Story   string `json:"story"`
	URL     string `json:"url"`
	Title   string `json:"title"`
	Summary string `json:"summary"`
}

func loadClusterFixture(t testing.TB) []fixtureItem {
	t.Helper()
	b, err := os.ReadFile("testdata/cluster.json")
	if err != nil {
		t.Fatal(err)
	}
	var items []fixtureItem
	if err := json.Unmarshal(b, &items); err != nil {
		t.Fatal(err)
	}
	return items
}

// optionalMerges are label pairs the clustering may merge or keep apart:
// the same story in another language.
var optionalMerges = map[[2]string]bool{{"quake", "quake-de"}: true, {"quake", "quake-ja"}: true, {"quake-de", "quake-ja"}: true}

func TestClusterFixture(t *testing.T) {
	t.Parallel()
	fx := loadClusterFixture(t)
	texts := make([]clusterText, len(fx))
	order := make([]int, len(fx))
	for i, f := range fx {
		texts[i] = clusterText{title: f.Title, body: f.Summary}
		order[i] = i
	}
	corp, err := newCorpus(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	vecs := corp.vecs
	groups, err := cluster(context.Background(), corp, order, defaultClusterThreshold)
	if err != nil {
		t.Fatal(err)
	}

	where := make(map[string]map[int]bool) // story -> group indexes
	for gi, g := range groups {
		labels := make(map[string]bool)
		for _, i := range g {
			labels[fx[i].Story] = true
			if where[fx[i].Story] == nil {
				where[fx[i].Story] = make(map[int]bool)
			}
			where[fx[i].Story][gi] = true
		}
		ls := slices.Sorted(maps.Keys(labels))
		for a := 0; a < len(ls); a++ {
			for b := a + 1; b < len(ls); b++ {
				if !optionalMerges[[2]string{ls[a], ls[b]}] {
					t.Errorf("group %d mixes stories %v: %s", gi, ls, describe(fx, g))
				}
			}
		}
	}
	for story, gs := range where {
		if len(gs) != 1 {
			t.Errorf("story %q split over %d groups", story, len(gs))
		}
	}
	if t.Failed() {
		for i := range fx {
			for j := i + 1; j < len(fx); j++ {
				if sim, shared := cosine(vecs[i], vecs[j]); sim > 0.1 {
					t.Logf("%.2f (%d shared) %s | %s", sim, shared, fx[i].Story, fx[j].Story)
				}
			}
		}
	}
}

func describe(fx []fixtureItem, g []int) string {
	var parts []string
	for _, i := range g {
		parts = append(parts, fx[i].Story+": "+fx[i].Title)
	}
	return strings.Join(parts, " | ")
}

// seedShared stores fixture items as links shared in the guild, each with
// a cached summary, shares times each by different people.
func seedShared(t testing.TB, st *memStore, fx []fixtureItem, at time.Time, shares func(i int) int) {
	t.Helper()
	for i, f := range fx {
		norm, err := article.NormalizeURL(f.URL)
		if err != nil {
			t.Fatalf("normalize %s: %v", f.URL, err)
		}
		sum := summarize.Summary{URL: f.URL, Title: f.Title, Headline: f.Title, Summary: f.Summary, Model: "fake"}
		data, _ := json.Marshal(sum)
		st.summaries[norm] = data
		for k := 0; k < shares(i); k++ {
			st.links = append(st.links, store.SharedLink{
				URL: f.URL, NormURL: norm, GuildID: "g", ChannelID: fmt.Sprintf("ch%d", k%2+1),
				MessageID: fmt.Sprintf("%d%02d", 900+i, k), AuthorID: fmt.Sprintf("u%d", k), SharedAt: at.Add(time.Duration(i) * time.Minute),
			})
		}
	}
}

func TestComposeFiveOutletsOneEntry(t *testing.T) {
	t.Parallel()
	fx := loadClusterFixture(t)
	var quake, other []fixtureItem
	for _, f := range fx {
		switch f.Story {
		case "quake":
			quake = append(quake, f)
		case "rates", "bikes", "probe", "economy", "drill", "chips":
			other = append(other, f)
		}
	}
	if len(quake) != 5 {
		t.Fatalf("fixture has %d quake outlets", len(quake))
	}
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
	st := newMemStore()
	seedShared(t, st, append(append([]fixtureItem{}, quake...), other...), now.Add(-6*time.Hour), func(int) int { return 1 })
	svc := newTestService(t, st, newFakeClock(now), &fakePoster{}, "a")
	sched := store.DigestSchedule{GuildID: "g", ChannelID: "c", Time: "18:00", Timezone: "UTC", Sources: SourcesBoth, QuietDay: true}
	comp, err := svc.compose(context.Background(), sched, time.UTC, now.Add(-24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(comp.entries) == 0 {
		t.Fatal("no entries")
	}
	top := comp.entries[0]
	if len(top.items) != 5 {
		t.Fatalf("top entry has %d sources, want the 5 quake outlets: %q", len(top.items), top.title)
	}
	for _, it := range top.items {
		if !strings.Contains(strings.ToLower(it.cached.Summary), "tsunami") {
			t.Errorf("unrelated item in the quake entry: %s", it.url)
		}
	}
	// The three rates outlets make one entry; every other story stays its
	// own entry.
	stories := map[string]bool{}
	for _, f := range other {
		stories[f.Story] = true
	}
	if want := 1 + len(stories); len(comp.entries) != want {
		var titles []string
		for _, e := range comp.entries {
			titles = append(titles, fmt.Sprintf("%s (%d)", e.title, len(e.items)))
		}
		t.Fatalf("%d entries, want %d: %s", len(comp.entries), want, strings.Join(titles, "; "))
	}
	text := contentOf(comp.digest("c"))
	for _, f := range quake {
		if !strings.Contains(text, f.URL) {
			t.Errorf("source %s not linked", f.URL)
		}
	}
	if !strings.Contains(text, "https://discord.com/channels/g/ch1/900") {
		t.Errorf("no jump link to the sharing message in:\n%s", text)
	}
}

func TestRankingPrefersWidelySharedStories(t *testing.T) {
	t.Parallel()
	fx := loadClusterFixture(t)
	var pick []fixtureItem
	for _, f := range fx {
		if f.Story == "bikes" || f.Story == "probe" || f.Story == "football" {
			pick = append(pick, f)
		}
	}
	sort.Slice(pick, func(i, j int) bool { return pick[i].Story < pick[j].Story }) // bikes, football, probe
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
	st := newMemStore()
	seedShared(t, st, pick, now.Add(-time.Hour), func(i int) int { return []int{1, 2, 4}[i] })
	svc := newTestService(t, st, newFakeClock(now), &fakePoster{}, "a")
	sched := store.DigestSchedule{GuildID: "g", ChannelID: "c", Sources: SourcesShared}
	comp, err := svc.compose(context.Background(), sched, time.UTC, now.Add(-24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range comp.entries {
		got = append(got, e.items[0].cached.Title)
	}
	want := []string{pick[2].Title, pick[1].Title, pick[0].Title}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("order = %q, want %q", got, want)
	}
}

// TestClusterKeepsTemplatedArticlesApart: articles that share a house style
// (the same boilerplate sentences) but report different events stay apart,
// while two outlets on one of those events still merge.
func TestClusterKeepsTemplatedArticlesApart(t *testing.T) {
	t.Parallel()
	subjects := []string{"Harbour bridge approved", "Rail strike ends", "Library reopens downtown",
		"Mayor unveils budget", "Flood defences finished", "Airport expansion delayed", "School meals expanded",
		"Museum wins award"}
	boiler := " Officials said the decision followed months of consultation with residents and businesses across the region." +
		" The council will publish further details on its website in the coming weeks, a spokesperson said."
	var texts []clusterText
	for i, s := range subjects {
		texts = append(texts, clusterText{title: s, body: fmt.Sprintf("Update %d from the city council.%s", i, boiler)})
	}
	// A second outlet on the first event.
	texts = append(texts, clusterText{title: "Council approves new harbour bridge", body: "The harbour bridge was approved by the council on Monday after a long debate." + boiler})
	order := make([]int, len(texts))
	for i := range order {
		order[i] = i
	}
	corp, err := newCorpus(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := cluster(context.Background(), corp, order, defaultClusterThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != len(subjects) {
		t.Errorf("%d stories from %d events: %v", len(groups), len(subjects), groups)
	}
	if len(groups) > 0 && (len(groups[0]) != 2 || groups[0][1] != len(subjects)) {
		t.Errorf("the two harbour bridge reports did not merge: %v", groups)
	}
}

// syntheticDay makes n items on about n/3 stories: each story has eight
// words of its own and two of 200 topic words many stories share, and every
// text is a third generic words that appear everywhere. It returns the
// texts and each item's story.
func syntheticDay(n int, seed uint64) ([]clusterText, []int) {
	r := rand.New(rand.NewPCG(seed, seed+1))
	vocab := make([]string, max(3000, n))
	for i := range vocab {
		vocab[i] = fakeWord(i)
	}
	generic := []string{"officials", "government", "minister", "statement", "country", "people", "city", "plan", "talks", "court"}
	stories := make([][]string, max(1, n/3))
	for i := range stories {
		for range 8 {
			stories[i] = append(stories[i], vocab[r.IntN(len(vocab))])
		}
		stories[i] = append(stories[i], fakeWord(len(vocab)+r.IntN(200)), fakeWord(len(vocab)+r.IntN(200)))
	}
	text := func(s []string, k int) string {
		var w []string
		for range k {
			if r.IntN(3) == 0 {
				w = append(w, generic[r.IntN(len(generic))])
			} else {
				w = append(w, s[r.IntN(len(s))])
			}
		}
		return strings.Join(w, " ")
	}
	texts := make([]clusterText, n)
	labels := make([]int, n)
	for i := range texts {
		labels[i] = r.IntN(len(stories))
		texts[i] = clusterText{title: text(stories[labels[i]], 9), body: text(stories[labels[i]], 40)}
	}
	return texts, labels
}

// pairScores compares groups with the true labels over item pairs:
// precision is the share of pairs grouped together that belong together,
// recall the share of pairs that belong together that were grouped.
func pairScores(groups [][]int, labels []int) (precision, recall float64) {
	group := make([]int, len(labels))
	for gi, g := range groups {
		for _, i := range g {
			group[i] = gi
		}
	}
	var together, correct, truth int
	for i := range labels {
		for j := i + 1; j < len(labels); j++ {
			same := labels[i] == labels[j]
			if same {
				truth++
			}
			if group[i] == group[j] {
				together++
				if same {
					correct++
				}
			}
		}
	}
	return float64(correct) / float64(max(1, together)), float64(correct) / float64(max(1, truth))
}

// TestClusterBoundsKeepQuality: the candidate bounds that make clustering
// near-linear (maxKeyDF, maxCandidates) group a synthetic day about as well
// as comparing every item with every story, even when tightened well below
// their defaults.
func TestClusterBoundsKeepQuality(t *testing.T) {
	t.Parallel()
	texts, labels := syntheticDay(900, 7)
	order := make([]int, len(texts))
	for i := range order {
		order[i] = i
	}
	ctx := context.Background()
	corp, err := newCorpus(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	run := func(keyDF, cands int) (float64, float64) {
		groups, err := clusterBounded(ctx, corp, order, defaultClusterThreshold, keyDF, cands)
		if err != nil {
			t.Fatal(err)
		}
		return pairScores(groups, labels)
	}
	fullP, fullR := run(len(texts), len(texts))
	t.Logf("unbounded: precision %.3f recall %.3f", fullP, fullR)
	for _, b := range []struct{ keyDF, cands int }{{maxKeyDF, maxCandidates}, {40, 8}} {
		p, r := run(b.keyDF, b.cands)
		t.Logf("keyDF %d, %d candidates: precision %.3f recall %.3f", b.keyDF, b.cands, p, r)
		if p < fullP-0.01 || r < fullR-0.01 {
			t.Errorf("keyDF %d, %d candidates: precision %.3f recall %.3f, unbounded %.3f %.3f", b.keyDF, b.cands, p, r, fullP, fullR)
		}
	}
}
