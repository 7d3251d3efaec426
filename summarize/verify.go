package summarize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/article"
)

// Report says what Verify changed. It is for logs and tests; readers only
// see the cleaned Summary.
type Report struct {
	// DroppedQuotes are quotes not found in the article text.
	DroppedQuotes []Quote
	// DroppedSpeakers are speakers removed from kept quotes because the
	// article does not name them.
	DroppedSpeakers []string
	// UnverifiedNumbers are the figures not found in the article, in the
	// fields they were dropped from.
	UnverifiedNumbers []string
	// DroppedSentences counts summary sentences, key points and perspectives
	// removed for an unverified figure.
	DroppedSentences int
	// HeadlineReplaced is set when the headline fell back to the title.
	HeadlineReplaced bool
}

// Clean reports whether Verify changed nothing of substance.
func (r Report) Clean() bool {
	return len(r.DroppedQuotes) == 0 && len(r.DroppedSpeakers) == 0 &&
		len(r.UnverifiedNumbers) == 0 && !r.HeadlineReplaced
}

// Verify checks an LLM's summary against the full article text and fixes it
// in place, deterministically:
//
//   - Quotes are kept only when they occur in the article after normalising
//     quote marks, apostrophes, dashes, ellipses, white space and the case
//     of the first letter; a kept quote is replaced by the article's exact
//     wording of it. Surrounding quote marks and ellipses are stripped
//     first. Duplicates are dropped.
//   - A speaker the article does not name is removed and the quote kept
//     without one: the words are verified, and no attribution is better
//     than a wrong one.
//   - Figures (106,000, 2014, 3.5%, 1.2 million) in the headline, summary,
//     key points and perspectives must occur in the article: a summary
//     sentence, key point or perspective with an unverified figure is
//     dropped, and the headline falls back to the article title. When every
//     summary sentence goes, the article's lead sentence stands in.
//   - Mentions and layout-breaking Markdown are neutralised in every text
//     field (NeutralizeMentions, NeutralizeMarkdown).
//
// The LLM summarizer asks the model once to fix unverified figures before
// calling Verify; Verify itself never calls anything.
func Verify(s *Summary, a *article.Article) Report {
	var rep Report
	text := a.Text
	hay := normalizeForMatch(text)

	// Quotes.
	kept := s.Quotes[:0:0]
	seen := map[string]bool{}
	for _, q := range s.Quotes {
		exact, ok := findQuote(hay, text, q.Text)
		if !ok {
			rep.DroppedQuotes = append(rep.DroppedQuotes, q)
			continue
		}
		if seen[exact] {
			continue
		}
		seen[exact] = true
		speaker := cleanLine(q.Speaker)
		if speaker != "" && !speakerNamed(hay, speaker) {
			rep.DroppedSpeakers = append(rep.DroppedSpeakers, speaker)
			speaker = ""
		}
		kept = append(kept, Quote{Text: NeutralizeMentions(NeutralizeMarkdown(exact)), Speaker: speaker})
	}
	s.Quotes = kept

	// Figures.
	nums := articleNumbers(text)
	if bad := unverifiedIn(s.Headline, nums); len(bad) > 0 {
		rep.UnverifiedNumbers = append(rep.UnverifiedNumbers, bad...)
		rep.HeadlineReplaced = true
		s.Headline = a.Title
	}
	var sents []string
	for _, sent := range sentencesOf(s.Summary) {
		if bad := unverifiedIn(sent, nums); len(bad) > 0 {
			rep.UnverifiedNumbers = append(rep.UnverifiedNumbers, bad...)
			rep.DroppedSentences++
			continue
		}
		sents = append(sents, sent)
	}
	if len(sents) == 0 && strings.TrimSpace(s.Summary) != "" {
		sents = leadSentences(text, 1)
	}
	s.Summary = strings.Join(sents, " ")
	points := s.KeyPoints[:0:0]
	for _, p := range s.KeyPoints {
		if bad := unverifiedIn(p, nums); len(bad) > 0 {
			rep.UnverifiedNumbers = append(rep.UnverifiedNumbers, bad...)
			rep.DroppedSentences++
			continue
		}
		if p = cleanText(p); p != "" {
			points = append(points, p)
		}
	}
	s.KeyPoints = points
	persp := s.Perspectives[:0:0]
	for _, p := range s.Perspectives {
		if bad := unverifiedIn(p.Position, nums); len(bad) > 0 {
			rep.UnverifiedNumbers = append(rep.UnverifiedNumbers, bad...)
			rep.DroppedSentences++
			continue
		}
		p = Perspective{Party: cleanLine(p.Party), Position: cleanText(p.Position)}
		if p.Party != "" && p.Position != "" {
			persp = append(persp, p)
		}
	}
	s.Perspectives = persp

	s.Headline = cleanLine(s.Headline)
	if s.Headline == "" {
		s.Headline = cleanLine(a.Title)
	}
	s.Summary = cleanText(s.Summary)
	return rep
}

// leadSentences returns the article's first n sentences.
func leadSentences(text string, n int) []string {
	var out []string
	for _, p := range paragraphs(text) {
		for _, s := range splitSentences(p) {
			if len(out) == n {
				return out
			}
			out = append(out, s)
		}
	}
	return out
}

// quoteTrim is what may surround a quote's words without being part of
// them: white space, quote marks, ellipses and trailing clause punctuation.
func quoteTrimLeft(r rune) bool {
	return unicode.IsSpace(r) || foldRune(r) == '"' || r == '\'' || r == '…' || r == '.' || r == '‘' || r == '’'
}

func quoteTrimRight(r rune) bool {
	return quoteTrimLeft(r) || r == ',' || r == ';' || r == ':'
}

// findQuote looks the quote up in the normalised article and returns the
// article's own wording of it, extended by a directly following ., ! or ?
// so a quoted sentence keeps its full stop.
func findQuote(hay normText, text, quote string) (string, bool) {
	q := strings.TrimRightFunc(strings.TrimLeftFunc(quote, quoteTrimLeft), quoteTrimRight)
	if utf8.RuneCountInString(q) < 2 {
		return "", false
	}
	needle := normalizeForMatch(q).runes
	i, j, ok := hay.find(needle)
	if !ok {
		return "", false
	}
	from, to := hay.start[i], hay.end[j-1]
	if to < len(text) {
		if r, w := utf8.DecodeRuneInString(text[to:]); r == '.' || r == '!' || r == '?' {
			to += w
		}
	}
	return strings.TrimSpace(text[from:to]), true
}

// speakerNamed reports whether the article names the speaker. The speaker is
// split at commas and brackets ("Kiril Petkov, Bulgaria's prime minister");
// it is named if any part occurs in the article as words, or if the last
// capitalised word of a part (the surname: "Antony Blinken" -> "Blinken")
// does.
func speakerNamed(hay normText, speaker string) bool {
	parts := strings.FieldsFunc(speaker, func(r rune) bool {
		return r == ',' || r == '(' || r == ')' || r == ';' || r == '/'
	})
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if containsWords(hay, part) {
			return true
		}
		words := strings.Fields(part)
		for k := len(words) - 1; k >= 0; k-- {
			w := strings.TrimFunc(words[k], func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			first, _ := utf8.DecodeRuneInString(w)
			if utf8.RuneCountInString(w) >= 2 && unicode.IsUpper(first) {
				if containsWords(hay, w) {
					return true
				}
				break
			}
		}
	}
	return false
}

// containsWords reports whether phrase occurs in hay at word boundaries,
// ignoring case.
func containsWords(hay normText, phrase string) bool {
	needle := []rune(strings.ToLower(string(normalizeForMatch(phrase).runes)))
	if len(needle) == 0 {
		return false
	}
	h := hay.runes
	for i := 0; i+len(needle) <= len(h); i++ {
		if i > 0 && isWordRune(h[i-1]) {
			continue
		}
		k := 0
		for k < len(needle) && unicode.ToLower(h[i+k]) == needle[k] {
			k++
		}
		if k == len(needle) && (i+k == len(h) || !isWordRune(h[i+k])) {
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
