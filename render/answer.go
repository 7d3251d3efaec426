package render

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/summarize"
)

// Custom IDs of the Ask components. The adapter routes component and
// modal-submit interactions by them; the article is the clicked message's
// embed URL, which Discord sends with both.
const (
	// AskButtonID is the custom_id of the Ask button under summaries and
	// answers.
	AskButtonID = "precis:ask"
	// AskModalID starts the custom_id of the question modal; AskModal adds
	// the article's address when it fits.
	AskModalID = "precis:ask-modal"
	// AskInputID is the custom_id of the modal's question field.
	AskInputID = "question"
)

const (
	askButtonLabel   = "Ask a question"
	askModalTitle    = "Ask about this article"
	askInputLabel    = "Your question"
	askPlaceholder   = "e.g. Who paid for it? Answered from the article only."
	askEvidenceField = "From the article"
	maxCustomID      = 100
)

// articleButtons are the buttons under a summary or an answer: "Read
// article" (a link button, when the link fits one) and "Ask a question"
// (when the message's embed carries the link, where the click reads it
// from).
func articleButtons(link string, embedLinked bool) []discordgo.MessageComponent {
	var btns []discordgo.MessageComponent
	if link != "" && len(link) <= renderMaxButtonURL {
		btns = append(btns, discordgo.Button{Label: renderButtonLabel, Style: discordgo.LinkButton, URL: link})
	}
	if link != "" && embedLinked {
		btns = append(btns, discordgo.Button{Label: askButtonLabel, Style: discordgo.SecondaryButton, CustomID: AskButtonID,
			Emoji: &discordgo.ComponentEmoji{Name: "❓"}})
	}
	return btns
}

// buttonRow puts buttons in one action row; no buttons make no row (an
// empty list, which clears the components of an edited message).
func buttonRow(btns []discordgo.MessageComponent) []discordgo.MessageComponent {
	if len(btns) == 0 {
		return []discordgo.MessageComponent{}
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: btns}}
}

// AskModal is the answer to a click on the Ask button: a modal (response
// type 9) with one paragraph field for the question. The article's
// address rides in the modal's custom_id when it fits, as a fallback for
// a submit that carries no message.
func AskModal(articleURL string) *discordgo.InteractionResponse {
	id := AskModalID
	if u := renderURL(articleURL); u != "" && len(id)+1+len(u) <= maxCustomID {
		id += "|" + u
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{
			CustomID: id,
			Title:    askModalTitle,
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.TextInput{
					CustomID: AskInputID, Label: askInputLabel, Style: discordgo.TextInputParagraph,
					Placeholder: askPlaceholder, Required: true, MinLength: 2, MaxLength: summarize.MaxQuestionRunes,
				},
			}}},
		},
	}
}

// AskModalURL is the article address AskModal put into a modal's
// custom_id, or "".
func AskModalURL(customID string) string {
	rest, ok := strings.CutPrefix(customID, AskModalID+"|")
	if !ok {
		return ""
	}
	return renderURL(rest)
}

// Answer renders a checked answer like a summary: an embed titled and
// linked to the article with the question and the answer, the evidence as
// quotes with their speakers, and a footer saying who answered and that
// it was checked against the article; then "Read article" and "Ask a
// question" (for a follow-up). Nothing in it can ping.
func Answer(a *summarize.Answer) *discordgo.MessageSend {
	if a == nil {
		a = &summarize.Answer{}
	}
	link := renderURL(a.URL)
	e := &discordgo.MessageEmbed{Color: renderColor, Type: discordgo.EmbedTypeRich}
	e.Title = discordtext.Truncate(discordtext.Escape(renderLine(renderFirst(a.Title, renderHost(link), "Article"))), discordtext.MaxEmbedTitle)
	if link != "" && len(link) <= renderMaxEmbedURL {
		e.URL = link
	}
	e.Footer = &discordgo.MessageEmbedFooter{Text: discordtext.Truncate(answerFooter(a), discordtext.MaxFooter)}

	var b strings.Builder
	if note := renderNote(a.Note); note != "" {
		b.WriteString(note + "\n\n")
	}
	if q := renderPlain(a.Question); q != "" {
		b.WriteString("**Q:** " + discordtext.Escape(q) + "\n\n")
	}
	answer := renderPlain(a.Answer)
	if answer == "" {
		answer = summarize.NotSaid("")
	}
	b.WriteString(discordtext.Escape(answer))
	budget := discordtext.MaxEmbedTotal - embedLength(e)
	e.Description = discordtext.Truncate(b.String(), min(discordtext.MaxEmbedDescription, budget-renderFloorKeyPoints))

	blocks := make([]string, 0, len(a.Quotes))
	for _, q := range a.Quotes {
		if bl := renderQuote(q); bl != "" {
			blocks = append(blocks, bl)
		}
	}
	e.Fields = renderPack(askEvidenceField, blocks, budget-discordtext.Len(e.Description), renderMoreQuotes, false)
	embeds := fitEmbeds([]*discordgo.MessageEmbed{e})
	return &discordgo.MessageSend{
		Embeds:          embeds,
		Components:      buttonRow(articleButtons(link, e.URL != "")),
		AllowedMentions: noMentions(),
	}
}

func answerFooter(a *summarize.Answer) string {
	who := "Offline answer (no AI model)"
	if model := renderPlain(a.Model); model != "" && model != summarize.ExtractiveModel {
		who = "Answered by " + discordtext.Truncate(model, renderMaxModel)
	}
	return who + " · checked against the article"
}
