package commands

import (
	"context"

	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/summarize"
)

// Names of the ways to ask a question.
const (
	// NameAsk is the /ask slash command.
	NameAsk = "ask"
	// NameAskButton is a question sent from the modal of the Ask button
	// under a summary. It is not a registered command: the adapter builds
	// such Requests (options url and question), always answered privately.
	NameAskButton = "Ask button"
)

// Asker is the part of the core that answers questions;
// *pipeline.Pipeline implements it. The handler uses it when Deps.Pipeline
// implements it too.
type Asker interface {
	Ask(ctx context.Context, req pipeline.AskRequest) (*summarize.Answer, error)
}

// askCommand is the definition of /ask.
func askCommand() Command {
	return Command{
		Name:        NameAsk,
		Description: "Ask a question about a news article, answered from the article alone",
		GuildOnly:   true,
		Options: []Option{
			{Type: OptString, Name: "url", Description: "Link to the article", Required: true, MaxLength: 2000},
			{Type: OptString, Name: "question", Description: "Your question about the article", Required: true, MaxLength: summarize.MaxQuestionRunes},
			{Type: OptBoolean, Name: "private", Description: "Only you see the answer"},
		},
	}
}

// ask answers /ask and the Ask button's modal: the core's Answer, or the
// reason there is none.
func (h *Handler) ask(ctx context.Context, req Request, progress func(string)) Response {
	core, ok := h.deps.Pipeline.(Asker)
	if !ok {
		return Response{Error: "Questions are not available on this bot."}
	}
	u, q := req.String("url"), req.String("question")
	switch {
	case u == "":
		return Response{Error: "Give me a link to the article."}
	case q == "":
		return Response{Error: "Ask a question about the article."}
	}
	source := pipeline.SourceAskCommand
	if req.Name == NameAskButton {
		source = pipeline.SourceAskButton
	}
	ans, err := core.Ask(ctx, pipeline.AskRequest{
		URL: u, Question: q, GuildID: req.GuildID, ChannelID: req.ChannelID, UserID: req.UserID,
		Source: source, Progress: progress,
	})
	if err != nil {
		return Response{Error: pipeline.Explain(err)}
	}
	return Response{Answer: ans, Content: cannotPostNote(req, NameAsk, "answer")}
}
