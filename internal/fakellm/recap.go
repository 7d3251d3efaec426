package fakellm

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// RecapPayload is the recap JSON a model returns (the fields the model
// owns).
type RecapPayload struct {
	Summary       string       `json:"summary"`
	Points        []string     `json:"points"`
	OpenQuestions []string     `json:"open_questions"`
	Quotes        []RecapQuote `json:"quotes"`
}

// RecapQuote is a quote in a RecapPayload.
type RecapQuote struct {
	Text   string `json:"text"`
	Author string `json:"author"`
}

// JSON is the payload as the model's message content.
func (p RecapPayload) JSON() string {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // cannot happen: only strings and slices of them
	}
	return string(b)
}

// RecapLine is one message as package recap shows it in the prompt:
// "[n] 2006-01-02 15:04 Name (reply to [k]): text".
type RecapLine struct {
	N       int
	Author  string
	ReplyTo int
	Text    string
}

var recapLineRE = regexp.MustCompile(`^\[(\d+)\] \d{4}-\d\d-\d\d \d\d:\d\d (.+?)(?: \(reply to \[(\d+)\]\))?: (.*)$`)

// RecapMessages returns the message lines fenced between <<<MESSAGES id>>>
// and <<<END MESSAGES id>>> in the last user message; continuation lines
// are joined to their message with a newline.
func (r *Request) RecapMessages() []RecapLine {
	p := r.LastUser()
	i := strings.Index(p, "<<<MESSAGES ")
	if i < 0 {
		return nil
	}
	rest := p[i:]
	nl := strings.IndexByte(rest, '\n')
	if nl < 0 {
		return nil
	}
	id := strings.TrimSuffix(strings.TrimPrefix(rest[:nl], "<<<MESSAGES "), ">>>")
	data, _, _ := strings.Cut(rest[nl+1:], "\n<<<END MESSAGES "+id+">>>")
	var out []RecapLine
	for _, line := range strings.Split(data, "\n") {
		if strings.HasPrefix(line, "    ") && len(out) > 0 {
			out[len(out)-1].Text += "\n" + strings.TrimPrefix(line, "    ")
			continue
		}
		m := recapLineRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var l RecapLine
		fmt.Sscan(m[1], &l.N)
		if m[3] != "" {
			fmt.Sscan(m[3], &l.ReplyTo)
		}
		l.Author, l.Text = m[2], m[4]
		out = append(out, l)
	}
	return out
}

// GoodRecapPayload builds a plausible recap of the messages in the
// request: a summary naming who took part, a point per author with their
// first message, and as quotes the first sentence of the first message of
// up to three authors, copied verbatim. A merge request (no message lines)
// gets the quotes listed in it back.
func GoodRecapPayload(req *Request) RecapPayload {
	lines := req.RecapMessages()
	p := RecapPayload{Points: []string{}, OpenQuestions: []string{}, Quotes: []RecapQuote{}}
	if len(lines) == 0 {
		p.Summary = "The members discussed several topics."
		for _, m := range mergedQuoteRE.FindAllStringSubmatch(req.LastUser(), -1) {
			var text string
			if json.Unmarshal([]byte(m[1]), &text) == nil && len(p.Quotes) < 3 {
				p.Quotes = append(p.Quotes, RecapQuote{Text: text, Author: m[2]})
			}
		}
		return p
	}
	seen := map[string]bool{}
	var authors []string
	for _, l := range lines {
		if seen[l.Author] {
			continue
		}
		seen[l.Author] = true
		authors = append(authors, l.Author)
		p.Points = append(p.Points, l.Author+" wrote about "+firstWords(l.Text, 6)+".")
		if len(p.Quotes) < 3 && len(strings.Fields(l.Text)) >= 4 {
			p.Quotes = append(p.Quotes, RecapQuote{Text: firstSentence(l.Text), Author: l.Author})
		}
		if strings.HasSuffix(strings.TrimSpace(l.Text), "?") {
			p.OpenQuestions = append(p.OpenQuestions, l.Author+" asked a question that had no answer yet.")
		}
	}
	p.Summary = fmt.Sprintf("%s discussed %d messages' worth of topics.", strings.Join(authors, ", "), len(lines))
	return p
}

var mergedQuoteRE = regexp.MustCompile(`(?m)^Quote: ("(?:[^"\\]|\\.)*") \((.*)\)$`)

// GoodRecap answers with GoodRecapPayload.
func GoodRecap(req *Request) Reply {
	return Reply{Content: GoodRecapPayload(req).JSON()}
}

// ModifyRecap answers with GoodRecapPayload changed by f (f gets the
// message lines).
func ModifyRecap(f func(p *RecapPayload, lines []RecapLine)) Responder {
	return func(req *Request) Reply {
		p := GoodRecapPayload(req)
		f(&p, req.RecapMessages())
		return Reply{Content: p.JSON()}
	}
}

func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	for i, r := range s {
		if (r == '.' || r == '!' || r == '?') && i > 10 {
			return s[:i+1]
		}
	}
	return s
}

func firstWords(s string, n int) string {
	w := strings.Fields(s)
	if len(w) > n {
		w = w[:n]
	}
	return strings.Join(w, " ")
}
