package digest

import "math"

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

// clusterText is what an item contributes to similarity.
type clusterText struct {
	title string // weighs double
	body  string
}

// vector is a sparse, L2-normalised TF-IDF vector.
type vector map[string]float64

// vectors builds one TF-IDF vector per text, with IDF computed over this set
// of texts (a day's news is its own corpus).
func vectors(texts []clusterText) []vector {
	tfs := make([]map[string]float64, len(texts))
	df := make(map[string]int)
	for i, t := range texts {
		tf := make(map[string]float64)
		tokens(t.title, func(w string) { tf[w] += 2 })
		tokens(t.body, func(w string) { tf[w]++ })
		for w := range tf {
			df[w]++
		}
		tfs[i] = tf
	}
	n := float64(len(texts))
	out := make([]vector, len(texts))
	for i, tf := range tfs {
		var norm float64
		for w, f := range tf {
			// Sub-linear TF keeps a word repeated in a long summary from
			// dominating; smoothed IDF keeps words every item shares from
			// vanishing in small sets.
			x := (1 + math.Log(f)) * (math.Log((n+1)/float64(df[w]+1)) + 1)
			tf[w] = x
			norm += x * x
		}
		norm = math.Sqrt(norm)
		if norm > 0 {
			for w := range tf {
				tf[w] /= norm
			}
		}
		out[i] = vector(tf)
	}
	return out
}

// titleWords is each text's set of title tokens.
func titleWords(texts []clusterText) []map[string]bool {
	out := make([]map[string]bool, len(texts))
	for i, t := range texts {
		set := make(map[string]bool)
		tokens(t.title, func(w string) { set[w] = true })
		out[i] = set
	}
	return out
}

// sharesAny reports whether two word sets meet.
func sharesAny(a, b map[string]bool) bool {
	if len(b) < len(a) {
		a, b = b, a
	}
	for w := range a {
		if b[w] {
			return true
		}
	}
	return false
}

// cosine of two normalised vectors, and how many tokens they share.
func cosine(a, b vector) (float64, int) {
	if len(b) < len(a) {
		a, b = b, a
	}
	var dot float64
	shared := 0
	for w, x := range a {
		if y, ok := b[w]; ok {
			dot += x * y
			shared++
		}
	}
	return dot, shared
}

// cluster groups items about the same story. order lists item indexes from
// most to least important; each item joins the existing story whose
// centroid is most similar (at least threshold, sharing at least
// minSharedTokens words, and at least one title word with the story's
// titles: reports of one event name it in their headlines, while articles
// that merely share a house style or boilerplate do not), or starts a new
// one. Comparing against centroids
// rather than single members keeps chains of loosely related items from
// merging distinct stories. Stories come back in order of their first
// (most important) member; members keep the given order.
func cluster(vecs []vector, titles []map[string]bool, order []int, threshold float64) [][]int {
	type story struct {
		members []int
		sum     vector // sum of member vectors
		norm    float64
		titles  map[string]bool // union of the members' title words
	}
	var stories []*story
	index := make(map[string][]int) // token -> stories containing it
	var seen []int                  // story -> last item (1-based) that compared with it
	for n, i := range order {
		v := vecs[i]
		best, bestSim := -1, threshold
		for w := range v {
			for _, si := range index[w] {
				if seen[si] == n+1 {
					continue
				}
				seen[si] = n + 1
				st := stories[si]
				dot, shared := cosine(v, st.sum)
				if shared < minSharedTokens || st.norm == 0 || !sharesAny(titles[i], st.titles) {
					continue
				}
				if sim := dot / st.norm; sim >= bestSim {
					if sim > bestSim || best < 0 || si < best {
						best, bestSim = si, sim
					}
				}
			}
		}
		if best < 0 {
			best = len(stories)
			stories = append(stories, &story{sum: make(vector, len(v)), titles: make(map[string]bool)})
			seen = append(seen, 0)
		}
		st := stories[best]
		st.members = append(st.members, i)
		for w := range titles[i] {
			st.titles[w] = true
		}
		sq := st.norm * st.norm
		for w, x := range v {
			old, ok := st.sum[w]
			if !ok {
				index[w] = append(index[w], best)
			}
			st.sum[w] = old + x
			sq += 2*old*x + x*x
		}
		st.norm = math.Sqrt(sq)
	}
	// Second pass: an item seeded early is compared with a story that had
	// one member then; now that stories have grown, merge a story into a
	// more important one whose centroid is close enough.
	for j := 1; j < len(stories); j++ {
		sj := stories[j]
		if sj.members == nil {
			continue
		}
		for i := 0; i < j; i++ {
			si := stories[i]
			if si.members == nil || si.norm == 0 || sj.norm == 0 {
				continue
			}
			dot, shared := cosine(si.sum, sj.sum)
			if shared < minSharedTokens || dot/(si.norm*sj.norm) < threshold || !sharesAny(si.titles, sj.titles) {
				continue
			}
			si.members = append(si.members, sj.members...)
			for w := range sj.titles {
				si.titles[w] = true
			}
			for w, x := range sj.sum {
				si.sum[w] += x
			}
			var n float64
			for _, x := range si.sum {
				n += x * x
			}
			si.norm = math.Sqrt(n)
			sj.members = nil
			break
		}
	}
	out := make([][]int, 0, len(stories))
	for _, st := range stories {
		if st.members != nil {
			out = append(out, st.members)
		}
	}
	return out
}
