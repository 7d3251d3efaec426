package compare

import (
	"context"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize"
)

// Offline bounds.
const (
	maxOfflineCommon      = 4
	maxOfflineDifferences = 6
	// minMatchTerms and minMatchShare decide when two sentences of
	// different outlets report the same fact: they share at least three
	// content terms, and at least half of the shorter one's.
	minMatchTerms = 3
	minMatchShare = 0.5
)

// offlineOf is the comparison made from the articles alone: the sentences
// of the first article that every other outlet matches (common), the
// figures and names only some outlets give (differences), each outlet's
// headline, first sentence and the people it quotes (framing), and the
// quotations the offline summarizer verifies. Every point is the outlets'
// own words, so nothing needs checking.
func (c *Comparer) offlineOf(ctx context.Context, srcs []*source, note string) *Comparison {
	out := c.base(srcs)
	out.Model = ExtractiveModel
	out.Offline = true
	out.Note = note
	out.Common = commonFacts(srcs)
	out.Differences = distinctFacts(srcs)
	speakers := map[*source][]string{}
	per := map[*source]int{}
	for _, s := range srcs {
		if ctx.Err() != nil {
			break
		}
		sum, err := c.offline.Summarize(ctx, s.art, summarize.Options{Length: summarize.LengthNormal})
		if err != nil {
			continue
		}
		for _, q := range sum.Quotes {
			if q.Speaker != "" && !containsFold(speakers[s], q.Speaker) {
				speakers[s] = append(speakers[s], q.Speaker)
			}
			if per[s] >= maxQuotesPerOutlet || len(out.Quotes) >= maxQuotes || wordCount(q.Text) < minQuoteWords {
				continue
			}
			per[s]++
			out.Quotes = append(out.Quotes, Quote{Outlet: s.name, URL: s.url, Text: q.Text, Speaker: q.Speaker})
		}
	}
	for _, s := range srcs {
		if f, ok := framingOf(s, speakers[s]); ok {
			out.Framing = append(out.Framing, f)
		}
	}
	return out
}

// framingOf describes what an outlet puts first: its headline, its first
// sentence, and the people it quotes, in its own words.
func framingOf(s *source, speakers []string) (Framing, bool) {
	sents := s.sentences()
	title := oneLine(s.art.Title)
	var lead string
	for _, sent := range sents {
		if sent != title && wordCount(sent) >= minEvidenceWords {
			lead = sent
			break
		}
	}
	var parts []string
	if title != "" {
		parts = append(parts, "Headline: “"+title+"”")
	}
	if lead != "" {
		parts = append(parts, "first sentence: "+quoted(lead))
	}
	if len(speakers) > 0 {
		parts = append(parts, "quotes "+joinAnd(speakers))
	}
	if len(parts) == 0 {
		return Framing{}, false
	}
	note := strings.Join(parts, "; ")
	if !strings.HasSuffix(note, ".") && !strings.HasSuffix(note, "”") {
		note += "."
	}
	f := Framing{Outlet: s.name, Note: summarize.NeutralizeMentions(note)}
	if lead != "" {
		f.Evidence = []Evidence{{Outlet: s.name, URL: s.url, Text: summarize.NeutralizeMentions(lead)}}
	}
	return f, true
}

// commonFacts are the first article's sentences that every other article
// reports too (by shared terms), with each outlet's sentence as evidence,
// in the first article's order.
func commonFacts(srcs []*source) []Point {
	out := []Point{}
	first := srcs[0]
	title := oneLine(first.art.Title)
	for _, sent := range first.sentences() {
		if len(out) >= maxOfflineCommon {
			break
		}
		if sent == title {
			continue
		}
		ts := termSet(sent)
		if len(ts) < minMatchTerms+1 {
			continue
		}
		ev := []Evidence{{Outlet: first.name, URL: first.url, Text: summarize.NeutralizeMentions(sent)}}
		for _, o := range srcs[1:] {
			m, ok := matchSentence(ts, o)
			if !ok {
				ev = nil
				break
			}
			ev = append(ev, Evidence{Outlet: o.name, URL: o.url, Text: summarize.NeutralizeMentions(m)})
		}
		if ev == nil {
			continue
		}
		out = append(out, Point{Text: first.name + ": " + quoted(summarize.NeutralizeMentions(sent)), Evidence: ev})
	}
	return out
}

// matchSentence is o's sentence that reports the same fact as a sentence
// of terms ts, if any.
func matchSentence(ts map[string]bool, o *source) (string, bool) {
	best, bestScore := "", 0.0
	for _, sent := range o.sentences() {
		tb := termSet(sent)
		shared, _ := overlap(ts, tb)
		if shared < minMatchTerms {
			continue
		}
		score := float64(shared) / float64(min(len(ts), len(tb)))
		if score >= minMatchShare && score > bestScore {
			best, bestScore = sent, score
		}
	}
	return best, best != ""
}

// figureRE finds figures with their currency sign and unit.
var figureRE = regexp.MustCompile(`(?i)[£$€¥]?\d+(?:[.,]\d+)*(?:\s?%|\s?(?:percent|per cent|million|billion|thousand|bn)\b)?`)

// nameRE finds runs of two or more capitalised words: people, places,
// bodies.
var nameRE = regexp.MustCompile(`\p{Lu}[\p{L}’'-]+(?:\s+\p{Lu}[\p{L}’'-]+)+`)

// leadingWords are capitalised words that start sentences, not names.
var leadingWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the a an after before in on at for but and or when while this that these those
		it its he she they we his her their our mayor councillor president minister officials some many several
		if as by from with without under over since until during`) {
		leadingWords[w] = true
	}
}

// distinctFacts are the figures and names only some outlets give, each
// with the sentences of the outlets that give it, figures first.
func distinctFacts(srcs []*source) []Difference {
	out := []Difference{}
	seen := map[string]bool{}
	add := func(key, point string, holders []*source, find func(*source) (string, bool)) {
		if seen[key] || len(out) >= maxOfflineDifferences || len(holders) == 0 || len(holders) == len(srcs) {
			return
		}
		seen[key] = true
		d := Difference{Point: point}
		for _, h := range holders {
			sent, ok := find(h)
			if !ok {
				return
			}
			d.Outlets = append(d.Outlets, h.name)
			d.Evidence = append(d.Evidence, Evidence{Outlet: h.name, URL: h.url, Text: summarize.NeutralizeMentions(sent)})
		}
		d.Point = "Only " + joinAnd(d.Outlets) + " " + point
		out = append(out, d)
	}
	for _, s := range srcs {
		for _, sent := range s.sentences() {
			for _, f := range figureRE.FindAllString(sent, -1) {
				f = strings.TrimSpace(f)
				key := "figure:" + strings.ToLower(f)
				var holders []*source
				for _, o := range srcs {
					if o.hasFigure(f) {
						holders = append(holders, o)
					}
				}
				add(key, verb(len(holders), "gives", "give")+" the figure “"+f+"”", holders, func(h *source) (string, bool) {
					return sentenceWith(h, func(x string) bool { return hasFigure(x, f) })
				})
			}
		}
	}
	for _, s := range srcs {
		title := oneLine(s.art.Title)
		for _, sent := range s.sentences() {
			if sent == title {
				continue // headlines capitalise every word
			}
			for _, n := range nameRE.FindAllString(sent, -1) {
				n = trimLeading(n)
				if n == "" || isOutletName(n, srcs) {
					continue
				}
				key := "name:" + strings.ToLower(n)
				var holders []*source
				for _, o := range srcs {
					if mentions(o.full, n) {
						holders = append(holders, o)
					}
				}
				add(key, verb(len(holders), "mentions", "mention")+" "+n, holders, func(h *source) (string, bool) {
					return sentenceWith(h, func(x string) bool { return mentions(x, n) })
				})
			}
		}
	}
	return out
}

// hasFigure reports whether text gives figure f: a figure of the same
// value (thousands separators and scale words normalised) with the same
// unit (percent, a currency, none).
func hasFigure(text, f string) bool { return hasFigureIn(figureRE.FindAllString(text, -1), f) }

func hasFigureIn(figures []string, f string) bool {
	unit := figureUnit(f)
	for _, g := range figures {
		if figureUnit(g) == unit && len(summarize.UnverifiedNumbers(f, g)) == 0 {
			return true
		}
	}
	return false
}

// hasFigure is hasFigure over the whole article, its figures found once.
func (s *source) hasFigure(f string) bool {
	if s.figs == nil {
		s.figs = append([]string{}, figureRE.FindAllString(s.full, -1)...)
	}
	return hasFigureIn(s.figs, f)
}

// figureUnit is "%" for percentages, the currency sign for amounts, or "".
func figureUnit(f string) string {
	l := strings.ToLower(f)
	switch {
	case strings.Contains(l, "%"), strings.Contains(l, "percent"), strings.Contains(l, "per cent"):
		return "%"
	case strings.ContainsAny(f, "£$€¥"):
		r, _ := utf8.DecodeRuneInString(f)
		return string(r)
	}
	return ""
}

// trimLeading drops sentence-opening words from a run of capitalised
// words; "" when fewer than two words are left.
func trimLeading(n string) string {
	f := strings.Fields(n)
	for len(f) > 0 && leadingWords[strings.ToLower(f[0])] {
		f = f[1:]
	}
	if len(f) < 2 {
		return ""
	}
	return strings.Join(f, " ")
}

func isOutletName(n string, srcs []*source) bool {
	for _, s := range srcs {
		if normName(n) == normName(s.name) || normName(n) == normName(s.art.Site) {
			return true
		}
	}
	return false
}

// mentions reports whether text names n: the whole name, or its last word
// (a surname) as a word of its own.
func mentions(text, n string) bool {
	if strings.Contains(text, n) {
		return true
	}
	f := strings.Fields(n)
	last := f[len(f)-1]
	for i := 0; ; {
		j := strings.Index(text[i:], last)
		if j < 0 {
			return false
		}
		j += i
		before, after := rune(' '), rune(' ')
		if j > 0 {
			before = lastRune(text[:j])
		}
		if k := j + len(last); k < len(text) {
			after = []rune(text[k:])[0]
		}
		if !unicode.IsLetter(before) && !unicode.IsLetter(after) {
			return true
		}
		i = j + len(last)
	}
}

func lastRune(s string) rune {
	r := []rune(s)
	return r[len(r)-1]
}

// sentenceWith is s's first sentence that ok accepts.
func sentenceWith(s *source, ok func(string) bool) (string, bool) {
	for _, sent := range s.sentences() {
		if ok(sent) {
			return sent, true
		}
	}
	return "", false
}

// quoted puts a sentence in quotation marks unless it opens with one.
func quoted(s string) string {
	if r, _ := utf8.DecodeRuneInString(s); strings.ContainsRune(`"“‘'«„`, r) {
		return s
	}
	return "“" + s + "”"
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// joinAnd joins names as "A", "A and B", "A, B and C".
func joinAnd(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
