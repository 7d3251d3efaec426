package discordtext

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// markdownEscaper escapes every character Discord's markdown gives meaning
// to anywhere in a line. Line-start syntax (headings, quotes, lists) is
// handled in EscapeMarkdown.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`,
	`[`, `\[`, `]`, `\]`, `<`, `\<`,
)

// lineStartMarkdown matches markdown that only counts at the start of a
// line: headings (#, ##, ###, -#), lists (-, +, 1.) and block quotes (>,
// >>>).
var lineStartMarkdown = regexp.MustCompile(`(?m)^(\s*)(#{1,3}\s|-#\s|[-+]\s|\d+[.)]\s|>{1,3}\s)`)

// Escape makes untrusted text display literally: markdown is
// escaped (no masked links, code blocks, headings, spoilers or fake
// quotes) and mentions are neutralised.
func Escape(s string) string {
	s = markdownEscaper.Replace(s)
	s = lineStartMarkdown.ReplaceAllString(s, `$1\$2`)
	// Link auto-embedding of bare URLs is harmless; masked links are
	// impossible without [ ].
	return NeutralizeMentions(s)
}

// mentionWords are the pings Discord would act on without allowed_mentions.
var mentionWords = regexp.MustCompile(`(?i)@(everyone|here)`)

// mentionTags matches user, role, channel and command mentions that have
// not been escaped.
var mentionTags = regexp.MustCompile(`<(@[!&]?|#|/[^>]*:)(\d+)>`)

// NeutralizeMentions breaks @everyone, @here and <@id>/<@&id>/<#id> tags
// with a zero-width space so they show as text even in clients or bridges
// that ignore allowed_mentions. Precis never pings; allowed_mentions is the
// real guard, this is the second one.
func NeutralizeMentions(s string) string {
	s = mentionWords.ReplaceAllStringFunc(s, func(m string) string { return "@\u200b" + m[1:] })
	s = mentionTags.ReplaceAllString(s, "<\u200b$1$2>")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// SafeLine makes untrusted text (titles, summaries, channel names) inert as
// one line of Discord Markdown: invalid UTF-8, control characters and
// Invisible ones dropped, line breaks and tabs made spaces, runs of white space collapsed,
// then Escape. Messages also carry allowed_mentions with an empty parse
// list; this is the second belt.
func SafeLine(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) || Invisible(r) {
			return -1
		}
		return r
	}, s)
	return Escape(strings.Join(strings.Fields(s), " "))
}

// Invisible reports format characters that can hide text or reverse it
// (zero-width and bidi controls). The zero-width joiner stays: emoji
// sequences need it.
func Invisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200e', '\u200f', '\u2060', '\ufeff',
		'\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
		'\u2066', '\u2067', '\u2068', '\u2069':
		return true
	}
	return false
}
