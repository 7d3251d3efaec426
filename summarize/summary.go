// Package summarize owns the second half of the pipeline: turning a clean
// article into a neutral Summary with key quotes that are verified against
// the article text, by an LLM or by the offline extractive summarizer.
package summarize

import "github.com/precisbot/precis/article"

// Summary is a neutral summary of one article. Its JSON form is the contract
// printed by `precis summarize --json` and asked of the LLM (the LLM fills
// Headline, Summary, KeyPoints, Quotes, Perspectives and Language; Precis
// fills the rest).
type Summary struct {
	URL          string        `json:"url"`
	Title        string        `json:"title"`
	Site         string        `json:"site"`
	Byline       string        `json:"byline,omitempty"`
	Image        string        `json:"image,omitempty"` // the article's lead image, for the card's thumbnail
	Headline     string        `json:"headline"`
	Summary      string        `json:"summary"`
	KeyPoints    []string      `json:"key_points"`
	Quotes       []Quote       `json:"quotes"`
	Perspectives []Perspective `json:"perspectives"`
	Language     string        `json:"language"`
	Model        string        `json:"model"`
	Words        int           `json:"words"`

	// Usage is what the LLM calls for this summary cost; zero for the
	// extractive summarizer and for cache hits.
	Usage Usage `json:"usage"`
	// Note explains a degraded result to the reader, e.g. that the LLM failed
	// and the offline summarizer was used instead. Empty normally.
	Note string `json:"note,omitempty"`
	// Archive is set when the summary was made from an archived copy of
	// URL (the page itself was walled or blocked); quotes were checked
	// against the copy.
	Archive *article.Archived `json:"archive,omitempty"`
	// AlsoCovered is other coverage of the story in the server the summary
	// was asked for in; never stored or printed (see Coverage).
	AlsoCovered []Coverage `json:"-"`
}

// Quote is a verbatim quote from the article with the person who said it.
type Quote struct {
	Text    string `json:"text"`
	Speaker string `json:"speaker"`
}

// Perspective is one party's stated position, attributed.
type Perspective struct {
	Party    string `json:"party"`
	Position string `json:"position"`
}

// Usage counts LLM tokens.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	Calls            int `json:"calls"`
}

// ExtractiveModel is the Model name of the offline summarizer.
const ExtractiveModel = "extractive"
