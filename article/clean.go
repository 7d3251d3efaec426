package article

import (
	"strings"

	"github.com/precisbot/precis/internal/lazyre"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// removeHidden deletes every element a reader cannot see (hidden attribute,
// aria-hidden="true", inline display:none or visibility:hidden) so that no
// extractor can pick their text up.
func removeHidden(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && isHidden(c) {
			n.RemoveChild(c)
		} else {
			removeHidden(c)
		}
		c = next
	}
}

func isHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			if hiddenStyle(a.Val) {
				return true
			}
		}
	}
	return false
}

// hiddenStyle reports whether an inline style hides the element.
func hiddenStyle(style string) bool {
	if !strings.Contains(style, "none") && !strings.Contains(style, "hidden") {
		return false
	}
	for _, decl := range strings.Split(style, ";") {
		prop, val, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		prop = strings.ToLower(strings.TrimSpace(prop))
		val = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.ToLower(val)), "!important"))
		switch {
		case prop == "display" && val == "none":
			return true
		case prop == "visibility" && val == "hidden":
			return true
		}
	}
	return false
}

// boilerTokens are class/id words that mark page furniture rather than
// story: share bars, newsletter boxes, related-post lists, comment forms,
// ads. They are matched as whole tokens of the class and id attributes so
// that "commentary" or "shared-story" do not match. Words that name
// wrappers of story text as often as furniture are left out: "widget"
// (product boxes and embeds in the story), "readmore" (the rest of a story
// behind a "read more" toggle) and "date" (a dateline kept with the story):
// they cost more text than furniture they caught, which link density and
// the line rules catch anyway (readability 0.9843 -> 0.9851,
// trafilatura-eval 0.9396 -> 0.9403).
var boilerTokens = map[string]bool{
	"share": true, "shares": true, "sharing": true, "sharebar": true, "sharedaddy": true,
	"shareaholic": true, "addtoany": true, "social": true, "socials": true,
	"newsletter": true, "subscribe": true, "subscription": true, "signup": true,
	"related": true, "recommended": true, "recommendations": true, "outbrain": true,
	"taboola": true, "comment": true, "comments": true, "respond": true, "disqus": true,
	"advert": true, "advertisement": true, "ad": true, "ads": true, "adslot": true,
	"promo": true, "sponsored": true, "breadcrumb": true, "breadcrumbs": true,
	"pagination": true, "cookie": true, "consent": true, "trending": true,
	"popular": true, "toolbar": true, "sidebar": true, "print": true, "tags": true, "byline": true,
	"meta": true, "author": true, "bio": true, "dateline": true, "timestamp": true,
	"credit": true, "credits": true, "copyright": true, "caption": true,
	"paywall": true, "donate": true, "donation": true, "follow": true,
}

// isBoilerElement reports whether el looks like page furniture by its
// class, id or role, and is small or mostly links, so that a mislabelled
// story container is kept.
func isBoilerElement(el *html.Node) bool {
	switch el.DataAtom {
	case atom.Form:
		return countWordsIn(el) < 100
	case atom.Figcaption:
		return !proseCaption(el)
	}
	if captionLabelled(el) && proseCaption(el) {
		return false
	}
	if !boilerLabelled(el) {
		return false
	}
	return boilerSized(wordsAndLinkWords(el))
}

// captionProseWords is the least a picture's caption holds to be kept as
// story text. A caption that long reports like a paragraph of the story
// (who, where, what was said) and often quotes someone; a shorter one
// labels or credits the picture (readability 0.9800 -> 0.9815,
// trafilatura-eval -0.0002; keeping every caption: readability 0.9824,
// trafilatura-eval 0.9342, as its annotators leave captions out).
const captionProseWords = 20

// proseCaption reports whether el, a <figcaption> or an element labelled a
// caption, is one to keep as story text: captionProseWords words or more,
// and not the caption of another story's teaser card (inside a link, or
// holding a linked headline) nor labelled furniture besides ("promo-caption").
func proseCaption(el *html.Node) bool {
	if countWordsIn(el) < captionProseWords || hasAncestor(el, atom.A) || hasLinkHeading(el) {
		return false
	}
	return firstTokenIn(attr(el, "class"), furnitureNotCaption) == "" && firstTokenIn(attr(el, "id"), furnitureNotCaption) == ""
}

// furnitureNotCaption is boilerTokens without the words that name a caption.
var furnitureNotCaption = func() map[string]bool {
	m := make(map[string]bool, len(boilerTokens))
	for t := range boilerTokens {
		if !captionTokens[t] && !creditTokens[t] {
			m[t] = true
		}
	}
	return m
}()

// hasAncestor reports whether an element above n is a.
func hasAncestor(n *html.Node, a atom.Atom) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.DataAtom == a {
			return true
		}
	}
	return false
}

// hasLinkHeading reports whether n holds an h1-h6 all of whose words are
// link text: the headline of a teaser card.
func hasLinkHeading(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			if words, linkWords := wordsAndLinkWords(c); words > 0 && linkWords == words {
				return true
			}
		}
		if hasLinkHeading(c) {
			return true
		}
	}
	return false
}

// captionLabelled reports whether el's class or id names a caption.
func captionLabelled(el *html.Node) bool {
	return hasTokenIn(attr(el, "class"), captionTokens) || hasTokenIn(attr(el, "id"), captionTokens)
}

var captionTokens = map[string]bool{"caption": true}

// boilerLabelled reports whether el's class, id or role names page
// furniture. Inside a paragraph, a phrasing element is part of the sentence
// (a "KOBE –" dateline, a linked name) unless it credits a picture.
func boilerLabelled(el *html.Node) bool {
	inline := inlineTags[el.DataAtom] && inParagraph(el)
	for _, a := range el.Attr {
		switch a.Key {
		case "class", "id":
			if tok := boilerToken(a.Val); tok != "" && (!inline || creditTokens[tok]) {
				return true
			}
		case "role":
			switch a.Val {
			case "navigation", "complementary", "contentinfo", "banner", "search":
				return true
			}
		}
	}
	return false
}

// boilerSized reports whether an element labelled as furniture, holding
// words words of which linkWords in links, is small or mostly links enough
// to be furniture indeed.
func boilerSized(words, linkWords int) bool {
	return words < 60 || float64(linkWords) > 0.4*float64(words)
}

// inlineTags are phrasing elements: inside a paragraph they carry words of
// the sentence (a "KOBE –" dateline, an author's name in a quote) however
// they are classed.
var inlineTags = map[atom.Atom]bool{
	atom.Span: true, atom.A: true, atom.Em: true, atom.Strong: true, atom.B: true,
	atom.I: true, atom.U: true, atom.Small: true, atom.Time: true, atom.Abbr: true,
	atom.Cite: true, atom.Sup: true, atom.Sub: true, atom.Font: true, atom.Mark: true,
	atom.Q: true, atom.Label: true,
}

// inParagraph reports whether n sits inside a <p>.
func inParagraph(n *html.Node) bool {
	return hasAncestor(n, atom.P)
}

// creditTokens mark picture credits, furniture even inside a paragraph.
var creditTokens = map[string]bool{"credit": true, "credits": true, "copyright": true, "caption": true}

// boilerToken returns the first token of a class or id value that is in
// boilerTokens, or "".
func boilerToken(v string) string {
	return firstTokenIn(v, boilerTokens)
}

func countWordsIn(n *html.Node) int {
	w, _ := wordsAndLinkWords(n)
	return w
}

// wordsAndLinkWords counts the words under n and those inside links.
func wordsAndLinkWords(n *html.Node) (words, linkWords int) {
	var walk func(*html.Node, bool)
	walk = func(n *html.Node, inLink bool) {
		switch n.Type {
		case html.TextNode:
			c := CountWords(n.Data)
			words += c
			if inLink {
				linkWords += c
			}
			return
		case html.ElementNode:
			if n.DataAtom == atom.Script || n.DataAtom == atom.Style {
				return
			}
			if n.DataAtom == atom.A {
				inLink = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inLink)
		}
	}
	walk(n, false)
	return words, linkWords
}

// boilerLine matches a whole short paragraph that is page furniture, in the
// languages the corpus covers best (en, de, fr, es, pt, it, pl, nl).
var boilerLine = lazyre.New(`(?i)^(?:` +
	`source link|source|read more|read full (?:story|article)|continue reading|advertisements?|advertising|ad|sponsored(?: content)?|` +
	`anzeige|werbung|reklama|publicit[ée]|publicidad|pubblicit[àa]|advertentie|` +
	`share(?: this)?(?: (?:article|story|post|page))?|share on \w+|diesen artikel teilen|artikel teilen|teilen|partager|compartir|condividi|udostępnij|` +
	`print|drucken|drukuj|imprimir|imprimer|email|e-mail|tweet|facebook|twitter|whatsapp|pinterest|linkedin|reddit|telegram|copy link|link kopieren|` +
	`leave a (?:reply|comment)|post comment|comments?|\d+ comments?|kommentare?|commentaires?|comentarios?|komentarze?|` +
	`related(?: (?:posts|articles|stories|content|news))?|you may also like|you might also like|more (?:stories|news|from \S+)|most (?:read|popular)|trending(?: now)?|breaking news|` +
	`recommended(?: for you)?|newsletter|sign up|subscribe(?: now)?|weitere artikel|weitere beiträge|weiterführende links|empfohlene beiträge|neueste artikel|` +
	`mehr zum thema|auch interessant|schon gelesen\??|siehe auch|see also|das könnte sie auch interessieren|lire aussi|à lire aussi|voir aussi|` +
	`le puede interesar|lea también|ver también|leia também|leggi anche|czytaj (?:też|także)|zobacz (?:też|także)|` +
	`weitere informationen|mehr themen|zum weiterlesen|lesen sie auch(?: die folgenden beiträge)?|das könnte (?:sie|dich) (?:auch )?interessieren|` +
	`veja também|leia mais|valora esta noticia|rate this (?:article|story|post)|artikel bewerten|` +
	`you might also be interested in|more on this (?:topic|story)|related topics|` +
	`-?\s*anzeige\s*-?|-?\s*advertisement\s*-?|` +
	`zurück|back|back to top|nach oben|top|tags?|schlagworte|stichworte|topics|themen|loading\.*|` +
	`verwandte (?:beiträge|artikel|themen(?:bereiche)?)|ähnliche (?:artikel|beiträge)|meist-?(?:gelesene|diskutierte|kommentierte|gelesen|diskutiert)(?: artikel| beiträge)?|` +
	`weiterführende links?|weiterführender link|inhaltsverzeichnis|table of contents|contents|kontakt|contact|vous aimerez aussi|sur le même sujet|audios et vidéos sur le sujet|` +
	`merken|pinnen|rezept drucken|kommentare? schreiben|keine kommentare|kommentare insgesamt:? \d+|kommentarfeed|(?:permalink|permalien)(?: \S+)?|` +
	`this entry was posted in [^\n]*|[^\n]*bookmark the permalink|[^\n]{0,80}\bloading(?:\.\.\.|…)|(?:verfasst )?von: [^\n|]{1,40}(?: \| [^\n]{1,30})?|` +
	`vorschau auf den nächsten artikel|lade weitere inhalte|mehr laden|load more|show more|noch mehr \pL+(?: \pL+){0,3}|entdecke(?:n sie)? (?:jetzt|weitere \pL+)|` +
	`your email address will not be published\.?(?: required fields are marked \*)?|required fields are marked \*` +
	`)[\s:.!»›>…]*$`)

// leadInLine matches a paragraph that points to another story ("Read more:
// ...", "Lesen Sie auch: ..."); such paragraphs are dropped when short.
var leadInLine = lazyre.New(`(?i)^(?:` +
	`read more|read also|also read|related|see also|watch|listen|recommended|more on this|` +
	`lesen sie (?:auch|hier|mehr)|mehr zum thema|auch interessant|siehe auch|` +
	`lire aussi|à lire aussi|voir aussi|lea (?:también|más)|lea|le puede interesar|mire|ver también|leia também|leggi anche|` +
	`czytaj (?:też|także|więcej)|zobacz (?:też|także)|przeczytaj (?:też|także)|` +
	`auch lesen|lies auch|lesetipp|vea también|puedes ver|mira|te puede interesar|read next|more|mehr` +
	`)\s*[:：»›>|]`)

// leadInMarks are the marks one of which every leadInLine match holds.
const leadInMarks = ":：»›>|"

// copyrightHints are substrings, lower-cased, one of which every
// copyrightLine match holds.
var copyrightHints = []string{"©", "(c)", "copyright", "rights reserved", "rechte vorbehalten", "droits réservés", "derechos reservados", "prawa zastrzeżone"}

// copyrightLine matches copyright and rights notices.
var copyrightLine = lazyre.New(`(?i)^(?:©|\(c\)|copyright\b)|all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|wszelkie prawa zastrzeżone`)

// creditMarks are the marks one of which every photoCredit match holds.
const creditMarks = ":：/©|"

// photoCredit matches a short paragraph that only credits an image.
var photoCredit = lazyre.New(`(?i)^(?:foto|photo|bild|image|picture|fot\.|źródło|quelle|source|credit|crédito|crédit|titelbild|beitragsbild|aufmacherbild|symbolbild|bildquelle|abbildung(?: \d+)?)s?\s*[:：]|(?:/|©|\|)\s*(?:shutterstock|getty images|istock(?:photo)?(?:\.com)?|dpa|afp|reuters|ap|picture alliance|imago)\s*$`)

// creditEnd matches a picture credit closing a short caption: "... © AFP / Name",
// "... (Foto: Getty)", "... | Bild: Agentur".
var creditEnd = lazyre.New(`(?i)(?:\b(?:fotos?|photos?|bild|image|imagen|credits?|crédits? photos?)\s*[:：©])[^.!?:]{1,60}\)?\s*$`)

// ctaPhrases are the words of a call to action to subscribe, sign up,
// donate, follow, download the app or write in; ctaWords, to share, rate
// or register, also occur in running text and condemn only a very short
// paragraph. Either makes a short paragraph a promotion, not story.
var (
	ctaPhrases = lazyre.New(`(?i)(?:^|[^\pL])(?:` +
		`newsletters?|subscribe|subscribers?|sign(?:ing)? up|donate|support(?:ing)? (?:us|our (?:work|journalism|reporting|newsroom|mission|site|podcast|blog))|` +
		`follow (?:us|[^.!?\n]{1,40}? on (?:twitter|facebook|instagram|x|linkedin|tiktok|youtube|telegram|whatsapp|threads|bluesky|mastodon))|letter to the editor|download (?:the|our)|` +
		`abonniere|abonnieren|folge uns|folgen sie uns|unterstütze (?:uns|unser\pL*|\S+ (?:bereits |jetzt )?mit \d)|unterstützen sie (?:uns|unsere)|werden sie mitglied|jetzt spenden|` +
		`abonnez-vous|s'abonner|inscrivez-vous|créez votre compte|suivez-nous|faire un don|lire la suite|` +
		`suscr[ií]bete|suscribirse|únete|síguenos|apóyanos|boletín|canal de (?:youtube|telegram)|` +
		`subskrypcj\pL*|zapisz się|obserwuj nas|wesprzyj|iscriviti|abbonati|seguici` +
		`)(?:$|[^\pL])`)
	ctaWords = lazyre.New(`(?i)(?:^|[^\pL])(?:` +
		`share|sharen|teilen|bewerten|anmelden|registrieren|spende|spenden|partager|compartir|udostępnij|condividi|log ?in|einloggen` +
		`)(?:$|[^\pL])`)
	// ctaAddress is how a call to action speaks to the reader (you, our,
	// now, here, please) or ends; a short paragraph that starts with a
	// call-to-action phrase needs none.
	ctaAddress = lazyre.New(`(?i)(?:^|[^\pL])(?:` +
		`you|your|our|us|now|today|here|please|free|latest|` +
		`sie|ihr|ihre|du|dich|dir|dein|deine|euch|uns|unser|unsere|unseren|unserem|jetzt|hier|kostenlos|` +
		`vous|votre|vos|nous|nos|notre|ici|gratuit|gratuitement|` +
		`tu|tú|te|usted|nuestro|nuestra|nuestros|nuestras|aquí|ahora|gratis|` +
		`nas|nasz|naszego|naszej|teraz|tutaj|zapraszamy|ci|nostro|nostra|qui|ora` +
		`)(?:$|[^\pL])|[!:»]\s*$`)
	// ctaObject is what a short call to action to share or rate is about.
	ctaObject = lazyre.New(`(?i)artikel|article|beitrag|post|story|seite|page|episode|folge|rezept|recipe`)
)

// isCallToAction reports whether the short paragraph p asks the reader to
// subscribe, sign up, donate, follow or the like: it holds a ctaPhrases
// phrase and either starts with it or addresses the reader, or, very short,
// asks to share or rate the article.
// lower is p lower-cased, words its words.
func isCallToAction(p, lower string, words int) bool {
	if words <= ctaWordMax && containsAny(lower, ctaWordHints) && ctaWords().MatchString(p) && ctaObject().MatchString(p) {
		return true
	}
	if words > ctaMaxWords || !containsAny(lower, ctaHints) {
		return false
	}
	loc := ctaPhrases().FindStringIndex(p)
	if loc == nil {
		return false
	}
	return loc[0] <= 1 || ctaAddress().MatchString(p)
}

// isConsentNote reports whether p is a consent placeholder or an affiliate
// disclosure.
func isConsentNote(p string) bool {
	return containsAny(strings.ToLower(p), consentHints) && consentWords().MatchString(p) && consentActs().MatchString(p)
}

// creditHints are the substrings of creditEnd matches, lower-cased.
var creditHints = []string{"foto", "photo", "bild", "image", "credit", "crédit"}

// isCredit reports whether the short paragraph p (lower: lower-cased) is a
// caption that ends in a picture credit.
func isCredit(p, lower string) bool {
	return (strings.Contains(p, "©") && creditSign().MatchString(p)) || (containsAny(lower, creditHints) && creditEnd().MatchString(p))
}

// ctaHints are substrings every ctaPhrases match holds, lower-cased: a
// cheap test before the regular expression.
var ctaHints = []string{
	"newsletter", "subscri", "sign", "donate", "support", "follow", "letter to", "download",
	"abo", "folge", "unterstütz", "mitglied", "spenden", "inscri", "créez", "suivez", "faire un don",
	"lire la suite", "suscr", "únete", "síguenos", "apóyanos", "boletín", "canal de", "subskryp",
	"zapisz", "obserwuj", "wesprzyj", "iscriviti", "abbonati", "seguici",
}

// ctaWordHints are the substrings of ctaWords matches, lower-cased.
var ctaWordHints = []string{
	"shar", "teilen", "bewerten", "anmelden", "registrieren", "spende", "partager",
	"compartir", "udostępnij", "condividi", "log", "einloggen",
}

// containsAny reports whether s contains one of subs.
func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// consentWords and consentActs together mark the placeholder of an
// embedded post or map held back until the reader consents ("Um deine
// Daten zu schützen, haben wir das Laden der Inhalte von twitter.com
// blockiert"), or a disclosure of affiliate links.
var (
	consentWords = lazyre.New(`(?i)datenschutz|privatsphäre|persönlichen daten|einverständnis|einwilligung|privacy|consent|données personnelles|datos personales|affiliate[- ]?links?|our advertisers`)
	consentActs  = lazyre.New(`(?i)(?:^|[^\pL])(?:laden|load|loading|aktivieren|blockiert|blocked|klicken|click|button|einstellungen|settings|affiliate)`)
)

// consentHints are substrings, lower-cased, of consentWords matches.
var consentHints = []string{"datenschutz", "privatsph", "persönlichen daten", "einverst", "einwillig", "privacy", "consent", "données", "datos personales", "affiliate", "our advertisers"}

// pipeMaxWords: a paragraph of at most this many words, cut into three or
// more parts by " | " and not ending a sentence, is a line of links or
// metadata ("Impressum | Datenschutz | Kontakt", "Aufrufe: 1120 | Tags:
// ...").
const pipeMaxWords = 20

// consentMaxWords is the longest paragraph taken for a consent placeholder.
const consentMaxWords = 60

// ctaMaxWords is the longest paragraph a call-to-action phrase condemns,
// ctaWordMax the longest one a call-to-action word does.
const (
	ctaMaxWords = 25
	ctaWordMax  = 8
)

// creditSign matches a copyright sign that credits a picture rather than
// dating a copyright notice ("© AFP", not "© 2003 Name").
var creditSign = lazyre.New(`©\s*[^\s\d]`)

// dateLine matches a date on its own.
var dateLine = lazyre.New(`\b(?:1[89]|20)\d\d\b|\d{1,2}[./]\d{1,2}[./]\d{2,4}`)

// tailMarker is a heading after which a page lists other stories or
// comments: once the story is well under way, it ends the story.
var tailMarker = lazyre.New(`(?i)^(?:` +
	`related(?: (?:posts|articles|stories|content|news|coverage))?|you (?:may|might) also like|more (?:stories|news|from \S+(?: \S+)?)|most (?:read|popular)|recommended(?: for you)?|read next|` +
	`leave a (?:reply|comment)|\d+ comments?|comments|weitere artikel|weitere beiträge|das könnte (?:sie|dich) (?:auch )?interessieren|mehr zum thema|lesen sie auch|` +
	`à lire aussi|sur le même sujet|articles similaires|te puede interesar|noticias relacionadas|artículos relacionados|leia também|veja também|` +
	`articoli correlati|potrebbe interessarti|zobacz też|czytaj też|polecane|gerelateerde artikelen` +
	`)[\s:.!»›>…]*$`)

// buttonMaxTokens is the most a link holds, in words, to be taken for a
// button when it comes back.
const buttonMaxTokens = 10

// bodyMinTokens is the least a paragraph holds, in words, to count as
// story text when trimLinkEdges looks for where the story starts and ends.
const bodyMinTokens = 20

// trimLinkEdges drops paragraphs that are nothing but links to other pages
// (headlines of other stories, "see also" lists, sponsor lists) before the
// first paragraph of story text and after the last one, then headings left
// at the end. Link-only paragraphs inside the story are kept: there they
// are often linked sub-headings; but a box of links to other stories set
// inside the story (inlineBox) is dropped, so that cutTail does not end
// the story at its heading. A short link that comes back between other
// paragraphs, after each teaser or section, is a button and is kept once;
// a run of the same link is kept whole.
func trimLinkEdges(bs []block) []block {
	first, last := -1, -1
	for i, b := range bs {
		if b.tokens >= bodyMinTokens && 2*b.linkTok < b.tokens {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return bs
	}
	out := bs[:0]
	seen := make(map[string]bool)
	for i := 0; i < len(bs); i++ {
		b := bs[i]
		if b.linkOnly() && (i < first || i > last) {
			continue
		}
		if i < last {
			if n := inlineBox(bs[:last+1], i); n > 0 {
				i += n - 1
				continue
			}
		}
		if b.linkOnly() && b.tokens <= buttonMaxTokens {
			if seen[b.text] && (len(out) == 0 || out[len(out)-1].text != b.text) {
				continue // a button again ("Read more", "Back to contents")
			}
			seen[b.text] = true
		}
		out = append(out, b)
	}
	// A heading with nothing after it introduced what was just dropped
	// ("More from the author", "Über den Autor") or a block the extractor
	// left out: it is not story text.
	for len(out) > 0 && out[len(out)-1].heading() {
		out = out[:len(out)-1]
	}
	return out
}

// inlineBox returns the number of paragraphs from bs[i] that make a box of
// links to other stories set inside the story: a tailMarker heading
// ("Related", "Read more"), then link-only paragraphs, then the story's
// running text again, with no link-only paragraph after it. It returns 0
// when bs[i] starts no such box.
func inlineBox(bs []block, i int) int {
	if bs[i].tokens > 8 || !tailMarker().MatchString(bs[i].text) {
		return 0
	}
	j := i + 1
	for j < len(bs) && bs[j].linkOnly() {
		j++
	}
	if j == i+1 || j == len(bs) {
		return 0
	}
	if next := bs[j]; next.tokens < bodyMinTokens || 2*next.linkTok >= next.tokens {
		return 0
	}
	for _, b := range bs[j:] {
		if b.linkOnly() {
			return 0 // more teasers: the box goes on to the end
		}
	}
	return j - i
}

// cleanParagraphs drops leftover furniture from extracted paragraphs:
// share and "read more" lines, ads, copyright and credit lines and dates on
// their own. A short paragraph that repeats is kept: a refrain, a recipe's
// "Step" line or a table's label repeats in real text (readability
// 0.9815 -> 0.9843, trafilatura-eval unchanged); repeated buttons go in
// trimLinkEdges, which knows which paragraphs are links.
func cleanParagraphs(paras []string) []string {
	paras = cutTail(paras)
	out := paras[:0]
	for i, p := range paras {
		words := CountWords(p)
		edge := i < 3 || i >= len(paras)-3
		if words == 0 && !strings.ContainsAny(p, "0123456789") {
			continue
		}
		if words <= 12 && boilerLine().MatchString(p) {
			continue
		}
		if words <= pipeMaxWords && strings.Count(p, " | ") >= 2 && !endsSentence(p) {
			continue
		}
		if words <= consentMaxWords && isConsentNote(p) {
			continue
		}
		if words <= 30 {
			lower := strings.ToLower(p)
			if (strings.ContainsAny(p, leadInMarks) && leadInLine().MatchString(p)) ||
				(containsAny(lower, copyrightHints) && copyrightLine().MatchString(p)) ||
				isCredit(p, lower) || isCallToAction(p, lower, words) {
				continue
			}
		}
		if words <= 12 && strings.ContainsAny(p, creditMarks) && photoCredit().MatchString(p) {
			continue
		}
		if edge && words <= 6 && dateLine().MatchString(p) && letterWords(p) <= 3 {
			continue
		}
		out = append(out, p)
	}
	return trimTailLabel(out)
}

// tailLabelWords is the most a trailing label holds, in words.
const tailLabelWords = 5

// trimTailLabel drops a short paragraph that ends the text without ending
// a sentence, after a paragraph of running text: the heading of a box the
// extraction left out ("Über den Autor", "Meistgelesene Artikel") or a
// button's label. A sign-off ("XX, Die Redaktion") has a comma.
func trimTailLabel(paras []string) []string {
	n := len(paras)
	if n < 3 {
		return paras
	}
	last, prev := paras[n-1], paras[n-2]
	if CountWords(last) > tailLabelWords || endsSentence(last) || strings.ContainsAny(last, ",:") ||
		CountWords(prev) < bodyMinTokens || !endsSentence(prev) {
		return paras
	}
	return paras[:n-1]
}

// letterWords counts the words of p that contain no digit.
func letterWords(p string) int {
	n := 0
	for _, f := range strings.Fields(p) {
		if !strings.ContainsAny(f, "0123456789") && CountWords(f) > 0 {
			n++
		}
	}
	return n
}

// cutTail ends the text at a tailMarker heading that comes after at least
// half of the words.
func cutTail(paras []string) []string {
	total := 0
	counts := make([]int, len(paras))
	for i, p := range paras {
		counts[i] = CountWords(p)
		total += counts[i]
	}
	seen := 0
	for i, p := range paras {
		if seen >= total/2 && counts[i] <= 8 && tailMarker().MatchString(p) {
			return paras[:i]
		}
		seen += counts[i]
	}
	return paras
}
