package article

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"golang.org/x/net/html"
)

// Reader is the article pipeline's front door: a link (or bytes the user
// already has) in, a checked Article out. It reads HTML, plain text and
// PDF. It is safe for concurrent use.
type Reader struct {
	fetcher  *Fetcher
	minWords int
	pdf      PDFOptions
}

// ReaderOptions configures a Reader beyond its fetcher.
type ReaderOptions struct {
	// MinWords: a story shorter than this is a short item, or not an
	// article at all (<= 0: DefaultMinWords).
	MinWords int
	// PDF bounds reading PDF documents.
	PDF PDFOptions
}

// NewReader returns a Reader that fetches with f, with minWords as in
// ReaderOptions and the default PDF limits.
func NewReader(f *Fetcher, minWords int) *Reader {
	return NewReaderWith(f, ReaderOptions{MinWords: minWords})
}

// NewReaderWith returns a Reader that fetches with f.
func NewReaderWith(f *Fetcher, opts ReaderOptions) *Reader {
	return &Reader{fetcher: f, minWords: opts.MinWords, pdf: opts.PDF.withDefaults()}
}

// readerAccept are the media types a Reader fetches: HTML, text and PDF
// (octet-stream too, for servers that label PDFs so; the body decides).
var readerAccept = []string{"text/html", "application/xhtml+xml", "text/plain", "application/pdf", "application/x-pdf", "application/octet-stream"}

// Read fetches rawURL, extracts the story and applies the quality gate: a
// wall (ErrWalled) or a page without a story (ErrNoArticle, ErrEmptyPage)
// is an error. A short but real item is returned with Quality.Short().
func (r *Reader) Read(ctx context.Context, rawURL string) (*Article, error) {
	return r.read(ctx, rawURL, true)
}

// Inspect is Read without the refusal: the story is returned with the
// gate's verdict in Quality, whatever it is, so long as there is text
// (`precis extract`). Fetch errors and pages without any text are still
// errors.
func (r *Reader) Inspect(ctx context.Context, rawURL string) (*Article, error) {
	return r.read(ctx, rawURL, false)
}

func (r *Reader) read(ctx context.Context, rawURL string, gate bool) (*Article, error) {
	page, err := r.fetch(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	return r.fromPage(ctx, page, page.URL, true, gate)
}

// fetch gets a page a Reader can read.
func (r *Reader) fetch(ctx context.Context, rawURL string) (*Page, error) {
	return r.fetcher.Get(ctx, rawURL, GetOptions{
		Accept:   readerAccept,
		MaxBytes: map[string]int64{"application/pdf": r.pdf.MaxBytes, "application/x-pdf": r.pdf.MaxBytes, "application/octet-stream": r.pdf.MaxBytes},
	})
}

// fromPage extracts the story from a fetched page, under the address
// pageURL, and judges it; markup says whether the page's HTML may speak
// for a wall (not for archived copies, which keep the original's markup
// around the story they did capture).
func (r *Reader) fromPage(ctx context.Context, page *Page, pageURL string, markup, gate bool) (*Article, error) {
	var a *Article
	var err error
	switch media := page.ContentType; {
	case isPDF(media, page.Body):
		a, err = ExtractPDF(ctx, page.Body, pageURL, r.pdf)
	case media == "application/octet-stream" || media == "application/x-pdf" || media == "application/pdf":
		return nil, fmt.Errorf("%s: %w", pageURL, &UnsupportedTypeError{MediaType: media})
	default:
		a, err = FromPage(&Page{URL: pageURL, ContentType: media, Body: page.Body})
	}
	if err != nil {
		return nil, err
	}
	var sig pageSignals
	if markup && (page.ContentType == "text/html" || page.ContentType == "application/xhtml+xml") && CountWords(a.Text) <= wallMaxWords {
		sig = scanSignals(page.Body, a.Text)
	}
	if err := checkQuality(a, r.minWords, sig); err != nil && (gate || errors.Is(err, ErrEmptyPage)) {
		if pageURL == "" {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", pageURL, err)
	}
	return a, nil
}

// isPDF reports whether a body is a PDF document: by its type, or for a
// generic binary type by its signature.
func isPDF(media string, body []byte) bool {
	switch media {
	case "application/pdf", "application/x-pdf", "application/octet-stream":
		return bytes.HasPrefix(bytes.TrimLeft(body[:min(len(body), 1024)], "\x00\t\r\n "), []byte("%PDF-"))
	}
	return false
}

// ReadBytes extracts an article from a body the caller already holds (a
// file, standard input), holding it to the same rules as a fetched page:
// only HTML, XHTML and plain text, decoded from the charset a byte order
// mark or <meta> declares. contentType may be empty: the body is then
// sniffed. pageURL may be empty: the page's canonical address is used when
// it declares one.
func (r *Reader) ReadBytes(body []byte, pageURL, contentType string) (*Article, error) {
	return r.readBytes(body, pageURL, contentType, true)
}

// InspectBytes is ReadBytes without the refusal, as Inspect is to Read.
func (r *Reader) InspectBytes(body []byte, pageURL, contentType string) (*Article, error) {
	return r.readBytes(body, pageURL, contentType, false)
}

func (r *Reader) readBytes(body []byte, pageURL, contentType string, gate bool) (*Article, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, ErrEmptyPage
	}
	if contentType == "" {
		contentType = sniff(body)
	}
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, &UnsupportedTypeError{MediaType: contentType}
	}
	if isPDF(media, body) {
		if int64(len(body)) > r.pdf.MaxBytes {
			return nil, &TooLargeError{Limit: r.pdf.MaxBytes, Size: int64(len(body)), MediaType: "application/pdf"}
		}
		return r.fromPage(context.Background(), &Page{URL: pageURL, ContentType: "application/pdf", Body: body}, pageURL, false, gate)
	}
	if !acceptable(media, defaultAccept) {
		return nil, &UnsupportedTypeError{MediaType: media}
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
	return r.fromPage(context.Background(), &Page{URL: pageURL, ContentType: media, Body: text}, pageURL, true, gate)
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
