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
	// NotQuoted are quotes found in the article text but not as quoted
	// speech or text (narration, headlines): dropped too.
	NotQuoted []Quote
	// DroppedSpeakers are speakers removed from kept quotes because the
	// article does not attribute the words to them.
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
	return len(r.DroppedQuotes) == 0 && len(r.NotQuoted) == 0 && len(r.DroppedSpeakers) == 0 &&
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
//   - A quote is kept only where the article presents those words as quoted
//     speech or text: inside quotation marks of any language's style
//     (“…”, „…“, «…», »…«, ‘…’, 「…」, "…", '…' where it is no apostrophe)
//     or in a block quote (a paragraph starting with ">"). Other verbatim
//     sentences are narration, not quotes.
//   - A speaker is kept only when the article attributes the words to that
//     name (or the surname it uses) next to the quote, in its sentence, or
//     in the sentence before or after in the same paragraph; otherwise the
//     quote is kept without one: the words are verified, and no attribution
//     is better than a wrong one. "Name, description" keeps the name when
//     the description is not the article's own wording; a description
//     alone never matches.
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
	return verify(s, a, mapQuotes(a.Text))
}

// verify is Verify with the article's quote map already made.
func verify(s *Summary, a *article.Article, qm *quoteMap) Report {
	var rep Report
	text := a.Text
	s.Quotes = verifyQuotes(qm, s.Quotes, &rep)

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

// verifyQuotes keeps the quotes that are the article's quoted words, in the
// article's exact wording, with the speakers the article attributes them
// to, and records what it dropped in rep.
func verifyQuotes(qm *quoteMap, quotes []Quote, rep *Report) []Quote {
	kept := quotes[:0:0]
	seen := map[string]bool{}
	for _, q := range quotes {
		exact, span, found, quoted := findQuote(qm, q.Text)
		switch {
		case !found:
			rep.DroppedQuotes = append(rep.DroppedQuotes, q)
			continue
		case !quoted:
			rep.NotQuoted = append(rep.NotQuoted, q)
			continue
		case seen[exact]:
			continue
		}
		seen[exact] = true
		speaker := cleanLine(q.Speaker)
		if speaker != "" {
			shown := qm.speakerFor(span, speaker)
			if shown == "" {
				rep.DroppedSpeakers = append(rep.DroppedSpeakers, speaker)
			}
			speaker = shown
		}
		kept = append(kept, Quote{Text: NeutralizeMentions(NeutralizeMarkdown(exact)), Speaker: speaker})
	}
	return kept
}

// findQuote looks the quote up in the normalised article and returns the
// article's own wording of it, extended by a directly following ., ! or ?
// so a quoted sentence keeps its full stop. found says
// whether the words occur at all; quoted whether an occurrence lies inside
// quoted span (its index).
func findQuote(qm *quoteMap, quote string) (exact string, span int, found, quoted bool) {
	q := strings.TrimRightFunc(strings.TrimLeftFunc(quote, quoteTrimLeft), quoteTrimRight)
	if utf8.RuneCountInString(q) < 2 {
		return "", 0, false, false
	}
	needle := normalizeForMatch(q).runes
	hay, text := qm.hay, qm.text
	for at := 0; ; {
		i, j, ok := hay.findFrom(needle, at)
		if !ok {
			return exact, 0, found, false
		}
		from, to := hay.start[i], hay.end[j-1]
		k, in := qm.spanOf(from, to)
		if to < len(text) {
			if r, w := utf8.DecodeRuneInString(text[to:]); r == '.' || r == '!' || r == '?' {
				to += w
			}
		}
		if !found {
			exact, found = strings.TrimSpace(text[from:to]), true
		}
		if in {
			return strings.TrimSpace(text[from:to]), k, true, true
		}
		at = i + 1
	}
}
