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

// benchStore builds a busy news day: links shared links (on 4/5 as many
// distinct articles, some shared much more than others, about three
// articles per story, half with cached summaries) and 20 feeds with 25 items each.
// Story words come from a vocabulary that grows with the day; each story
// also uses two of 200 topic words (shared by many stories) and generic
// words that appear everywhere, the shapes that make candidate generation
// expensive.
func benchStore(b testing.TB, now time.Time, links int) *memStore {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, max(3000, links))
	for i := range vocab {
		vocab[i] = fakeWord(i)
	}
	topics := make([]string, 200)
	for i := range topics {
		topics[i] = fakeWord(len(vocab) + i)
	}
	generic := []string{"officials", "government", "minister", "statement", "country", "people", "city", "plan", "talks", "court"}
	type story struct{ words []string }
	stories := make([]story, max(60, links/4))
	for i := range stories {
		for k := 0; k < 8; k++ {
			stories[i].words = append(stories[i].words, vocab[r.IntN(len(vocab))])
		}
		stories[i].words = append(stories[i].words, topics[r.IntN(len(topics))], topics[r.IntN(len(topics))])
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
	urls := make([]string, max(200, links*4/5))
	storyOf := make([]int, len(urls))
	for i := range urls {
		storyOf[i] = r.IntN(len(stories))
		urls[i] = fmt.Sprintf("https://outlet%d.example/news/%d/%s", i%40, i, strings.ReplaceAll(text(stories[storyOf[i]], 5), " ", "-"))
		if i%2 == 0 {
			data, _ := json.Marshal(summarize.Summary{URL: urls[i], Title: text(stories[storyOf[i]], 9), Headline: text(stories[storyOf[i]], 9),
				Summary: text(stories[storyOf[i]], 60), Site: fmt.Sprintf("Outlet %d", i%40)})
			st.summaries[urls[i]] = data
		}
	}
	for k := 0; k < links; k++ {
		// Most shares spread evenly, a fifth go to popular articles.
		i := k % len(urls)
		if k%5 == 4 {
			i = int(r.ExpFloat64()*40) % len(urls)
		}
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

// BenchmarkCompose composes a digest (collect, cluster, rank, summarize
// the top entries with a fake summarizer) for a day of 500 to 40,000
// shared links plus 20 feeds. Rendering is not included: it is linear and
// lives with the render package.
//
//	go test -run '^$' -bench Compose -benchtime 3x ./digest/
func BenchmarkCompose(b *testing.B) {
	for _, links := range []int{500, 2000, 8000, 40000} {
		b.Run(fmt.Sprintf("links=%d", links), func(b *testing.B) {
			now := time.Date(2025, 5, 2, 18, 0, 0, 0, time.UTC)
			st := benchStore(b, now, links)
			svc := New(Deps{Store: st, Fetcher: &httpFetcher{}, Poster: &fakePoster{}, Clock: newFakeClock(now), Logger: discardLogger(),
				Summarizer: &fakeSummarizer{cache: st}, Channels: fakeNamer{"ch1": "general"}}, Options{InstanceID: "bench"})
			sched := store.DigestSchedule{GuildID: "g", ChannelID: "c", Sources: SourcesBoth, QuietDay: true}
			ctx := context.Background()
			b.ReportAllocs()
			var ms runtime.MemStats
			runtime.GC()
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
				if len(comp.entries) == 0 {
					b.Fatal("no entries")
				}
			}
			elapsed := time.Since(start)
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(b.N), "ms/digest")
			b.ReportMetric(float64(ms.TotalAlloc-allocBefore)/1e6/float64(b.N), "MB/digest")
			b.ReportMetric(float64(comp.report.Items), "items")
			b.ReportMetric(float64(comp.report.Stories), "stories")
		})
	}
}

// fakeWord is the i-th word of a made-up vocabulary: letters only, so that
// each is one token, and never a stopword or an English inflection.
func fakeWord(i int) string {
	b := []byte{'q'}
	for {
		b = append(b, "bcdfghjklmnprtvz"[i%16])
		i /= 16
		if i == 0 {
			break
		}
	}
	return string(append(b, 'o'))
}
