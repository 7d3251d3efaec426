package digest

import (
	"context"
	"slices"
)

// This file lends the digest's story clustering to other features (the
// "Also covered by" line and coverage comparisons), so that what counts as
// one story is decided in one place.

// StoryText is what one article contributes to story clustering: its
// title (and headline) and a body (a summary or a feed item's text).
type StoryText struct {
	Title string
	Body  string
}

// DefaultStoryThreshold is the similarity at which the digest takes two
// items to be about the same story.
const DefaultStoryThreshold = defaultClusterThreshold

// SameStory returns the indexes of the others that the digest's clustering
// puts in one story with target, in the order given. The texts are
// clustered together (a day's news is its own corpus) with target first,
// so that target seeds its story; threshold 0 means
// DefaultStoryThreshold. It stops with ctx's error when ctx ends.
func SameStory(ctx context.Context, target StoryText, others []StoryText, threshold float64) ([]int, error) {
	if len(others) == 0 {
		return nil, nil
	}
	if threshold <= 0 {
		threshold = defaultClusterThreshold
	}
	texts := make([]clusterText, 0, len(others)+1)
	texts = append(texts, clusterText{title: target.Title, body: target.Body})
	for _, o := range others {
		texts = append(texts, clusterText{title: o.Title, body: o.Body})
	}
	order := make([]int, len(texts))
	for i := range order {
		order[i] = i
	}
	corp, err := newCorpus(ctx, texts)
	if err != nil {
		return nil, err
	}
	groups, err := cluster(ctx, corp, order, threshold)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		has := false
		for _, i := range g {
			if i == 0 {
				has = true
				break
			}
		}
		if !has {
			continue
		}
		var out []int
		for _, i := range g {
			if i != 0 {
				out = append(out, i-1)
			}
		}
		slices.Sort(out)
		return out, nil
	}
	return nil, nil
}

// SlugText is the words of a link's last path segment ("city-council-
// approves-budget" becomes "city council approves budget"): a title for a
// shared link nothing else is known of.
func SlugText(rawURL string) string { return slugText(rawURL) }

// PlainText is an HTML fragment's text (a feed item's description) with
// white space collapsed.
func PlainText(s string) string { return stripHTML(s) }
