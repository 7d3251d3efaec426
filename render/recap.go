package render

import (
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/recap"
)

// Recap budget shares, so that a long summary cannot push out the quotes.
const (
	recapMaxDescription = 2000
	recapMaxNames       = 25
)

var (
	recapMorePoints    = renderNoun{"more point", "more points"}
	recapMoreQuestions = renderNoun{"more open question", "more open questions"}
	recapMoreQuotes    = renderNoun{"more quote", "more quotes"}
	recapMoreLinks     = renderNoun{"more link", "more links"}
)

// Recap renders a checked recap as one Discord message: an embed titled
// with the channel, the summary and what it covers, the points, open
// questions, members' quotes each with the member's name as text and a
// jump link to the message, the participants and the links shared, and a
// footer saying how it was made. Every Discord limit is respected and the
// message can ping no one: names are plain text, never mentions.
func Recap(rc *recap.Recap) *discordgo.MessageSend {
	if rc == nil {
		rc = &recap.Recap{}
	}
	main := &discordgo.MessageEmbed{Color: renderColor, Type: discordgo.EmbedTypeRich}
	channel := renderLine(strings.TrimPrefix(rc.Channel, "#"))
	main.Title = discordtext.Truncate("Recap of #"+discordtext.Escape(renderFirst(channel, "this channel")), discordtext.MaxEmbedTitle)
	main.Footer = &discordgo.MessageEmbedFooter{Text: discordtext.Truncate(recapFooter(rc), discordtext.MaxFooter)}

	var b strings.Builder
	if note := renderNote(rc.Note); note != "" {
		b.WriteString(note + "\n\n")
	}
	if s := strings.TrimSpace(rc.Summary); s != "" {
		b.WriteString(discordtext.Escape(renderParagraphs(s)))
	}
	if !rc.Offline {
		// The offline summary already says what it covers.
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("-# " + recapSpan(rc))
	}
	main.Description = discordtext.Truncate(b.String(), recapMaxDescription)

	lines := func(items []string) []string {
		out := make([]string, 0, len(items))
		for _, it := range items {
			if it = renderLine(it); it != "" {
				out = append(out, "• "+discordtext.Escape(it))
			}
		}
		return out
	}
	quotes := make([]string, 0, len(rc.Quotes))
	for _, q := range rc.Quotes {
		if l := recapQuote(q); l != "" {
			quotes = append(quotes, l)
		}
	}
	var links []string
	for _, l := range rc.Links {
		if u := renderURL(l); u != "" && len(u) <= renderMaxEmbedURL {
			links = append(links, "• "+u)
		}
	}

	p := fieldPacker{budget: discordtext.MaxEmbedTotal - embedLength(main)}
	p.add("Points", lines(rc.Points), recapMorePoints, true)
	p.add("Quotes", quotes, recapMoreQuotes, false)
	p.add("Open questions", lines(rc.OpenQuestions), recapMoreQuestions, true)
	if names := recapNames(rc.Names); names != "" {
		p.add("Participants", []string{names}, renderNoun{}, true)
	}
	p.add("Links shared", links, recapMoreLinks, false)
	main.Fields = p.fields
	return &discordgo.MessageSend{
		Embeds:          fitEmbeds([]*discordgo.MessageEmbed{main}),
		Components:      []discordgo.MessageComponent{},
		AllowedMentions: noMentions(),
	}
}

// recapQuote is a quote block with its author as text and a jump link.
func recapQuote(q recap.Quote) string {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return ""
	}
	attribution := "\n— " + discordtext.Truncate(discordtext.Escape(renderFirst(renderLine(q.Author), "a member")), 100)
	if u := renderURL(q.URL); u != "" && strings.HasPrefix(u, "https://discord.com/channels/") {
		attribution += " · [jump to message](" + markdownURL(u) + ")"
	}
	body := "> " + discordtext.Escape(renderLine(text))
	return discordtext.Truncate(body, discordtext.MaxFieldValue-discordtext.Len(attribution)) + attribution
}

// recapNames lists the participants, most active first.
func recapNames(names []string) string {
	var out []string
	for _, n := range names {
		if n = renderLine(n); n != "" {
			out = append(out, discordtext.Escape(n))
		}
	}
	if len(out) > recapMaxNames {
		more := len(out) - recapMaxNames
		out = append(out[:recapMaxNames], "and "+discordtext.Thousands(more)+" more")
	}
	return strings.Join(out, ", ")
}

// recapSpan says what the recap covers: messages, members and time.
func recapSpan(rc *recap.Recap) string {
	parts := []string{
		discordtext.Thousands(rc.Messages) + " " + plural(rc.Messages, "message", "messages"),
		discordtext.Thousands(rc.Participants) + " " + plural(rc.Participants, "member", "members"),
	}
	from, ferr := time.Parse(time.RFC3339, rc.From)
	to, terr := time.Parse(time.RFC3339, rc.To)
	if ferr == nil && terr == nil {
		from, to = from.UTC(), to.UTC()
		if from.Format(time.DateOnly) == to.Format(time.DateOnly) {
			parts = append(parts, from.Format("2 Jan 2006, 15:04")+"–"+to.Format("15:04")+" UTC")
		} else {
			parts = append(parts, from.Format("2 Jan 2006 15:04")+" – "+to.Format("2 Jan 2006 15:04")+" UTC")
		}
	}
	return strings.Join(parts, " · ")
}

func recapFooter(rc *recap.Recap) string {
	if model := renderPlain(rc.Model); model != "" && model != recap.ExtractiveModel {
		return "Recapped by " + discordtext.Truncate(model, renderMaxModel) + " · quotes checked against members' own messages"
	}
	return "Offline recap (no AI model) · quotes are members' own messages"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
