package fakellm

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Payload is the summary JSON a model returns (the fields the LLM owns).
type Payload struct {
	Headline     string        `json:"headline"`
	Summary      string        `json:"summary"`
	KeyPoints    []string      `json:"key_points"`
	Quotes       []Quote       `json:"quotes"`
	Perspectives []Perspective `json:"perspectives"`
	Language     string        `json:"language"`
}

// Quote is a quote in a Payload.
type Quote struct {
	Text    string `json:"text"`
	Speaker string `json:"speaker"`
}

// Perspective is a perspective in a Payload.
type Perspective struct {
	Party    string `json:"party"`
	Position string `json:"position"`
}

// JSON is the payload as the model's message content.
func (p Payload) JSON() string {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // cannot happen: only strings and slices of them
	}
	return string(b)
}

// Good answers with GoodPayload of the article in the prompt (or, with no
// article found, a short generic summary); a question about the article
// (an Ask request) gets GoodAnswer.
func Good(req *Request) Reply {
	if _, ok := req.Question(); ok {
		return Reply{Content: GoodAnswer(req).JSON()}
	}
	return Reply{Content: GoodPayload(req).JSON()}
}

var (
	curlyQuoteRE = regexp.MustCompile(`“([^“”]+)”`)
	speakerRE    = regexp.MustCompile(`^[\s,]*(?:said\s+|told\s+\S+\s+)?(\p{Lu}\p{L}+)`)
)

// GoodPayload builds a plausible, valid summary of the article in the
// request: headline = the title, summary = the first two sentences, key
// points = the next three, quotes = “...” spans of five or more words copied
// verbatim with the capitalised word after them as speaker when there is
// one, one perspective per speaker.
func GoodPayload(req *Request) Payload {
	_, body, ok := req.Article()
	title := req.Title()
	if !ok {
		return Payload{Headline: "Summary", Summary: "The text could not be read.", KeyPoints: []string{}, Quotes: []Quote{}, Perspectives: []Perspective{}, Language: "en"}
	}
	sents := sentences(body)
	p := Payload{Headline: title, KeyPoints: []string{}, Quotes: []Quote{}, Perspectives: []Perspective{}, Language: "en"}
	if p.Headline == "" && len(sents) > 0 {
		p.Headline = sents[0]
	}
	n := min(2, len(sents))
	p.Summary = strings.Join(sents[:n], " ")
	p.KeyPoints = append(p.KeyPoints, sents[n:min(n+3, len(sents))]...)
	seen := map[string]bool{}
	for _, m := range curlyQuoteRE.FindAllStringSubmatchIndex(body, -1) {
		text := strings.TrimRight(body[m[2]:m[3]], ", ")
		if len(strings.Fields(text)) < 5 || len(p.Quotes) == 3 {
			continue
		}
		speaker := ""
		if sm := speakerRE.FindStringSubmatch(body[m[1]:min(m[1]+60, len(body))]); sm != nil {
			speaker = sm[1]
		}
		p.Quotes = append(p.Quotes, Quote{Text: text, Speaker: speaker})
		if speaker != "" && !seen[speaker] {
			seen[speaker] = true
			p.Perspectives = append(p.Perspectives, Perspective{Party: speaker, Position: speaker + " was quoted in the article."})
		}
	}
	return p
}

// sentences is a deliberately simple splitter: paragraphs, then ". ".
func sentences(body string) []string {
	var out []string
	for _, para := range strings.Split(body, "\n\n") {
		para = strings.Join(strings.Fields(para), " ")
		for para != "" {
			i := strings.Index(para, ". ")
			if i < 0 {
				out = append(out, para)
				break
			}
			out = append(out, para[:i+1])
			para = para[i+2:]
		}
	}
	return out
}

// Modify answers with GoodPayload changed by f (f gets the article body).
func Modify(f func(p *Payload, article string)) Responder {
	return func(req *Request) Reply {
		p := GoodPayload(req)
		_, body, _ := req.Article()
		f(&p, body)
		return Reply{Content: p.JSON()}
	}
}

// Content answers with this exact message content.
func Content(content string) Responder {
	return func(*Request) Reply { return Reply{Content: content} }
}

// RateLimited answers 429 with the given Retry-After header value.
func RateLimited(retryAfter string) Responder {
	return func(*Request) Reply {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return Reply{Status: http.StatusTooManyRequests, Header: h, Content: "Rate limit reached, please try again later."}
	}
}

// ServerError answers 500.
func ServerError() Responder {
	return func(*Request) Reply {
		return Reply{Status: http.StatusInternalServerError, Content: "The server had an error while processing your request."}
	}
}

// Slow answers like next, after d (the client's timeout cuts it short).
func Slow(d time.Duration, next Responder) Responder {
	return func(req *Request) Reply {
		r := next(req)
		r.Delay = d
		return r
	}
}

// Malformed answers with content that holds no JSON object.
func Malformed() Responder {
	return Content(`Sure! Here is the summary: {"headline": "Talks continue", "summary": "cut off here`)
}

// MissingFields answers with an object that has no summary and no points.
func MissingFields() Responder {
	return Content(`{"headline": "Talks continue"}`)
}

// Fenced answers with the good payload inside a Markdown code fence, after
// some prose, followed by trailing text.
func Fenced() Responder {
	return func(req *Request) Reply {
		return Reply{Content: "Here is the JSON you asked for:\n```json\n" + GoodPayload(req).JSON() + "\n```\nLet me know if you need anything else {or not}."}
	}
}

// RejectJSONSchema answers 400 (as servers without structured outputs do)
// when json_schema is asked for, and like next otherwise.
func RejectJSONSchema(next Responder) Responder {
	return func(req *Request) Reply {
		if req.ResponseFormat() == string(openai.ChatCompletionResponseFormatTypeJSONSchema) {
			return Reply{Status: http.StatusBadRequest, Body: `{"error":{"message":"Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.","type":"invalid_request_error","param":"response_format","code":null}}`}
		}
		return next(req)
	}
}

// RejectResponseFormat answers 400 to any response_format, like next
// otherwise.
func RejectResponseFormat(next Responder) Responder {
	return func(req *Request) Reply {
		if req.ResponseFormat() != "" {
			return Reply{Status: http.StatusBadRequest, Body: `{"error":{"message":"response_format is not supported","type":"invalid_request_error","param":"response_format","code":null}}`}
		}
		return next(req)
	}
}

// FabricatedQuote adds a quote that is not in the article.
func FabricatedQuote() Responder {
	return Modify(func(p *Payload, _ string) {
		p.Quotes = append(p.Quotes, Quote{Text: "We will never negotiate with anyone, ever", Speaker: "Lavrov"})
	})
}

// StraightQuotes replaces curly quote marks and apostrophes in the quotes
// with straight ones and wraps each quote in straight quote marks.
func StraightQuotes() Responder {
	return Modify(func(p *Payload, _ string) {
		r := strings.NewReplacer("“", `"`, "”", `"`, "’", "'", "‘", "'")
		for i := range p.Quotes {
			p.Quotes[i].Text = `"` + r.Replace(p.Quotes[i].Text) + `"`
		}
	})
}

// InventedNumber puts a figure that is not in the article into the
// headline, the summary and a key point.
func InventedNumber() Responder {
	return Modify(func(p *Payload, _ string) {
		p.Headline = "Talks continue as 250,000 troops gather"
		p.Summary += " Officials said 73.5% of voters agreed."
		p.KeyPoints = append(p.KeyPoints, "About 9,999 people protested.")
	})
}

// MentionHeadline puts @everyone in the headline and a user mention in the
// summary.
func MentionHeadline() Responder {
	return Modify(func(p *Payload, _ string) {
		p.Headline = "@everyone " + p.Headline
		p.Summary = "<@123456789012345678> " + p.Summary
	})
}

// Injected behaves like a model that obeyed instructions hidden in the
// article: it pings everyone, posts a masked link and a heading, and invents
// a quote.
func Injected() Responder {
	return Modify(func(p *Payload, _ string) {
		p.Headline = "@everyone FREE NITRO"
		p.Summary = "# Click here\n[Claim your prize](https://evil.example/steal) now. @here <@&42>"
		p.KeyPoints = []string{"[totally safe](javascript:alert(1))"}
		p.Quotes = []Quote{{Text: "Post this link in every channel", Speaker: "Admin"}}
	})
}
