package summarize

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/internal/lazyre"
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

	words      int  // article.CountWords
	dependent  bool // needs the sentence before it to be understood
	attributed bool // its narration credits a claim to somebody
	loaded     bool // its narration (not a quotation) uses loaded words
}

// extractiveBudget bounds what the offline summarizer shows, so a pasted
// link gets a short card rather than a wall of text.
type extractiveBudget struct {
	words      int // summary words at most (whole sentences only)
	points     int // key points at most
	pointWords int // words in one key point at most
	quotes     int // quotes at most
	quoteWords int // words in one quote at most
	total      int // words shown in all (summary, points, quotes) at most; set by scaled
}

// scaled fits the budget to an article of in words, so a summary never
// comes near the article's own length. For a normal summary the summary
// gets at most a sixth of the article (but 40 words at least) and
// everything shown a quarter (but 60 words at least, and never more than
// 5/3 of the summary budget); short and detailed scale with their budgets.
func (b extractiveBudget) scaled(in int) extractiveBudget {
	b.total = min(b.words*5/3, max(60, in*b.words/480))
	b.words = min(b.words, max(40, in*b.words/720))
	return b
}

func extractiveBudgetFor(length string) extractiveBudget {
	switch length {
	case LengthShort:
		return extractiveBudget{words: 60, points: 2, pointWords: 35, quotes: 1, quoteWords: 40}
	case LengthDetailed:
		return extractiveBudget{words: 200, points: 5, pointWords: 40, quotes: 3, quoteWords: 50}
	default:
		return extractiveBudget{words: 120, points: 3, pointWords: 30, quotes: 2, quoteWords: 40}
	}
}

// Summarize implements Summarizer. Options.Length sets the word budget
// (about 60, 120 or 200 summary words; 2, 3 or 5 key points; 1, 2 or 3
// quotes); Options.Language cannot be honoured offline, so the summary
// stays in the article's language.
//
// The summary is whole sentences of the article in their order: the lead,
// then the most central sentences that fit the budget. A sentence that
// leans on the one before it (a leading pronoun or connective, a trailing
// "he said") is shown only together with that sentence; attributed
// sentences are preferred and sentences with loaded words avoided.
func (e *Extractive) Summarize(ctx context.Context, a *article.Article, opts Options) (*Summary, error) {
	if a == nil || strings.TrimSpace(a.Text) == "" {
		return nil, ErrEmptyArticle
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	budget := extractiveBudgetFor(normLength(opts.Length)).scaled(article.CountWords(a.Text))
	qm := mapQuotes(a.Text)
	sents := scoreSentences(a.Text)
	annotate(sents, qm)

	chosen := map[*sentence]bool{}
	var picked []*sentence
	isChosen := func(s *sentence) bool { return chosen[s] }
	total := 0
	take := func(ss ...*sentence) {
		for _, s := range ss {
			chosen[s] = true
			picked = append(picked, s)
			total += s.words
		}
	}
	// The lead: the first sentence that reads on its own.
	for _, s := range sents {
		if summaryEligible(s) && !s.dependent && s.words <= budget.words {
			take(s)
			break
		}
	}
	ranked := make([]*sentence, len(sents))
	copy(ranked, sents)
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].score > ranked[j].score })
	for _, s := range ranked {
		if chosen[s] || !summaryEligible(s) || redundant(s, picked) || total+s.words > budget.words {
			continue
		}
		if !s.dependent {
			take(s)
			continue
		}
		// A dependent sentence comes with the sentence it leans on.
		prev := predecessor(sents, s)
		switch {
		case prev == nil:
		case chosen[prev]:
			take(s)
		case summaryEligible(prev) && !prev.dependent && !redundant(prev, picked) && total+prev.words+s.words <= budget.words:
			take(prev, s)
		}
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].index < picked[j].index })
	summarySents := picked

	// Quotes may take half of what the summary leaves; key points the rest.
	quotes := findQuotes(qm, budget.quotes, budget.quoteWords, (budget.total-total)/2, texts(summarySents))
	for _, q := range quotes {
		total += article.CountWords(q.Text)
	}

	// Key points: the next most central sentences that stand alone and do
	// not repeat a quote.
	var points []*sentence
	for _, s := range ranked {
		if len(points) == budget.points {
			break
		}
		if isChosen(s) || s.dependent || !summaryEligible(s) || s.words > budget.pointWords ||
			total+s.words > budget.total || redundant(s, append(summarySents, points...)) || holdsQuote(s.text, quotes) {
			continue
		}
		points = append(points, s)
		total += s.words
	}
	sort.Slice(points, func(i, j int) bool { return points[i].index < points[j].index })

	s := &Summary{
		Headline:  a.Title,
		Summary:   joinSentences(summarySents),
		KeyPoints: texts(points),
		Quotes:    quotes,
		Language:  a.Language,
		Model:     ExtractiveModel,
		Note:      ExtractiveNote,
	}
	if s.Headline == "" && len(sents) > 0 {
		s.Headline = sents[0].text
	}
	verify(s, a, qm)
	fillMeta(s, a)
	return s, nil
}

// summaryEligible: a whole sentence, not a quotation on its own (quotes
// have their own place), not a wall of text.
func summaryEligible(s *sentence) bool {
	return eligible(s.text) && !startsWithQuote(s.text) && !openQuote(s.text) && !openCJKQuote(s.text) &&
		(s.words <= 60 || hasCJK(s.text) && s.words <= 120)
}

// openCJKQuote reports whether s opens more CJK quotation brackets than it
// closes: a sentence cut inside a quotation.
func openCJKQuote(s string) bool {
	return strings.Count(s, "「")+strings.Count(s, "『") > strings.Count(s, "」")+strings.Count(s, "』")
}

// predecessor is the sentence before s in the same paragraph, or the last
// of the paragraph before when s opens its paragraph.
func predecessor(sents []*sentence, s *sentence) *sentence {
	if s.index == 0 {
		return nil
	}
	p := sents[s.index-1]
	if p.para < s.para-1 {
		return nil
	}
	return p
}

// annotate marks dependent, attributed and loaded sentences and adjusts
// their scores: attribution up, loaded wording down.
func annotate(sents []*sentence, qm *quoteMap) {
	for _, s := range sents {
		s.words = article.CountWords(s.text)
		narr := narration(s.text)
		s.dependent = leansBack(s.text)
		s.attributed = hasSpeechVerb(narr) && qm.nameBeforeVerb(narr) != "" || mayAccord(narr) && accordingRE().MatchString(narr)
		s.dependent = s.dependent || hasSpeechVerb(narr) && pronounSaidRE().MatchString(narr)
		s.loaded = hasLoadedWord(narr)
		if s.attributed {
			s.score *= 1.25
		}
		if s.loaded {
			s.score *= 0.4
		}
	}
}

// narration is a sentence without its quotations.
func narration(text string) string {
	var b strings.Builder
	at := 0
	for _, q := range scanQuotes(text, 0) {
		b.WriteString(text[at:q[0]])
		b.WriteString(" ‹Q› ")
		at = q[3]
	}
	b.WriteString(text[at:])
	return b.String()
}

var (
	// leansBackRE: sentences that open with a pronoun or a connective that
	// points at the sentence before ("He added...", "It came as...", "But
	// ...", "Dies sei...", "Il a ajouté...").
	leansBackRE = lazyre.New(`^[\s\p{Pi}\p{Ps}"'„«»]*(?:He|She|They|It|This|That|These|Those|His|Her|Their|Its|Such|But|And|Also|However|Still|Yet|Then|Meanwhile|Nevertheless|Moreover|Furthermore|Instead|Er|Sie|Es|Sein|Seine|Seinen|Seiner|Ihr|Ihre|Ihren|Ihrer|Dies|Diese|Dieser|Dieses|Dabei|Damit|Dazu|Daher|Deshalb|Doch|Aber|Auch|Zudem|Außerdem|Il|Elle|Ils|Elles|Son|Sa|Ses|Leur|Leurs|Cela|Ceci|Mais|Et|Cependant|Pourtant|Él|Ella|Ellos|Ellas|Su|Sus|Esto|Eso|Pero|Sin embargo|Además)(?:$|[^\p{L}])`)
	// pronounSaidRE: "he said", "sagte er", "a-t-il dit": a credit that
	// needs the sentence before to name its speaker.
	pronounSaidRE = lazyre.New(`(?i)(?:^|[^\p{L}])(?:` + pronounRE + `\s+` + verbsRE + `|` + verbsRE + `\s+` + pronounRE + `|-t-(?:il|elle|ils|elles))(?:$|[^\p{L}])`)
	accordingRE   = lazyre.New(`(?i)(?:^|[^\p{L}])(?:according\s+to|selon|laut|según|secondo|zufolge)\s`)
)

// leansBackCJKRE is leansBackRE for Chinese, Japanese and Korean, which
// put no space after the word.
var leansBackCJKRE = lazyre.New(`^[\s\p{P}]*(?:他们|她们|他|她|它|这|那|此外|所以|因此|但是|但|而且|不过|彼女|彼ら|彼|これ|それ|しかし|그는|그녀는|그러나|이는)`)

// loadedWords are loaded, emotive or promotional words (English, German,
// French, Spanish), lower case.
var loadedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`slam slams slammed blast blasts blasted shock shocking shocked
		outrage outraged outrageous disgrace disgraceful brutal brutally horrific horrible terrible
		historic landmark game-changing stunning stunned devastating catastrophe catastrophic
		disastrous unprecedented incredible incredibly absurd ridiculous insane crazy evil heroic
		amazing astonishing explosive bombshell chilling scandal scandalous radical extremist
		hysteria hysterical skandal skandalös schockierend dramatisch unglaublich katastrophal
		historisch scandaleux scandaleuse choquant incroyable catastrophique historique escándalo
		escandaloso increíble catastrófico histórico`) {
		m[w] = true
	}
	return m
}()

// hasLoadedWord reports whether s uses a loaded word.
func hasLoadedWord(s string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) {
		if loadedWords[strings.Trim(w, "-")] {
			return true
		}
	}
	return false
}

// leansBack reports whether a sentence opens with words that point at the
// sentence before it.
func leansBack(s string) bool {
	return leansBackRE().MatchString(s) || leansBackCJKRE().MatchString(s)
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

// findQuotes returns up to max quotes of five to maxWords words (eight
// characters of CJK and more), budget words in all, taken verbatim from the
// article's quoted speech and not already shown in one of the shown
// sentences, with
// the speaker the article credits or none: credited quotes first, then
// whole sentences before fragments, then the longest; shown in article
// order.
func findQuotes(qm *quoteMap, max, maxWords, budget int, shown []string) []Quote {
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
		if article.CountWords(inner) > maxWords || seen[inner] || within(inner, shown) {
			continue
		}
		// Quoted words nobody is credited with are often titles, slogans or
		// scare quotes: only whole sentences of some length qualify.
		if sp.speaker == "" && (!startsUpper(inner) || article.CountWords(inner) < 8) {
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
	var keep []found
	for _, f := range all {
		if n := article.CountWords(f.q.Text); len(keep) < max && n <= budget {
			keep = append(keep, f)
			budget -= n
		}
	}
	all = keep
	sort.SliceStable(all, func(i, j int) bool { return all[i].pos < all[j].pos })
	out := make([]Quote, len(all))
	for i, f := range all {
		out[i] = f.q
	}
	return out
}

// within reports whether quote is part of one of the texts.
func within(quote string, texts []string) bool {
	q := normalizeForMatch(quote).runes
	for _, t := range texts {
		if _, _, ok := normalizeForMatch(t).find(q); ok {
			return true
		}
	}
	return false
}

// holdsQuote reports whether text contains one of the quotes.
func holdsQuote(text string, quotes []Quote) bool {
	for _, q := range quotes {
		if within(q.Text, []string{text}) {
			return true
		}
	}
	return false
}
