package render

import (
	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/discordtext"
)

// noMentions returns allowed_mentions with an empty parse list: nothing in
// the message can ping a user, a role, @everyone or @here.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// embedLength is how much of the 6000-character total an embed uses.
func embedLength(e *discordgo.MessageEmbed) int {
	if e == nil {
		return 0
	}
	n := discordtext.Len(e.Title) + discordtext.Len(e.Description)
	if e.Footer != nil {
		n += discordtext.Len(e.Footer.Text)
	}
	if e.Author != nil {
		n += discordtext.Len(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += discordtext.Len(f.Name) + discordtext.Len(f.Value)
	}
	return n
}

// fitEmbed cuts every part of e to its own limit and drops fields past 25.
func fitEmbed(e *discordgo.MessageEmbed) {
	e.Title = discordtext.Truncate(e.Title, discordtext.MaxEmbedTitle)
	e.Description = discordtext.Truncate(e.Description, discordtext.MaxEmbedDescription)
	if e.Footer != nil {
		e.Footer.Text = discordtext.Truncate(e.Footer.Text, discordtext.MaxFooter)
	}
	if e.Author != nil {
		e.Author.Name = discordtext.Truncate(e.Author.Name, discordtext.MaxAuthorName)
	}
	if len(e.Fields) > discordtext.MaxFields {
		e.Fields = e.Fields[:discordtext.MaxFields]
	}
	for _, f := range e.Fields {
		f.Name = discordtext.Truncate(f.Name, discordtext.MaxFieldName)
		f.Value = discordtext.Truncate(f.Value, discordtext.MaxFieldValue)
		if f.Name == "" {
			f.Name = "\u200b"
		}
		if f.Value == "" {
			f.Value = "\u200b"
		}
	}
}

// fitEmbeds makes embeds fit one message: each within its own limits, at
// most ten, and together within the 6000-character total. When over the
// total it drops trailing fields, then shortens descriptions, of the last
// embeds first, so the head of the message survives intact.
func fitEmbeds(embeds []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	if len(embeds) > discordtext.MaxEmbeds {
		embeds = embeds[:discordtext.MaxEmbeds]
	}
	total := 0
	for _, e := range embeds {
		fitEmbed(e)
		total += embedLength(e)
	}
	for i := len(embeds) - 1; i >= 0 && total > discordtext.MaxEmbedTotal; i-- {
		e := embeds[i]
		for len(e.Fields) > 0 && total > discordtext.MaxEmbedTotal {
			f := e.Fields[len(e.Fields)-1]
			over := total - discordtext.MaxEmbedTotal
			fl := discordtext.Len(f.Name) + discordtext.Len(f.Value)
			if fl-over > discordtext.Len(f.Name)+200 {
				// Shortening this field is enough.
				old := discordtext.Len(f.Value)
				f.Value = discordtext.Truncate(f.Value, old-over)
				total -= old - discordtext.Len(f.Value)
				break
			}
			e.Fields = e.Fields[:len(e.Fields)-1]
			total -= fl
		}
		if total > discordtext.MaxEmbedTotal && e.Description != "" {
			old := discordtext.Len(e.Description)
			e.Description = discordtext.Truncate(e.Description, max(0, old-(total-discordtext.MaxEmbedTotal)))
			total -= old - discordtext.Len(e.Description)
		}
	}
	// Still over: drop whole trailing embeds, then shorten the first one's
	// footer and title.
	for len(embeds) > 1 && total > discordtext.MaxEmbedTotal {
		total -= embedLength(embeds[len(embeds)-1])
		embeds = embeds[:len(embeds)-1]
	}
	if total > discordtext.MaxEmbedTotal && len(embeds) == 1 {
		e := embeds[0]
		if e.Footer != nil {
			old := discordtext.Len(e.Footer.Text)
			e.Footer.Text = discordtext.Truncate(e.Footer.Text, max(0, old-(total-discordtext.MaxEmbedTotal)))
			total -= old - discordtext.Len(e.Footer.Text)
		}
		if total > discordtext.MaxEmbedTotal {
			old := discordtext.Len(e.Title)
			e.Title = discordtext.Truncate(e.Title, max(0, old-(total-discordtext.MaxEmbedTotal)))
		}
	}
	return embeds
}
