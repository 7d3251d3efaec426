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
	// Quality is the quality gate's verdict (see CheckQuality); nil
	// before the gate has judged the text (Extract alone).
	Quality *Quality `json:"quality,omitempty"`
	// Archive is set when the text comes from an archived copy of URL
	// rather than the page itself (see ArchiveReader).
	Archive *Archived `json:"archive,omitempty"`
}

// Archived says where an archived copy came from. Quotes are checked
// against the copy's text, which is the Article's Text.
type Archived struct {
	// Service is ServiceWayback or ServiceArchiveToday.
	Service string `json:"service"`
	// URL is the copy's address as a person would open it.
	URL string `json:"url"`
	// OriginalURL is the link that could not be read.
	OriginalURL string `json:"original_url"`
	// Snapshot is when the copy was taken; nil when the service did not say.
	Snapshot *time.Time `json:"snapshot,omitempty"`
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

// ErrWalled is a paywall, login wall, cookie wall or bot check. It matches
// ErrNoArticle too, for callers that need not tell them apart.
var ErrWalled error = &subError{msg: "the page is behind a paywall, login or cookie wall", parent: ErrNoArticle}

// subError is a sentinel that also matches a broader one.
type subError struct {
	msg    string
	parent error
}

func (e *subError) Error() string { return e.msg }
func (e *subError) Unwrap() error { return e.parent }

// TooLargeError is returned for a body over a size cap. It matches
// ErrTooLarge.
type TooLargeError struct {
	Limit     int64  // the cap in bytes
	Size      int64  // the declared size, or 0 when the body ran past the cap
	MediaType string // the body's media type, "" if not known yet
}

func (e *TooLargeError) Error() string {
	if e.Size > 0 {
		return fmt.Sprintf("%d bytes is over the %d byte limit: %v", e.Size, e.Limit, ErrTooLarge)
	}
	return fmt.Sprintf("over the %d byte limit: %v", e.Limit, ErrTooLarge)
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// UnsupportedTypeError is a body of a media type Precis does not read (an
// image, an archive, a video). It unwraps to ErrUnsupportedType.
type UnsupportedTypeError struct {
	MediaType string // as the server or the caller declared it, or as sniffed
}

func (e *UnsupportedTypeError) Error() string {
	return fmt.Sprintf("%v: %s", ErrUnsupportedType, e.MediaType)
}

func (e *UnsupportedTypeError) Unwrap() error { return ErrUnsupportedType }

// HTTPError is returned when the server answers with a non-2xx status.
type HTTPError struct {
	StatusCode int
	Status     string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("HTTP %d", e.StatusCode)
}
