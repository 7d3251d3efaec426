package compare

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/article"
)

// source is one compared article with what the checks need of it.
type source struct {
	name string // the outlet's unique name in this comparison
	url  string
	art  *article.Article
	// full is the text evidence is checked against: the title, then the
	// article's text.
	full  string
	sents []string
	ts    map[string]bool
	figs  []string // the figures in full (offline.go)
}

func newSource(a *article.Article, name string) *source {
	u := a.URL
	if a.Archive != nil && a.Archive.OriginalURL != "" {
		u = a.Archive.OriginalURL
	}
	return &source{name: name, url: u, art: a, full: strings.TrimSpace(a.Title) + "\n\n" + a.Text}
}

// sentences are the article's sentences, title first.
func (s *source) sentences() []string {
	if s.sents == nil {
		if t := oneLine(s.art.Title); t != "" {
			s.sents = append(s.sents, t)
		}
		s.sents = append(s.sents, splitSentences(s.art.Text)...)
	}
	return s.sents
}

// terms are the article's content terms.
func (s *source) terms() map[string]bool {
	if s.ts == nil {
		s.ts = termSet(s.full)
	}
	return s.ts
}

// newSources names each article by its outlet, made unique ("Herald",
// "Herald (2)") so that points can name them.
func newSources(arts []*article.Article) []*source {
	out := make([]*source, len(arts))
	seen := map[string]int{}
	for i, a := range arts {
		name := Outlet(a)
		if name == "" {
			name = "Article " + strconv.Itoa(i+1)
		}
		key := strings.ToLower(name)
		seen[key]++
		if n := seen[key]; n > 1 {
			name += " (" + strconv.Itoa(n) + ")"
		}
		out[i] = newSource(a, name)
	}
	return out
}

// splitSentences splits text into sentences: at ., ! or ? (and a closing
// quote mark after them) followed by white space and a capital letter, a
// digit or an opening quote mark, and at paragraph ends.
func splitSentences(text string) []string {
	var out []string
	for _, p := range splitParagraphs(text) {
		p = oneLine(p)
		start := 0
		for i := 0; i < len(p); {
			r, w := utf8.DecodeRuneInString(p[i:])
			i += w
			if r != '.' && r != '!' && r != '?' && r != '。' {
				continue
			}
			j := i
			for j < len(p) {
				c, cw := utf8.DecodeRuneInString(p[j:])
				if !strings.ContainsRune(`"'”’»)`, c) {
					break
				}
				j += cw
			}
			if j >= len(p) {
				break
			}
			if p[j] != ' ' {
				continue
			}
			next, _ := utf8.DecodeRuneInString(p[j+1:])
			if !unicode.IsUpper(next) && !unicode.IsDigit(next) && !strings.ContainsRune(`"“‘'«`, next) {
				continue
			}
			if abbreviation(p[start:i]) {
				continue
			}
			out = append(out, strings.TrimSpace(p[start:j]))
			start = j + 1
			i = j + 1
		}
		if s := strings.TrimSpace(p[start:]); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// abbreviation reports whether s ends in a common abbreviation ("Mr.",
// "Dr.", "St.") or an initial, after which a sentence does not end.
func abbreviation(s string) bool {
	f := strings.Fields(s)
	if len(f) == 0 {
		return false
	}
	last := strings.TrimSuffix(f[len(f)-1], ".")
	if utf8.RuneCountInString(last) == 1 && unicode.IsUpper([]rune(last)[0]) {
		return true
	}
	switch strings.ToLower(last) {
	case "mr", "mrs", "ms", "dr", "st", "prof", "gen", "sen", "rep", "gov", "lt", "col", "jr", "sr", "inc", "co", "no", "vs":
		return true
	}
	return false
}

// stopwords are frequent words that say nothing about a story.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`that this with from have were will would said says their there they which about after
		before been also than them into more most some other what when where while whom your could should being over under such
		only each just like very much many these those then because does dont into onto upon here what whose according told
		year years week weeks month months today yesterday tuesday monday wednesday thursday friday saturday sunday`) {
		stopwords[w] = true
	}
}

// termSet is the content terms of s: lower-cased words of four letters or
// more (a plural s trimmed) and figures, without stopwords.
func termSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range words(s) {
		if t := term(w); t != "" {
			out[t] = true
		}
	}
	return out
}

// words splits s into runs of letters and digits (a decimal point or
// thousands separator inside a figure kept).
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != ','
	})
}

func term(w string) string {
	w = strings.Trim(w, ".,")
	if w == "" {
		return ""
	}
	w = strings.ToLower(w)
	digits := strings.IndexFunc(w, unicode.IsDigit) >= 0
	if !digits {
		if strings.ContainsAny(w, ".,") || utf8.RuneCountInString(w) < 4 || stopwords[w] {
			return ""
		}
		if strings.HasSuffix(w, "ies") && len(w) > 5 {
			w = w[:len(w)-3] + "y"
		} else if strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 4 {
			w = w[:len(w)-1]
		}
		return w
	}
	return strings.ReplaceAll(w, ",", "")
}

// overlap is how many of a's terms b has, and a's term count.
func overlap(a, b map[string]bool) (shared, total int) {
	for t := range a {
		if b[t] {
			shared++
		}
	}
	return shared, len(a)
}

// wordCount counts words (runs of letters and digits).
func wordCount(s string) int { return len(words(s)) }
