package render

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/compare"
	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/summarize"
)

// CompareButtonID is the custom_id of the Compare button under summaries
// whose story has other coverage. The adapter routes its clicks by it; the
// article is the clicked message's embed URL.
const CompareButtonID = "precis:compare"

const (
	compareButtonLabel = "Compare coverage"
	alsoCoveredName    = "Also covered by"
	// compareMaxEvidence bounds one passage of evidence, in characters.
	compareMaxEvidence = 300
	compareMaxTitle    = 120
)

var (
	compareMorePoints = renderNoun{"more point", "more points"}
	compareMoreNotes  = renderNoun{"more note", "more notes"}
	compareMoreQuotes = renderNoun{"more quote", "more quotes"}
)

// alsoCoveredField is the "Also covered by" line of a summary whose story
// other outlets in the server covered: each outlet's name linked to its
// article, or nil.
func alsoCoveredField(s *summarize.Summary) *discordgo.MessageEmbedField {
	var links []string
	for _, c := range s.AlsoCovered {
		name := discordtext.Truncate(discordtext.Escape(renderFirst(renderLine(c.Site), renderHost(c.URL), "another outlet")), 80)
		links = append(links, renderLinked(name, c.URL))
	}
	if len(links) == 0 {
		return nil
	}
	return &discordgo.MessageEmbedField{Name: alsoCoveredName, Value: discordtext.Truncate(strings.Join(links, " · "), discordtext.MaxFieldValue)}
}

// alsoCoveredLen is what the line takes of the embed's 6000 characters.
func alsoCoveredLen(s *summarize.Summary) int {
	if f := alsoCoveredField(s); f != nil {
		return discordtext.Len(f.Name) + discordtext.Len(f.Value)
	}
	return 0
}

// compareButton is the Compare button, for a summary whose story has
// other coverage and whose embed carries the link.
func compareButton() discordgo.Button {
	return discordgo.Button{Label: compareButtonLabel, Style: discordgo.SecondaryButton, CustomID: CompareButtonID,
		Emoji: &discordgo.ComponentEmoji{Name: "⚖️"}}
}

// Comparison renders a checked comparison as one Discord message: an
// embed titled with the story, the outlets compared (each linked to its
// article), then what all of them report, what only some report (named),
// how each frames the story and whom each quotes; under every point, each
// outlet's own words for it. A footer says how it was made. Every Discord
// limit is respected and the message can ping no one.
func Comparison(c *compare.Comparison) *discordgo.MessageSend {
	if c == nil {
		c = &compare.Comparison{}
	}
	main := &discordgo.MessageEmbed{Color: renderColor, Type: discordgo.EmbedTypeRich}
	title := "How the outlets cover it"
	if len(c.Articles) > 0 {
		title = "How " + discordtext.Thousands(len(c.Articles)) + " outlets cover: " + renderFirst(renderLine(c.Articles[0].Title), "this story")
	}
	main.Title = discordtext.Truncate(discordtext.Escape(title), discordtext.MaxEmbedTitle)
	main.Footer = &discordgo.MessageEmbedFooter{Text: discordtext.Truncate(compareFooter(c), discordtext.MaxFooter)}

	var b strings.Builder
	if note := renderNote(c.Note); note != "" {
		b.WriteString(note + "\n\n")
	}
	for i, a := range c.Articles {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(compareOutlet(a))
	}
	main.Description = discordtext.Truncate(b.String(), discordtext.MaxEmbedDescription)

	var common, diffs, framing, quotes []string
	for _, p := range c.Common {
		if l := comparePoint(p.Text, nil, p.Evidence); l != "" {
			common = append(common, l)
		}
	}
	for _, d := range c.Differences {
		if l := comparePoint(d.Point, d.Outlets, d.Evidence); l != "" {
			diffs = append(diffs, l)
		}
	}
	for _, f := range c.Framing {
		if l := comparePoint(f.Note, []string{f.Outlet}, f.Evidence); l != "" {
			framing = append(framing, l)
		}
	}
	for _, q := range c.Quotes {
		if l := compareQuote(q); l != "" {
			quotes = append(quotes, l)
		}
	}
	p := fieldPacker{budget: discordtext.MaxEmbedTotal - embedLength(main)}
	p.add("What all report", common, compareMorePoints, true)
	p.add("What only some report", diffs, compareMorePoints, true)
	p.add("Framing", framing, compareMoreNotes, true)
	p.add("Whom they quote", quotes, compareMoreQuotes, true)
	main.Fields = p.fields
	return &discordgo.MessageSend{
		Embeds:          fitEmbeds([]*discordgo.MessageEmbed{main}),
		Components:      []discordgo.MessageComponent{},
		AllowedMentions: noMentions(),
	}
}

// compareOutlet is an outlet's line: its name linked to its article, and
// the article's title.
func compareOutlet(a compare.Article) string {
	name := discordtext.Escape(renderFirst(renderLine(a.Site), renderHost(a.URL), "an outlet"))
	line := "• **" + renderLinked(name, a.URL) + "**"
	if t := renderLine(a.Title); t != "" {
		line += ": " + discordtext.Truncate(discordtext.Escape(t), compareMaxTitle)
	}
	if f := compareFacts(a.Facts); f != "" {
		line += "\n  -# " + f
	}
	return line
}

// compareFacts is the admin's facts about an outlet, as given, with their
// source.
func compareFacts(f *compare.Facts) string {
	if f == nil {
		return ""
	}
	var parts []string
	for _, kv := range [][2]string{{"Owner", f.Owner}, {"Country", f.Country}, {"Funding", f.Funding}} {
		if v := renderPlain(kv[1]); v != "" {
			parts = append(parts, kv[0]+": "+v)
		}
	}
	if r := renderPlain(f.Rating); r != "" {
		if src := renderPlain(f.RatingSource); src != "" {
			r += " (rated by " + src + ")"
		}
		parts = append(parts, "Rating: "+r)
	}
	if len(parts) == 0 {
		return ""
	}
	line := strings.Join(parts, " · ")
	if src := renderPlain(f.Source); src != "" {
		line += " · source: " + src
	}
	return discordtext.Truncate(discordtext.Escape(line), 300)
}

// comparePoint is a point (with the outlets it names, when only some)
// and each outlet's words for it as quote lines.
func comparePoint(text string, outlets []string, ev []compare.Evidence) string {
	text = renderLine(text)
	if text == "" {
		return ""
	}
	line := "• " + discordtext.Escape(text)
	named := true
	for _, o := range outlets {
		named = named && strings.Contains(text, renderLine(o))
	}
	if !named {
		names := make([]string, len(outlets))
		for i, o := range outlets {
			names[i] = discordtext.Escape(renderLine(o))
		}
		line += " *(" + strings.Join(names, ", ") + ")*"
	}
	for _, e := range ev {
		words := renderLine(e.Text)
		if words == "" || strings.Contains(text, words) {
			continue // the point quotes it already (offline points do)
		}
		line += "\n> " + discordtext.Truncate(discordtext.Escape(words), compareMaxEvidence) + " — " + discordtext.Escape(renderLine(e.Outlet))
	}
	return line
}

// compareQuote is a quotation with its speaker and outlet.
func compareQuote(q compare.Quote) string {
	text := renderLine(q.Text)
	if text == "" {
		return ""
	}
	who := discordtext.Escape(renderLine(q.Outlet))
	if sp := renderLine(q.Speaker); sp != "" {
		who = discordtext.Escape(sp) + ", in " + who
	}
	return "> " + discordtext.Truncate(discordtext.Escape(text), compareMaxEvidence) + "\n— " + who
}

func compareFooter(c *compare.Comparison) string {
	if model := renderPlain(c.Model); model != "" && model != compare.ExtractiveModel {
		return "Compared by " + discordtext.Truncate(model, renderMaxModel) + " · every point checked against each outlet's own words · no outlet is rated"
	}
	return "Offline comparison (no AI model) · the outlets' own words · no outlet is rated"
}
