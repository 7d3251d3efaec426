package digest

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
)

// defaultClusterThreshold is the cosine similarity (TF-IDF over title and
// summary words) between an item and a story's centroid at which the item
// joins the story. Tuned on testdata/cluster.json, a news day of 22 items:
// the weakest same-story item (a differently worded AP-style headline)
// scores 0.257 against its story, the strongest different-story item (a
// Fed item against an ECB story, both about interest rates) 0.228.
const defaultClusterThreshold = 0.24

// minSharedTokens guards against merging on a couple of common words
// ("Japan", "rates"); same-story items share 7 or more in the fixture,
// different stories at most 4.
const minSharedTokens = 3

// Candidate generation bounds, which keep clustering near-linear in the
// number of items. An item is compared only with stories found through an
// inverted index from terms to the stories whose centroids contain them.
// A term in more than maxKeyDF of the day's items ("government", or
// "trump" on a busy day) is too common to find anything by: it still counts
// in the similarity, but is not looked up. Of the stories found that share
// a title term with the item, the maxCandidates with the largest estimated
// similarity are compared in full. A day of a few hundred items looks up
// every term and compares every candidate, so the bounds change nothing
// there.
const (
	maxKeyDF      = 256
	maxCandidates = 32
)

// How often the loops check their context: often enough to stop within
// milliseconds of a deadline, rarely enough to cost nothing.
const checkEvery = 256

// clusterText is what an item contributes to similarity.
type clusterText struct {
	title string // weighs double
	body  string
}

// vector is a sparse, L2-normalised TF-IDF vector over term ids, in
// ascending id order.
type vector struct {
	ids []int32
	ws  []float64
}

// corpus is a day's items ready for clustering: a vector and the sorted
// distinct title terms of each item, with IDF computed over this set of
// texts (a day's news is its own corpus).
type corpus struct {
	vecs   []vector
	titles [][]int32
	df     []int32 // per term: items containing it
	idf    []float64
}

// newCorpus tokenizes texts and builds their vectors. It stops with ctx's
// error when ctx ends.
func newCorpus(ctx context.Context, texts []clusterText) (*corpus, error) {
	ids := make(map[string]int32)
	intern := func(w string) int32 {
		id, ok := ids[w]
		if !ok {
			id = int32(len(ids))
			ids[w] = id
		}
		return id
	}
	type tf struct {
		id int32
		f  float64
	}
	tfs := make([][]tf, len(texts))
	c := &corpus{vecs: make([]vector, len(texts)), titles: make([][]int32, len(texts))}
	var df []int32
	counts := make(map[int32]float64)
	for i, t := range texts {
		if i%checkEvery == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("cluster: %w", ctx.Err())
		}
		clear(counts)
		var title []int32
		tokens(t.title, func(w string) {
			id := intern(w)
			counts[id] += 2
			title = append(title, id)
		})
		tokens(t.body, func(w string) { counts[intern(w)]++ })
		for len(df) < len(ids) {
			df = append(df, 0)
		}
		slices.Sort(title)
		c.titles[i] = slices.Clip(slices.Compact(title))
		row := make([]tf, 0, len(counts))
		for id, f := range counts {
			df[id]++
			row = append(row, tf{id, f})
		}
		sort.Slice(row, func(a, b int) bool { return row[a].id < row[b].id })
		tfs[i] = row
	}
	c.df = df
	n := float64(len(texts))
	c.idf = make([]float64, len(df))
	for id, d := range df {
		// Smoothed IDF keeps words every item shares from vanishing in
		// small sets.
		c.idf[id] = math.Log((n+1)/float64(d+1)) + 1
	}
	for i, row := range tfs {
		v := vector{ids: make([]int32, len(row)), ws: make([]float64, len(row))}
		var norm float64
		for k, t := range row {
			// Sub-linear TF keeps a word repeated in a long summary from
			// dominating.
			x := (1 + math.Log(t.f)) * c.idf[t.id]
			v.ids[k], v.ws[k] = t.id, x
			norm += x * x
		}
		if norm = math.Sqrt(norm); norm > 0 {
			for k := range v.ws {
				v.ws[k] /= norm
			}
		}
		c.vecs[i] = v
	}
	return c, nil
}

// cosine of two normalised vectors, and how many terms they share.
func cosine(a, b vector) (float64, int) {
	var dot float64
	shared := 0
	for i, j := 0, 0; i < len(a.ids) && j < len(b.ids); {
		switch {
		case a.ids[i] < b.ids[j]:
			i++
		case a.ids[i] > b.ids[j]:
			j++
		default:
			dot += a.ws[i] * b.ws[j]
			shared++
			i++
			j++
		}
	}
	return dot, shared
}

// story is a cluster being built. A story of one item borrows that item's
// vector and titles; its sum becomes a map when a second item joins, so a
// day of mostly distinct stories costs no more memory than its items.
type story struct {
	members []int
	single  vector            // the sum while the story has one member
	sum     map[int32]float64 // sum of member vectors, from two members on
	norm    float64           // |sum|
	titles  []int32           // sorted union of the members' title terms
}

// dot is the unnormalised dot product of v with the story's sum, and how
// many terms they share.
func (st *story) dot(v vector) (float64, int) {
	if st.sum == nil {
		return cosine(v, st.single)
	}
	var dot float64
	shared := 0
	for k, id := range v.ids {
		if x, ok := st.sum[id]; ok {
			dot += v.ws[k] * x
			shared++
		}
	}
	return dot, shared
}

// dotStory is the unnormalised dot product of two stories' sums.
func (st *story) dotStory(o *story) (float64, int) {
	switch {
	case o.sum == nil:
		return st.dot(o.single)
	case st.sum == nil:
		return o.dot(st.single)
	}
	a, b := st.sum, o.sum
	if len(b) < len(a) {
		a, b = b, a
	}
	var dot float64
	shared := 0
	for id, x := range a {
		if y, ok := b[id]; ok {
			dot += x * y
			shared++
		}
	}
	return dot, shared
}

// materialize turns a one-member story's borrowed vector into a sum map.
func (st *story) materialize() {
	if st.sum != nil {
		return
	}
	st.sum = make(map[int32]float64, len(st.single.ids))
	for k, id := range st.single.ids {
		st.sum[id] = st.single.ws[k]
	}
	st.single = vector{}
}

// clusterer holds the stories being built and the inverted index from
// key terms to the stories whose centroids contain them.
type clusterer struct {
	c         *corpus
	threshold float64
	keyDF     int // maxKeyDF; tests lift the bounds to compare
	maxCands  int // maxCandidates
	stories   []*story
	index     [][]int32 // term id -> stories; only key terms have any
	score     []float64 // per story: estimated similarity in the current lookup
	touched   []int
	out       []int    // candidates' buffer, reused by every lookup
	mark      []uint32 // term id -> lookup that has it as a title term
	lookup    uint32
}

// isKey reports whether a term is rare enough to find candidates by.
func (cl *clusterer) isKey(id int32) bool { return int(cl.c.df[id]) <= cl.keyDF }

// newStory starts a story with item i.
func (cl *clusterer) newStory(i int) {
	v := cl.c.vecs[i]
	si := len(cl.stories)
	cl.stories = append(cl.stories, &story{members: []int{i}, single: v, norm: vecNorm(v)})
	cl.score = append(cl.score, 0)
	for _, id := range v.ids {
		if cl.isKey(id) {
			cl.index[id] = append(cl.index[id], int32(si))
		}
	}
	cl.stories[si].titles = slices.Clone(cl.c.titles[i])
}

// absorb adds the terms of a vector (ids with weights x, dot being its
// unnormalised dot product with the story's sum) and the title terms to
// story si, indexing the terms that are new to it.
func (cl *clusterer) absorb(si int, ids []int32, ws []float64, dot, norm float64, titles []int32) {
	st := cl.stories[si]
	st.materialize()
	for k, id := range ids {
		old, ok := st.sum[id]
		if !ok && cl.isKey(id) {
			cl.index[id] = append(cl.index[id], int32(si))
		}
		st.sum[id] = old + ws[k]
	}
	st.norm = math.Sqrt(max(0, st.norm*st.norm+2*dot+norm*norm))
	var fresh []int32
	for _, id := range titles {
		if _, found := slices.BinarySearch(st.titles, id); !found {
			fresh = append(fresh, id)
		}
	}
	if len(fresh) > 0 {
		st.titles = append(st.titles, fresh...)
		slices.Sort(st.titles)
	}
}

// candidates returns up to maxCands live stories before story limit that
// share a key term and a title term with a text of the given
// terms (ids, weights ws scaled by 1/norm, sorted title terms), the most
// similar first by an estimate: the key terms' part of the dot product,
// weighing the story's side by IDF.
func (cl *clusterer) candidates(ids []int32, ws []float64, norm float64, titles []int32, limit int) []int {
	if norm == 0 {
		return nil
	}
	cl.lookup++
	for _, id := range titles {
		cl.mark[id] = cl.lookup
	}
	for k, id := range ids {
		if !cl.isKey(id) {
			continue
		}
		w := ws[k] / norm * cl.c.idf[id]
		for _, si := range cl.index[id] {
			if cl.score[si] == 0 {
				cl.touched = append(cl.touched, int(si))
			}
			cl.score[si] += w
		}
	}
	out := cl.out[:0]
	for _, si := range cl.touched {
		if si < limit && cl.stories[si].members != nil && cl.sharesTitle(cl.stories[si].titles) {
			out = append(out, si)
		}
	}
	if len(out) > cl.maxCands {
		sort.Slice(out, func(a, b int) bool {
			x, y := cl.score[out[a]], cl.score[out[b]]
			if x != y {
				return x > y
			}
			return out[a] < out[b]
		})
		out = out[:cl.maxCands]
	}
	for _, si := range cl.touched {
		cl.score[si] = 0
	}
	cl.touched = cl.touched[:0]
	cl.out = out
	return out
}

// sharesTitle reports whether titles has a title term of the current
// lookup.
func (cl *clusterer) sharesTitle(titles []int32) bool {
	for _, id := range titles {
		if cl.mark[id] == cl.lookup {
			return true
		}
	}
	return false
}

// cluster groups items about the same story. order lists item indexes from
// most to least important; each item joins the existing story whose
// centroid is most similar (at least threshold, sharing at least
// minSharedTokens terms, and at least one title term with the story's
// titles: reports of one event name it in their headlines, while articles
// that merely share a house style or boilerplate do not), or starts a new
// one. Comparing against centroids rather than single members keeps chains
// of loosely related items from merging distinct stories. Stories come back
// in order of their first (most important) member; members keep the given
// order. Candidate stories are found through an inverted index (see
// maxKeyDF), so the work grows about linearly with the number of items. It
// stops with ctx's error when ctx ends.
func cluster(ctx context.Context, c *corpus, order []int, threshold float64) ([][]int, error) {
	return clusterBounded(ctx, c, order, threshold, maxKeyDF, maxCandidates)
}

// clusterBounded is cluster with the candidate bounds given.
func clusterBounded(ctx context.Context, c *corpus, order []int, threshold float64, keyDF, maxCands int) ([][]int, error) {
	cl := &clusterer{c: c, threshold: threshold, keyDF: keyDF, maxCands: maxCands, index: make([][]int32, len(c.df)), mark: make([]uint32, len(c.df))}
	for n, i := range order {
		if n%checkEvery == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("cluster: %w", ctx.Err())
		}
		v := c.vecs[i]
		best, bestSim, bestDot := -1, threshold, 0.0
		for _, si := range cl.candidates(v.ids, v.ws, 1, c.titles[i], len(cl.stories)) {
			st := cl.stories[si]
			dot, shared := st.dot(v)
			if shared < minSharedTokens || st.norm == 0 {
				continue
			}
			if sim := dot / st.norm; sim > bestSim || sim == bestSim && (best < 0 || si < best) {
				best, bestSim, bestDot = si, sim, dot
			}
		}
		if best < 0 {
			cl.newStory(i)
			continue
		}
		cl.stories[best].members = append(cl.stories[best].members, i)
		cl.absorb(best, v.ids, v.ws, bestDot, vecNorm(v), c.titles[i])
	}
	if err := cl.mergeStories(ctx); err != nil {
		return nil, err
	}
	out := make([][]int, 0, len(cl.stories))
	for _, st := range cl.stories {
		if st.members != nil {
			out = append(out, st.members)
		}
	}
	return out, nil
}

// mergeStories is the second pass: an item seeded early was compared with
// a story that had one member then; now that stories have grown, merge a
// story into the most important earlier one whose centroid is close enough.
func (cl *clusterer) mergeStories(ctx context.Context) error {
	for j := 1; j < len(cl.stories); j++ {
		if j%checkEvery == 0 && ctx.Err() != nil {
			return fmt.Errorf("cluster: %w", ctx.Err())
		}
		sj := cl.stories[j]
		if sj.members == nil || sj.norm == 0 {
			continue
		}
		ids, ws := sj.single.ids, sj.single.ws
		if sj.sum != nil {
			// In term order, so that the estimates (float sums) and thus
			// the candidates do not depend on map order.
			ids = slices.Sorted(maps.Keys(sj.sum))
			ws = make([]float64, len(ids))
			for k, id := range ids {
				ws[k] = sj.sum[id]
			}
		}
		cands := cl.candidates(ids, ws, sj.norm, sj.titles, j)
		slices.Sort(cands)
		for _, i := range cands {
			si := cl.stories[i]
			if si.norm == 0 {
				continue
			}
			dot, shared := si.dotStory(sj)
			if shared < minSharedTokens || dot/(si.norm*sj.norm) < cl.threshold {
				continue
			}
			si.members = append(si.members, sj.members...)
			cl.absorb(i, ids, ws, dot, sj.norm, sj.titles)
			sj.members, sj.sum, sj.single = nil, nil, vector{}
			break
		}
	}
	return nil
}

func vecNorm(v vector) float64 {
	var n float64
	for _, x := range v.ws {
		n += x * x
	}
	return math.Sqrt(n)
}
