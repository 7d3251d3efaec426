package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// benchStore builds a busy news day: 500 shared links (about 200 distinct
// articles on 60 stories, half with cached summaries) and 20 feeds with 25
// items each.
func benchStore(b *testing.B, now time.Time) *memStore {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 3000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%03dx%c", i, 'a'+rune(i%26))
	}
	generic := []string{"officials", "government", "minister", "statement", "country", "people", "city", "plan", "talks", "court"}
	type story struct{ words []string }
	stories := make([]story, 60)
	for i := range stories {
		for k := 0; k < 8; k++ {
			stories[i].words = append(stories[i].words, vocab[r.IntN(len(vocab))])
		}
	}
	text := func(s story, n int) string {
		var w []string
		for k := 0; k < n; k++ {
			if r.IntN(3) == 0 {
				w = append(w, generic[r.IntN(len(generic))])
			} else {
				w = append(w, s.words[r.IntN(len(s.words))])
			}
		}
		return strings.Join(w, " ")
	}
	st := newMemStore()
	urls := make([]string, 200)
	storyOf := make([]int, 200)
	for i := range urls {
		storyOf[i] = r.IntN(len(stories))
		urls[i] = fmt.Sprintf("https://outlet%d.example/news/%d/%s", i%40, i, strings.ReplaceAll(text(stories[storyOf[i]], 5), " ", "-"))
		if i%2 == 0 {
			data, _ := json.Marshal(summarize.Summary{URL: urls[i], Title: text(stories[storyOf[i]], 9), Headline: text(stories[storyOf[i]], 9),
				Summary: text(stories[storyOf[i]], 60), Site: fmt.Sprintf("Outlet %d", i%40)})
			st.summaries[urls[i]] = data
		}
	}
	for k := 0; k < 500; k++ {
		i := int(r.ExpFloat64()*40) % len(urls) // some articles are shared much more
		st.links = append(st.links, store.SharedLink{URL: urls[i], NormURL: urls[i], GuildID: "g",
			ChannelID: fmt.Sprintf("ch%d", r.IntN(8)), MessageID: fmt.Sprint(100000 + k), AuthorID: fmt.Sprintf("u%d", r.IntN(50)),
			SharedAt: now.Add(-time.Duration(r.IntN(1440)) * time.Minute)})
	}
	for f := 0; f < 20; f++ {
		fu := fmt.Sprintf("https://feed%d.example/rss", f)
		st.feeds = append(st.feeds, store.Feed{GuildID: "g", ChannelID: "c", URL: fu})
		for k := 0; k < 25; k++ {
			s := stories[r.IntN(len(stories))]
			u := fmt.Sprintf("https://feed%d.example/item/%d", f, k)
			if k%5 == 0 {
				u = urls[r.IntN(len(urls))] // a feed carrying a shared article
			}
			st.items[fu] = append(st.items[fu], store.FeedItem{FeedURL: fu, GUID: fmt.Sprint(k), URL: u,
				Title: text(s, 9), Summary: text(s, 50), Published: now.Add(-time.Duration(r.IntN(1440)) * time.Minute), SeenAt: now.Add(-time.Minute)})
		}
	}
	return st
}

// BenchmarkCompose composes and renders a digest for 500 shared links and
// 20 feeds, with a fake summarizer for entries without a cached summary.
func BenchmarkCompose(b *testing.B) {
	now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
	st := benchStore(b, now)
	svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: &fakePoster{}, Clock: newFakeClock(now), Logger: discardLogger(),
		Summarizer: &fakeSummarizer{cache: st}, Channels: fakeNamer{"ch1": "general"}}, Options{InstanceID: "bench"})
	sched := store.DigestSchedule{GuildID: "g", ChannelID: "c", Sources: SourcesBoth, QuietDay: true}
	ctx := context.Background()
	b.ReportAllocs()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	allocBefore := ms.TotalAlloc
	start := time.Now()
	var comp *composition
	for b.Loop() {
		var err error
		comp, err = svc.compose(ctx, sched, time.UTC, now.Add(-24*time.Hour), now)
		if err != nil {
			b.Fatal(err)
		}
		if d := comp.digest("c"); len(d.Stories) == 0 {
			b.Fatal("no stories")
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(b.N), "ms/digest")
	b.ReportMetric(float64(ms.TotalAlloc-allocBefore)/1e6/float64(b.N), "MB/digest")
	b.ReportMetric(float64(comp.report.Items), "items")
	b.ReportMetric(float64(comp.report.Stories), "stories")
}
