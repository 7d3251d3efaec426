package commands

import (
	"context"
	"strings"

	"github.com/precisbot/precis/compare"
	"github.com/precisbot/precis/pipeline"
)

// Names of the ways to ask for a comparison.
const (
	// NameCompare is the /compare slash command.
	NameCompare = "compare"
	// NameCompareButton is a click on the Compare button under a summary
	// whose story has other coverage. It is not a registered command: the
	// adapter builds such Requests (option url: the summary's article),
	// always answered privately.
	NameCompareButton = "Compare button"
)

// Compares compares an article's coverage for a member under the hourly
// allowances and the daily token budget; *compare.Service implements it.
type Compares interface {
	Compare(ctx context.Context, req compare.Request) (*compare.Comparison, error)
}

// compareCommand is the definition of /compare.
func compareCommand() Command {
	return Command{
		Name:        NameCompare,
		Description: "Compare how other outlets report the story of an article, every point checked",
		GuildOnly:   true,
		Options: []Option{
			{Type: OptString, Name: "url", Description: "Link to the article", Required: true, MaxLength: 2000},
			{Type: OptString, Name: "with", Description: "Up to 4 other links to compare it with (default: coverage shared or followed here)", MaxLength: 2000},
			{Type: OptBoolean, Name: "private", Description: "Only you see the comparison"},
		},
	}
}

// compare answers /compare and the Compare button.
func (h *Handler) compare(ctx context.Context, req Request, progress func(string)) Response {
	if h.deps.Compares == nil {
		return Response{Error: "Comparisons are not available on this bot."}
	}
	u := req.String("url")
	if u == "" {
		return Response{Error: "Give me a link to the article."}
	}
	var others []string
	if with := req.String("with"); with != "" {
		if h.deps.FindLinks != nil {
			others = h.deps.FindLinks(with, compare.MaxArticles)
		} else {
			others = strings.Fields(with)
		}
		if len(others) == 0 {
			return Response{Error: "I found no links to compare with in “with”."}
		}
		if len(others) > compare.MaxCoverage {
			return Response{Error: "Compare an article with at most 4 others."}
		}
	}
	c, err := h.deps.Compares.Compare(ctx, compare.Request{
		URL: u, Others: others, GuildID: req.GuildID, ChannelID: req.ChannelID, UserID: req.UserID, Progress: progress,
	})
	if err != nil {
		return Response{Error: pipeline.Explain(err)}
	}
	return Response{Comparison: c, Content: cannotPostNote(req, NameCompare, "comparison")}
}
