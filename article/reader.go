package article

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"golang.org/x/net/html"
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
	page, err := r.fetcher.Fetch(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	a, err := FromPage(page)
	if err != nil {
		return nil, err
	}
	if err := CheckQuality(a, r.minWords); err != nil {
		return nil, fmt.Errorf("%s: %w", page.URL, err)
	}
	return a, nil
}

// ReadBytes extracts an article from a body the caller already holds (a
// file, standard input), holding it to the same rules as a fetched page:
// only HTML, XHTML and plain text, decoded from the charset a byte order
// mark or <meta> declares. contentType may be empty: the body is then
// sniffed. pageURL may be empty: the page's canonical address is used when
// it declares one.
func (r *Reader) ReadBytes(body []byte, pageURL, contentType string) (*Article, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, ErrEmptyPage
	}
	if contentType == "" {
		contentType = sniff(body)
	}
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedType, contentType)
	}
	if !acceptable(media, defaultAccept) {
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedType, media)
	}
	text, _, err := toUTF8(body, contentType, media != "text/plain")
	if err != nil {
		return nil, err
	}
	if media == "text/plain" && looksLikeHTML(text) {
		media = "text/html" // e.g. a UTF-16 page, sniffed before decoding
	}
	if pageURL == "" && media != "text/plain" {
		pageURL = canonicalURL(text)
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

// sniff is http.DetectContentType reduced to its media type (the sniffer's
// charset guess must not outrank a byte order mark or a <meta>
// declaration), except that a document it calls plain text but that has
// HTML tags near the top is HTML.
func sniff(body []byte) string {
	media, params, _ := mime.ParseMediaType(http.DetectContentType(body))
	if media != "text/plain" {
		return media
	}
	if cs := params["charset"]; strings.HasPrefix(cs, "utf-16") {
		return "text/plain; charset=" + cs // decided by the byte order mark
	}
	if looksLikeHTML(body) {
		return "text/html"
	}
	return media
}

// looksLikeHTML reports whether the top of a document has HTML tags.
func looksLikeHTML(doc []byte) bool {
	head := bytes.ToLower(doc[:min(len(doc), 4096)])
	for _, tag := range []string{"<html", "<head", "<body", "<article", "<meta ", "<p>", "<div", "<!doctype html"} {
		if bytes.Contains(head, []byte(tag)) {
			return true
		}
	}
	return false
}

// canonicalURL is the page's own address as it declares it, in
// <link rel="canonical"> or <meta property="og:url">; "" if neither holds
// an absolute http(s) URL. Only the <head> is read.
func canonicalURL(doc []byte) string {
	z := html.NewTokenizer(bytes.NewReader(doc))
	var canonical, og string
	for {
		switch z.Next() {
		case html.ErrorToken:
			return firstHTTP(canonical, og)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return firstHTTP(canonical, og)
			case "link", "meta":
				attrs := map[string]string{}
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					attrs[string(k)] = string(v)
				}
				if string(name) == "link" && strings.EqualFold(strings.TrimSpace(attrs["rel"]), "canonical") && canonical == "" {
					canonical = attrs["href"]
				}
				if string(name) == "meta" && strings.EqualFold(attrs["property"], "og:url") && og == "" {
					og = attrs["content"]
				}
			}
		}
	}
}

func firstHTTP(candidates ...string) string {
	for _, c := range candidates {
		if u, err := ParseURL(strings.TrimSpace(c)); err == nil {
			return u.String()
		}
	}
	return ""
}
