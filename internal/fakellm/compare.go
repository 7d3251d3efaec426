package fakellm

import (
	"encoding/json"
	"strings"
)

// ComparePayload is a coverage comparison in the shape package compare
// asks for: the issue's {"common","differences","framing","quotes"} with
// each point's evidence.
type ComparePayload struct {
	Common      []ComparePoint   `json:"common"`
	Differences []ComparePoint   `json:"differences"`
	Framing     []CompareFraming `json:"framing"`
	Quotes      []CompareQuote   `json:"quotes"`
}

// ComparePoint is a common point (Outlets empty) or a difference.
type ComparePoint struct {
	Point    string            `json:"point"`
	Outlets  []string          `json:"outlets,omitempty"`
	Evidence []CompareEvidence `json:"evidence"`
}

// CompareEvidence is an outlet's words for a point.
type CompareEvidence struct {
	Outlet string `json:"outlet"`
	Text   string `json:"text"`
}

// CompareFraming is a note on one outlet's framing.
type CompareFraming struct {
	Outlet   string            `json:"outlet"`
	Note     string            `json:"note"`
	Evidence []CompareEvidence `json:"evidence"`
}

// CompareQuote is a quotation credited to an outlet.
type CompareQuote struct {
	Outlet  string `json:"outlet"`
	Text    string `json:"text"`
	Speaker string `json:"speaker"`
}

// JSON is the payload as the model's message content.
func (p ComparePayload) JSON() string {
	b, err := json.Marshal(p.fill())
	if err != nil {
		panic(err) // cannot happen: only strings and slices of them
	}
	return string(b)
}

// PlainJSON is the payload without evidence, in the exact shape:
// common points as strings, differences as {"point","outlets"}, framing
// as {"outlet","note"}.
func (p ComparePayload) PlainJSON() string {
	type diff struct {
		Point   string   `json:"point"`
		Outlets []string `json:"outlets"`
	}
	type framing struct {
		Outlet string `json:"outlet"`
		Note   string `json:"note"`
	}
	plain := struct {
		Common      []string       `json:"common"`
		Differences []diff         `json:"differences"`
		Framing     []framing      `json:"framing"`
		Quotes      []CompareQuote `json:"quotes"`
	}{Common: []string{}, Differences: []diff{}, Framing: []framing{}, Quotes: []CompareQuote{}}
	for _, c := range p.Common {
		plain.Common = append(plain.Common, c.Point)
	}
	for _, d := range p.Differences {
		plain.Differences = append(plain.Differences, diff{d.Point, d.Outlets})
	}
	for _, f := range p.Framing {
		plain.Framing = append(plain.Framing, framing{f.Outlet, f.Note})
	}
	plain.Quotes = append(plain.Quotes, p.Quotes...)
	b, err := json.Marshal(plain)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func (p ComparePayload) fill() ComparePayload {
	if p.Common == nil {
		p.Common = []ComparePoint{}
	}
	if p.Differences == nil {
		p.Differences = []ComparePoint{}
	}
	if p.Framing == nil {
		p.Framing = []CompareFraming{}
	}
	if p.Quotes == nil {
		p.Quotes = []CompareQuote{}
	}
	for i := range p.Common {
		if p.Common[i].Evidence == nil {
			p.Common[i].Evidence = []CompareEvidence{}
		}
	}
	for i := range p.Differences {
		if p.Differences[i].Evidence == nil {
			p.Differences[i].Evidence = []CompareEvidence{}
		}
	}
	for i := range p.Framing {
		if p.Framing[i].Evidence == nil {
			p.Framing[i].Evidence = []CompareEvidence{}
		}
	}
	return p
}

// CompareArticle is one article of a comparison request.
type CompareArticle struct {
	Outlet, Title, Body string
}

// CompareArticles returns the articles fenced in the last user message,
// each with its "Outlet:" and "Title:" header lines; none for a request
// that is not a comparison.
func (r *Request) CompareArticles() []CompareArticle {
	p := r.LastUser()
	var out []CompareArticle
	for {
		i := strings.Index(p, "<<<ARTICLE ")
		if i < 0 {
			return out
		}
		h, b, ok := fenced(p[i:])
		if !ok {
			return out
		}
		var a CompareArticle
		for _, line := range strings.Split(h, "\n") {
			if v, ok := strings.CutPrefix(line, "Outlet: "); ok {
				a.Outlet = v
			}
			if v, ok := strings.CutPrefix(line, "Title: "); ok {
				a.Title = v
			}
		}
		if a.Outlet == "" {
			return nil // a summary's or a question's article
		}
		a.Body = b
		out = append(out, a)
		end := strings.Index(p[i:], "\n<<<END ARTICLE ")
		if end < 0 {
			return out
		}
		p = p[i+end+len("\n<<<END ARTICLE "):]
	}
}

// GoodComparePayload builds a plausible comparison of the articles in the
// request, every passage copied verbatim: as the one common point, the
// first article's first sentence, with each article's first sentence as
// evidence; as a difference per article, its last sentence, named to that
// outlet alone; a framing note per outlet resting on its headline; and
// the first “...” quotation of five words or more of each article, with
// the capitalised word after it as speaker.
func GoodComparePayload(req *Request) ComparePayload {
	arts := req.CompareArticles()
	var p ComparePayload
	if len(arts) == 0 {
		return p.fill()
	}
	common := ComparePoint{}
	for i, a := range arts {
		sents := sentences(a.Body)
		if len(sents) == 0 {
			continue
		}
		if i == 0 {
			common.Point = sents[0]
		}
		common.Evidence = append(common.Evidence, CompareEvidence{Outlet: a.Outlet, Text: sents[0]})
		last := sents[len(sents)-1]
		p.Differences = append(p.Differences, ComparePoint{
			Point: last, Outlets: []string{a.Outlet}, Evidence: []CompareEvidence{{Outlet: a.Outlet, Text: last}},
		})
		if a.Title != "" {
			p.Framing = append(p.Framing, CompareFraming{
				Outlet: a.Outlet, Note: "The headline puts first: " + a.Title,
				Evidence: []CompareEvidence{{Outlet: a.Outlet, Text: a.Title}},
			})
		}
		for _, m := range curlyQuoteRE.FindAllStringSubmatchIndex(a.Body, -1) {
			text := strings.TrimRight(a.Body[m[2]:m[3]], ", ")
			if len(strings.Fields(text)) < 5 {
				continue
			}
			speaker := ""
			if sm := speakerRE.FindStringSubmatch(a.Body[m[1]:min(m[1]+60, len(a.Body))]); sm != nil {
				speaker = sm[1]
			}
			p.Quotes = append(p.Quotes, CompareQuote{Outlet: a.Outlet, Text: text, Speaker: speaker})
			break
		}
	}
	if common.Point != "" {
		p.Common = append(p.Common, common)
	}
	return p.fill()
}

// GoodCompare answers a comparison with GoodComparePayload and anything
// else as Good does, so one fake serves summaries and comparisons.
func GoodCompare(req *Request) Reply {
	if len(req.CompareArticles()) == 0 {
		return Good(req)
	}
	return Reply{Content: GoodComparePayload(req).JSON()}
}

// ModifyCompare answers a comparison with GoodComparePayload changed by f
// (f gets the articles), and anything else as Good does.
func ModifyCompare(f func(p *ComparePayload, arts []CompareArticle)) Responder {
	return func(req *Request) Reply {
		arts := req.CompareArticles()
		if len(arts) == 0 {
			return Good(req)
		}
		p := GoodComparePayload(req)
		f(&p, arts)
		return Reply{Content: p.JSON()}
	}
}
