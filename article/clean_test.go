package article

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// para is a sentence long enough for the extractor to see running text.
const para = "The committee published its findings on Monday after a two-year inquiry into the collapse of the regional rail operator, which left thousands of commuters without a reliable service and cost the public purse an estimated 300 million pounds."

func pageWith(body string) []byte {
	return []byte(`<!DOCTYPE html><html lang="en"><head><title>Rail inquiry</title></head><body><article>` +
		strings.Repeat("<p>"+para+"</p>", 4) + body + strings.Repeat("<p>"+para+"</p>", 2) + `</article></body></html>`)
}

// TestExtractShownText: what a reader cannot see is not extracted; a
// layout wrapper named like furniture ("widget-area") keeps its text. A
// caption long enough to report (who, where, what was said) is story text;
// a short one only labels or credits the picture, and a teaser card's
// caption belongs to another story.
func TestExtractShownText(t *testing.T) {
	t.Parallel()
	const caption = "MARK Commuters wait on the platform at Leeds station on Monday, where the inquiry heard that trains were cancelled on one day in five."
	tests := []struct {
		name  string
		html  string
		shown bool
	}{
		{"display none", `<p style="display: none">MARK hidden paragraph</p>`, false},
		{"display none important", `<div style="color:red;DISPLAY:NONE !important"><p>MARK hidden paragraph</p></div>`, false},
		{"visibility hidden", `<p style="visibility:hidden">MARK hidden paragraph</p>`, false},
		{"hidden attribute", `<p hidden>MARK hidden paragraph</p>`, false},
		{"aria-hidden", `<div aria-hidden="true"><p>MARK hidden paragraph with enough words to look like text</p></div>`, false},
		{"nested inside visible text", `<p>Visible words <span style="display:none">MARK</span> stay.</p>`, false},
		{"widget wrapper", `<div class="widget-area"><p>MARK paragraph of the story.</p></div>`, true},
		{"long figcaption", `<figure><img src="a.jpg"><figcaption>` + caption + `</figcaption></figure>`, true},
		{"long caption class", `<div class="wp-caption"><img src="a.jpg"><p class="wp-caption-text">` + caption + `</p></div>`, true},
		{"short figcaption", `<figure><img src="a.jpg"><figcaption>MARK Leeds station. Photo: Jane Doe</figcaption></figure>`, false},
		{"short caption class", `<div class="image"><img src="a.jpg"><span class="caption">MARK The platform at Leeds</span></div>`, false},
		{"teaser caption in a link", `<a href="/other"><figure><img src="a.jpg"><figcaption>` + caption + `</figcaption></figure></a>`, false},
		{"teaser caption with a linked headline", `<figure><img src="a.jpg"><figcaption><h3><a href="/other">Another story</a></h3>` + caption + `</figcaption></figure>`, false},
		{"promo caption", `<div class="promo-caption">` + caption + `</div>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := Extract(pageWith(tt.html), "https://news.example/rail")
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(a.Text, "MARK"); got != tt.shown {
				t.Errorf("text extracted = %v, want %v:\n%s", got, tt.shown, a.Text)
			}
			if !strings.Contains(a.Text, para) {
				t.Errorf("story text lost:\n%s", a.Text)
			}
		})
	}
}

func TestExtractRemovesFurniture(t *testing.T) {
	t.Parallel()
	furniture := `<div class="share-buttons"><a href="#">Facebook</a> <a href="#">Twitter</a></div>
<p>Advertisement</p>
<p><a href="https://elsewhere.example/x">Source link</a></p>
<p>Read more: <a href="/other">Another story about trains</a></p>
<div class="newsletter-signup"><h3>Newsletter</h3><p>Get our morning briefing in your inbox.</p><form><input type="email"><button>Sign up</button></form></div>
<ul class="related-posts"><li><a href="/a">Related story one</a></li><li><a href="/b">Related story two</a></li></ul>`
	a, err := Extract(pageWith(furniture), "https://news.example/rail")
	if err != nil {
		t.Fatal(err)
	}
	for _, junk := range []string{"Facebook", "Advertisement", "Source link", "Read more", "Newsletter", "morning briefing", "Related story"} {
		if strings.Contains(a.Text, junk) {
			t.Errorf("%q left in the text:\n%s", junk, a.Text)
		}
	}
	if n := strings.Count(a.Text, para); n != 6 {
		t.Errorf("story paragraphs kept = %d, want 6", n)
	}
}

func TestExtractParagraphs(t *testing.T) {
	t.Parallel()
	page := []byte(`<html><body><article>
<h2>What happened</h2>
<p>` + para + `</p>
<p>First line<br>second line</p>
<ul><li>One point</li><li>Another point</li></ul>
<p>` + para + `</p><p>` + para + `</p><p>` + para + `</p>
</article></body></html>`)
	a, err := Extract(page, "https://news.example/x")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"What happened", "First line\nsecond line", "One point", "Another point", para} {
		if !strings.Contains("\n\n"+a.Text+"\n\n", "\n\n"+p+"\n\n") {
			t.Errorf("paragraph %q not on its own in:\n%s", p, a.Text)
		}
	}
}

// TestExtractParagraphBreaks: a run of <br> that go-readability turns into
// a new <p> still separates words, and a short paragraph that repeats is
// story text (a recipe's steps, a refrain), not a duplicate to drop, unless
// it is a link that comes back between paragraphs: a button.
func TestExtractParagraphBreaks(t *testing.T) {
	t.Parallel()
	page := []byte(`<html><body><article><h1>Rail inquiry</h1>
<div>Tempor<br><br>` + para + `<br>` + para + `</div>
<h3>Step</h3><p>` + para + `</p><h3>Step</h3><p>` + para + `</p><h3>Step</h3><p>` + para + `</p>
<p><a href="/more">Read on</a></p><p>` + para + `</p><p><a href="/more">Read on</a></p><p>` + para + `</p>
<ul><li><a href="/a">link</a></li><li><a href="/b">link</a></li><li><a href="/c">link</a></li></ul><p>` + para + `</p>
</article></body></html>`)
	a, err := Extract(page, "https://news.example/x")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.Text, "Tempor"+para[:3]) || !strings.Contains(a.Text, "Tempor\n\n"+para) {
		t.Errorf("<br><br> did not end the paragraph:\n%s", a.Text)
	}
	if n := strings.Count(a.Text, "Step\n\n"); n != 3 {
		t.Errorf("repeated heading kept %d times, want 3:\n%s", n, a.Text)
	}
	if n := strings.Count(a.Text, "Read on"); n != 1 {
		t.Errorf("a button that comes back kept %d times, want 1:\n%s", n, a.Text)
	}
	if n := strings.Count(a.Text, "link\n\n"); n != 3 {
		t.Errorf("a run of the same link kept %d times, want 3:\n%s", n, a.Text)
	}
}

func TestCleanParagraphs(t *testing.T) {
	t.Parallel()
	in := []string{
		"12 March 2021", para, "Advertisement", "Lea también: Otra noticia", "Anzeige",
		"© 2022 Example Media. All rights reserved.", "Photo: Jane Doe", para,
		"Share this article", "Leave a Reply", "Your email address will not be published.",
	}
	got := cleanParagraphs(in)
	if len(got) != 2 || got[0] != para || got[1] != para {
		t.Errorf("cleanParagraphs kept %q", got)
	}
}

func TestCutTail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []string
		want int
	}{
		{"related list after the story", []string{para, para, "Related Posts", "Another story", "Yet another"}, 2},
		{"comments after the story", []string{para, para, "3 Comments", "Great article!"}, 2},
		{"marker too early is kept", []string{"Related", para, para}, 3},
		{"table header word is not a marker", []string{para, para, "Comment", "enqueued"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cutTail(tt.in); len(got) != tt.want {
				t.Errorf("cutTail kept %d paragraphs %q, want %d", len(got), got, tt.want)
			}
		})
	}
}

// TestTrimLinkEdgesButtons: a short link that comes back between
// paragraphs is kept once, even when it comes back twice in a row; a
// "Related" heading seen before still opens a box of teasers that goes.
func TestTrimLinkEdgesButtons(t *testing.T) {
	t.Parallel()
	b := func(text string, link bool) block {
		n := len(strings.Fields(text))
		if link {
			return block{text: text, tokens: n, linkTok: n}
		}
		return block{text: text, tokens: n}
	}
	story := b(para, false)
	tests := []struct {
		name string
		in   []block
		want []string
	}{
		{"button after each paragraph", []block{story, b("Read on", true), story, b("Read on", true), b("Read on", true), story},
			[]string{para, "Read on", para, para}},
		{"a run of the same link", []block{story, b("link", true), b("link", true), b("link", true), story},
			[]string{para, "link", "link", "link", para}},
		{"seen Related heading opens a box", []block{story, b("Related", true), story, b("Related", true), b("Other story one", true), b("Other story two", true), story},
			[]string{para, "Related", para, para}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, b := range trimLinkEdges(tt.in) {
				got = append(got, b.text)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTrimLinkEdges(t *testing.T) {
	t.Parallel()
	page := []byte(`<html><body><article>
<p><a href="/section">World news</a></p>
<p>` + para + `</p>
<p>Before the vote, <a href="/profile">the minister</a> spoke. ` + para + `</p>
<h3><a href="https://shop.example/game">Linked sub-heading</a></h3>
<p>` + para + `</p>
<p><a href="#top">Back to the anchor</a></p>
<p>` + para + `</p>
<h3><a href="/story-1">Headline of another story</a></h3>
<h3><a href="https://other.example/story-2">Headline of a second story</a></h3>
<p><a href="mailto:desk@news.example">desk@news.example</a></p>
<h2>About the author</h2>
</article></body></html>`)
	bs := renderBlocks(mustParse(t, page), nil)
	var got []string
	for _, b := range trimLinkEdges(bs) {
		got = append(got, b.text)
	}
	text := strings.Join(got, "\n")
	for _, gone := range []string{"World news", "another story", "second story", "About the author"} {
		if strings.Contains(text, gone) {
			t.Errorf("%q kept:\n%s", gone, text)
		}
	}
	for _, kept := range []string{"the minister", "Linked sub-heading", "Back to the anchor", "desk@news.example"} {
		if !strings.Contains(text, kept) {
			t.Errorf("%q dropped:\n%s", kept, text)
		}
	}
	if n := strings.Count(text, para); n != 4 {
		t.Errorf("story paragraphs kept = %d, want 4", n)
	}
}

func mustParse(t *testing.T, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestCleanParagraphsCredits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    string
		keep bool
	}{
		{"Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO", false},
		{"Golf im TV: Die Übertragungszeiten der großen Turniere im Überblick. (Foto: Getty)", false},
		{"Zielarten für die Kastanienselven sind u.a. der Hirschkäfer.\nFoto © Jörg Gemsch, Heidi Jost", false},
		{"Roman Prymula, photo: Archives du Gouvernement tchèque", false},
		{"Titelbild: Geyres Christophe/ABACA/picture-alliance", false},
		{"Abbildung: Farblich codierte Schneehöhendarstellung auf Gipfelbuch.ch für das Mattertal", false},
		{"linux usability\n...or, why do I bother.\n© 2002, 2003 Jamie Zawinski", true},
		{"Wir zeigen das Bild: es hat eine lange Geschichte.", true},
	}
	for _, tt := range tests {
		got := cleanParagraphs([]string{para, tt.p, para})
		if kept := len(got) == 3; kept != tt.keep {
			t.Errorf("cleanParagraphs(%q) kept %v, want %v", tt.p, kept, tt.keep)
		}
	}
}

func TestCleanParagraphsCallsToAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    string
		keep bool
	}{
		{"Subscribe now to our eNATION edition for the full story.", false},
		{"Never miss the latest news by signing up to our newsletter today!", false},
		{"Jetzt zum kostenlosen Newsletter anmelden »", false},
		{"Möchten Sie den Artikel teilen?", false},
		{"¿Ya sabías que en Guatemala.com tenemos canal de Telegram? Únete desde tu celular en este enlace de invitación.", false},
		{"Pour lire la suite et accéder gratuitement à 3 articles par mois, créez votre compte", false},
		{"If you enjoyed reading this post – would you consider supporting our work? Just click here. Thanks!", false},
		{"Netflix added eight million subscribers in the quarter.", true},
		{"Millions sign up for health insurance before the deadline.", true},
		{"Das Abo kostet künftig zwölf Euro im Monat.", true},
		{"Unterstütze RosaMag bereits mit 2,50!", false},
		{"„Ich unterstütze das Projekt“, sagte die Ministerin am Montag.", true},
		{"“We must support our farmers now,” the minister said.", true},
		{"Share prices rose this week.", true},
		{"Fed raises its interest rate this week!", true},
		{"Das Abonnement kostet Sie künftig zwölf Euro.", true},
		{"Follow The Gleaner on Twitter and Instagram @JamaicaGleaner.", false},
		{"What we're trying to share with others", true},
		{"Bug 1677107 – Add Telemetry for tracking multiple PiP support usage", true},
	}
	for _, tt := range tests {
		got := cleanParagraphs([]string{para, tt.p, para})
		if kept := len(got) == 3; kept != tt.keep {
			t.Errorf("cleanParagraphs(%q) kept %v, want %v", tt.p, kept, tt.keep)
		}
	}
}

func TestCleanParagraphsLeadInsAndLabels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    string
		keep bool
	}{
		{"VEA TAMBIÉN: Entre heces y guaricha: Estrella de la educación no brilla", false},
		{"À lire aussi » Ballonnements, lourdeurs... Quel est votre profil digestif ?", false},
		{"Auch lesen: Diese 3 Sternzeichen verschenken ihr Herz an den Falschen", false},
		{"MIRA: Madre se acerca a conocer los motivos de captura de su hijo", false},
		{"Meistgelesene Artikel", false},
		{"Verwandte Beiträge", false},
		{"Weitere Opfer", true},
		{"Kommentare insgesamt: 0", false},
		{"Vorschau auf den nächsten Artikel", false},
		{"Weitere US-Zellprojekte im Aufbau", true},
		{"IMPRESSUM | DATENSCHUTZ | COPYRIGHT ANDRÉ LOIBL | THIS IS A KANGA PROJECT", false},
		{"Update | Deceased Clarendon crash victims identified", true},
		{"Schools | Parents | Teachers: the board met on Monday and agreed on a new plan.", true},
		{"This entry was posted in Allgemein. Bookmark the permalink.", false},
		{"Permalien https://p.dw.com/p/RPYx", false},
		{"Von: Götz Warnke", false},
		{"(Noch keine Bewertungen) Loading...", false},
		{"Mira Murati, the company's chief technology officer, left in September.", true},
		{"More than 200 people were evacuated: the river rose overnight.", true},
	}
	for _, tt := range tests {
		got := cleanParagraphs([]string{para, tt.p, para})
		if kept := len(got) == 3; kept != tt.keep {
			t.Errorf("cleanParagraphs(%q) kept %v, want %v", tt.p, kept, tt.keep)
		}
	}
}

func TestTrimTailLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []string
		want int
	}{
		{"box heading after the story", []string{para, para, "Über den Autor"}, 2},
		{"button label after the story", []string{para, para, "Promoted By Zergnet"}, 2},
		{"sentence ends the story", []string{para, para, "He left."}, 3},
		{"sign-off with a comma", []string{para, para, "XX, Die Redaktion"}, 3},
		{"lead-in to a link", []string{para, para, "Das Konzeptpapier finden Sie hier:"}, 3},
		{"list item after a list item", []string{para, "Zeitzone: MESZ", "Ort: Kasberg"}, 3},
		{"short text", []string{para, "Über den Autor"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := trimTailLabel(tt.in); len(got) != tt.want {
				t.Errorf("trimTailLabel kept %d paragraphs %q, want %d", len(got), got, tt.want)
			}
		})
	}
}

func TestCleanParagraphsConsentNotes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    string
		keep bool
	}{
		{"Externer Inhalt Um Deine persönlichen Daten zu schützen, haben wir das automatische Laden der Inhalte von twitter.com blockiert.", false},
		{"Wir respektieren deine Privatsphäre und stellen deshalb ohne dein Einverständnis keine Verbindung zu Twitter her. Hier kannst du deine Einstellungen verwalten.", false},
		{"Anzeige, enthält Affiliate Links", false},
		{"This post contains references to products from one or more of our advertisers. We may receive compensation when you click on links to those products.", false},
		{"Similarly, inserting Set-Cookie into a Response header is not allowed so that ServiceWorkers may not set cookies via synthesized Responses and content.", true},
		{"The regulator fined the company for breaking privacy law, the third such penalty this year.", true},
	}
	for _, tt := range tests {
		got := cleanParagraphs([]string{para, tt.p, para})
		if kept := len(got) == 3; kept != tt.keep {
			t.Errorf("cleanParagraphs(%q) kept %v, want %v", tt.p, kept, tt.keep)
		}
	}
}

func TestTrimLinkEdgesInlineBox(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		page    string
		kept    []string
		dropped []string
	}{
		{
			name: "related box inside the story",
			page: `<article><p>` + para + `</p><p>` + para + `</p><h3>Related</h3>
				<p><a href="/a">Another story about storage</a></p><p><a href="/b">A second story about disks</a></p>
				<p>The story goes on after the box. ` + para + `</p></article>`,
			kept:    []string{"The story goes on after the box."},
			dropped: []string{"Related", "Another story", "A second story"},
		},
		{
			name: "teasers to the end are not a box inside the story",
			page: `<article><p>` + para + `</p><p>` + para + `</p><h3>Related</h3>
				<p><a href="/a">Another story about storage</a></p><p>A teaser of that story, long enough to count as running text for sure.</p>
				<p><a href="/b">A second story about disks</a></p><p>` + para + `</p></article>`,
			kept: []string{"Related", "A teaser of that story"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			text := strings.Join(blockTexts(trimLinkEdges(renderBlocks(mustParse(t, []byte(tt.page)), nil))), "\n")
			for _, k := range tt.kept {
				if !strings.Contains(text, k) {
					t.Errorf("%q dropped:\n%s", k, text)
				}
			}
			for _, d := range tt.dropped {
				if strings.Contains(text, d) {
					t.Errorf("%q kept:\n%s", d, text)
				}
			}
		})
	}
}
