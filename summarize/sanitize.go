package summarize

import (
	"strings"

	"github.com/precisbot/precis/internal/lazyre"
)

// zwsp is inserted to break Discord mention syntax without changing what a
// reader sees.
const zwsp = "\u200b"

var (
	everyoneRE = lazyre.New(`(?i)@(everyone|here)`)
	// <@123>, <@!123>, <@&123>, <#123>, and slash-command mentions </x:123>.
	mentionRE = lazyre.New(`<(@[!&]?|#|/)`)
)

// NeutralizeMentions makes Discord mentions inert: a zero-width space goes
// after the @ of @everyone and @here, and after the < of <@id>, <@!id>,
// <@&id>, <#id> and </command:id>. The text still reads the same. This is
// defence in depth; the bot also sends allowed_mentions with an empty parse
// list.
func NeutralizeMentions(s string) string {
	s = everyoneRE().ReplaceAllString(s, "@"+zwsp+"$1")
	return mentionRE().ReplaceAllString(s, "<"+zwsp+"$1")
}

var (
	// [text](target) with any target: masked links can hide where they go
	// (javascript:, look-alike domains), so only the text is kept.
	maskedLinkRE = lazyre.New(`\[([^\[\]\n]*)\]\(\s*<?[^()\s]*(?:\([^()\s]*\))?[^()\s]*>?(?:\s+"[^"]*")?\s*\)`)
	// Line-leading Markdown that changes layout: headings, subtext (-#),
	// block quotes.
	lineMarkupRE = lazyre.New(`(?m)^[ \t]*(?:#{1,6}[ \t]+|-#[ \t]+|>{1,3}[ \t]+)`)
	fenceRE      = lazyre.New("`{3,}")
)

// NeutralizeMarkdown removes the Markdown that could break how a summary
// renders or hide a link: masked links become their text, headings, subtext
// and block-quote markers at the start of a line are dropped, and code
// fences become a single back-tick. Emphasis and inline code stay: they do
// not change layout or hide anything.
func NeutralizeMarkdown(s string) string {
	s = maskedLinkRE().ReplaceAllString(s, "$1")
	s = lineMarkupRE().ReplaceAllString(s, "")
	s = fenceRE().ReplaceAllString(s, "`")
	return s
}

// cleanText is applied to every text field: markdown and mentions made
// inert, white space trimmed.
func cleanText(s string) string {
	return strings.TrimSpace(NeutralizeMentions(NeutralizeMarkdown(s)))
}

// cleanLine is cleanText for one-line fields (headline, speaker, party):
// line breaks become spaces.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

var (
	// urlRE finds links a reader could follow: anything with a scheme
	// (https://, ftp://), www. addresses, and host names with a path
	// (evil.example/login, discord.gg/abc), with or without <...>. A bare
	// host without a path ("Amazon.com said") is a name, not a link.
	urlRE = lazyre.New(`(?i)<?(?:\b[a-z][a-z0-9+.\-]*://|\bwww\.|\b(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d+)?/)[^\s<>]*[^\s<>.,;:!?)\]}'"”’»]>?`)
	// Left behind by a removed link: empty brackets, a space before
	// punctuation, runs of spaces.
	emptyBracketsRE = lazyre.New(`\(\s*\)|\[\s*\]|<\s*>`)
	spacePunctRE    = lazyre.New(`[ \t]+([,.;:!?)\]])`)
	spacesRE        = lazyre.New(`[ \t]{2,}`)
)

// removeURLs deletes every link from s and tidies the gap it leaves.
func removeURLs(s string) string {
	if !urlRE().MatchString(s) {
		return s
	}
	s = urlRE().ReplaceAllString(s, "")
	s = emptyBracketsRE().ReplaceAllString(s, "")
	s = spacePunctRE().ReplaceAllString(s, "$1")
	s = spacesRE().ReplaceAllString(s, " ")
	return strings.TrimSpace(s)
}

// removeModelURLs deletes links from every field a model wrote: the
// headline, summary, key points, quotes' speakers and perspectives. Quote
// texts are left alone: Verify replaces them with the article's own words.
// The only link a summary carries is the article's (Summary.URL).
func removeModelURLs(s *Summary) {
	s.Headline = removeURLs(s.Headline)
	s.Summary = removeURLs(s.Summary)
	points := s.KeyPoints[:0]
	for _, p := range s.KeyPoints {
		if p = removeURLs(p); p != "" {
			points = append(points, p)
		}
	}
	s.KeyPoints = points
	for i := range s.Quotes {
		s.Quotes[i].Speaker = removeURLs(s.Quotes[i].Speaker)
	}
	persp := s.Perspectives[:0]
	for _, p := range s.Perspectives {
		p.Party, p.Position = removeURLs(p.Party), removeURLs(p.Position)
		if p.Party != "" && p.Position != "" {
			persp = append(persp, p)
		}
	}
	s.Perspectives = persp
}
