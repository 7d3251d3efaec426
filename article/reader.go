package article

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// Reader is the article pipeline's front door: a link (or bytes the user
// already has) in, a checked Article out. It is safe for concurrent use.
type Reader struct {
	fetcher  *Fetcher
	minWords int
}

// NewReader returns a Reader that fetches with f and refuses pages with
// fewer than minWords words of story (minWords <= 0: DefaultMinWords).
func NewReader(f *Fetcher, minWords int) *Reader {
	return &Reader{fetcher: f, minWords: minWords}
}

// Read fetches rawURL, extracts the story and applies the quality gate.
func (r *Reader) Read(ctx context.Context, rawURL string) (*Article, error) {
	return r.ReadMin(ctx, rawURL, r.minWords)
}

// ReadMin is Read with a per-call minimum word count (a channel setting).
func (r *Reader) ReadMin(ctx context.Context, rawURL string, minWords int) (*Article, error) {
	page, err := r.fetcher.Fetch(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	a, err := FromPage(page)
	if err != nil {
		return nil, err
	}
	if err := CheckQuality(a, minWords); err != nil {
		return nil, fmt.Errorf("%s: %w", page.URL, err)
	}
	return a, nil
}

// ReadBytes extracts an article from a body the caller already holds (a
// file, standard input). contentType may be empty: the body is sniffed and
// its charset found from a byte order mark or <meta>, as for a fetch.
func (r *Reader) ReadBytes(body []byte, pageURL, contentType string) (*Article, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, ErrEmptyPage
	}
	if contentType == "" {
		contentType = sniff(body)
	}
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		media = "text/html"
	}
	isHTML := media != "text/plain"
	text, _, err := toUTF8(body, contentType, isHTML)
	if err != nil {
		return nil, err
	}
	a, err := FromPage(&Page{URL: pageURL, ContentType: media, Body: text})
	if err != nil {
		return nil, err
	}
	if err := CheckQuality(a, r.minWords); err != nil {
		return nil, err
	}
	return a, nil
}

// FromPage extracts the article from a fetched page without the quality gate.
func FromPage(p *Page) (*Article, error) {
	if p.ContentType == "text/plain" {
		return ExtractText(p.Body, p.URL)
	}
	return Extract(p.Body, p.URL)
}

// sniff is http.DetectContentType, except that a document which the
// standard sniffer calls plain text because it starts with an unusual tag
// or a comment, but has an <html>, <head> or <body> tag near the top, is
// HTML.
//
// Only the media type is returned: the sniffer's charset guess must not
// outrank a byte order mark or a <meta> declaration.
func sniff(body []byte) string {
	media, _, _ := mime.ParseMediaType(http.DetectContentType(body))
	if media != "text/plain" {
		return media
	}
	head := strings.ToLower(string(body[:min(len(body), 4096)]))
	for _, tag := range []string{"<html", "<head", "<body", "<article", "<meta ", "<p>", "<div"} {
		if strings.Contains(head, tag) {
			return "text/html"
		}
	}
	return media
}
