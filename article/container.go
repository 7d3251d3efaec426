package article

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// renderPage renders the whole document into paragraphs, each attributed to
// the block element that holds it and flagged when it sits in page
// furniture. It runs before readability rearranges the tree, so the
// paragraphs' nodes still have their original ancestors.
func renderPage(doc *html.Node) []block {
	tb := &textBuilder{skipper: skipAlways, furniture: isFurniture}
	tb.walk(doc)
	tb.flush()
	return tb.paras
}

// skipAlways drops what never holds a reader's text (skippedTags does the
// rest): a caption too short to be story text (proseCaption).
func skipAlways(n *html.Node) bool {
	return n.DataAtom == atom.Figcaption && !proseCaption(n)
}

// furnitureTokens are class and id words of page parts that hold no story
// however long they are: comment threads. (Other furniture words also name
// wrappers that hold the story, "has-related-posts"; they go through
// isBoilerElement, which keeps long running text.)
var furnitureTokens = map[string]bool{
	"comment": true, "comments": true, "commentlist": true, "disqus": true, "respond": true,
}

// isFurniture reports whether el is page furniture: an element classed as
// a comment thread, or a header, footer, aside, form or anything
// isBoilerElement drops that does not hold furnitureMaxProse words of
// running text (ASP.NET pages wrap everything in a <form>, layouts name
// wrappers "has-sidebar").
func isFurniture(el *html.Node) bool {
	switch el.DataAtom {
	case atom.Html, atom.Body, atom.Main, atom.Article:
		return false // their classes describe the page ("right-sidebar"), not the element
	}
	for _, a := range el.Attr {
		if (a.Key == "class" || a.Key == "id") && hasTokenIn(a.Val, furnitureTokens) {
			return true
		}
	}
	tagged := false
	switch el.DataAtom {
	case atom.Footer, atom.Aside, atom.Form:
		tagged = true
	case atom.Header:
		return false // it holds the headline and often the standfirst
	case atom.Figcaption:
		return !proseCaption(el)
	}
	if !tagged && !boilerLabelled(el) {
		return false
	}
	words, linkWords := wordsAndLinkWords(el)
	if words-linkWords >= furnitureMaxProse {
		return false
	}
	return tagged || boilerSized(words, linkWords)
}

// furnitureMaxProse: an element holding this many words outside links is
// not furniture, whatever its tag or class says.
const furnitureMaxProse = 250

// hasTokenIn reports whether a class or id value has a token in set.
func hasTokenIn(v string, set map[string]bool) bool {
	return firstTokenIn(v, set) != ""
}

// firstTokenIn returns the first token, lower-cased, of a class or id
// value that is in set, or "". Tokens are separated by spaces, tabs,
// newlines, '-' and '_'.
func firstTokenIn(v string, set map[string]bool) string {
	start := -1
	for i := 0; i <= len(v); i++ {
		sep := i == len(v)
		if !sep {
			switch v[i] {
			case ' ', '_', '-', '\t', '\n':
				sep = true
			}
		}
		if sep {
			if start >= 0 {
				if t := lowerASCII(v[start:i]); set[t] {
					return t
				}
			}
			start = -1
		} else if start < 0 {
			start = i
		}
	}
	return ""
}

// lowerASCII lower-cases ASCII letters, allocating only when s has capitals.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// storyMinTokens is the least a paragraph holds to count as running text
// when locating the story's container.
const storyMinTokens = 10

// containerShare is the share of the page's running text that the story's
// container must hold.
const containerShare = 0.8

// storyWeight is the running text a paragraph contributes: its words
// outside links, when it is long enough, mostly not links, not a heading
// and not furniture.
func storyWeight(b block) int {
	if b.furniture || b.node == nil || b.tokens < storyMinTokens || 2*b.linkTok >= b.tokens || b.heading() {
		return 0
	}
	return b.tokens - b.linkTok
}

// containerBlocks is the fallback extractor: the deepest element that holds
// at least containerShare of the page's running text, and the paragraphs in
// it that are not furniture. Unlike readability, which scores candidates
// and may pick one part of a split story or a block of similar items, it
// takes the smallest part of the page that holds most of its prose.
func containerBlocks(page []block) []block {
	weight := make(map[*html.Node]int)
	total := 0
	for _, b := range page {
		w := storyWeight(b)
		if w == 0 {
			continue
		}
		total += w
		for n := b.node; n != nil; n = n.Parent {
			weight[n] += w
		}
	}
	if total == 0 {
		return nil
	}
	var best *html.Node
	bestDepth := -1
	for n, w := range weight {
		if float64(w) < containerShare*float64(total) {
			continue
		}
		if d := depth(n); d > bestDepth {
			best, bestDepth = n, d
		}
	}
	var out []block
	for _, b := range page {
		if !b.furniture && b.node != nil && within(b.node, best) {
			out = append(out, b)
		}
	}
	return out
}

func depth(n *html.Node) int {
	d := 0
	for ; n != nil; n = n.Parent {
		d++
	}
	return d
}

// within reports whether n is anc or inside it.
func within(n, anc *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == anc {
			return true
		}
	}
	return false
}

// leadMinWords is the least a standfirst holds to be restored.
const leadMinWords = 8

// leadMaxGap is how many paragraphs may separate a standfirst from the
// story's first paragraph in the page.
const leadMaxGap = 12

// leadTrim is what a description may end with that its paragraph lacks.
const leadTrim = ".… \u00a0"

// addLead puts back the standfirst (the lead paragraph news pages set
// under the headline, outside the story's container) when the extraction
// left it out: the paragraph of the page that the page's own description
// repeats, found shortly before the story's first paragraph, or else one
// that the markup names a standfirst (addMarkedLead).
func addLead(paras []string, page []block, desc string) []string {
	if len(paras) == 0 {
		return paras
	}
	first := -1
	for i, b := range page {
		if b.text == paras[0] {
			first = i
			break
		}
	}
	if first < 0 {
		return paras
	}
	desc = strings.TrimRight(cleanSpace(desc), leadTrim)
	if CountWords(desc) < leadMinWords {
		return addMarkedLead(paras, page, first)
	}
	for i := first - 1; i >= 0 && i >= first-leadMaxGap; i-- {
		b := page[i]
		if b.linkOnly() || isHeadline(b) || CountWords(b.text) < leadMinWords {
			continue
		}
		t := cleanSpace(b.text)
		if !describes(desc, t) {
			continue
		}
		return prependNew(paras, b.text)
	}
	return addMarkedLead(paras, page, first)
}

// describes reports whether the page description desc (space-cleaned and
// trimmed of leadTrim) repeats the paragraph t or begins like it.
func describes(desc, t string) bool {
	return strings.Contains(t, desc) || strings.Contains(desc, strings.TrimRight(t, leadTrim)) || sameStart(t, desc, leadMinWords)
}

// prependNew puts lead before paras unless one of them holds it already.
func prependNew(paras []string, lead string) []string {
	t := cleanSpace(lead)
	for _, p := range paras {
		if strings.Contains(cleanSpace(p), t) {
			return paras
		}
	}
	return append([]string{lead}, paras...)
}

// addDescribedLead puts back the paragraph of the page, outside its
// furniture, that the page's description repeats, wherever it is: for a
// text that does not come from the page's blocks (an articleBody), which
// addLead cannot place.
func addDescribedLead(paras []string, page []block, desc string) []string {
	desc = strings.TrimRight(cleanSpace(desc), leadTrim)
	if len(paras) == 0 || CountWords(desc) < leadMinWords {
		return paras
	}
	for _, b := range page {
		if b.furniture || b.linkOnly() || isHeadline(b) || CountWords(b.text) < leadMinWords {
			continue
		}
		if describes(desc, cleanSpace(b.text)) {
			return prependNew(paras, b.text)
		}
	}
	return paras
}

// leadTokens are class and id words that name a standfirst: the lead,
// intro, teaser, summary or deck of the story, in several languages
// (chapo, chapeau: French; bajada, entradilla: Spanish; sapo: Portuguese).
var leadTokens = map[string]bool{
	"lead": true, "leader": true, "lede": true, "intro": true, "introduction": true,
	"teaser": true, "standfirst": true, "summary": true, "abstract": true, "deck": true,
	"dek": true, "excerpt": true, "subtitle": true, "subheadline": true, "chapo": true,
	"chapeau": true, "bajada": true, "entradilla": true, "sapo": true, "description": true,
}

// leadMarkGap is how many paragraphs may separate a standfirst that its
// markup names from the story's first paragraph.
const leadMarkGap = 24

// leadAncestors is how far up from a paragraph its standfirst class is
// looked for.
const leadAncestors = 3

// addMarkedLead puts back a standfirst that the page's markup names
// (leadTokens on the paragraph or an element just above it, or a <p> in
// the <header> that holds the headline), shortly
// before the story's first paragraph, page[first], and after the page's
// headline when there is one: a run of paragraphs of running text in one
// such element. Teasers of other stories before the headline are not it.
func addMarkedLead(paras []string, page []block, first int) []string {
	lo := max(0, first-leadMarkGap)
	var h1 *html.Node
	for i := first - 1; i >= lo; i-- {
		if page[i].node != nil && page[i].node.DataAtom == atom.H1 {
			lo, h1 = i+1, page[i].node
			break
		}
	}
	for i := first - 1; i >= lo; i-- {
		b := page[i]
		if b.furniture || b.linkOnly() || b.heading() || CountWords(b.text) < leadMinWords || !endsSentence(b.text) || truncated(b.text) {
			continue
		}
		mark := leadElement(b.node)
		if mark == nil && h1 != nil && b.node != nil && b.node.DataAtom == atom.P {
			mark = headerWith(b.node, h1)
		}
		if mark == nil {
			continue
		}
		start := i
		for start > lo && page[start-1].node != nil && within(page[start-1].node, mark) && !page[start-1].furniture {
			start--
		}
		var lead []string
		for _, lb := range page[start : i+1] {
			t := cleanSpace(lb.text)
			for _, p := range paras {
				if strings.Contains(cleanSpace(p), t) {
					return paras
				}
			}
			lead = append(lead, lb.text)
		}
		return append(lead, paras...)
	}
	return paras
}

// headerWith returns the <header> holding both the paragraph p and the
// headline h1, or nil: a paragraph under the headline in the story's
// header is its standfirst.
func headerWith(p, h1 *html.Node) *html.Node {
	for n := p.Parent; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && n.DataAtom == atom.Header {
			if within(h1, n) {
				return n
			}
			return nil
		}
	}
	return nil
}

// truncated reports whether p ends in an ellipsis, like a teaser cut short.
func truncated(p string) bool {
	p = strings.TrimSpace(p)
	return strings.HasSuffix(p, "...") || strings.HasSuffix(p, "…")
}

// leadElement returns n or the nearest of its leadAncestors ancestors
// whose class or id names a standfirst, or nil.
func leadElement(n *html.Node) *html.Node {
	for k := 0; n != nil && k <= leadAncestors; n, k = n.Parent, k+1 {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Body, atom.Main, atom.Article:
			return nil
		}
		for _, a := range n.Attr {
			if (a.Key == "class" || a.Key == "id") && hasTokenIn(a.Val, leadTokens) {
				return n
			}
		}
	}
	return nil
}

// sameStart reports whether a and b begin with the same n words.
func sameStart(a, b string, n int) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) < n || len(fb) < n {
		return false
	}
	for i := range n {
		if fa[i] != fb[i] {
			return false
		}
	}
	return true
}

// isHeadline reports whether b is an <h1>, a page's headline: a
// description that repeats it names no standfirst to restore. (A deck set
// in an <h2> under the headline is one.)
func isHeadline(b block) bool {
	return b.node != nil && b.node.DataAtom == atom.H1
}
