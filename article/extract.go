package article

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
)

// Extract finds the story in an HTML page (already decoded to UTF-8) and
// returns it with its metadata. It applies no quality gate: see CheckQuality.
func Extract(page []byte, pageURL string) (*Article, error) {
	base, err := url.Parse(pageURL)
	if err != nil {
		base = &url.URL{}
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, fmt.Errorf("parse html %s: %w", pageURL, err)
	}
	removeHidden(doc)
	parser := readability.NewParser()
	ra, err := parser.ParseAndMutate(doc, base)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", pageURL, err)
	}
	a := &Article{URL: pageURL, Title: ra.Title()}
	if ra.Node != nil {
		a.Text = strings.Join(cleanParagraphs(renderParagraphs(ra.Node, isBoilerElement)), "\n\n")
	}
	a.Words = CountWords(a.Text)
	return a, nil
}
