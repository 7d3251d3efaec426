package digest

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestSameStory checks that SameStory finds, for each story of the
// clustering fixture, the other items of that story and nothing else.
func TestSameStory(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/cluster.json")
	if err != nil {
		t.Fatal(err)
	}
	var items []struct{ Story, URL, Title, Summary string }
	if err := json.Unmarshal(data, &items); err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	for ti, target := range items {
		if done[target.Story] {
			continue
		}
		done[target.Story] = true
		var others []StoryText
		var want []int
		for i, it := range items {
			if i == ti {
				continue
			}
			if it.Story == target.Story {
				want = append(want, len(others))
			}
			others = append(others, StoryText{Title: it.Title, Body: it.Summary})
		}
		got, err := SameStory(context.Background(), StoryText{Title: target.Title, Body: target.Summary}, others, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("story %s: got %v, want %v", target.Story, got, want)
		}
	}
	if got, err := SameStory(context.Background(), StoryText{Title: "x"}, nil, 0); err != nil || got != nil {
		t.Errorf("no others: %v, %v", got, err)
	}
}

func TestSlugText(t *testing.T) {
	t.Parallel()
	if got := SlugText("https://news.example/2026/05/council-approves-harbour-budget.html"); got != "council approves harbour budget" {
		t.Errorf("SlugText = %q", got)
	}
}
