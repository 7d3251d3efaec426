package summarize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// paragraphs splits article text at blank lines. Article.Text separates
// paragraphs with a blank line; single newlines inside a paragraph are kept
// (they are treated as white space by the sentence splitter).
func paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
			cur = cur[:0]
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, strings.TrimSpace(line))
	}
	flush()
	return out
}

// abbreviations end with a full stop that rarely ends a sentence. Lower case,
// without the final dot. The list is short and multilingual on purpose: a
// missed abbreviation splits one sentence in two, which the extractive
// summarizer tolerates; a wrong entry merges two sentences.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true,
	"jr": true, "sr": true, "gen": true, "col": true, "lt": true, "sgt": true,
	"capt": true, "cmdr": true, "adm": true, "gov": true, "sen": true,
	"rep": true, "rev": true, "hon": true, "pres": true, "inc": true,
	"ltd": true, "co": true, "corp": true, "vs": true, "e.g": true, "i.e": true,
	"cf": true, "no": true, "nos": true, "vol": true, "fig": true, "pp": true,
	"approx": true, "ca": true, "jan": true, "feb": true, "mar": true,
	"apr": true, "jun": true, "jul": true, "aug": true, "sep": true,
	"sept": true, "oct": true, "nov": true, "dec": true, "mt": true,
	"ft": true, "u.s": true, "u.k": true, "u.n": true, "e.u": true,
	"d.c": true, "a.m": true, "p.m": true, "z.b": true, "bzw": true,
	"vgl": true, "nr": true, "hr": true, "fr": true, "mme": true, "mlle": true,
	"av": true, "sra": true, "dra": true, "art": true, "abs": true,
	"ggf": true, "usw": true, "inkl": true, "tel": true,
}

func isCJKTerminator(r rune) bool { return r == '。' || r == '！' || r == '？' }

func isTerminator(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '…' || isCJKTerminator(r)
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '«', '‹', '„', '(', '[', '¿', '¡', '「', '『', '（':
		return true
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', '›', ')', ']', '」', '』', '）':
		return true
	}
	return false
}

// splitSentences splits one paragraph into sentences. It is language-agnostic:
// a sentence ends at . ! ? … (plus any closing quote marks or brackets) when
// white space and a capital letter, digit, opening quote or uncased letter
// follow, except after a known abbreviation or a single-letter initial; CJK
// full stops end a sentence without white space.
func splitSentences(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); {
		r, w := utf8.DecodeRuneInString(p[i:])
		i += w
		if !isTerminator(r) {
			continue
		}
		term := r
		// Take every following terminator and closer into this sentence.
		for i < len(p) {
			r2, w2 := utf8.DecodeRuneInString(p[i:])
			if !isTerminator(r2) && !isCloser(r2) {
				break
			}
			i += w2
		}
		if isCJKTerminator(term) {
			out = appendSentence(out, p[start:i])
			start = i
			continue
		}
		// Require white space, then look at what follows it.
		j := i
		for j < len(p) {
			r2, w2 := utf8.DecodeRuneInString(p[j:])
			if !unicode.IsSpace(r2) {
				break
			}
			j += w2
		}
		if j == len(p) {
			break
		}
		if j == i {
			continue // "3.5", "U.S.", "example.com"
		}
		next, _ := utf8.DecodeRuneInString(p[j:])
		if unicode.IsLower(next) || unicode.IsPunct(next) && !isOpener(next) {
			continue // "vice versa . . . and", "e.g., x"
		}
		if term == '.' && (abbreviationBefore(p[start:i]) || ordinalBefore(p[start:i], p[j:])) {
			continue
		}
		if openQuote(p[start:i]) && closesWithin(p[i:], 600) {
			continue // a quotation of several sentences stays whole
		}
		out = appendSentence(out, p[start:i])
		start = j
		i = j
	}
	return appendSentence(out, p[start:])
}

// openQuote reports whether s leaves a quotation open: an odd number of
// straight double quotes, or more opening than closing curly quotes or
// guillemets. German-style „…“ counts “ as the closer.
func openQuote(s string) bool {
	if strings.Count(s, `"`)%2 == 1 {
		return true
	}
	opens := strings.Count(s, "«")
	closes := strings.Count(s, "»")
	if strings.Contains(s, "„") {
		opens += strings.Count(s, "„")
		closes += strings.Count(s, "“") + strings.Count(s, "”")
	} else {
		opens += strings.Count(s, "“")
		closes += strings.Count(s, "”")
	}
	return opens > closes
}

// closesWithin reports whether a closing quote mark follows within n bytes,
// so that an unbalanced quote in malformed text cannot swallow a paragraph.
func closesWithin(rest string, n int) bool {
	if len(rest) > n {
		rest = rest[:n]
	}
	return strings.ContainsAny(rest, "\"”»“")
}

func appendSentence(out []string, s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return out
	}
	return append(out, s)
}

// abbreviationBefore reports whether the sentence candidate s (ending at a
// full stop, maybe followed by closers) ends with an abbreviation or an
// initial, so the full stop does not end the sentence.
func abbreviationBefore(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool { return isCloser(r) })
	if !strings.HasSuffix(s, ".") {
		return false
	}
	s = strings.TrimSuffix(s, ".")
	k := strings.LastIndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '(' || r == '"' || r == '“' || r == '«'
	})
	word := s[k+1:]
	if word == "" {
		return false
	}
	if utf8.RuneCountInString(word) == 1 {
		r, _ := utf8.DecodeRuneInString(word)
		return unicode.IsUpper(r) // an initial: "J. Smith"
	}
	return abbreviations[strings.ToLower(word)]
}

// sentencesOf splits a whole text into sentences, paragraph by paragraph.
func sentencesOf(text string) []string {
	var out []string
	for _, p := range paragraphs(text) {
		out = append(out, splitSentences(p)...)
	}
	return out
}

// ordinalWords follow a German ordinal ("am 3. Oktober", "im 19.
// Jahrhundert", "die 2. Bundesliga"), so the full stop after the number
// does not end the sentence.
var ordinalWords = map[string]bool{
	"Januar": true, "Jänner": true, "Februar": true, "März": true, "April": true, "Mai": true,
	"Juni": true, "Juli": true, "August": true, "September": true, "Oktober": true,
	"November": true, "Dezember": true, "Jahrhundert": true, "Jahrhunderts": true,
	"Jahrhunderten": true, "Liga": true, "Bundesliga": true, "Platz": true, "Runde": true,
	"Spieltag": true, "Klasse": true, "Weltkrieg": true, "Weltkriegs": true,
	"Weltkrieges": true, "Mal": true, "Advent": true, "Stock": true, "Etage": true,
	"Quartal": true, "Halbjahr": true, "Jahrestag": true, "Geburtstag": true,
}

// ordinalBefore reports whether the sentence candidate s ends with a one-
// or two-digit number and a full stop and rest starts with a word that
// follows ordinals.
func ordinalBefore(s, rest string) bool {
	s = strings.TrimSuffix(s, ".")
	k := strings.LastIndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) })
	digits := s[k+1:]
	if len(digits) == 0 || len(digits) > 2 || k >= 0 && !unicode.IsSpace(rune(s[k])) {
		return false
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(rest)
	}
	return ordinalWords[rest[:end]]
}
