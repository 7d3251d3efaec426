package recap

import (
	"sort"
	"strings"
	"time"

	"github.com/precisbot/precis/article"
)

// Defaults for Options' zero values.
const (
	DefaultMaxMessages = 2000
	DefaultMaxParts    = 8
	DefaultMaxQuotes   = 5
	// MaxLinks bounds the links a recap lists.
	MaxLinks = 20
)

// sortMessages puts messages in time order; snowflake IDs break ties.
func sortMessages(ms []Message) {
	sort.SliceStable(ms, func(i, j int) bool {
		if !ms[i].Time.Equal(ms[j].Time) {
			return ms[i].Time.Before(ms[j].Time)
		}
		return snowflakeLess(ms[i].ID, ms[j].ID)
	})
}

func snowflakeLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// selection is what a recap is made from: the members' messages, oldest
// first, at most max of them (the latest).
type selection struct {
	msgs []Message
	// byID finds a selected message.
	byID map[string]int
	// dropped counts members' messages left out for the cap.
	dropped int
}

// selectMessages leaves out bots' (Precis's own included), webhooks' and
// system messages and messages without text, then keeps the latest max.
func selectMessages(c *Conversation, max int) *selection {
	var msgs []Message
	for _, m := range c.Messages {
		if m.Author.Bot || m.System || strings.TrimSpace(m.Content) == "" {
			continue
		}
		msgs = append(msgs, m)
	}
	sortMessages(msgs)
	s := &selection{}
	if max > 0 && len(msgs) > max {
		s.dropped = len(msgs) - max
		msgs = msgs[len(msgs)-max:]
	}
	s.setMessages(msgs)
	return s
}

func (s *selection) setMessages(msgs []Message) {
	s.msgs = msgs
	s.byID = make(map[string]int, len(msgs))
	for i, m := range msgs {
		s.byID[m.ID] = i
	}
}

// base fills what every recap of the selection has, whoever writes the
// rest: channel, time span, counts, participants and links.
func (s *selection) base(c *Conversation) *Recap {
	rc := &Recap{
		Channel: c.ChannelName, GuildID: c.GuildID, ChannelID: c.ChannelID,
		Messages: len(s.msgs), Points: []string{}, OpenQuestions: []string{}, Quotes: []Quote{}, Links: []string{},
	}
	if rc.Channel == "" {
		rc.Channel = c.ChannelID
	}
	if len(s.msgs) > 0 {
		rc.From = s.msgs[0].Time.UTC().Format(time.RFC3339)
		rc.To = s.msgs[len(s.msgs)-1].Time.UTC().Format(time.RFC3339)
	}
	rc.Names = s.participants()
	rc.Participants = len(rc.Names)
	rc.Links = s.links()
	return rc
}

// participants are the authors' display names, most messages first, then
// in order of first message.
func (s *selection) participants() []string {
	type count struct {
		name  string
		n     int
		first int
	}
	byID := map[string]*count{}
	var order []*count
	for i, m := range s.msgs {
		c := byID[m.Author.ID]
		if c == nil {
			c = &count{name: oneLine(m.Author.DisplayName()), first: i}
			byID[m.Author.ID] = c
			order = append(order, c)
		}
		c.n++
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].n > order[j].n })
	out := make([]string, len(order))
	for i, c := range order {
		out[i] = c.name
	}
	return out
}

// links are the article links members shared, in order, de-duplicated.
func (s *selection) links() []string {
	seen := map[string]bool{}
	out := []string{}
	for _, m := range s.msgs {
		for _, l := range article.FindLinks(m.Content, MaxLinks) {
			if !seen[l] && len(out) < MaxLinks {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	return out
}

// replies counts the replies each selected message received.
func (s *selection) replies() map[string]int {
	n := map[string]int{}
	for _, m := range s.msgs {
		if _, ok := s.byID[m.ReplyTo]; ok && m.ReplyTo != "" {
			n[m.ReplyTo]++
		}
	}
	return n
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
