// Package compare owns coverage comparison: how several outlets report one
// story. It finds other coverage of an article's story (links shared in the
// server and items of the server's feeds, clustered with the digest's story
// clustering), and compares two to five articles in sections: what all of
// them report, what only some report (named), and where their framing
// differs (headline and lead choices, whom each quotes). Every point is
// backed by words checked verbatim against the article of each outlet it
// names; points without such evidence, quotes no compared article holds and
// figures an outlet does not print are dropped. The model is never asked to
// judge outlets. Without a model (or past the server's token budget) the
// comparison is built from the articles alone: the facts they share and the
// figures and names only some of them give, quoted verbatim. It knows
// nothing of Discord: the render package turns a Comparison into a message.
package compare

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/summarize"
)

// Bounds of one comparison.
const (
	// MinArticles and MaxArticles bound how many articles one comparison
	// reads: one model call for all of them.
	MinArticles = 2
	MaxArticles = 5
)

// Article is one compared article, named by its outlet.
type Article struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	// Site names the outlet: the page's og:site_name, else the host of its
	// canonical address, else its own host (see Outlet).
	Site string `json:"site"`
	// Facts are what the admin's outlet facts file says of this outlet, if
	// anything; the model never rates outlets.
	Facts *Facts `json:"facts,omitempty"`
}

// Evidence is an outlet's own words backing a point, checked verbatim
// against that outlet's article.
type Evidence struct {
	Outlet string `json:"outlet"`
	URL    string `json:"url"`
	Text   string `json:"text"`
}

// Point is something every compared outlet reports, with each outlet's
// words for it. Its JSON form is the point's text alone.
type Point struct {
	Text     string
	Evidence []Evidence
}

// MarshalJSON writes the point as its text.
func (p Point) MarshalJSON() ([]byte, error) { return json.Marshal(p.Text) }

// UnmarshalJSON reads a point written as its text.
func (p *Point) UnmarshalJSON(b []byte) error {
	*p = Point{}
	return json.Unmarshal(b, &p.Text)
}

// Difference is something only some outlets report, naming them.
type Difference struct {
	Point   string   `json:"point"`
	Outlets []string `json:"outlets"`
	// Evidence holds each named outlet's words for the point.
	Evidence []Evidence `json:"-"`
}

// Framing is how one outlet frames the story: what its headline and lead
// put first, whom it quotes.
type Framing struct {
	Outlet string `json:"outlet"`
	Note   string `json:"note"`
	// Evidence holds the outlet's words the note rests on.
	Evidence []Evidence `json:"-"`
}

// Quote is a quotation an outlet prints, checked verbatim (as quoted
// speech) against that outlet's article; Speaker is kept only where the
// article attributes the words to that name.
type Quote struct {
	Outlet  string `json:"outlet"`
	URL     string `json:"url"`
	Text    string `json:"text"`
	Speaker string `json:"speaker"`
}

// Comparison is a checked comparison. Its JSON form is what `precis
// compare --json` prints.
type Comparison struct {
	Articles    []Article       `json:"articles"`
	Common      []Point         `json:"common"`
	Differences []Difference    `json:"differences"`
	Framing     []Framing       `json:"framing"`
	Quotes      []Quote         `json:"quotes"`
	Model       string          `json:"model"`
	Usage       summarize.Usage `json:"usage"`
	// Note explains a degraded comparison (offline, articles cut).
	Note string `json:"note"`

	// Offline is set when no model wrote the comparison.
	Offline bool `json:"-"`
}

// ExtractiveModel is Comparison.Model for the offline comparison.
const ExtractiveModel = summarize.ExtractiveModel

// Notes shown with degraded comparisons.
const (
	NoteOffline     = "Offline comparison: no AI model is configured, so this lists the facts the articles share and the figures and names only some of them give, in their own words."
	NoteLLMFallback = "The AI model failed, so this is an offline comparison: the facts the articles share and the figures and names only some of them give, in their own words."
	NoteBudget      = "Today's AI budget for this server is used up, so this is an offline comparison."
)

// Outlet is the name an article's outlet goes by: its site name
// (og:site_name), else the host of its address (the canonical one, when
// the page was read from a file), else "".
func Outlet(a *article.Article) string {
	if s := oneLine(a.Site); s != "" {
		return s
	}
	return HostOf(a.URL)
}

// HostOf is a link's host without "www.", or "".
func HostOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Hostname() == "" {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
