// Package discordtext owns Discord's message limits: cutting text at word
// boundaries to fit them, fitting a set of embeds into one message, and the
// allowed-mentions value that stops a message from pinging anyone.
package discordtext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
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

// NoMentions returns allowed_mentions with an empty parse list: nothing in
// the message can ping a user, a role, @everyone or @here.
func NoMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

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

// EmbedLength is how much of the 6000-character total an embed uses.
func EmbedLength(e *discordgo.MessageEmbed) int {
	if e == nil {
		return 0
	}
	n := Len(e.Title) + Len(e.Description)
	if e.Footer != nil {
		n += Len(e.Footer.Text)
	}
	if e.Author != nil {
		n += Len(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += Len(f.Name) + Len(f.Value)
	}
	return n
}

// FitEmbed cuts every part of e to its own limit and drops fields past 25.
func FitEmbed(e *discordgo.MessageEmbed) {
	e.Title = Truncate(e.Title, MaxEmbedTitle)
	e.Description = Truncate(e.Description, MaxEmbedDescription)
	if e.Footer != nil {
		e.Footer.Text = Truncate(e.Footer.Text, MaxFooter)
	}
	if e.Author != nil {
		e.Author.Name = Truncate(e.Author.Name, MaxAuthorName)
	}
	if len(e.Fields) > MaxFields {
		e.Fields = e.Fields[:MaxFields]
	}
	for _, f := range e.Fields {
		f.Name = Truncate(f.Name, MaxFieldName)
		f.Value = Truncate(f.Value, MaxFieldValue)
		if f.Name == "" {
			f.Name = "\u200b"
		}
		if f.Value == "" {
			f.Value = "\u200b"
		}
	}
}

// FitEmbeds makes embeds fit one message: each within its own limits, at
// most ten, and together within the 6000-character total. When over the
// total it drops trailing fields, then shortens descriptions, of the last
// embeds first, so the head of the message survives intact.
func FitEmbeds(embeds []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	if len(embeds) > MaxEmbeds {
		embeds = embeds[:MaxEmbeds]
	}
	total := 0
	for _, e := range embeds {
		FitEmbed(e)
		total += EmbedLength(e)
	}
	for i := len(embeds) - 1; i >= 0 && total > MaxEmbedTotal; i-- {
		e := embeds[i]
		for len(e.Fields) > 0 && total > MaxEmbedTotal {
			f := e.Fields[len(e.Fields)-1]
			over := total - MaxEmbedTotal
			fl := Len(f.Name) + Len(f.Value)
			if fl-over > Len(f.Name)+200 {
				// Shortening this field is enough.
				old := Len(f.Value)
				f.Value = Truncate(f.Value, old-over)
				total -= old - Len(f.Value)
				break
			}
			e.Fields = e.Fields[:len(e.Fields)-1]
			total -= fl
		}
		if total > MaxEmbedTotal && e.Description != "" {
			old := Len(e.Description)
			e.Description = Truncate(e.Description, max(0, old-(total-MaxEmbedTotal)))
			total -= old - Len(e.Description)
		}
	}
	// Still over: drop whole trailing embeds, then shorten the first one's
	// footer and title.
	for len(embeds) > 1 && total > MaxEmbedTotal {
		total -= EmbedLength(embeds[len(embeds)-1])
		embeds = embeds[:len(embeds)-1]
	}
	if total > MaxEmbedTotal && len(embeds) == 1 {
		e := embeds[0]
		if e.Footer != nil {
			old := Len(e.Footer.Text)
			e.Footer.Text = Truncate(e.Footer.Text, max(0, old-(total-MaxEmbedTotal)))
			total -= old - Len(e.Footer.Text)
		}
		if total > MaxEmbedTotal {
			old := Len(e.Title)
			e.Title = Truncate(e.Title, max(0, old-(total-MaxEmbedTotal)))
		}
	}
	return embeds
}
