package article

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// textBuilder turns a DOM subtree into paragraphs: every block element starts
// a new paragraph, white space inside a paragraph collapses to one space,
// <br> becomes a line break and <pre> keeps its layout.
type textBuilder struct {
	paras   []block
	cur     strings.Builder
	space   bool // a space is pending before the next word
	breaks  int  // <br> seen since the last text in this paragraph
	inPre   int
	inLink  int
	inHead  int
	tokens  int // white-space separated tokens in the current paragraph
	linkTok int // those inside links
	headTok int // those inside headings
	skipper func(*html.Node) bool

	// Set only for renderPage: furniture marks page furniture, whose
	// paragraphs are kept but flagged; blocks is the stack of open block
	// elements, the innermost of which a paragraph is attributed to.
	furniture func(*html.Node) bool
	inFurn    int
	blocks    []*html.Node
}

// block is one rendered paragraph with the share of it that is link text.
type block struct {
	text                     string
	tokens, linkTok, headTok int

	// Set by renderPage only.
	node      *html.Node // the innermost block element holding the paragraph
	furniture bool       // inside navigation, header, footer, aside, form or boilerplate
}

// heading reports whether the paragraph is a heading (h1-h6).
func (b block) heading() bool { return b.tokens > 0 && b.headTok == b.tokens }

// linkOnly reports whether the paragraph is all link text, like the
// headline of another story.
func (b block) linkOnly() bool { return b.tokens > 0 && b.linkTok == b.tokens }

// renderParagraphs returns the text of n as paragraphs. skip, if not nil,
// drops an element and everything inside it.
func renderParagraphs(n *html.Node, skip func(*html.Node) bool) []string {
	return blockTexts(renderBlocks(n, skip))
}

// renderBlocks is renderParagraphs with each paragraph's link share.
func renderBlocks(n *html.Node, skip func(*html.Node) bool) []block {
	tb := &textBuilder{skipper: skip}
	tb.walk(n)
	tb.flush()
	return tb.paras
}

func blockTexts(bs []block) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.text
	}
	return out
}

// skippedTags never hold article text a reader sees.
var skippedTags = map[atom.Atom]bool{
	atom.Head: true, atom.Script: true, atom.Style: true, atom.Template: true,
	atom.Noscript: true, atom.Svg: true, atom.Math: true, atom.Iframe: true,
	atom.Object: true, atom.Embed: true, atom.Video: true, atom.Audio: true,
	atom.Canvas: true, atom.Select: true, atom.Button: true, atom.Input: true,
	atom.Textarea: true, atom.Nav: true, atom.Link: true, atom.Meta: true,
	atom.Title: true,
}

// blockTags start and end a paragraph.
var blockTags = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Body: true, atom.Dd: true, atom.Details: true, atom.Dialog: true,
	atom.Div: true, atom.Dl: true, atom.Dt: true, atom.Fieldset: true,
	atom.Figcaption: true, atom.Figure: true, atom.Footer: true, atom.Form: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Header: true, atom.Hgroup: true, atom.Hr: true,
	atom.Li: true, atom.Main: true, atom.Ol: true, atom.P: true, atom.Pre: true,
	atom.Section: true, atom.Summary: true, atom.Table: true, atom.Tbody: true,
	atom.Thead: true, atom.Tfoot: true, atom.Tr: true, atom.Ul: true,
	atom.Caption: true, atom.Center: true, atom.Legend: true,
}

func (tb *textBuilder) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		tb.text(n.Data)
		return
	case html.ElementNode:
		if skippedTags[n.DataAtom] || (tb.skipper != nil && tb.skipper(n)) {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	block := blockTags[n.DataAtom]
	switch n.DataAtom {
	case atom.Br:
		tb.lineBreak()
		return
	case atom.Td, atom.Th:
		tb.space = true
	case atom.Img:
		return
	}
	if block {
		tb.flush()
	}
	furn := false
	if tb.furniture != nil && n.Type == html.ElementNode {
		// Inside furniture everything is furniture: no need to ask.
		if furn = tb.inFurn == 0 && tb.furniture(n); furn {
			tb.inFurn++
		}
		if block {
			tb.blocks = append(tb.blocks, n)
		}
	}
	switch n.DataAtom {
	case atom.Pre:
		tb.inPre++
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		tb.inHead++
	case atom.A:
		if pointsAway(n) {
			tb.inLink++
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		tb.walk(c)
	}
	switch n.DataAtom {
	case atom.Pre:
		tb.inPre--
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		tb.inHead--
	case atom.A:
		if pointsAway(n) {
			tb.inLink--
		}
	}
	if block {
		tb.flush()
		if tb.furniture != nil {
			tb.blocks = tb.blocks[:len(tb.blocks)-1]
		}
	}
	if furn {
		tb.inFurn--
	}
	if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
		tb.space = true
	}
}

func (tb *textBuilder) text(s string) {
	if tb.inPre > 0 {
		if tb.cur.Len() > 0 && tb.space {
			tb.cur.WriteByte(' ')
		}
		tb.space = false
		tb.cur.WriteString(s)
		return
	}
	start := -1
	for i, r := range s {
		if isCollapsibleSpace(r) {
			if start >= 0 {
				tb.word(s[start:i])
				start = -1
			}
			tb.space = true
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		tb.word(s[start:])
	}
}

// isCollapsibleSpace is CSS's collapsible white space: ASCII only, so
// no-break and thin spaces survive as the page wrote them.
func isCollapsibleSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f':
		return true
	}
	return false
}

func (tb *textBuilder) word(w string) {
	if tb.breaks > 0 {
		if tb.breaks >= 2 {
			tb.flush()
		} else if tb.cur.Len() > 0 {
			tb.cur.WriteByte('\n')
		}
		tb.breaks = 0
		tb.space = false
	}
	if tb.space && tb.cur.Len() > 0 {
		tb.cur.WriteByte(' ')
	}
	tb.space = false
	tb.cur.WriteString(w)
	tb.tokens++
	if tb.inLink > 0 {
		tb.linkTok++
	}
	if tb.inHead > 0 {
		tb.headTok++
	}
}

func (tb *textBuilder) lineBreak() {
	if tb.inPre > 0 {
		tb.cur.WriteByte('\n')
		return
	}
	if tb.cur.Len() > 0 {
		tb.breaks++
	}
}

func (tb *textBuilder) flush() {
	p := strings.TrimSpace(tb.cur.String())
	if tb.inPre == 0 {
		p = strings.TrimSpace(p)
	}
	if p != "" {
		b := block{text: p, tokens: tb.tokens, linkTok: tb.linkTok, headTok: tb.headTok, furniture: tb.inFurn > 0}
		if len(tb.blocks) > 0 {
			b.node = tb.blocks[len(tb.blocks)-1]
		}
		tb.paras = append(tb.paras, b)
	}
	tb.tokens, tb.linkTok, tb.headTok = 0, 0, 0
	tb.cur.Reset()
	tb.space = false
	tb.breaks = 0
}

// pointsAway reports whether the link a leads to another page, not to a
// place on this one, an e-mail address or a phone number.
func pointsAway(a *html.Node) bool {
	for _, at := range a.Attr {
		if at.Key != "href" {
			continue
		}
		h := strings.ToLower(strings.TrimSpace(at.Val))
		return h != "" && !strings.HasPrefix(h, "#") && !strings.HasPrefix(h, "mailto:") &&
			!strings.HasPrefix(h, "tel:") && !strings.HasPrefix(h, "javascript:")
	}
	return false
}
