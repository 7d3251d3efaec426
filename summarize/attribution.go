package summarize

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/internal/lazyre"
)

// This file decides which words of an article are quoted speech or text and
// whom the article attributes them to. Verify and the extractive summarizer
// share it, so a quote is shown (and credited) on the same evidence whichever
// summarizer made the summary.

// textSpan is a byte range [start, end) of the article text.
type textSpan struct{ start, end int }

// quoteSpan is one stretch of quoted speech or text in the article.
type quoteSpan struct {
	open, start, end, close int // opening mark, first and after-last byte of the words, after the closing mark
	para, sent              int // indexes into quoteMap.paras and quoteMap.sents (the sentence holding the opening mark)
	lastSent                int // the sentence holding the closing mark
	block                   bool
	// speaker is the name the article credits the words to; "" when the
	// article credits nobody, or somebody we cannot recognise as a name.
	speaker string
}

type sentSpan struct {
	textSpan
	para int
}

// quoteMap is the quoted speech of one article text with its attributions.
type quoteMap struct {
	text  string
	hay   normText
	paras []textSpan
	sents []sentSpan
	spans []quoteSpan
	// proper holds the capitalised words the text also uses inside a
	// sentence, which is what tells a name from a sentence's first word.
	proper map[string]bool
	// lower holds the words the text writes in lower case.
	lower map[string]bool
}

// quoteOpeners maps each opening mark to the marks that may close it:
// English “…” and ‘…’, German „…“ and »…«, French and Russian «…»,
// Swedish and Finnish ”…” and »…», Polish „…”, CJK 「…」 and 『…』, and
// straight quotes.
var quoteOpeners = map[rune]string{
	'“':  "”",
	'„':  "“”",
	'”':  "”",
	'«':  "»",
	'»':  "«»",
	'‹':  "›",
	'›':  "‹›",
	'「':  "」",
	'『':  "』",
	'﹁':  "﹂",
	'"':  `"`,
	'＂':  "＂",
	'‘':  "’",
	'‚':  "‘’",
	'\'': "'",
}

// symmetricMark reports whether a mark also closes quotes or is an
// apostrophe, so it opens a quote only at the start of a word.
func symmetricMark(r rune) bool {
	switch r {
	case '"', '＂', '\'', '‘', '’', '”', '»', '›', '‚':
		return true
	}
	return false
}

func apostropheLike(r rune) bool { return r == '\'' || r == '’' || r == '‘' }

// opensHere reports whether mark r (between prev and next) opens a quote.
func opensHere(r, prev, next rune) bool {
	if next == 0 {
		return false
	}
	if !symmetricMark(r) {
		return true
	}
	if unicode.IsSpace(next) {
		return false
	}
	if prev != 0 && !unicode.IsSpace(prev) && !strings.ContainsRune("([{—–-:/", prev) {
		if _, isMark := quoteOpeners[prev]; !isMark {
			return false
		}
	}
	if apostropheLike(r) {
		// 'tis, ’90s: an apostrophe before a word is no quote unless a
		// letter follows and a closing mark is found (checked by the caller).
		return unicode.IsLetter(next) || unicode.IsDigit(next) || next == '"' || next == '“'
	}
	return true
}

// closesHere reports whether mark c (between prev and next) can close a
// quote.
func closesHere(c, prev, next rune) bool {
	if apostropheLike(c) {
		// Not an apostrophe inside a word (it’s, don't).
		return !unicode.IsSpace(prev) && !unicode.IsLetter(next) && !unicode.IsDigit(next)
	}
	switch c {
	case '"', '＂', '”':
		return !unicode.IsSpace(prev) || c == '”' && prev != 0 && next != 0 && !unicode.IsLetter(next)
	}
	return true
}

// scanQuotes finds the quoted spans of one paragraph p (offsets relative to
// p). An opening mark left open at the end of the paragraph continues the
// quotation to the paragraph's end when the next paragraph opens with the
// same mark (the convention for quotations of several paragraphs).
func scanQuotes(p string, nextOpens rune) [][4]int {
	var out [][4]int
	prev := rune(0)
	for i := 0; i < len(p); {
		r, w := utf8.DecodeRuneInString(p[i:])
		closers, isOpener := quoteOpeners[r]
		next, _ := utf8.DecodeRuneInString(p[i+w:])
		if i+w >= len(p) {
			next = 0
		}
		if !isOpener || !opensHere(r, prev, next) {
			prev = r
			i += w
			continue
		}
		found := false
		pc := r
		for j := i + w; j < len(p); {
			c, cw := utf8.DecodeRuneInString(p[j:])
			if strings.ContainsRune(closers, c) {
				nc, _ := utf8.DecodeRuneInString(p[j+cw:])
				if j+cw >= len(p) {
					nc = 0
				}
				if closesHere(c, pc, nc) && hasWordRune(p[i+w:j]) {
					out = append(out, [4]int{i, i + w, j, j + cw})
					i, prev, found = j+cw, c, true
					break
				}
			}
			pc = c
			j += cw
		}
		if found {
			continue
		}
		if nextOpens == r && !symmetricApostrophe(r) && hasWordRune(p[i+w:]) {
			out = append(out, [4]int{i, i + w, len(p), len(p)})
			break
		}
		prev = r
		i += w
	}
	return out
}

func symmetricApostrophe(r rune) bool { return r == '\'' || r == '‘' || r == '‚' }

func hasWordRune(s string) bool {
	return strings.IndexFunc(s, isWordRune) >= 0
}

// paragraphSpans finds the paragraphs of text (separated by blank lines) as
// byte ranges without their outer white space.
func paragraphSpans(text string) []textSpan {
	var out []textSpan
	start, end := -1, 0
	for pos := 0; pos <= len(text); {
		nl := strings.IndexByte(text[pos:], '\n')
		lineEnd := len(text)
		if nl >= 0 {
			lineEnd = pos + nl
		}
		line := text[pos:lineEnd]
		if strings.TrimSpace(line) == "" {
			if start >= 0 {
				out = append(out, textSpan{start, end})
				start = -1
			}
		} else {
			if start < 0 {
				start = pos + len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
			}
			end = pos + len(strings.TrimRightFunc(line, unicode.IsSpace))
		}
		if nl < 0 {
			break
		}
		pos = lineEnd + 1
	}
	if start >= 0 {
		out = append(out, textSpan{start, end})
	}
	return out
}

// mapQuotes finds the quoted speech of text and whom it is attributed to.
func mapQuotes(text string) *quoteMap {
	m := &quoteMap{text: text, hay: normalizeForMatch(text), paras: paragraphSpans(text)}
	m.proper, m.lower = properWords(text, m.paras)
	for pi, ps := range m.paras {
		p := text[ps.start:ps.end]
		cur := 0
		for _, s := range splitSentences(p) {
			k := strings.Index(p[cur:], s)
			if k < 0 {
				continue
			}
			m.sents = append(m.sents, sentSpan{textSpan{ps.start + cur + k, ps.start + cur + k + len(s)}, pi})
			cur += k + len(s)
		}
	}
	for pi, ps := range m.paras {
		p := text[ps.start:ps.end]
		if strings.HasPrefix(p, ">") {
			words := strings.TrimLeft(p, "> \t")
			m.spans = append(m.spans, quoteSpan{open: ps.start, start: ps.end - len(words), end: ps.end, close: ps.end, para: pi, block: true})
			continue
		}
		var nextOpens rune
		if pi+1 < len(m.paras) {
			nextOpens, _ = utf8.DecodeRuneInString(text[m.paras[pi+1].start:])
		}
		for _, q := range scanQuotes(p, nextOpens) {
			m.spans = append(m.spans, quoteSpan{open: ps.start + q[0], start: ps.start + q[1], end: ps.start + q[2], close: ps.start + q[3], para: pi})
		}
	}
	si := 0
	for i := range m.spans {
		q := &m.spans[i]
		for si+1 < len(m.sents) && m.sents[si].end <= q.open {
			si++
		}
		q.sent = si
		q.lastSent = si
		for q.lastSent+1 < len(m.sents) && m.sents[q.lastSent].end < q.close {
			q.lastSent++
		}
	}
	m.attribute()
	return m
}

// spanOf returns the index of the quoted span holding the bytes [from, to).
func (m *quoteMap) spanOf(from, to int) (int, bool) {
	for i, q := range m.spans {
		if q.start <= from && to <= q.end {
			return i, true
		}
	}
	return 0, false
}

// Attribution patterns. Names are runs of capitalised words (with initials
// and name particles); verbs are speech verbs in the languages Precis meets
// most. Go's \b is ASCII-only, so word ends are spelled out.
const (
	nameWordRE = `\p{Lu}(?:[\p{L}\p{M}’'\-]*[\p{L}\p{M}]\.?|\.)`
	nameRE     = `(` + nameWordRE + `(?:\s+(?:(?:de|di|da|del|della|van|von|der|den|du|dos|bin|al|ibn|el|la|le)\s+)*` + nameWordRE + `)*)`
	verbsRE    = `(?:said|says|say|told|tells|added|adds|asked|stated|states|wrote|writes|declared|warned|argued|explained|insisted|noted|replied|responded|continued|tweeted|posted|recalled|admitted|acknowledged|concluded|announced|claimed|cautioned|urged|vowed|pledged|promised|testified|sagte|sagt|sagten|erklärte|erklärt|betonte|betont|meinte|schrieb|warnte|fügte\s+hinzu|a\s+dit|dit|a\s+déclaré|déclare|a\s+affirmé|affirme|a\s+ajouté|ajoute|a\s+expliqué|explique|a\s+estimé|estime|a\s+souligné|dijo|dice|afirmó|declaró|explicó|aseguró|añadió|señaló|ha\s+detto|ha\s+dichiarato|ha\s+spiegato|disse|afirmou|declarou|zei|zegt|aldus|powiedział|powiedziała|stwierdził|stwierdziła|сказал|сказала|заявил|заявила|отметил|отметила|sa|sade|säger|sanoi)`
	pronounRE  = `(?:he|she|they|er|sie|il|elle|ils|elles|él|ella|lui|lei|hij|zij|ona|on|он|она|hon|han)`
	lead       = `^[\s,.;\-–—]*`
	notLetter  = `(?:$|[^\p{L}])`
	apposRE    = `(?:,\s*[^,“”"«»„]{1,80}?,)?`
	extraRE    = `(?:\s+[^\s“”"«»„:]+){0,4}?`
)

var (
	// After the closing mark: ”, said Lavrov / ”, Lavrov said / ”, he said /
	// ”, according to Lavrov.
	afterVerbNameRE = lazyre.New(lead + verbsRE + `\s+` + nameRE)
	afterNameVerbRE = lazyre.New(lead + nameRE + apposRE + `,?\s+` + verbsRE + notLetter)
	afterPronounRE  = lazyre.New(`(?i)` + lead + `(?:` + pronounRE + `\s+` + verbsRE + `|` + verbsRE + `\s+` + pronounRE + `)` + notLetter)
	afterAccordRE   = lazyre.New(`(?i:` + lead + `(?:according\s+to|selon|laut|según|secondo|segundo|zufolge))\s+` + nameRE)
	// Before the opening mark: Petkov said: “ / Blinken told reporters: “ /
	// sagte Scholz: „
	beforeNameVerbRE = lazyre.New(nameRE + apposRE + `,?\s+` + verbsRE + extraRE + `\s*[:,]?\s*$`)
	beforeVerbNameRE = lazyre.New(verbsRE + `\s+` + nameRE + `\s*[:,]?\s*$`)
	// Anywhere in the quote's sentence outside the marks: Lavrov said Putin
	// “was always prepared” ... / ..., he added.
	nameVerbRE    = lazyre.New(nameRE + apposRE + `,?\s+` + verbsRE + notLetter)
	pronounVerbRE = lazyre.New(`(?i)(?:^|[^\p{L}])` + pronounRE + `\s+` + verbsRE + notLetter)
	nameOnlyRE    = lazyre.New(nameRE)
	subjectRE     = lazyre.New(`^[\s\p{P}]*` + nameRE)
)

// notNames are capitalised words that start sentences or name groups, not
// people; they are stripped from the front of a name.
const notNameWords = `The A An But And It He She They We I You Your My Its This That These Those In On At As By
For From To Of With If Once After Before While Although Since Now Here There What Why How
Who Where When Then Yet Still Later So Also Even Only Just Instead Despite During Under
Over Last Next First Today Yesterday Tomorrow Earlier Like Unlike Some Many Most All Both
Each Every No Not Such Other Another His Her Their Our Speaking Asked According Meanwhile
However Officials Police Critics Analysts Experts Residents Witnesses Authorities Sources
Researchers Feel Do Does Did Don’t Der Die Das Ein Eine Er Sie Es Wir Ich Am Im Auf Mit
Nach Vor Bei Für Doch Aber Und Auch Dann Heute Gestern Le La Les Un Une Il Elle Mais Et
Pour Dans Nous Je On Ce Cette El Los Las Una Pero Y En Por Para Este Esta`

var notNames = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(notNameWords) {
		m[w] = true
	}
	return m
}()

// cleanName strips from a captured name its words that are not names:
// sentence-initial words ("Today", "If"), possessives ("Mozilla's"), lone
// honorifics; "" means no name is left. A capitalised word that the article
// also writes in lower case is taken for a name only when the article
// capitalises it inside a sentence too.
func (m *quoteMap) cleanName(n string) string {
	words := strings.Fields(strings.TrimRight(strings.TrimSpace(n), ".,"))
	for len(words) > 0 {
		w := words[0]
		bare := strings.TrimRight(w, ".")
		if notNames[w] || possessive(w) || !m.proper[bare] && m.lower[strings.ToLower(bare)] {
			words = words[1:]
			continue
		}
		break
	}
	if len(words) == 0 || possessive(words[len(words)-1]) {
		return ""
	}
	if len(words) == 1 && honorifics[strings.TrimRight(words[0], ".")] {
		return ""
	}
	return strings.Join(words, " ")
}

var honorifics = map[string]bool{"Mr": true, "Mrs": true, "Ms": true, "Dr": true, "Prof": true, "Sir": true, "Herr": true, "Frau": true, "M": true, "Mme": true, "Sr": true, "Sra": true}

func possessive(w string) bool {
	return strings.HasSuffix(w, "’s") || strings.HasSuffix(w, "'s")
}

var wordTokRE = lazyre.New(`[\p{L}\p{M}][\p{L}\p{M}’'\-]*`)

// properWords finds the capitalised words the text uses inside sentences,
// not only at their start (names, and in German nouns), and the words it
// writes in lower case.
func properWords(text string, paras []textSpan) (proper, lower map[string]bool) {
	out, lower := map[string]bool{}, map[string]bool{}
	for _, ps := range paras {
		p := text[ps.start:ps.end]
		for _, loc := range wordTokRE().FindAllStringIndex(p, -1) {
			r, _ := utf8.DecodeRuneInString(p[loc[0]:])
			if !unicode.IsUpper(r) {
				lower[p[loc[0]:loc[1]]] = true
				continue
			}
			before := strings.TrimRightFunc(p[:loc[0]], func(r rune) bool {
				return unicode.IsSpace(r) || isCloser(r) || isOpener(r)
			})
			prev, _ := utf8.DecodeLastRuneInString(before)
			if before == "" || isTerminator(prev) {
				continue
			}
			out[p[loc[0]:loc[1]]] = true
		}
	}
	return out, lower
}

// firstName returns the first real name a pattern captures in s.
func (m *quoteMap) firstName(re *regexp.Regexp, s string) string {
	for _, sm := range re.FindAllStringSubmatch(s, -1) {
		if n := m.cleanName(sm[1]); n != "" {
			return n
		}
	}
	return ""
}

// outside returns the text of sentence si with every quoted span in it
// replaced by a placeholder, so patterns see only the narration.
func (m *quoteMap) outside(si int) string {
	s := m.sents[si]
	var b strings.Builder
	at := s.start
	for _, q := range m.spans {
		if q.close <= s.start || q.open >= s.end {
			continue
		}
		if q.open > at {
			b.WriteString(m.text[at:q.open])
		}
		b.WriteString(" ‹Q› ")
		at = max(at, min(q.close, s.end))
	}
	if at < s.end {
		b.WriteString(m.text[at:s.end])
	}
	return b.String()
}

// bare reports whether a sentence's narration is only punctuation: the
// sentence is nothing but quotation.
func bare(narration string) bool {
	return !hasWordRune(strings.ReplaceAll(narration, "‹Q›", ""))
}

// sentenceSpeaker is the name a sentence's narration credits with speech
// ("Lavrov said ...", "..., he added" resolved to last), and whether the
// narration has a speech attribution at all.
func (m *quoteMap) sentenceSpeaker(narration, last string) (string, bool) {
	if hasSpeechVerb(narration) {
		if n := m.nameBeforeVerb(narration); n != "" {
			return n, true
		}
		if pronounVerbRE().MatchString(narration) {
			return last, true
		}
	}
	if mayAccord(narration) {
		if n := m.firstName(afterAccordRE(), strings.TrimLeft(narration, " ")); n != "" {
			return n, true
		}
	}
	return "", false
}

// speechVerbWords holds the last word of every speech verb in verbsRE
// ("said", "dit" of "a dit", "hinzu" of "fügte hinzu"): text without one
// of them cannot match a pattern that needs a verb, and checking words is
// much cheaper than running the patterns.
var speechVerbWords = func() map[string]bool {
	body := strings.TrimSuffix(strings.TrimPrefix(verbsRE, "(?:"), ")")
	m := map[string]bool{}
	for _, alt := range strings.Split(body, "|") {
		words := strings.Split(alt, `\s+`)
		w := words[len(words)-1]
		if i := strings.Index(w, "("); i >= 0 {
			w = w[:i]
		}
		m[w] = true
	}
	return m
}()

func hasSpeechVerb(s string) bool {
	found := false
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if speechVerbWords[strings.ToLower(w)] {
			found = true
			break
		}
	}
	return found
}

// nameBeforeVerb is the first name that a speech verb follows in s
// ("Lavrov said", "Scholz, the chancellor, said"), found by running
// nameVerbRE only on a short window before each verb.
func (m *quoteMap) nameBeforeVerb(s string) string {
	start := -1
	for i, r := range s + " " {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start < 0 {
			continue
		}
		w := s[start:i]
		from := start
		start = -1
		if !speechVerbWords[strings.ToLower(w)] {
			continue
		}
		lo := max(0, from-160)
		if k := strings.IndexByte(s[lo:from], ' '); lo > 0 && k >= 0 {
			lo += k + 1
		}
		end := min(len(s), i+1)
		if n := m.firstName(nameVerbRE(), s[lo:end]); n != "" {
			return n
		}
	}
	return ""
}

// mayAccord is a cheap test for "according to" and its translations.
func mayAccord(s string) bool {
	l := strings.ToLower(s)
	for _, w := range []string{"according", "selon", "laut", "según", "secondo", "segundo", "zufolge"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// headOf is s cut to at most n bytes at a rune boundary; tailOf keeps the
// last n bytes.
func headOf(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func tailOf(s string, n int) string {
	if len(s) <= n {
		return s
	}
	k := len(s) - n
	for k < len(s) && !utf8.RuneStart(s[k]) {
		k++
	}
	return s[k:]
}

// attribute fills each span's speaker: the name next to the quote (after
// the closing mark, then before the opening mark), else the name the
// sentence credits, else, for a sentence that is nothing but quotation, the
// name credited in the sentence before (same or previous paragraph).
// Pronouns resolve to the last name credited with speech in the same or
// the previous paragraph.
func (m *quoteMap) attribute() {
	last, lastPara := "", -2
	sentName := make([]string, len(m.sents))
	sentHas := make([]bool, len(m.sents))
	narr := make([]string, len(m.sents))
	qi := 0
	for si, s := range m.sents {
		if s.para > lastPara+1 {
			last = ""
		}
		narr[si] = m.outside(si)
		// "he" is the subject of the sentence before in the same paragraph
		// ("Merz arrived late. “...,” he said."), else the last person
		// credited with speech.
		ref := last
		if si > 0 && m.sents[si-1].para == s.para {
			if n := m.subjectOf(narr[si-1]); n != "" {
				ref = n
			}
		}
		sentName[si], sentHas[si] = m.sentenceSpeaker(narr[si], ref)
		for ; qi < len(m.spans) && m.spans[qi].sent == si; qi++ {
			q := &m.spans[qi]
			if q.block {
				continue
			}
			after := m.text[q.close:m.sents[q.lastSent].end]
			before := m.text[s.start:q.open]
			if k := strings.LastIndexAny(before, "”»“\""); k >= 0 {
				before = before[k+1:]
			}
			resolve := func(n string) string {
				if n != "" {
					last, lastPara = n, s.para
				}
				return n
			}
			// Only text near the marks counts, and only text with a
			// speech verb (or "according to") is worth the patterns.
			after, before = headOf(after, 160), tailOf(before, 200)
			afterVerb, beforeVerb := hasSpeechVerb(after), hasSpeechVerb(before)
			var n string
			switch {
			case afterVerb && func() bool { n = m.firstName(afterVerbNameRE(), after); return n != "" }():
				q.speaker = resolve(n)
			case afterVerb && func() bool { n = m.firstName(afterNameVerbRE(), after); return n != "" }():
				q.speaker = resolve(n)
			case afterVerb && afterPronounRE().MatchString(after):
				q.speaker = resolve(ref)
			case mayAccord(after) && func() bool { n = m.firstName(afterAccordRE(), after); return n != "" }():
				q.speaker = resolve(n)
			case beforeVerb && func() bool { n = m.firstName(beforeNameVerbRE(), before); return n != "" }():
				q.speaker = resolve(n)
			case beforeVerb && func() bool { n = m.firstName(beforeVerbNameRE(), before); return n != "" }():
				q.speaker = resolve(n)
			case sentHas[si]:
				q.speaker = sentName[si]
			case bare(narr[si]) && si > 0 && m.sents[si-1].para >= s.para-1 && sentHas[si-1]:
				q.speaker = sentName[si-1]
			case bare(narr[si]) && si > 0 && m.sents[si-1].para >= s.para-1 && strings.HasSuffix(strings.TrimSpace(narr[si-1]), ":"):
				q.speaker = m.firstName(nameOnlyRE(), narr[si-1])
			}
			if q.speaker != "" && !sentHas[si] {
				sentName[si], sentHas[si] = q.speaker, true
			}
		}
		if sentHas[si] && sentName[si] != "" {
			last, lastPara = sentName[si], s.para
		}
	}
	// A quoted sentence after another with nothing in between inherits the
	// earlier one's speaker ("...," Lavrov said. "We will see.").
	for i := range m.spans {
		q := &m.spans[i]
		if q.speaker != "" || q.block || i == 0 {
			continue
		}
		p := m.spans[i-1]
		if p.speaker != "" && p.para == q.para && p.lastSent+1 >= q.sent && bare(narr[q.sent]) {
			q.speaker = p.speaker
		}
	}
}

// speakerFor returns the speaker to show for quoted span i when a summary
// credits it to speaker: the name (or a name-shaped part of "Name,
// description") when the article attributes the words to that name, the
// full name or the surname the article uses; otherwise "". A description
// ("president") is never matched on its own.
func (m *quoteMap) speakerFor(i int, speaker string) string {
	speaker = cleanLine(speaker)
	if speaker == "" {
		return ""
	}
	q := m.spans[i]
	cands := []string{speaker}
	if strings.ContainsAny(speaker, ",(;/–—") {
		for _, part := range strings.FieldsFunc(speaker, func(r rune) bool { return strings.ContainsRune(",();/–—", r) }) {
			if part = strings.TrimSpace(part); nameShaped(part) && part != speaker {
				cands = append(cands, part)
			}
		}
	}
	attributed := q.speaker
	if attributed == "" && !q.block {
		attributed = m.nearbyName(q)
	}
	for _, c := range cands {
		if attributed != "" {
			if same, articles := m.sameName(c, attributed); same && articles {
				return c
			} else if same {
				return attributed // the article's wording, not the model's fuller name
			}
		}
		if attributed == "" && hasCJK(c) && m.nearbyCJK(q, c) {
			return c
		}
	}
	return ""
}

// nearbyName is the attribution of last resort, for wording the patterns do
// not know: the one name in the narration of the quote's sentence or, when
// that names nobody, of the sentence before it (or after it, when the
// quote's sentence is only quotation) in the same paragraph. Two or more
// names there credit nobody.
func (m *quoteMap) nearbyName(q quoteSpan) string {
	if n := m.uniqueName(m.outside(q.sent)); n != "" || m.hasName(m.outside(q.sent)) {
		return n
	}
	tryIn := []int{q.sent - 1}
	if bare(m.outside(q.sent)) {
		tryIn = append(tryIn, q.lastSent+1)
	}
	for _, si := range tryIn {
		if si < 0 || si >= len(m.sents) || m.sents[si].para != q.para {
			continue
		}
		if n := m.uniqueName(m.outside(si)); n != "" {
			return n
		}
	}
	return ""
}

// subjectOf is the name a narration starts with ("Lavrov said ...", "Merz
// kam spät."), else its only name.
func (m *quoteMap) subjectOf(narration string) string {
	if sm := subjectRE().FindStringSubmatch(narration); sm != nil {
		if n := m.cleanName(sm[1]); n != "" {
			return n
		}
	}
	return m.uniqueName(narration)
}

// uniqueName is the one name in a narration, or "" when there is none or
// more than one.
func (m *quoteMap) uniqueName(narration string) string {
	names := map[string]bool{}
	for _, sm := range nameOnlyRE().FindAllStringSubmatch(narration, -1) {
		if n := m.cleanName(sm[1]); n != "" {
			names[n] = true
		}
	}
	if len(names) != 1 {
		return ""
	}
	for n := range names {
		return n
	}
	return ""
}

func (m *quoteMap) hasName(narration string) bool {
	for _, sm := range nameOnlyRE().FindAllStringSubmatch(narration, -1) {
		if m.cleanName(sm[1]) != "" {
			return true
		}
	}
	return false
}

// nearbyCJK reports whether a CJK name occurs in the narration of the
// quote's sentence (or, for a bare quotation, the sentence before): CJK
// text has no capitals or spaces for the name patterns to use.
func (m *quoteMap) nearbyCJK(q quoteSpan, name string) bool {
	n := strings.ReplaceAll(name, " ", "")
	for _, si := range []int{q.sent, q.sent - 1} {
		if si < 0 || m.sents[si].para != q.para {
			continue
		}
		if strings.Contains(m.outside(si), n) {
			return true
		}
		if !bare(m.outside(q.sent)) {
			break
		}
	}
	return false
}

// sameName reports whether name (from a summary) is the attributed name:
// equal, or with the same surname ("Lavrov" for "Sergei Lavrov" and the
// reverse). articles says whether name is the article's own wording (equal,
// the surname alone, or a fuller name the article writes somewhere); when
// it is not, the caller shows the attributed name instead.
func (m *quoteMap) sameName(name, attributed string) (same, articles bool) {
	if foldName(name) == foldName(attributed) {
		return true, true
	}
	sn, sa := surname(name), surname(attributed)
	if sn == "" || sa == "" || foldName(sn) != foldName(sa) {
		return false, false
	}
	// The same surname is the same person only when one name's words are
	// all in the other ("Lavrov" and "Sergei Lavrov"): "Donald Trump" is not
	// "Eric Trump".
	if !wordSubset(name, attributed) && !wordSubset(attributed, name) {
		return false, false
	}
	return true, len(strings.Fields(name)) == 1 || containsWords(m.hay, name)
}

// wordSubset reports whether every word of a is a word of b, case folded.
func wordSubset(a, b string) bool {
	words := map[string]bool{}
	for _, w := range strings.Fields(foldName(b)) {
		words[w] = true
	}
	for _, w := range strings.Fields(foldName(a)) {
		if !words[w] {
			return false
		}
	}
	return true
}

func foldName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.Join(strings.Fields(s), " ")) {
		if r = foldRune(r); r >= 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// surname is the last capitalised word of a name, without a possessive.
func surname(name string) string {
	words := strings.Fields(name)
	for k := len(words) - 1; k >= 0; k-- {
		w := strings.TrimFunc(words[k], func(r rune) bool { return !unicode.IsLetter(r) })
		first, _ := utf8.DecodeRuneInString(w)
		if utf8.RuneCountInString(w) >= 2 && unicode.IsUpper(first) {
			return w
		}
	}
	return ""
}

// nameShaped reports whether s looks like a name: one to five words, each
// capitalised, an initial or a name particle. "president" and "Russia's
// foreign minister" are not names.
func nameShaped(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 5 {
		return false
	}
	capital := 0
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case unicode.IsUpper(r) && !strings.ContainsAny(w, "’'") || hasCJK(w):
			capital++
		case strings.Contains(" de di da del della van von der den du dos bin al ibn el la le ", " "+w+" "):
		default:
			return false
		}
	}
	return capital > 0
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
