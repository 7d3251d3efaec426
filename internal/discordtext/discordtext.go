// Package discordtext owns Discord's text rules without Discord's types:
// the message limits, cutting text at word boundaries to fit them, escaping
// Markdown and making mentions inert. The render package builds payloads
// with it; the digest and summarize packages use it on plain text.
package discordtext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Discord's limits, counted in characters (Unicode code points).
const (
	MaxContent          = 2000
	MaxEmbedTitle       = 256
	MaxEmbedDescription = 4096
	MaxFieldName        = 256
	MaxFieldValue       = 1024
	MaxFields           = 25
	MaxFooter           = 2048
	MaxAuthorName       = 256
	MaxEmbedTotal       = 6000
	MaxEmbeds           = 10
)

// Len is the length of s as Discord counts it.
func Len(s string) int { return utf8.RuneCountInString(s) }

// Truncate cuts s to at most max characters, at a word boundary where one is
// reasonably close, and marks the cut with an ellipsis.
func Truncate(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max == 1 {
		return "…"
	}
	runes := []rune(s)
	cut := runes[:max-1]
	// Prefer a cut at white space in the last fifth of the allowed length.
	for i := len(cut) - 1; i >= len(cut)*4/5 && i > 0; i-- {
		if unicode.IsSpace(cut[i]) {
			cut = cut[:i]
			break
		}
	}
	return strings.TrimRightFunc(string(cut), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != ')' && r != '"' && r != '”'
	}) + "…"
}

// Thousands formats n with comma separators: 12,345.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
