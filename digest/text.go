package digest

import (
	"net/url"
	"path"
	"strings"
	"unicode"

	"github.com/precisbot/precis/internal/discordtext"

	"golang.org/x/net/html"
)

// stopwords are dropped before comparing items: function words of the most
// common news languages plus words that appear in every news headline.
// Unknown languages still work, only with a little more noise that IDF
// weighting mostly absorbs.
var stopwords = func() map[string]struct{} {
	words := `
a about above after again against all also am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers him his how i if in
into is it its itself just me more most my no nor not now of off on once only or other our out over own same she should so
some such than that the their them then there these they this those through to too under until up very was we were what
when where which while who whom why will with would you your yours says said say new news report reports update updates
live latest breaking video photos watch read more amid over after year years day days week today yesterday tomorrow
der die das und ist im in den von zu mit sich des auf für nicht ein eine als auch es an werden aus er hat dass sie nach wird
bei einer um am sind noch wie einem über einen so zum war haben nur oder aber vor zur bis mehr durch man sein wurde sei
le la les de des du un une et est en que qui dans pour pas sur au aux avec ce ces il elle par plus se son sa ses ou été
el los las del y en que un una por con para es al lo como más su sus se le ha o sin sobre este esta entre
il lo gli della delle di da che per con non una sono è nel nella
o os as um uma do da dos das em no na nos para com não por mais
de het een en van ik te dat die in is op aan met voor zijn er maar om niet ook als bij
`
	m := make(map[string]struct{})
	for _, w := range strings.Fields(words) {
		m[w] = struct{}{}
	}
	return m
}()

// isCJK reports scripts written without spaces between words; they are
// compared by overlapping character pairs instead of words.
func isCJK(r rune) bool {
	if r < 0x0E00 {
		return false // fast path: Latin, Greek, Cyrillic, Arabic, Hebrew, Indic...
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai)
}

// tokens splits s into lower-case comparison tokens: words of two or more
// letters or digits that are not stopwords, and character bigrams for CJK
// runs. A crude plural fold ("quakes" -> "quake") helps English headlines.
func tokens(s string, add func(string)) {
	var word []rune
	flush := func() {
		if len(word) == 0 {
			return
		}
		if isCJK(word[0]) {
			if len(word) == 1 {
				add(string(word))
			}
			for i := 0; i+1 < len(word); i++ {
				add(string(word[i : i+2]))
			}
		} else if len(word) >= 2 {
			w := string(word)
			if _, stop := stopwords[w]; !stop {
				add(fold(w))
			}
		}
		word = word[:0]
	}
	rs := []rune(s)
	for i, r := range rs {
		r = unicode.ToLower(r)
		switch {
		case isCJK(r):
			if len(word) > 0 && !isCJK(word[0]) {
				flush()
			}
			word = append(word, r)
		case unicode.IsDigit(r):
			// "M7.1" -> "7.1": numbers stand on their own.
			if len(word) > 0 && !unicode.IsDigit(word[len(word)-1]) && word[len(word)-1] != '.' {
				flush()
			}
			word = append(word, r)
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			if len(word) > 0 && isCJK(word[0]) {
				flush()
			}
			word = append(word, r)
		case (r == '.' || r == ',') && len(word) > 0 && unicode.IsDigit(word[len(word)-1]) && i+1 < len(rs) && unicode.IsDigit(rs[i+1]):
			// Decimal numbers are strong evidence of the same story
			// ("7.1", and "7,1" in languages with a decimal comma); a
			// thousands separator turns into the same shape, which is
			// harmless.
			word = append(word, '.')
		default:
			// Includes apostrophes: "Japan's" -> "japan", "s" dropped.
			flush()
		}
	}
	flush()
}

// fold is a light, conservative English stemmer: it strips a few common
// inflections from longer ASCII words so "warning", "warned" and "warnings"
// compare equal. Other languages pass through unchanged; IDF weighting and
// the shared vocabulary of names and numbers carry them.
func fold(w string) string {
	if len(w) <= 4 {
		return w
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return w
		}
	}
	for _, suf := range []string{"ings", "ing", "ed", "es", "s"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 4 {
			if suf == "s" && (strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is")) {
				break
			}
			w = w[:len(w)-len(suf)]
			break
		}
	}
	if len(w) > 4 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

// slugText turns a URL's last meaningful path segment into words, the only
// text a shared link has before anyone summarized it:
// ".../2024/05/01/strong-earthquake-hits-japan.html" -> "strong earthquake hits japan".
func slugText(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	best := ""
	for _, s := range segs {
		s = strings.TrimSuffix(s, path.Ext(s))
		if strings.Count(s, "-")+strings.Count(s, "_") >= 2 && len(s) > len(best) {
			best = s
		}
	}
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '+' {
			return ' '
		}
		return r
	}, best)
}

// stripHTML returns the text of an HTML fragment with white space collapsed.
func stripHTML(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return collapseSpace(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return collapseSpace(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				skip++
			case "p", "br", "div", "li":
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				skip = max(0, skip-1)
			case "p", "div", "li":
				b.WriteByte(' ')
			}
		case html.SelfClosingTagToken:
			b.WriteByte(' ')
		}
	}
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// firstWords returns at most n words of s, with an ellipsis when cut.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) <= n {
		return strings.Join(f, " ")
	}
	if n <= 0 {
		return ""
	}
	out := strings.Join(f[:n], " ")
	out = strings.TrimRightFunc(out, func(r rune) bool { return unicode.IsPunct(r) && r != ')' && r != '"' })
	return out + "…"
}

// wordCount counts words; CJK characters count one each so budgets stay fair.
func wordCount(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		cjk := 0
		for _, r := range f {
			if isCJK(r) {
				cjk++
			}
		}
		if cjk > 0 {
			n += max(1, cjk/2)
		} else {
			n++
		}
	}
	return n
}

// safeText makes untrusted text inert as one line of Discord Markdown.
func safeText(s string) string { return discordtext.SafeLine(s) }

// hostOf is the site name shown for a link without a known site: the host
// without "www.".
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}
