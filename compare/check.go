package compare

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode"

	"github.com/precisbot/precis/summarize"
)

// Bounds of a checked comparison.
const (
	maxCommon          = 6
	maxDifferences     = 6
	maxQuotesPerOutlet = 2
	maxQuotes          = 10
	// minEvidenceWords is the shortest passage that can back a point.
	minEvidenceWords = 3
	// minQuoteWords is the shortest quotation kept.
	minQuoteWords = 3
)

// answer is the model's comparison before checking.
type answer struct {
	common      []rawPoint
	differences []rawPoint
	framing     []rawFraming
	quotes      []rawQuote
}

type rawEvidence struct{ outlet, text string }

type rawPoint struct {
	point    string
	outlets  []string
	evidence []rawEvidence
}

type rawFraming struct {
	outlet, note string
	evidence     []rawEvidence
}

type rawQuote struct{ outlet, text, speaker string }

// parseAnswer reads {"common","differences","framing","quotes"}
// tolerantly: a fenced or wrapped object, points as plain strings (the
// shape without evidence), a string for a list, and the names other models
// pick (facts, only_some, quotations).
func parseAnswer(content string) (*answer, error) {
	obj, err := summarize.ParseObject(content)
	if err != nil {
		return nil, err
	}
	a := &answer{
		common:      points(obj.First("common", "shared", "common_facts", "facts")),
		differences: points(obj.First("differences", "only_some", "distinct", "unique")),
		framing:     framings(obj.First("framing", "framings")),
		quotes:      quoteList(obj.First("quotes", "quotations")),
	}
	if len(a.common)+len(a.differences)+len(a.framing)+len(a.quotes) == 0 {
		return nil, errors.New("no common points, differences, framing or quotes")
	}
	return a, nil
}

func points(raw json.RawMessage) []rawPoint {
	var out []rawPoint
	for _, it := range summarize.LooseList(raw) {
		m, ok := summarize.AsObject(it)
		if !ok {
			if s := strings.TrimSpace(summarize.LooseString(it)); s != "" {
				out = append(out, rawPoint{point: s})
			}
			continue
		}
		p := rawPoint{
			point:    m.Text("point", "text", "fact", "claim"),
			outlets:  summarize.LooseStrings(m.First("outlets", "outlet", "sources", "by")),
			evidence: evidenceList(m.First("evidence", "quotes", "support")),
		}
		if p.point != "" {
			out = append(out, p)
		}
	}
	return out
}

func framings(raw json.RawMessage) []rawFraming {
	var out []rawFraming
	for _, it := range summarize.LooseList(raw) {
		m, ok := summarize.AsObject(it)
		if !ok {
			continue
		}
		f := rawFraming{
			outlet:   m.Text("outlet", "source", "site"),
			note:     m.Text("note", "framing", "text"),
			evidence: evidenceList(m.First("evidence", "quotes", "support")),
		}
		if f.outlet != "" && f.note != "" {
			out = append(out, f)
		}
	}
	return out
}

func evidenceList(raw json.RawMessage) []rawEvidence {
	var out []rawEvidence
	for _, it := range summarize.LooseList(raw) {
		m, ok := summarize.AsObject(it)
		if !ok {
			if s := strings.TrimSpace(summarize.LooseString(it)); s != "" {
				out = append(out, rawEvidence{text: s})
			}
			continue
		}
		if t := m.Text("text", "quote", "words"); t != "" {
			out = append(out, rawEvidence{outlet: m.Text("outlet", "source", "site"), text: t})
		}
	}
	return out
}

func quoteList(raw json.RawMessage) []rawQuote {
	var out []rawQuote
	for _, it := range summarize.LooseList(raw) {
		m, ok := summarize.AsObject(it)
		if !ok {
			continue
		}
		if t := m.Text("text", "quote"); t != "" {
			out = append(out, rawQuote{outlet: m.Text("outlet", "source", "site"), text: t, speaker: m.Text("speaker", "person", "who")})
		}
	}
	return out
}

// Report says what the checks changed, for logs and tests.
type Report struct {
	// FabricatedQuotes are quotes found in no compared article (as quoted
	// speech).
	FabricatedQuotes []string
	// MovedQuotes are quotes credited to the one outlet that prints them
	// instead of the outlet the model named.
	MovedQuotes []string
	// AmbiguousQuotes are quotes the named outlet does not print and
	// several others do: dropped.
	AmbiguousQuotes []string
	// Unbacked are points dropped because an outlet they name had no words
	// for them.
	Unbacked []string
	// UnknownOutlets are points and notes dropped for naming an outlet
	// that was not compared.
	UnknownOutlets []string
	// UnverifiedNumbers are points dropped for a figure missing from an
	// article of an outlet they name.
	UnverifiedNumbers []string
	// Ratings are framing notes, and points naming an outlet, dropped for
	// judging an outlet (biased, unreliable, propaganda...): Precis does
	// not let the model rate outlets.
	Ratings []string
}

// ratingWords judge an outlet rather than describe what it reports.
var ratingWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`bias biased unbiased partisan propaganda unreliable reliable reliability
		trustworthy untrustworthy credible credibility misleading misleads sensationalist sensationalised sensationalized
		sensational clickbait slanted spin spins agenda dishonest honest accurate inaccurate accuracy objective
		balanced unbalanced fair unfair hyperbolic alarmist one-sided left-wing right-wing leftist rightist`) {
		ratingWords[w] = true
	}
}

// rates reports whether text uses a word that judges an outlet.
func rates(text string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '-'
	}) {
		if ratingWords[w] {
			return true
		}
	}
	return false
}

// namesOutlet reports whether text names one of the compared outlets.
func (c *checker) namesOutlet(text string) bool {
	n := normName(text)
	for _, s := range c.srcs {
		if k := normName(s.name); k != "" && strings.Contains(n, k) {
			return true
		}
	}
	return false
}

// judges reports (and records) a point or note that rates an outlet: any
// note on framing with a rating word, any point with one that names an
// outlet.
func (c *checker) judges(text string, framing bool) bool {
	if rates(text) && (framing || c.namesOutlet(text)) {
		c.rep.Ratings = append(c.rep.Ratings, text)
		return true
	}
	return false
}

// checker checks a model's comparison against the articles.
type checker struct {
	srcs []*source
	// related is false when points are written in another language than
	// the articles: evidence the model gave then needs no shared terms.
	related bool
	rep     Report
}

// outlet finds the compared source a model's name refers to: its name,
// its site or its host, ignoring case, a leading "the" and punctuation.
func (c *checker) outlet(name string) *source {
	n := normName(name)
	if n == "" {
		return nil
	}
	for _, s := range c.srcs {
		host := HostOf(s.url)
		label := host
		if i := strings.LastIndexByte(host, '.'); i > 0 {
			label = host[:i] // "baycourier" for baycourier.example
		}
		for _, cand := range []string{s.name, s.art.Site, host, label} {
			if cand != "" && normName(cand) == n {
				return s
			}
		}
	}
	return nil
}

func normName(s string) string {
	s = strings.ToLower(oneLine(s))
	s = strings.TrimPrefix(s, "the ")
	s = strings.TrimPrefix(s, "www.")
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// cleanModelText makes a point or note the model wrote safe to show:
// links, layout Markdown and mentions removed, one line.
func cleanModelText(s string) string {
	return summarize.CleanLine(summarize.RemoveURLs(summarize.NeutralizeMarkdown(s)))
}

// check turns the model's answer into the comparison's sections, keeping
// only what the articles back.
func (c *checker) check(a *answer, out *Comparison) {
	seen := map[string]bool{}
	addCommon := func(p Point) {
		if k := normName(p.Text); !seen[k] && len(out.Common) < maxCommon {
			seen[k] = true
			out.Common = append(out.Common, p)
		}
	}
	for _, p := range a.common {
		text := cleanModelText(p.point)
		if text == "" || c.judges(text, false) {
			continue
		}
		if ev, ok := c.back(text, c.srcs, p.evidence); ok {
			addCommon(Point{Text: text, Evidence: ev})
		}
	}
	for _, p := range a.differences {
		text := cleanModelText(p.point)
		if text == "" || len(p.outlets) == 0 || c.judges(text, false) {
			continue
		}
		named, ok := c.named(p.outlets)
		if !ok {
			c.rep.UnknownOutlets = append(c.rep.UnknownOutlets, text)
			continue
		}
		ev, ok := c.back(text, named, p.evidence)
		if !ok {
			continue
		}
		if len(named) == len(c.srcs) {
			// "Only some" that names every outlet is common ground.
			addCommon(Point{Text: text, Evidence: ev})
			continue
		}
		k := normName(text)
		if seen[k] || len(out.Differences) >= maxDifferences {
			continue
		}
		seen[k] = true
		names := make([]string, len(named))
		for i, s := range named {
			names[i] = s.name
		}
		out.Differences = append(out.Differences, Difference{Point: text, Outlets: names, Evidence: ev})
	}
	framed := map[*source]bool{}
	for _, f := range a.framing {
		s := c.outlet(f.outlet)
		note := cleanModelText(f.note)
		if note == "" || c.judges(note, true) {
			continue
		}
		if s == nil {
			c.rep.UnknownOutlets = append(c.rep.UnknownOutlets, note)
			continue
		}
		if framed[s] {
			continue
		}
		ev, ok := c.back(note, []*source{s}, f.evidence)
		if !ok {
			continue
		}
		framed[s] = true
		out.Framing = append(out.Framing, Framing{Outlet: s.name, Note: note, Evidence: ev})
	}
	// Notes in the order of the articles.
	order := map[string]int{}
	for i, s := range c.srcs {
		order[s.name] = i
	}
	slices.SortStableFunc(out.Framing, func(a, b Framing) int { return order[a.Outlet] - order[b.Outlet] })
	out.Quotes = c.quotes(a.quotes)
}

// named resolves a point's outlets, once each in the articles' order; ok
// is false when one of them was not compared.
func (c *checker) named(names []string) ([]*source, bool) {
	want := map[*source]bool{}
	for _, n := range names {
		s := c.outlet(n)
		if s == nil {
			return nil, false
		}
		want[s] = true
	}
	var out []*source
	for _, s := range c.srcs {
		if want[s] {
			out = append(out, s)
		}
	}
	return out, len(out) > 0
}

// back finds, for every outlet a point names, that outlet's own words for
// it: the evidence the model gave for that outlet when the article has it
// verbatim (a passage the model credited to no outlet, or to another one
// the point names, counts for the named outlet whose article has it),
// else the article's sentence that shares the most of the point's terms.
// The point fails when one outlet has no such words, or when a figure in
// it is missing from an outlet's article.
func (c *checker) back(point string, named []*source, given []rawEvidence) ([]Evidence, bool) {
	for _, s := range named {
		if bad := summarize.UnverifiedNumbers(point, s.full); len(bad) > 0 {
			c.rep.UnverifiedNumbers = append(c.rep.UnverifiedNumbers, point)
			return nil, false
		}
	}
	pt := termSet(point)
	var out []Evidence
	for _, s := range named {
		text, ok := c.given(point, pt, s, named, given)
		if !ok {
			text, ok = bestSentence(pt, s)
		}
		if !ok {
			c.rep.Unbacked = append(c.rep.Unbacked, point)
			return nil, false
		}
		out = append(out, Evidence{Outlet: s.name, URL: s.url, Text: summarize.NeutralizeMentions(text)})
	}
	return out, true
}

// given is the first passage of the model's evidence that is s's own
// words for the point.
func (c *checker) given(point string, pt map[string]bool, s *source, named []*source, given []rawEvidence) (string, bool) {
	for pass := 0; pass < 2; pass++ {
		for _, e := range given {
			credited := c.outlet(e.outlet)
			// First the passages credited to s, then those credited to
			// no outlet or to another one the point names.
			if (pass == 0) != (credited == s) {
				continue
			}
			if pass == 1 && credited != nil && !slices.Contains(named, credited) {
				continue
			}
			exact, ok := summarize.FindVerbatim(s.full, e.text)
			if !ok || wordCount(exact) < minEvidenceWords {
				continue
			}
			if c.related {
				if shared, _ := overlap(pt, termSet(exact)); shared == 0 {
					continue
				}
			}
			return exact, true
		}
	}
	return "", false
}

// bestSentence is s's sentence sharing the most of the point's terms, when
// it shares at least half of them and at least two.
func bestSentence(pt map[string]bool, s *source) (string, bool) {
	if len(pt) == 0 {
		return "", false
	}
	best, bestN := "", 0
	for _, sent := range s.sentences() {
		if n, _ := overlap(pt, termSet(sent)); n > bestN {
			best, bestN = sent, n
		}
	}
	if bestN < 2 || 2*bestN < len(pt) {
		return "", false
	}
	return best, true
}

// quotes keeps each quotation where the outlet it is credited to prints it
// as quoted speech; one the named outlet does not print goes to the outlet
// that does when exactly one does, and is dropped otherwise. Speakers are
// kept only where that article attributes the words to them.
func (c *checker) quotes(raw []rawQuote) []Quote {
	out := []Quote{}
	per := map[*source]int{}
	seen := map[string]bool{}
	for _, q := range raw {
		if len(out) >= maxQuotes {
			break
		}
		if wordCount(q.text) < minQuoteWords {
			continue
		}
		named := c.outlet(q.outlet)
		var at *source
		var kept summarize.Quote
		if named != nil {
			if k, ok := quotedIn(named, q); ok {
				at, kept = named, k
			}
		}
		if at == nil {
			var holders []*source
			var found []summarize.Quote
			for _, s := range c.srcs {
				if s == named {
					continue
				}
				if k, ok := quotedIn(s, q); ok {
					holders = append(holders, s)
					found = append(found, k)
				}
			}
			switch {
			case len(holders) == 1:
				at, kept = holders[0], found[0]
				if named != nil {
					c.rep.MovedQuotes = append(c.rep.MovedQuotes, q.text)
				}
			case len(holders) > 1:
				c.rep.AmbiguousQuotes = append(c.rep.AmbiguousQuotes, q.text)
				continue
			default:
				c.rep.FabricatedQuotes = append(c.rep.FabricatedQuotes, q.text)
				continue
			}
		}
		key := at.name + "\x00" + strings.ToLower(kept.Text)
		if seen[key] || per[at] >= maxQuotesPerOutlet {
			continue
		}
		seen[key] = true
		per[at]++
		out = append(out, Quote{Outlet: at.name, URL: at.url, Text: kept.Text, Speaker: kept.Speaker})
	}
	return out
}

// quotedIn checks q against s's article with the checks summaries' quotes
// get: verbatim, as quoted speech, the speaker kept only where the
// article attributes the words to them.
func quotedIn(s *source, q rawQuote) (summarize.Quote, bool) {
	sum := &summarize.Summary{Quotes: []summarize.Quote{{Text: q.text, Speaker: q.speaker}}}
	summarize.Verify(sum, s.art)
	if len(sum.Quotes) != 1 {
		return summarize.Quote{}, false
	}
	return sum.Quotes[0], true
}
