package article

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// fallbackShare: when the primary extraction holds fewer words than this
// share of the words in the page's paragraphs, it probably picked one block
// of a split story (or a list beside it), and the fallback extractor runs.
// Measured on the trafilatura evaluation set: with fallbackMinWords, 0.6
// sends about 10% of pages to the fallback.
const fallbackShare = 0.6

// fallbackMinWords: a primary extraction shorter than this also sends the
// page to the fallback, for pages whose text is not in <p> elements
// (line-broken <div>s, live tickers, forum posts), where paragraphWords
// sees little.
const fallbackMinWords = 50

// fallbackMargin: the fallback's text replaces the primary one only when it
// holds this many more words, so that a page title or a caption the
// fallback keeps does not decide.
const fallbackMargin = 20

// Extract finds the story in an HTML page (already decoded to UTF-8) and
// returns it with its metadata. It applies no quality gate: see CheckQuality.
//
// The page is parsed once; its metadata is read first, then hidden elements
// are removed and the whole page is rendered to paragraphs, which gives the
// fallback extraction (containerBlocks) and the standfirst (addLead).
// go-readability (readeck's port of Readability.js) then picks the main
// content. When that looks too short for the page, the fallback's text may
// replace it (preferFallback). Either way the content is rendered to
// paragraphs and page furniture is removed. A page whose JSON-LD
// articleBody holds more than twice the words extracted renders its story
// with scripts: that body is the text (ldBody).
func Extract(page []byte, pageURL string) (*Article, error) {
	base, err := url.Parse(pageURL)
	if err != nil || !base.IsAbs() {
		base = &url.URL{}
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, fmt.Errorf("parse html %s: %w", pageURL, err)
	}
	meta := collectMetadata(doc)
	removeHidden(doc)
	pageWords := paragraphWords(doc)
	pageBlocks := renderPage(doc)
	container := containerBlocks(pageBlocks) // before readability moves nodes

	parser := readability.NewParser()
	parser.KeepClasses = true // isBoilerElement reads them
	ra, err := parser.ParseAndMutate(doc, base)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", pageURL, err)
	}
	var paras []string
	if ra.Node != nil {
		setAtoms(ra.Node)
		paras = cleanParagraphs(blockTexts(trimLinkEdges(renderBlocks(ra.Node, isBoilerElement))))
	}
	words := countParaWords(paras)
	if needsFallback(words, pageWords) {
		alt := cleanParagraphs(blockTexts(trimLinkEdges(container)))
		if alt := dropBlobs(alt, words); preferFallback(paras, alt) {
			paras = alt
		}
	}

	desc := meta.first("og:description", "description", "twitter:description")
	if body := ldBody(meta.ld.body, countParaWords(paras)); body != nil {
		paras = addDescribedLead(body, pageBlocks, desc)
	} else {
		paras = addLead(paras, pageBlocks, desc)
	}
	a := &Article{URL: pageURL, Text: strings.Join(paras, "\n\n"), Words: countParaWords(paras)}
	fb := Article{Title: ra.Title(), Byline: ra.Byline(), Site: ra.SiteName(), Image: ra.ImageURL()}
	if t, err := ra.PublishedTime(); err == nil {
		fb.Published = &t
	}
	applyMetadata(a, meta, base, fb)
	if a.Language == "" {
		a.Language = detectLanguage(a.Text)
	}
	if base.Host == "" {
		a.Image = ""
	}
	return a, nil
}

// needsFallback reports whether a primary extraction of words words, on a
// page with pageWords words in its paragraphs, looks too short to trust.
func needsFallback(words, pageWords int) bool {
	return words < fallbackMinWords || float64(words) < fallbackShare*float64(pageWords)
}

// blobMinWords: a fallback paragraph of more words than this and than the
// whole primary text is a run of text without block structure (a comment
// thread, gallery captions, a page glued together), not a story paragraph.
const blobMinWords = 400

// dropBlobs removes such paragraphs from the fallback's paragraphs alt when
// the primary text has primaryWords words, enough to compare with
// (readability 0.9787 -> 0.9816: a gallery of 2,770 words no longer wins;
// trafilatura-eval unchanged).
func dropBlobs(alt []string, primaryWords int) []string {
	if primaryWords < fallbackMinWords {
		return alt
	}
	limit := max(blobMinWords, primaryWords)
	out := alt[:0]
	for _, p := range alt {
		if CountWords(p) <= limit {
			out = append(out, p)
		}
	}
	return out
}

// wholeMinWords and wholeFactor: a fallback holding more than wholeFactor
// times the words of a primary text of at least wholeMinWords words took a
// larger part of the page (a captioned gallery, a video player's menus, a
// list of teasers) rather than the rest of the story (readability
// 0.9693 -> 0.9817, trafilatura-eval +0.0005).
const (
	wholeMinWords = 200
	wholeFactor   = 3
)

// disjointShare: a fallback text of which at most this share (in words) is
// also in the primary text found another part of the page.
const disjointShare = 0.2

// preferFallback reports whether the fallback's paragraphs alt should
// replace the primary extraction's paras, on a page where the primary one
// already looked too short. The fallback wins when it holds clearly more
// words, when the primary one is empty, or when the two extractors picked
// different parts of the page (almost no paragraph in common) and the
// fallback's text is substantial (fallbackMinWords, and at least half the
// primary's words): on such pages the primary extractor usually took a
// review list, a form, a teaser block or the author box beside the story.
// Disjoint
// results alone are no reason: on pages that did not look too short,
// switching to a disjoint fallback lost more than it gained.
func preferFallback(paras, alt []string) bool {
	words, altWords := countParaWords(paras), countParaWords(alt)
	switch {
	case words >= wholeMinWords && altWords > wholeFactor*words:
		return false
	case altWords > words+fallbackMargin:
		return true
	case words == 0:
		return altWords > 0
	case altWords >= fallbackMinWords && 2*altWords >= words:
		return float64(sharedWords(alt, paras)) <= disjointShare*float64(altWords)
	}
	return false
}

// sharedWords counts the words of the paragraphs of a that also appear,
// white space normalised, in the text of b.
func sharedWords(a, b []string) int {
	text := strings.Join(strings.Fields(strings.Join(b, " ")), " ")
	n := 0
	for _, p := range a {
		if strings.Contains(text, strings.Join(strings.Fields(p), " ")) {
			n += CountWords(p)
		}
	}
	return n
}

func countParaWords(paras []string) int {
	n := 0
	for _, p := range paras {
		n += CountWords(p)
	}
	return n
}

// ExtractText wraps a text/plain page as an Article: paragraphs are the
// blocks between blank lines, the title is the first line when it is short.
func ExtractText(text []byte, pageURL string) (*Article, error) {
	s := strings.ReplaceAll(string(bytes.ToValidUTF8(text, []byte("\uFFFD"))), "\r\n", "\n")
	s = strings.TrimPrefix(s, "\uFEFF")
	var paras []string
	for _, block := range strings.Split(s, "\n\n") {
		lines := strings.Split(block, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(strings.Join(strings.Fields(l), " "), " ")
		}
		if p := strings.TrimSpace(strings.Join(lines, "\n")); p != "" {
			paras = append(paras, p)
		}
	}
	a := &Article{URL: pageURL}
	if len(paras) > 1 {
		if first := paras[0]; !strings.Contains(first, "\n") && CountWords(first) <= 20 {
			a.Title = first
			paras = paras[1:]
		}
	}
	a.Text = strings.Join(paras, "\n\n")
	a.Words = CountWords(a.Text)
	if u, err := url.Parse(pageURL); err == nil && u.Host != "" {
		a.Site = strings.TrimPrefix(u.Hostname(), "www.")
	}
	a.Language = detectLanguage(a.Text)
	return a, nil
}

// paragraphWords counts the words in the page's <p> elements outside
// navigation, headers, footers, asides and forms: a cheap measure of how much
// running text the page holds, to tell when the extractor picked too little.
func paragraphWords(n *html.Node) int {
	total := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Nav, atom.Header, atom.Footer, atom.Aside, atom.Form,
				atom.Script, atom.Style, atom.Noscript, atom.Template:
				return
			case atom.P:
				total += countWordsIn(n)
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return total
}

// ldBodyShare: the page's JSON-LD articleBody replaces an extraction that
// holds less than this share of its words.
const ldBodyShare = 0.5

// ldBody returns the paragraphs of the page's JSON-LD articleBody, body,
// when they should replace an extraction of words words: the story is
// there and the extraction found little of it, as on pages that render
// their text with scripts. Otherwise it returns nil.
func ldBody(body string, words int) []string {
	// CountWords(body) includes the words of any markup in it: parse only
	// when the body may win.
	if float64(words) >= ldBodyShare*float64(CountWords(body)) {
		return nil
	}
	ps := ldParagraphs(body)
	if bw := countParaWords(ps); bw < fallbackMinWords || float64(words) >= ldBodyShare*float64(bw) {
		return nil
	}
	return ps
}

// ldParagraphs returns the paragraphs of an articleBody, cleaned like the
// extraction's: rendered when it holds HTML, else split at line breaks.
func ldParagraphs(body string) []string {
	if body == "" {
		return nil
	}
	if strings.Contains(body, "</") {
		if doc, err := html.Parse(strings.NewReader(body)); err == nil {
			return cleanParagraphs(blockTexts(renderBlocks(doc, isBoilerElement)))
		}
	}
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if p := cleanSpace(html.UnescapeString(line)); p != "" {
			out = append(out, p)
		}
	}
	return cleanParagraphs(out)
}

// setAtoms gives the elements go-readability created or renamed (the <p>
// that stands for a run of <br>, a <div> or <td> turned into a <p>) the
// atom of their tag name, which the renderer's tag tables are keyed by: it
// sets Data alone, so without this "Tempor<br><br>incididunt" renders as
// one word.
func setAtoms(n *html.Node) {
	if n.Type == html.ElementNode && n.Namespace == "" && n.DataAtom.String() != n.Data {
		n.DataAtom = atom.Lookup([]byte(n.Data))
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		setAtoms(c)
	}
}
