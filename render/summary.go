package render

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"
	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/summarize"
)

// Options tune how a Summary is shown.
type Options struct {
	// ReplyTo makes the message a reply to the message that shared the
	// link. The reply never pings its author: allowed_mentions stays empty.
	ReplyTo *discordgo.MessageReference
	// Length is the summary length the reader asked for ("short",
	// "normal", "detailed"; "" = normal). Short summaries are shown
	// compactly, without perspectives.
	Length string
	// Color is the embed's side colour; zero means Precis's default.
	Color int
	// NoButton leaves out the buttons ("Read article" and "Ask").
	NoButton bool
}

// Rendering constants.
const (
	renderColor        = 0x3B7EA1
	renderWPM          = 230
	renderMaxButtonURL = 512
	renderMaxEmbedURL  = 2048
	renderButtonLabel  = "Read article"
	renderNoteMarker   = "⚠️ "

	// Minimum shares of the 6000-character embed budget, so that one
	// oversized part cannot starve the others. Quotes take what is left
	// after these floors, then the floors grow back to what they need.
	renderFloorDescription  = 1500
	renderFloorKeyPoints    = 900
	renderFloorPerspectives = 500
	renderMoreReserve       = 40 // room for a "+N more" line
	renderMaxModel          = 80 // a model name is a label, not a paragraph
)

// Summary renders s as one Discord message: an embed titled and
// linked to the article, the headline and summary, key points, verified
// quotes, perspectives and a footer saying how it was made, plus a link
// button to the article. Every Discord limit is respected at word
// boundaries and the message can ping no one.
func Summary(s *summarize.Summary, opts Options) *discordgo.MessageSend {
	embeds, components := renderSummaryParts(s, opts)
	return &discordgo.MessageSend{
		Embeds:          embeds,
		Components:      components,
		AllowedMentions: noMentions(),
		Reference:       opts.ReplyTo,
	}
}

// SummaryEdit renders s like Summary as an edit of an
// interaction response (the deferred "thinking…" message): content is
// cleared, embeds and components replaced. ReplyTo is ignored, as edits
// cannot change what a message replies to.
func SummaryEdit(s *summarize.Summary, opts Options) *discordgo.WebhookEdit {
	return Edit(Summary(s, opts))
}

// Error renders a short user-facing error as ephemeral interaction
// response data (usable for an immediate response of type 4 or, with its
// fields, an ephemeral follow-up). msg is Precis's own friendly text; it is
// shown as is (markdown allowed) but cannot ping.
func Error(msg string, links ...commands.Link) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{
		Content:         renderErrorText(msg),
		Flags:           discordgo.MessageFlagsEphemeral,
		Embeds:          []*discordgo.MessageEmbed{},
		Components:      linkButtons(links),
		AllowedMentions: noMentions(),
	}
}

// linkButtons is a row of link buttons (an error's "Archived copy"), or
// none.
func linkButtons(links []commands.Link) []discordgo.MessageComponent {
	var row []discordgo.MessageComponent
	for _, l := range links {
		if u := renderURL(l.URL); u != "" && len(u) <= renderMaxButtonURL && len(row) < 5 {
			row = append(row, discordgo.Button{Label: discordtext.Truncate(l.Label, 80), Style: discordgo.LinkButton, URL: u})
		}
	}
	return buttonRow(row)
}

// ErrorEdit renders a short user-facing error as an edit of a
// deferred interaction response, replacing whatever it showed before.
func ErrorEdit(msg string, links ...commands.Link) *discordgo.WebhookEdit {
	e := renderTextEdit(renderErrorText(msg))
	buttons := linkButtons(links)
	e.Components = &buttons
	return e
}

// Progress renders a progress line ("Reading the article…") as an
// edit of a deferred interaction response.
func Progress(text string) *discordgo.WebhookEdit {
	return renderTextEdit(discordtext.Truncate(discordtext.NeutralizeMentions(renderLine(text)), discordtext.MaxContent))
}

func renderErrorText(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		msg = "Something went wrong."
	}
	return discordtext.Truncate(renderNoteMarker+discordtext.NeutralizeMentions(msg), discordtext.MaxContent)
}

func renderTextEdit(content string) *discordgo.WebhookEdit {
	return Edit(&discordgo.MessageSend{Content: content})
}

func renderSummaryParts(s *summarize.Summary, opts Options) ([]*discordgo.MessageEmbed, []discordgo.MessageComponent) {
	if s == nil {
		s = &summarize.Summary{}
	}
	short := opts.Length == "short"
	color := opts.Color
	if color == 0 {
		color = renderColor
	}
	link := renderURL(s.URL)

	main := &discordgo.MessageEmbed{Color: color, Type: discordgo.EmbedTypeRich}
	main.Title = discordtext.Truncate(discordtext.Escape(renderLine(renderFirst(s.Title, s.Headline, renderHost(link), "Article"))), discordtext.MaxEmbedTitle)
	if link != "" && len(link) <= renderMaxEmbedURL {
		main.URL = link
	}
	if author := renderAuthor(s); author != "" {
		main.Author = &discordgo.MessageEmbedAuthor{Name: discordtext.Truncate(author, discordtext.MaxAuthorName)}
	}
	main.Footer = &discordgo.MessageEmbedFooter{Text: discordtext.Truncate(renderFooter(s), discordtext.MaxFooter)}
	if img := renderURL(s.Image); img != "" && len(img) <= renderMaxEmbedURL {
		main.Thumbnail = &discordgo.MessageEmbedThumbnail{URL: img}
	}

	// Every verified quote is shown, whatever the length; only Discord's
	// limits can push some out (they are then counted as "+N more").
	quotes := s.Quotes
	var perspectives []summarize.Perspective
	if !short {
		perspectives = s.Perspectives
	}

	desc := renderDescription(s)
	pointLines := make([]string, 0, len(s.KeyPoints))
	for _, p := range s.KeyPoints {
		if p = strings.TrimSpace(p); p != "" {
			pointLines = append(pointLines, "• "+discordtext.Escape(renderLine(p)))
		}
	}
	quoteBlocks := make([]string, 0, len(quotes))
	for _, q := range quotes {
		if b := renderQuote(q); b != "" {
			quoteBlocks = append(quoteBlocks, b)
		}
	}
	perspLines := make([]string, 0, len(perspectives))
	for _, p := range perspectives {
		if l := renderPerspective(p); l != "" {
			perspLines = append(perspLines, l)
		}
	}

	// Share the 6000-character budget. Lengths are what each part would
	// use at its natural size (within its own limits).
	budget := discordtext.MaxEmbedTotal - embedLength(main) - alsoCoveredLen(s)
	need := [4]int{
		min(discordtext.Len(desc), discordtext.MaxEmbedDescription),
		renderDemand("Key points", pointLines),
		renderDemand("Perspectives", perspLines),
		renderDemand("Quotes", quoteBlocks),
	}
	alloc := renderShare(budget, need)

	main.Description = discordtext.Truncate(desc, alloc[0])
	var fields []*discordgo.MessageEmbedField
	fields = append(fields, renderPack("Key points", pointLines, alloc[1], renderMorePoints, true)...)
	fields = append(fields, renderPack("Quotes", quoteBlocks, alloc[3], renderMoreQuotes, false)...)
	fields = append(fields, renderPack("Perspectives", perspLines, alloc[2], renderMorePerspectives, true)...)
	if f := alsoCoveredField(s); f != nil {
		fields = append(fields, f)
	}

	// Spill fields past 25 into further embeds that carry only fields.
	embeds := []*discordgo.MessageEmbed{main}
	for i, f := range fields {
		e := embeds[len(embeds)-1]
		if i > 0 && len(e.Fields) == discordtext.MaxFields {
			e = &discordgo.MessageEmbed{Color: color, Type: discordgo.EmbedTypeRich}
			embeds = append(embeds, e)
		}
		e.Fields = append(e.Fields, f)
	}
	embeds = fitEmbeds(embeds)

	if opts.NoButton {
		return embeds, buttonRow(nil)
	}
	return embeds, buttonRow(summaryButtons(s, link, main.URL != ""))
}

// renderShare splits budget between the parts: first each gets up to its floor,
// then quotes (index 3) up to their need, then the others grow back to
// their needs in order. No part gets more than it needs.
func renderShare(budget int, need [4]int) [4]int {
	var alloc [4]int
	floors := [3]int{renderFloorDescription, renderFloorKeyPoints, renderFloorPerspectives}
	left := max(budget, 0)
	for i, f := range floors {
		alloc[i] = min(need[i], f, left)
		left -= alloc[i]
	}
	alloc[3] = min(need[3], left)
	left -= alloc[3]
	for i := range 3 {
		more := min(need[i]-alloc[i], left)
		alloc[i] += more
		left -= more
	}
	return alloc
}

// renderDemand is how many characters lines take packed into fields at
// their natural size.
func renderDemand(name string, lines []string) int {
	n := 0
	for _, f := range renderPackAll(name, lines) {
		n += discordtext.Len(f.Name) + discordtext.Len(f.Value)
	}
	return n
}

// renderPackAll packs every line, each cut to a field's 1024 limit, into
// as few fields as it can, in order.
func renderPackAll(name string, lines []string) []*discordgo.MessageEmbedField {
	var fields []*discordgo.MessageEmbedField
	var cur *discordgo.MessageEmbedField
	for _, line := range lines {
		line = discordtext.Truncate(line, discordtext.MaxFieldValue)
		if cur != nil && discordtext.Len(cur.Value)+2+discordtext.Len(line) <= discordtext.MaxFieldValue {
			cur.Value += "\n\n" + line
			continue
		}
		fname := name
		if cur != nil {
			fname = name + " (continued)"
		}
		cur = &discordgo.MessageEmbedField{Name: fname, Value: line}
		fields = append(fields, cur)
	}
	return fields
}

// renderNoun is a singular and plural pair for "+N more …" lines.
type renderNoun struct{ one, many string }

var (
	renderMorePoints       = renderNoun{"more key point", "more key points"}
	renderMoreQuotes       = renderNoun{"more quote", "more quotes"}
	renderMorePerspectives = renderNoun{"more perspective", "more perspectives"}
)

func (n renderNoun) count(k int) string {
	if k == 1 {
		return "*+1 " + n.one + "*"
	}
	return fmt.Sprintf("*+%d %s*", k, n.many)
}

// renderMinCut is the shortest useful remainder of a line cut to fit.
const renderMinCut = 80

// fieldPacker packs sections of lines into fields one after another, each
// within what the sections before it left of budget.
type fieldPacker struct {
	budget int
	fields []*discordgo.MessageEmbedField
}

// add packs one section with renderPack and takes its length off the
// budget.
func (p *fieldPacker) add(name string, lines []string, more renderNoun, cut bool) {
	fs := renderPack(name, lines, p.budget, more, cut)
	for _, f := range fs {
		p.budget -= discordtext.Len(f.Name) + discordtext.Len(f.Value)
	}
	p.fields = append(p.fields, fs...)
}

// renderPack packs lines (bullets, quotes or perspectives) into fields of
// at most 1024 characters named name, then "name (continued)", using at
// most budget characters in all, names included. When the budget runs out
// the remaining lines are dropped and counted in a final "+N more …"
// line. With cut, a line that does not fit whole may be shortened at a
// word boundary instead; quotes are never cut for budget, only to the 1024
// field limit.
func renderPack(name string, lines []string, budget int, more renderNoun, cut bool) []*discordgo.MessageEmbedField {
	if renderDemand(name, lines) <= budget {
		return renderPackAll(name, lines)
	}
	const sep = "\n\n"
	var fields []*discordgo.MessageEmbedField
	var cur *discordgo.MessageEmbedField
	used := 0
	for i, line := range lines {
		reserve := 0
		if i < len(lines)-1 {
			reserve = renderMoreReserve
		}
		line = discordtext.Truncate(line, discordtext.MaxFieldValue)
		ll := discordtext.Len(line)
		if cur != nil {
			room := min(discordtext.MaxFieldValue-discordtext.Len(cur.Value), budget-used-reserve) - len(sep)
			if ll <= room {
				cur.Value += sep + line
				used += len(sep) + ll
				continue
			}
		}
		fname := name
		if cur != nil {
			fname = name + " (continued)"
		}
		room := min(discordtext.MaxFieldValue, budget-used-discordtext.Len(fname)-reserve)
		if ll > room {
			if !cut || room < renderMinCut {
				return renderMore(fields, name, len(lines)-i, more)
			}
			line = discordtext.Truncate(line, room)
			ll = discordtext.Len(line)
		}
		cur = &discordgo.MessageEmbedField{Name: fname, Value: line}
		fields = append(fields, cur)
		used += discordtext.Len(fname) + ll
	}
	return fields
}

// renderMore adds "+N more …" (n > 0) to the last field, or as a field
// of its own; renderPack reserved room for it.
func renderMore(fields []*discordgo.MessageEmbedField, name string, n int, more renderNoun) []*discordgo.MessageEmbedField {
	line := more.count(n)
	if len(fields) > 0 {
		last := fields[len(fields)-1]
		if discordtext.Len(last.Value)+2+discordtext.Len(line) <= discordtext.MaxFieldValue {
			last.Value += "\n\n" + line
			return fields
		}
	}
	// The reserve kept room for this; FitEmbeds is the final guard.
	if len(fields) > 0 {
		name += " (continued)"
	}
	return append(fields, &discordgo.MessageEmbedField{Name: name, Value: line})
}

func renderDescription(s *summarize.Summary) string {
	var parts []string
	if note := renderNote(renderShownNote(s)); note != "" {
		parts = append(parts, note)
	}
	if a := renderArchiveLine(s.Archive); a != "" {
		parts = append(parts, a)
	}
	if s.Model == summarize.ShortItemModel {
		// A short item is shown whole, as the outlet's own words.
		if text := strings.TrimSpace(s.Summary); text != "" {
			parts = append(parts, "> "+strings.ReplaceAll(discordtext.Escape(renderParagraphs(text)), "\n", "\n> "))
		}
		return strings.Join(parts, "\n\n")
	}
	// The embed's title is the article's; a headline that says the same
	// again is left out.
	if h := strings.TrimSpace(s.Headline); h != "" && !renderSameWords(s.Title, h) {
		parts = append(parts, "**"+discordtext.Escape(renderLine(h))+"**")
	}
	if sum := strings.TrimSpace(s.Summary); sum != "" {
		parts = append(parts, discordtext.Escape(renderParagraphs(sum)))
	}
	return strings.Join(parts, "\n\n")
}

func renderQuote(q summarize.Quote) string {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return ""
	}
	// Quote and attribution are cut separately so a long quote never
	// loses its speaker.
	speaker := renderPlain(q.Speaker)
	attribution := ""
	if speaker != "" {
		attribution = "\n— " + discordtext.Truncate(discordtext.Escape(speaker), 120)
	}
	body := "> " + strings.ReplaceAll(discordtext.Escape(renderLine(text)), "\n", "\n> ")
	body = discordtext.Truncate(body, discordtext.MaxFieldValue-discordtext.Len(attribution))
	return body + attribution
}

func renderPerspective(p summarize.Perspective) string {
	party := renderPlain(p.Party)
	pos := strings.TrimSpace(p.Position)
	switch {
	case pos == "":
		return ""
	case party == "":
		return discordtext.Escape(renderLine(pos))
	}
	return "**" + discordtext.Truncate(discordtext.Escape(party), 100) + ":** " + discordtext.Escape(renderLine(pos))
}

func renderAuthor(s *summarize.Summary) string {
	site := renderPlain(s.Site)
	byline := renderPlain(s.Byline)
	switch {
	case site != "" && byline != "" && !strings.EqualFold(site, byline):
		return site + " · " + byline
	case site != "":
		return site
	}
	return byline
}

// renderShownNote is the note shown above the summary. The offline
// summarizer's own note ("no AI model configured") is said by the footer
// instead, so an offline card carries one notice, not two.
func renderShownNote(s *summarize.Summary) string {
	note := strings.TrimSpace(s.Note)
	if note == summarize.ExtractiveNote {
		return ""
	}
	return note
}

// renderNote is a note shown above a message's text: italic, after the
// warning marker; "" when there is none.
func renderNote(note string) string {
	if note = renderLine(note); note == "" {
		return ""
	}
	return renderNoteMarker + "*" + discordtext.Escape(note) + "*"
}

// renderLinked is text as a masked link to u when u is a web link that
// fits an embed, else text as it is.
func renderLinked(text, u string) string {
	if u = renderURL(u); u != "" && len(u) <= renderMaxEmbedURL {
		return "[" + text + "](" + markdownURL(u) + ")"
	}
	return text
}

// renderSameWords reports whether headline says what title says: the same
// words, give or take a few (a site name after the title, a changed word).
func renderSameWords(title, headline string) bool {
	tw, hw := renderWords(title), renderWords(headline)
	if len(hw) == 0 || len(tw) == 0 {
		return len(hw) == 0
	}
	inTitle := map[string]bool{}
	for _, w := range tw {
		inTitle[w] = true
	}
	common := 0
	for _, w := range hw {
		if inTitle[w] {
			common++
		}
	}
	// Nearly the same words, or the headline is most of the title.
	return common*5 >= max(len(tw), len(hw))*4 || (common == len(hw) && 2*len(hw) >= len(tw))
}

// renderWords is s's words, lower-cased, punctuation dropped.
func renderWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

func renderFooter(s *summarize.Summary) string {
	var parts []string
	switch model := renderPlain(s.Model); {
	case model == summarize.ShortItemModel:
		parts = append(parts, "Short news item, shown in full (no AI model)")
	case model == "" || model == summarize.ExtractiveModel:
		// One offline notice per card: a note above (the model failed, the
		// budget is used up) already says it, so the footer only says how.
		switch {
		case strings.TrimSpace(s.Note) == summarize.ExtractiveNote:
			parts = append(parts, "Offline summary: sentences from the article, no AI model set")
		case renderShownNote(s) != "":
			parts = append(parts, "Sentences from the article")
		default:
			parts = append(parts, "Offline summary: sentences from the article")
		}
	default:
		parts = append(parts, "Summarized by "+discordtext.Truncate(model, renderMaxModel))
	}
	if s.Words > 0 {
		minutes := max(1, (s.Words+renderWPM-1)/renderWPM)
		parts = append(parts, fmt.Sprintf("%s words · %d min read", discordtext.Thousands(s.Words), minutes))
	}
	switch {
	case s.Archive != nil:
		parts = append(parts, "quotes checked against the archived copy")
	case s.Model != summarize.ShortItemModel:
		parts = append(parts, "quotes checked against the article")
	}
	return strings.Join(parts, " · ")
}

// renderArchiveLine says a summary was made from an archived copy: which
// service, when the copy was taken, and why the page itself was not read.
func renderArchiveLine(a *article.Archived) string {
	if a == nil {
		return ""
	}
	service := "an archive"
	switch a.Service {
	case article.ServiceWayback:
		service = "the Wayback Machine"
	case article.ServiceArchiveToday:
		service = "archive.today"
	}
	when := ""
	if a.Snapshot != nil && !a.Snapshot.IsZero() {
		when = " of " + a.Snapshot.UTC().Format("2 January 2006")
	}
	line := fmt.Sprintf("🗄️ *The page could not be read, so this is from an archived copy%s (%s).*", when, service)
	if u := renderURL(a.URL); u != "" && len(u) <= renderMaxEmbedURL {
		line += " [Archived copy](" + markdownURL(u) + ")"
	}
	return line
}

// renderURL returns raw if it is an absolute http or https URL, else "".
func renderURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

func renderHost(link string) string {
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

func renderFirst(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// renderPlain cleans text shown where Discord renders no markdown (author
// line, footer) or that is escaped later: one line, no control characters,
// mentions neutralised.
func renderPlain(s string) string {
	return discordtext.NeutralizeMentions(renderLine(s))
}

// renderLine collapses all white space, line breaks included, to single
// spaces and drops control and invisible formatting characters.
func renderLine(s string) string {
	return strings.Join(strings.Fields(renderStrip(s, ' ')), " ")
}

var renderBlankLines = regexp.MustCompile(`\n\s*\n`)

// renderParagraphs keeps paragraph breaks (blank lines) but collapses all other
// white space.
func renderParagraphs(s string) string {
	var out []string
	for _, p := range renderBlankLines.Split(renderStrip(s, '\n'), -1) {
		if p = renderLine(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

// renderStrip drops control and invisible formatting characters, makes
// tabs and carriage returns spaces, and line breaks nl.
func renderStrip(s string, nl rune) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return nl
		case r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r), discordtext.Invisible(r):
			return -1
		}
		return r
	}, s)
}

// summaryButtons are the buttons under a summary: those of articleButtons,
// then "Archived copy" for a card made from an archived copy, then
// Compare when the story has other coverage and the embed carries the
// link.
func summaryButtons(s *summarize.Summary, link string, embedLinked bool) []discordgo.MessageComponent {
	btns := articleButtons(link, embedLinked)
	if s.Archive != nil {
		if u := renderURL(s.Archive.URL); u != "" && len(u) <= renderMaxButtonURL {
			btns = append(btns, discordgo.Button{Label: "Archived copy", Style: discordgo.LinkButton, URL: u})
		}
	}
	if embedLinked && len(s.AlsoCovered) > 0 {
		btns = append(btns, compareButton())
	}
	return btns
}
