package summarize

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/article"
)

// ExtractiveNote is Summary.Note of an extractive summary made because no
// LLM is configured.
const ExtractiveNote = "Extractive summary: sentences picked from the article, no AI model configured."

// Extractive is the offline summarizer: it picks the lead and the most
// central sentences of the article, and quotes with their attribution, so
// every word it shows is the article's own. It needs no network and is
// safe for concurrent use.
type Extractive struct{}

// NewExtractive returns the offline summarizer.
func NewExtractive() *Extractive { return &Extractive{} }

// Model is ExtractiveModel.
func (*Extractive) Model() string { return ExtractiveModel }

type sentence struct {
	text  string
	para  int
	index int
	terms map[string]float64 // tf-idf weights, unit length
	score float64
}

// Summarize implements Summarizer. Options.Length sets how many sentences
// and points it picks; Options.Language cannot be honoured offline, so the
// summary stays in the article's language.
func (e *Extractive) Summarize(ctx context.Context, a *article.Article, opts Options) (*Summary, error) {
	if a == nil || strings.TrimSpace(a.Text) == "" {
		return nil, ErrEmptyArticle
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	spec := specFor(normLength(opts.Length))
	sents := scoreSentences(a.Text)

	// The lead is always first; then the most central sentences, skipping
	// near-duplicates of what is already chosen.
	var chosen []*sentence
	for _, s := range sents {
		if eligible(s.text) {
			chosen = append(chosen, s)
			break
		}
	}
	ranked := make([]*sentence, len(sents))
	copy(ranked, sents)
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].score > ranked[j].score })
	summaryN := spec.maxSent - 1
	if summaryN < 1 {
		summaryN = 1
	}
	pick := func(n int) []*sentence {
		var out []*sentence
		for _, s := range ranked {
			if len(out) == n {
				break
			}
			if !eligible(s.text) || startsWithQuote(s.text) || redundant(s, chosen) {
				continue
			}
			chosen = append(chosen, s)
			out = append(out, s)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].index < out[j].index })
		return out
	}
	lead := append([]*sentence(nil), chosen...)
	summarySents := append(lead, pick(summaryN)...)
	if len(summarySents) > spec.maxSent {
		summarySents = summarySents[:spec.maxSent]
	}
	sort.Slice(summarySents, func(i, j int) bool { return summarySents[i].index < summarySents[j].index })
	points := pick(spec.maxPoints - 1)

	s := &Summary{
		Headline:  a.Title,
		Summary:   joinSentences(summarySents),
		KeyPoints: texts(points),
		Quotes:    findQuotes(mapQuotes(a.Text), spec.maxQuotes),
		Language:  a.Language,
		Model:     ExtractiveModel,
		Note:      ExtractiveNote,
	}
	if s.Headline == "" && len(sents) > 0 {
		s.Headline = sents[0].text
	}
	Verify(s, a)
	fillMeta(s, a)
	return s, nil
}

func texts(ss []*sentence) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.text
	}
	return out
}

func joinSentences(ss []*sentence) string {
	return strings.Join(texts(ss), " ")
}

// eligible sentences are neither fragments nor walls of text, and end like
// a sentence: a line without final punctuation is usually a heading, a
// caption or a "Read more" link.
func eligible(s string) bool {
	n := len(strings.Fields(s))
	if n == 0 || !endsLikeSentence(s) {
		return false
	}
	if hasCJK(s) {
		return utf8.RuneCountInString(s) >= 10
	}
	return n >= 6 && n <= 70
}

func endsLikeSentence(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool { return isCloser(r) || unicode.IsSpace(r) })
	r, _ := utf8.DecodeLastRuneInString(s)
	return isTerminator(r)
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || !unicode.IsLower(r) && unicode.IsLetter(r)
}

func startsWithQuote(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return foldRune(r) == '"'
}

func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return true
		}
	}
	return false
}

func redundant(s *sentence, chosen []*sentence) bool {
	for _, c := range chosen {
		if c == s || cosine(s.terms, c.terms) > 0.5 {
			return true
		}
	}
	return false
}

// terms splits a sentence into index terms: lower-cased words of three or
// more letters, and character bigrams for CJK text (which has no spaces).
func terms(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if hasCJK(w) {
			rs := []rune(w)
			for i := 0; i+1 < len(rs); i++ {
				out = append(out, string(rs[i:i+2]))
			}
			continue
		}
		if utf8.RuneCountInString(w) >= 3 {
			out = append(out, w)
		}
	}
	return out
}

// scoreSentences splits the text and scores each sentence's centrality:
// TextRank over tf-idf cosine similarity for ordinary articles, similarity
// to the whole-document centroid for very long ones (linear time), with a
// mild bonus for early paragraphs, where news puts what matters.
func scoreSentences(text string) []*sentence {
	var sents []*sentence
	for pi, p := range paragraphs(text) {
		for _, st := range splitSentences(p) {
			sents = append(sents, &sentence{text: st, para: pi, index: len(sents)})
		}
	}
	n := len(sents)
	if n == 0 {
		return nil
	}
	df := map[string]int{}
	tfs := make([]map[string]int, n)
	for i, s := range sents {
		tf := map[string]int{}
		for _, t := range terms(s.text) {
			tf[t]++
		}
		tfs[i] = tf
		for t := range tf {
			df[t]++
		}
	}
	centroid := map[string]float64{}
	for i, s := range sents {
		w := map[string]float64{}
		var norm float64
		for t, c := range tfs[i] {
			v := (1 + math.Log(float64(c))) * math.Log(1+float64(n)/float64(df[t]))
			w[t] = v
			norm += v * v
			centroid[t] += v
		}
		norm = math.Sqrt(norm)
		for t := range w {
			w[t] /= norm
		}
		s.terms = w
	}
	if n <= 250 {
		textRank(sents)
	} else {
		for _, s := range sents {
			s.score = cosine(s.terms, centroid)
		}
	}
	for _, s := range sents {
		s.score *= 1 + 0.3/float64(1+s.para)
	}
	return sents
}

// textRank runs PageRank on the similarity graph (damping 0.85).
func textRank(sents []*sentence) {
	n := len(sents)
	sim := make([][]float64, n)
	out := make([]float64, n)
	for i := range sents {
		sim[i] = make([]float64, n)
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			c := cosine(sents[i].terms, sents[j].terms)
			sim[i][j], sim[j][i] = c, c
			out[i] += c
			out[j] += c
		}
	}
	rank := make([]float64, n)
	for i := range rank {
		rank[i] = 1
	}
	next := make([]float64, n)
	for range 30 {
		for i := range n {
			var sum float64
			for j := range n {
				if sim[j][i] > 0 && out[j] > 0 {
					sum += sim[j][i] / out[j] * rank[j]
				}
			}
			next[i] = 0.15 + 0.85*sum
		}
		rank, next = next, rank
	}
	for i, s := range sents {
		s.score = rank[i]
	}
}

func cosine(a, b map[string]float64) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	var dot, na, nb float64
	for t, v := range a {
		dot += v * b[t]
	}
	for _, v := range a {
		na += v * v
	}
	for _, v := range b {
		nb += v * v
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// findQuotes returns up to max quotes of at least five words (eight
// characters of CJK) taken verbatim from the article's quoted speech, with
// the speaker the article credits or none: credited quotes first, then
// whole sentences before fragments, then the longest; shown in article
// order.
func findQuotes(qm *quoteMap, max int) []Quote {
	type found struct {
		q   Quote
		pos int
	}
	var all []found
	seen := map[string]bool{}
	for _, sp := range qm.spans {
		inner := strings.TrimSpace(qm.text[sp.start:sp.end])
		inner = strings.TrimRightFunc(inner, func(r rune) bool { return r == ',' || r == ';' || r == ':' || unicode.IsSpace(r) })
		if len(strings.Fields(inner)) < 5 && !(hasCJK(inner) && utf8.RuneCountInString(inner) >= 8) {
			continue
		}
		if len(strings.Fields(inner)) > 80 || seen[inner] {
			continue
		}
		seen[inner] = true
		all = append(all, found{q: Quote{Text: inner, Speaker: sp.speaker}, pos: sp.start})
	}
	sort.SliceStable(all, func(i, j int) bool {
		ci, cj := all[i].q.Speaker != "", all[j].q.Speaker != ""
		if ci != cj {
			return ci
		}
		wi, wj := startsUpper(all[i].q.Text), startsUpper(all[j].q.Text)
		if wi != wj {
			return wi
		}
		return len(all[i].q.Text) > len(all[j].q.Text)
	})
	if len(all) > max {
		all = all[:max]
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].pos < all[j].pos })
	out := make([]Quote, len(all))
	for i, f := range all {
		out[i] = f.q
	}
	return out
}
