package compare

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkOfflineCompare is the offline comparison of the three fixtures.
func BenchmarkOfflineCompare(b *testing.B) {
	arts := story(b)
	c := New(nil, Options{}, nil)
	for b.Loop() {
		if _, err := c.Compare(context.Background(), arts); err != nil {
			b.Fatal(err)
		}
	}
}

// fixedSource answers every query with the same candidates.
type fixedSource []Candidate

func (f fixedSource) Candidates(context.Context, Query) ([]Candidate, error) { return f, nil }

// BenchmarkFind is the "Also covered by" lookup of a summary among 300
// candidates (a busy server's three days of feed items and links), two of
// them on its story: what every summary asked for in a server costs on top
// of the store's queries.
func BenchmarkFind(b *testing.B) {
	topics := []string{"rail strike", "school budget", "harbour dredging", "library hours", "bridge repairs", "election count",
		"hospital wait times", "bus fares", "housing plan", "river pollution"}
	var cands fixedSource
	for i := range 298 {
		topic := topics[i%len(topics)]
		cands = append(cands, Candidate{
			URL:   fmt.Sprintf("https://outlet%d.example/news/%d", i%40, i),
			Title: fmt.Sprintf("Update %d on the %s in district %d", i, topic, i%7),
			Text:  fmt.Sprintf("Officials gave an update on the %s on day %d; residents in district %d responded.", topic, i%3, i%7),
		})
	}
	cands = append(cands,
		Candidate{URL: "https://coastaltimes.example/news/northport-sea-wall-vote", Title: "Northport votes for sea wall after long debate",
			Text: "After a five-hour debate, Northport city council voted 9 to 4 on Tuesday to build a £48 million sea wall along the harbour."},
		Candidate{URL: "https://www.baycourier.example/local/sea-wall-council-tax", Title: "Sea wall will raise council tax by 4 percent, finance chief says",
			Text: "Northport households will pay 4 percent more council tax to fund the £48 million sea wall approved on Tuesday."})
	f := NewFinder(cands, FinderOptions{Now: func() time.Time { return now }})
	t := heraldTarget()
	for b.Loop() {
		got, err := f.Find(context.Background(), t)
		if err != nil || len(got) != 2 {
			b.Fatalf("found %d, %v", len(got), err)
		}
	}
}
