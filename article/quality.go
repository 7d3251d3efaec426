package article

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/precisbot/precis/internal/lazyre"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// DefaultMinWords is the least text, in words (see CountWords), that counts
// as a full article when the caller sets no minimum. Shorter text that reads
// like a story and shows no wall signal is a short item (ReasonShort).
const DefaultMinWords = 80

// shortMinWords: below this many words (or minWords, if lower) a text is
// not an article at all, not even a short item: a caption, a headline and
// a link, an error page.
const shortMinWords = 30

// wallMaxWords: a page with at most this many words in which wall phrases
// appear is treated as the wall itself, not an article that mentions one.
const wallMaxWords = 400

// teaserWindow: how much of the page's visible text after the end of the
// story is searched for a subscribe prompt, in bytes.
const teaserWindow = 800

// The gate's verdicts, as Quality.Reason and in `precis extract --json`.
const (
	// ReasonWall: a paywall, login wall, cookie wall or bot check, or a
	// teaser of a story behind one.
	ReasonWall = "wall"
	// ReasonShort: a short but real story (a wire brief) with no wall
	// signal. It is returned as an article; callers may show it in full
	// instead of summarising it.
	ReasonShort = "short"
	// ReasonNotArticle: no text, or too little to be a story.
	ReasonNotArticle = "not_article"
)

// Quality is the quality gate's verdict on an extracted page. OK is true
// for a full article; otherwise Reason is one of ReasonWall, ReasonShort or
// ReasonNotArticle.
type Quality struct {
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"`
}

// Short reports whether the verdict (nil: none yet) is a short but real item, which the
// summary layer shows as a short card (headline and the item quoted in
// full) rather than sending to the model.
func (q *Quality) Short() bool { return q != nil && q.Reason == ReasonShort }

// Readable reports whether the page may be summarised or shown: a full
// article or a short item, never a wall or a page without a story.
func (q *Quality) Readable() bool { return q != nil && (q.OK || q.Reason == ReasonShort) }

// Phrases of walls, in the languages Precis meets most, matched
// case-insensitively. paywallPrompts are the prompts that stand where a
// story is cut off; the other groups are what walls say besides.
var (
	paywallPrompts = []string{
		`subscribe (?:now |today )?to (?:continue|keep) reading|subscribe to (?:read|unlock|access)`,
		`(?:continue|keep) reading (?:with|by subscribing)|to (?:continue|keep) reading,? (?:please )?(?:subscribe|log ?in|sign ?in|register)`,
		`this (?:article|story|content) is (?:for|only available to|exclusive to|reserved for) (?:paying )?(?:subscribers|members)`,
		`you(?:'ve|’ve| have) reached (?:your|the) (?:free )?(?:article )?limit|free articles? (?:left|remaining)|unlock (?:this|the full) (?:article|story)`,
		`jetzt weiterlesen mit|weiterlesen mit|mit \S{1,20} weiterlesen|artikel (?:ist|sind) (?:nur )?für abonnenten|exklusiv für abonnenten|mit (?:einem )?abo weiterlesen`,
		`pour lire la suite|abonnez-vous pour (?:lire|continuer)|la suite est réservée aux abonnés`,
		`(?:contenido|artículo) (?:exclusivo )?para suscriptores|suscríbete para (?:seguir leyendo|continuar)`,
		`conteúdo exclusivo para assinantes|assine para continuar|contenuto riservato agli abbonati|abbonati per continuare`,
		`(?:artykuł|treść) (?:dostępn[ay] )?(?:tylko )?dla (?:prenumeratorów|subskrybentów)`,
	}
	otherWallPhrases = []string{
		// paywall furniture
		`(?:already a|become a) (?:subscriber|member)\?|subscribers only|jetzt (?:abonnieren|abo abschließen)|réservé aux abonnés|abonnez-vous pour`,
		// login walls
		`(?:sign|log) ?in to (?:continue|read|view|see|access)|please (?:sign|log) ?in|you (?:must|need to) (?:be )?(?:sign(?:ed)? ?in|log(?:ged)? ?in)`,
		`create (?:a free|an) account to (?:continue|read)|register (?:for free )?to (?:continue|read)`,
		`bitte (?:melden sie sich an|einloggen|anmelden)|anmelden,? um weiterzulesen|connectez-vous pour|inicia sesión para`,
		// cookie / consent walls
		`(?:accept|allow|agree to) (?:all |the use of )?cookies|we use cookies|this (?:site|website) uses cookies|cookie (?:settings|preferences|policy)`,
		`manage (?:your )?(?:consent|privacy) (?:preferences|settings|options)|your privacy choices`,
		`(?:alle )?cookies (?:akzeptieren|zulassen)|wir verwenden cookies|diese (?:website|seite) verwendet cookies|zustimmen und weiter`,
		`accepter (?:les|tous les) cookies|nous utilisons des cookies|aceptar (?:todas las )?cookies|utilizamos cookies`,
		`accetta (?:tutti i )?cookie|utilizziamo (?:i )?cookie|akceptuj(?:ę)? (?:wszystkie )?(?:pliki )?cookies`,
		// robot checks
		`verify (?:that )?you are (?:a )?human|are you a robot|enable javascript (?:and cookies )?to continue|checking your browser`,
	}
	// wallPhrases condemn a short extracted text that they dominate.
	wallPhrases = lazyre.New(`(?i)` + strings.Join(append(append([]string(nil), paywallPrompts...), otherWallPhrases...), "|"))
	// promptPhrases are looked for in the page right after the story.
	promptPhrases = lazyre.New(`(?i)` + strings.Join(paywallPrompts, "|"))
)

// truncationMarker matches the end of a story cut off for a teaser: an
// ellipsis, or a last line inviting to read on.
var truncationMarker = lazyre.New(`(?i)(?:\.\.\.|…|\[…\]|\[\.\.\.\]|\(…\)|\(\.\.\.\))["'”’»]?\s*$|` +
	`(?:^|\n)\s*(?:read more|continue reading|read the full (?:article|story)|weiterlesen|lire la suite|leer más|seguir leyendo|continua a leggere|czytaj dalej)\W*$`)

// wallClass matches the class or id tokens of metered-paywall markup: a
// paywall, registration wall or meter, or a subscription gate.
var wallClass = lazyre.New(`(?i)pay-?wall|reg-?wall|login-?wall|(?:^|[-_])meter(?:ed|ing)?(?:$|[-_])|` +
	`subscri(?:be|ber|bers|ption)[-_]?(?:wall|gate|only|required|overlay|barrier|prompt)|premium[-_]?(?:wall|gate|lock|content-gate)|` +
	`(?:wall|gate)[-_]?subscri`)

// notFree matches schema.org's paywalled-content markup,
// isAccessibleForFree false, in JSON-LD.
var notFree = lazyre.New(`(?i)"isAccessibleForFree"\s*:\s*"?(?:false|no)\b`)

// pageSignals are what a page's HTML says about a wall beside its story
// text. The zero value is a page with no signals (a file, an archived copy).
type pageSignals struct {
	notFree     bool // schema.org isAccessibleForFree false
	wallElement bool // a visible element whose class or id names a paywall or meter
	prompt      bool // a paywall prompt right after the end of the story
}

// CheckQuality judges a's text alone (a Reader also reads the page's
// markup) and returns an error for a page that is not readable: one
// wrapping ErrEmptyPage when there is no text, ErrWalled (which matches
// ErrNoArticle) for a cookie wall, login wall or paywall stub, and
// ErrNoArticle for text too short to be a story. A short but real item
// (see ReasonShort) is no error. minWords <= 0 means DefaultMinWords. The
// error text is fit to show users. a is not changed: Assess returns the
// verdict itself.
func CheckQuality(a *Article, minWords int) error {
	_, err := judge(a, minWords, pageSignals{})
	return err
}

// Assess is CheckQuality's verdict as data.
func Assess(a *Article, minWords int) Quality {
	q, _ := judge(a, minWords, pageSignals{})
	return q
}

// checkQuality judges a with what the page's HTML says and records the
// verdict in a.Quality.
func checkQuality(a *Article, minWords int, sig pageSignals) error {
	q, err := judge(a, minWords, sig)
	if a != nil {
		a.Quality = &q
	}
	return err
}

// judge is the gate. Length alone never makes a wall: a short text is a
// wall only when wall phrases dominate it or the page shows a wall signal
// (paywall markup, a prompt after the story, a truncation marker).
func judge(a *Article, minWords int, sig pageSignals) (Quality, error) {
	if minWords <= 0 {
		minWords = DefaultMinWords
	}
	notArticle := Quality{Reason: ReasonNotArticle}
	if a == nil || strings.TrimSpace(a.Text) == "" {
		return notArticle, fmt.Errorf("couldn't find any text at this link: %w", ErrEmptyPage)
	}
	wall := Quality{Reason: ReasonWall}
	words := CountWords(a.Text)
	if words <= wallMaxWords {
		if hits := wallPhrases().FindAllStringIndex(a.Text, -1); len(hits) > 0 && wallDominates(a.Text, hits, words) {
			return wall, fmt.Errorf("couldn't find an article at this link; it may be paywalled or need a login (the page asks to %q): %w",
				strings.ToLower(a.Text[hits[0][0]:hits[0][1]]), ErrWalled)
		}
		truncated := truncationMarker().MatchString(a.Text)
		strong := sig.notFree || sig.wallElement
		signals := 0
		for _, s := range []bool{strong, sig.prompt, truncated} {
			if s {
				signals++
			}
		}
		// A short text with any wall signal is a teaser; a longer one
		// (up to wallMaxWords) needs two independent signals.
		if words < minWords && signals > 0 || signals >= 2 {
			return wall, fmt.Errorf("couldn't find an article at this link; it may be paywalled (%s): %w", describeSignals(sig, truncated, words), ErrWalled)
		}
	}
	if words >= minWords {
		return Quality{OK: true}, nil
	}
	if words < min(shortMinWords, minWords) || !endsSentence(a.Text) {
		return notArticle, fmt.Errorf("couldn't find an article at this link; it may be paywalled (only %d words of text): %w", words, ErrNoArticle)
	}
	return Quality{Reason: ReasonShort}, nil
}

// describeSignals says, for logs and the error chain, which wall signals
// condemned a page.
func describeSignals(sig pageSignals, truncated bool, words int) string {
	var parts []string
	if sig.notFree {
		parts = append(parts, "marked not free")
	}
	if sig.wallElement {
		parts = append(parts, "paywall markup")
	}
	if sig.prompt {
		parts = append(parts, "a subscribe prompt after the text")
	}
	if truncated {
		parts = append(parts, "the text is cut off")
	}
	return fmt.Sprintf("%s; only %d words of text", strings.Join(parts, ", "), words)
}

// endsSentence reports whether text ends like prose: with sentence
// punctuation, perhaps inside a closing quote or bracket.
func endsSentence(text string) bool {
	t := strings.TrimRightFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`"'”’»)]`, r)
	})
	if t == "" {
		return false
	}
	r := []rune(t)[len([]rune(t))-1]
	return strings.ContainsRune(".!?。！？", r)
}

// wallDominates decides whether wall phrases make up the page rather than
// an aside in it: several phrases, or one in text that is mostly short, or
// one in the opening or closing lines of a short page.
func wallDominates(text string, hits [][]int, words int) bool {
	if len(hits) >= 2 || words < 150 {
		return true
	}
	// One phrase in a 150-400 word text: a wall when the phrase sits in
	// the last paragraph (a teaser cut off by "subscribe to continue").
	last := strings.LastIndex(text, "\n\n")
	return hits[0][0] > last
}

// scanSignals reads the wall signals of an HTML page whose extracted story
// is text. It parses the page again, so callers only ask for it when the
// story is short enough for signals to matter.
func scanSignals(page []byte, text string) pageSignals {
	var sig pageSignals
	sig.notFree = notFree().Match(page)
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return sig
	}
	var vis strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			vis.WriteString(n.Data)
			vis.WriteByte(' ')
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Head:
				return
			case atom.Meta:
				if strings.EqualFold(attr(n, "itemprop"), "isAccessibleForFree") && isFalse(attr(n, "content")) {
					sig.notFree = true
				}
			}
			if isHidden(n) {
				return // a metered site ships its paywall box hidden until the meter runs out
			}
			for _, a := range n.Attr {
				if (a.Key == "class" || a.Key == "id") && hasWallToken(a.Val) {
					sig.wallElement = true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	sig.prompt = promptAfter(strings.Join(strings.Fields(vis.String()), " "), text)
	return sig
}

// hasWallToken reports whether a class or id attribute names wall markup.
func hasWallToken(v string) bool {
	// Every wallClass match holds one of these; most class lists hold none,
	// and this check is far cheaper than the regexp on each token.
	l := strings.ToLower(v)
	if !strings.Contains(l, "wall") && !strings.Contains(l, "meter") && !strings.Contains(l, "subscri") && !strings.Contains(l, "premium") {
		return false
	}
	for _, tok := range strings.Fields(v) {
		if wallClass().MatchString(tok) {
			return true
		}
	}
	return false
}

func isFalse(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return s == "false" || s == "no"
}

// promptAfter reports whether a paywall prompt follows the end of the
// story in the page's visible text (white space normalised): a teaser
// followed by a subscribe prompt.
func promptAfter(visible, story string) bool {
	paras := strings.Split(strings.TrimSpace(story), "\n\n")
	words := strings.Fields(paras[len(paras)-1])
	if len(words) == 0 {
		return false
	}
	for _, n := range []int{8, 4} {
		tail := strings.Join(words[max(0, len(words)-n):], " ")
		if i := strings.LastIndex(visible, tail); i >= 0 {
			after := visible[i+len(tail):]
			return promptPhrases().MatchString(after[:min(len(after), teaserWindow)])
		}
	}
	return false
}
