package fakellm

import (
	"encoding/json"
	"strings"
	"unicode"
)

// AnswerPayload is a model's answer to a reader's question, in the shape
// summarize's Ask asks for.
type AnswerPayload struct {
	Answer   string  `json:"answer"`
	Answered bool    `json:"answered"`
	Quotes   []Quote `json:"quotes"`
}

// JSON is the answer as the model's message content.
func (p AnswerPayload) JSON() string {
	if p.Quotes == nil {
		p.Quotes = []Quote{}
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // cannot happen: only strings, a bool and slices of them
	}
	return string(b)
}

// Question is the reader's question of an Ask request (the "Question: "
// line inside the QUESTION fence), and whether there is one.
func (r *Request) Question() (string, bool) {
	s := r.LastUser()
	i := strings.Index(s, "<<<QUESTION ")
	if i < 0 {
		return "", false
	}
	block := s[i:]
	if j := strings.Index(block, "\n<<<END QUESTION "); j >= 0 {
		block = block[:j]
	}
	k := strings.LastIndex(block, "Question: ")
	if k < 0 {
		return "", false
	}
	return strings.TrimSpace(block[k+len("Question: "):]), true
}

// GoodAnswer answers a question from the article in the request: the
// sentence sharing the most words of four letters or more with the
// question, as the answer and as verbatim evidence; with no such sentence,
// answered false.
func GoodAnswer(req *Request) AnswerPayload {
	q, _ := req.Question()
	_, body, _ := req.Article()
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(q), notLetter) {
		if len([]rune(w)) >= 4 {
			words[w] = true
		}
	}
	best, bestN := "", 0
	for _, s := range sentences(body) {
		seen := map[string]bool{}
		for _, w := range strings.FieldsFunc(strings.ToLower(s), notLetter) {
			if words[w] {
				seen[w] = true
			}
		}
		if len(seen) > bestN {
			best, bestN = s, len(seen)
		}
	}
	if best == "" {
		return AnswerPayload{Answer: "The article does not say.", Answered: false, Quotes: []Quote{}}
	}
	return AnswerPayload{Answer: best, Answered: true, Quotes: []Quote{{Text: best}}}
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
