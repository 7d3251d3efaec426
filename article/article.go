// Package article owns the first half of the pipeline: fetching a link
// safely, extracting the story and its metadata, judging whether what came
// back is an article at all, and finding and normalising links in message
// text.
package article

import (
	"errors"
	"fmt"
	"time"
)

// Article is the clean story extracted from a page. Its JSON form is the
// contract printed by `precis extract --json`.
type Article struct {
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Byline    string     `json:"byline"`
	Site      string     `json:"site"`
	Published *time.Time `json:"published"`
	Language  string     `json:"language"`
	Image     string     `json:"image"`
	Words     int        `json:"words"`
	// Text is the story's plain text; paragraphs are separated by a blank line.
	Text string `json:"text"`
}

// Errors users should hear about. Callers match them with errors.Is; the
// wrapped chain carries the detail for logs.
var (
	ErrRefusedAddress   = errors.New("refused private or reserved address")
	ErrBadURL           = errors.New("not a valid http or https link")
	ErrTooLarge         = errors.New("page too large")
	ErrTimeout          = errors.New("timed out")
	ErrTooManyRedirects = errors.New("too many redirects")
	ErrUnsupportedType  = errors.New("unsupported content type")
	ErrEmptyPage        = errors.New("empty page")
	ErrNoArticle        = errors.New("no article found; it may be paywalled or behind a login")
	ErrNoSuchHost       = errors.New("no such host")
	ErrUnreachable      = errors.New("could not connect to the site")
)

// HTTPError is returned when the server answers with a non-2xx status.
type HTTPError struct {
	StatusCode int
	Status     string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("HTTP %d", e.StatusCode)
}
