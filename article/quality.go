package article

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultMinWords is the least text, in words (see CountWords), that counts
// as an article when the caller sets no minimum.
const DefaultMinWords = 80

// wallPhrases are what cookie walls, login walls and paywall stubs say, in
// the languages Precis meets most. They are matched case-insensitively
// against the extracted text; they only condemn a page whose text is short
// (see CheckQuality), because a long story may well mention subscriptions.
var wallPhrases = regexp.MustCompile(`(?i)` +
	// paywalls
	`subscribe (?:now |today )?to (?:continue|keep) reading|subscribe to (?:read|unlock|access)|` +
	`(?:continue|keep) reading (?:with|by subscribing)|to (?:continue|keep) reading,? (?:please )?(?:subscribe|log ?in|sign ?in|register)|` +
	`this (?:article|story|content) is (?:for|only available to|exclusive to|reserved for) (?:paying )?(?:subscribers|members)|` +
	`(?:already a|become a) (?:subscriber|member)\?|subscribers only|you(?:'ve| have) reached (?:your|the) (?:free )?(?:article )?limit|` +
	`free articles? (?:left|remaining)|unlock (?:this|the full) (?:article|story)|` +
	`jetzt (?:weiterlesen|abonnieren|abo abschließen)|weiterlesen mit|artikel (?:ist|sind) (?:nur )?für abonnenten|exklusiv für abonnenten|` +
	`pour lire la suite|réservé aux abonnés|abonnez-vous pour|` +
	`(?:contenido|artículo) (?:exclusivo )?para suscriptores|suscríbete para (?:seguir leyendo|continuar)|` +
	`conteúdo exclusivo para assinantes|assine para continuar|contenuto riservato agli abbonati|abbonati per continuare|` +
	`(?:artykuł|treść) (?:dostępn[ay] )?(?:tylko )?dla (?:prenumeratorów|subskrybentów)|` +
	// login walls
	`(?:sign|log) ?in to (?:continue|read|view|see|access)|please (?:sign|log) ?in|you (?:must|need to) (?:be )?(?:sign(?:ed)? ?in|log(?:ged)? ?in)|` +
	`create (?:a free|an) account to (?:continue|read)|register (?:for free )?to (?:continue|read)|` +
	`bitte (?:melden sie sich an|einloggen|anmelden)|anmelden,? um weiterzulesen|connectez-vous pour|inicia sesión para|` +
	// cookie / consent walls
	`(?:accept|allow|agree to) (?:all |the use of )?cookies|we use cookies|this (?:site|website) uses cookies|cookie (?:settings|preferences|policy)|` +
	`manage (?:your )?(?:consent|privacy) (?:preferences|settings|options)|your privacy choices|` +
	`(?:alle )?cookies (?:akzeptieren|zulassen)|wir verwenden cookies|diese (?:website|seite) verwendet cookies|zustimmen und weiter|` +
	`accepter (?:les|tous les) cookies|nous utilisons des cookies|aceptar (?:todas las )?cookies|utilizamos cookies|` +
	`accetta (?:tutti i )?cookie|utilizziamo (?:i )?cookie|akceptuj(?:ę)? (?:wszystkie )?(?:pliki )?cookies|` +
	// robot checks
	`verify (?:that )?you are (?:a )?human|are you a robot|enable javascript (?:and cookies )?to continue|checking your browser`)

// wallMaxWords: a page with at most this many words in which wall phrases
// appear is treated as the wall itself, not an article that mentions one.
const wallMaxWords = 400

// CheckQuality reports whether a looks like an article a reader would want
// summarised. It returns an error wrapping ErrEmptyPage when there is no
// text at all, and one wrapping ErrNoArticle for a cookie wall, login wall,
// paywall stub, or text shorter than minWords (DefaultMinWords when
// minWords <= 0). The error text is fit to show users.
func CheckQuality(a *Article, minWords int) error {
	if minWords <= 0 {
		minWords = DefaultMinWords
	}
	if a == nil || strings.TrimSpace(a.Text) == "" {
		return fmt.Errorf("couldn't find any text at this link: %w", ErrEmptyPage)
	}
	words := CountWords(a.Text)
	if words <= wallMaxWords {
		if hits := wallPhrases.FindAllStringIndex(a.Text, -1); len(hits) > 0 && wallDominates(a.Text, hits, words) {
			return fmt.Errorf("couldn't find an article at this link; it may be paywalled or need a login (the page asks to %q): %w",
				strings.ToLower(a.Text[hits[0][0]:hits[0][1]]), ErrNoArticle)
		}
	}
	if words < minWords {
		return fmt.Errorf("couldn't find an article at this link; it may be paywalled (only %d words of text): %w", words, ErrNoArticle)
	}
	return nil
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
