package recap

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/precisbot/precis/summarize"
)

// answer is the model's recap before checking.
type answer struct {
	summary   string
	points    []string
	questions []string
	quotes    []rawQuote
}

type rawQuote struct{ text, author string }

// parseAnswer reads {"summary","points","open_questions","quotes"}
// tolerantly: a fenced or wrapped object, a string for a list, quotes as
// plain strings, and the names other models pick (key_points, questions,
// speaker).
func parseAnswer(content string) (*answer, error) {
	obj, err := summarize.ParseObject(content)
	if err != nil {
		return nil, err
	}
	a := &answer{
		summary:   strings.TrimSpace(summarize.LooseString(obj.First("summary"))),
		points:    summarize.LooseStrings(obj.First("points", "key_points")),
		questions: summarize.LooseStrings(obj.First("open_questions", "questions", "openQuestions")),
		quotes:    quoteList(obj.First("quotes")),
	}
	if a.summary == "" && len(a.points) == 0 {
		return nil, errors.New("no summary and no points")
	}
	return a, nil
}

// quoteList reads a list of quotes, each an object or a plain string.
func quoteList(raw json.RawMessage) []rawQuote {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []rawQuote
	for _, item := range list {
		q, ok := summarize.AsObject(item)
		if !ok {
			if t := strings.TrimSpace(summarize.LooseString(item)); t != "" {
				out = append(out, rawQuote{text: t})
			}
			continue
		}
		if t := q.Text("text", "quote"); t != "" {
			out = append(out, rawQuote{text: t, author: q.Text("author", "speaker", "member", "name")})
		}
	}
	return out
}

// Report says what the checks changed, for logs and tests.
type Report struct {
	// Fabricated are quotes found in no message.
	Fabricated []string
	// Reattributed are quotes given to the one member who wrote them
	// instead of the member the model named.
	Reattributed []string
	// Ambiguous are quotes dropped because the named member did not write
	// them and several others did.
	Ambiguous []string
}

// checkQuotes keeps a quote only when it occurs verbatim (the
// normalisation article quotes get) in a message written by the named
// member: their display name, user name or nickname, or the label the
// prompt showed. A quote the named member did not write goes to the member
// who did when exactly one member wrote it, and is dropped otherwise. Kept
// quotes carry the message's exact wording, its ID and its jump link, and
// the author's display name as inert text. Duplicates are dropped; at most
// max are kept.
func checkQuotes(quotes []rawQuote, sel *selection, guildID, channelID string, max int, rep *Report) []Quote {
	names := labels(sel.msgs)
	kept := []Quote{}
	seen := map[string]bool{}
	for _, q := range quotes {
		if len(kept) >= max {
			break
		}
		type hit struct {
			m     Message
			exact string
		}
		var byNamed []hit
		others := map[string]hit{} // first message of each other author
		var otherOrder []string
		for _, m := range sel.msgs {
			exact, ok := summarize.FindVerbatim(m.Content, q.text)
			if !ok {
				continue
			}
			if authorMatches(m.Author, names[m.Author.ID], q.author) {
				byNamed = append(byNamed, hit{m, exact})
				continue
			}
			if _, ok := others[m.Author.ID]; !ok {
				others[m.Author.ID] = hit{m, exact}
				otherOrder = append(otherOrder, m.Author.ID)
			}
		}
		var h hit
		switch {
		case len(byNamed) > 0:
			h = byNamed[0]
		case len(others) == 1:
			h = others[otherOrder[0]]
			rep.Reattributed = append(rep.Reattributed, q.text)
		case len(others) > 1:
			rep.Ambiguous = append(rep.Ambiguous, q.text)
			continue
		default:
			rep.Fabricated = append(rep.Fabricated, q.text)
			continue
		}
		key := h.m.ID + "\x00" + h.exact
		if seen[key] {
			continue
		}
		seen[key] = true
		kept = append(kept, Quote{
			Text:      summarize.NeutralizeMentions(h.exact),
			Author:    safeName(h.m.Author.DisplayName()),
			MessageID: h.m.ID,
			URL:       JumpURL(guildID, channelID, h.m.ID),
		})
	}
	return kept
}

// authorMatches reports whether the name a model gave is the author's:
// any of their names or the prompt's label, ignoring case, a leading @ and
// spacing.
func authorMatches(a Author, label, given string) bool {
	g := normName(given)
	if g == "" {
		return false
	}
	for _, n := range append(a.names(), label) {
		if normName(n) == g {
			return true
		}
	}
	return false
}

func normName(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "@")
	return strings.ToLower(oneLine(s))
}

// safeName is a member's name as one line of inert text.
func safeName(s string) string { return oneLine(summarize.NeutralizeMentions(s)) }

// cleanModelText makes a field the model wrote safe to show: links
// removed, layout Markdown removed, mentions inert.
func cleanModelText(s string) string {
	return summarize.CleanText(summarize.RemoveURLs(summarize.NeutralizeMarkdown(s)))
}

func cleanList(items []string, max int) []string {
	out := []string{}
	for _, it := range items {
		if it = summarize.CleanLine(summarize.RemoveURLs(summarize.NeutralizeMarkdown(it))); it != "" && len(out) < max {
			out = append(out, it)
		}
	}
	return out
}
