package recap

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/summarize"
)

// maxOfflineQuote bounds an offline quote, in characters; longer messages
// are quoted up to a sentence or word boundary, still verbatim.
const maxOfflineQuote = 300

// maxNamedParticipants bounds the names the offline summary lists.
const maxNamedParticipants = 10

// offline is the extractive recap: who took part, the messages that drew
// the most replies quoted verbatim with their links, and the links shared.
// Nothing is invented, so nothing needs checking.
func (r *Recapper) offline(c *Conversation, sel *selection) *Recap {
	rc := sel.base(c)
	rc.Model = ExtractiveModel
	rc.Offline = true
	rc.Note = cutNote(sel.dropped)
	rc.Summary = offlineSummary(rc, sel)

	replies := sel.replies()
	order := make([]int, len(sel.msgs))
	for i := range order {
		order[i] = i
	}
	// Most replies first; among equals, the longer message (more to
	// read), then the earlier one.
	sort.SliceStable(order, func(a, b int) bool {
		ma, mb := sel.msgs[order[a]], sel.msgs[order[b]]
		if ra, rb := replies[ma.ID], replies[mb.ID]; ra != rb {
			return ra > rb
		}
		return words(ma.Content) > words(mb.Content)
	})
	var picked []int
	for _, i := range order {
		if len(picked) == r.opts.MaxQuotes {
			break
		}
		m := sel.msgs[i]
		if replies[m.ID] == 0 && words(m.Content) < 4 {
			continue // "ok", "lol": nothing to quote
		}
		picked = append(picked, i)
	}
	sort.Ints(picked) // show them in the order they were written
	for _, i := range picked {
		m := sel.msgs[i]
		rc.Quotes = append(rc.Quotes, Quote{
			Text:      summarize.NeutralizeMentions(quotablePrefix(m.Content, maxOfflineQuote)),
			Author:    safeName(m.Author.DisplayName()),
			MessageID: m.ID,
			URL:       JumpURL(c.GuildID, c.ChannelID, m.ID),
		})
		if n := replies[m.ID]; n > 0 {
			rc.Points = append(rc.Points, fmt.Sprintf("%s's message drew %s.", safeName(m.Author.DisplayName()), plural(n, "reply", "replies")))
		}
	}
	return rc
}

// offlineSummary states what the recap covers, as facts.
func offlineSummary(rc *Recap, sel *selection) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s from %s", plural(rc.Messages, "message", "messages"), plural(rc.Participants, "member", "members"))
	if names := rc.Names; len(names) > 0 {
		shown := names[:min(len(names), maxNamedParticipants)]
		safe := make([]string, len(shown))
		for i, n := range shown {
			safe[i] = safeName(n)
		}
		list := strings.Join(safe, ", ")
		if more := len(names) - len(shown); more > 0 {
			list += fmt.Sprintf(" and %d more", more)
		}
		b.WriteString(" (" + list + ")")
	}
	if len(sel.msgs) > 0 {
		from, to := sel.msgs[0].Time.UTC(), sel.msgs[len(sel.msgs)-1].Time.UTC()
		if from.Format("2006-01-02") == to.Format("2006-01-02") {
			fmt.Fprintf(&b, " on %s, %s to %s UTC", from.Format("2 January 2006"), from.Format("15:04"), to.Format("15:04"))
		} else {
			fmt.Fprintf(&b, " from %s to %s UTC", from.Format("2 January 2006 15:04"), to.Format("2 January 2006 15:04"))
		}
	}
	b.WriteString(".")
	if n := len(rc.Links); n > 0 {
		fmt.Fprintf(&b, " %s shared.", plural(n, "link", "links"))
	}
	return b.String()
}

// quotablePrefix is s if it is short, else its longest start of at most
// max characters that ends at a sentence end, or failing that at a word
// boundary: always the member's own words, in order.
func quotablePrefix(s string, max int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)[:max]
	cut := string(runes)
	if i := strings.LastIndexAny(cut, ".!?"); i > len(cut)/3 {
		return strings.TrimSpace(cut[:i+1])
	}
	if i := strings.LastIndexFunc(cut, unicode.IsSpace); i > 0 {
		return strings.TrimSpace(cut[:i])
	}
	return cut
}

func words(s string) int { return len(strings.Fields(s)) }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
