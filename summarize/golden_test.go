package summarize

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/internal/fakellm"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

func golden(t *testing.T, name string, s *Summary) {
	t.Helper()
	got, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test -update to accept):\n%s", name, path, got)
	}
}

func TestGoldenSeed(t *testing.T) {
	t.Parallel()
	a := seedArticle(t)
	for _, length := range []string{LengthShort, LengthNormal, LengthDetailed} {
		s, err := NewExtractive().Summarize(context.Background(), a, Options{Length: length})
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "seed_extractive_"+length, s)
	}

	srv := fakellm.New(t)
	l, _ := newTestLLM(t, srv, nil)
	s, err := l.Summarize(context.Background(), a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "seed_fakellm", s)
}

func TestExtractiveSeedQuality(t *testing.T) {
	t.Parallel()
	a := seedArticle(t)
	s, err := NewExtractive().Summarize(context.Background(), a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Headline != a.Title || s.Model != ExtractiveModel || s.Note != ExtractiveNote {
		t.Errorf("headline %q model %q note %q", s.Headline, s.Model, s.Note)
	}
	if !strings.HasPrefix(s.Summary, "The US and Russian foreign ministers ended") {
		t.Errorf("summary does not start with the lead: %q", s.Summary)
	}
	speakers := map[string]bool{}
	for _, q := range s.Quotes {
		speakers[q.Speaker] = true
	}
	if !speakers["Lavrov"] || !speakers["Kiril Petkov"] {
		t.Errorf("quotes = %+v, want Lavrov and Kiril Petkov among the speakers", s.Quotes)
	}
}

// htmlText turns a reference extraction into Article.Text: block elements
// become paragraphs.
func htmlText(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("corpus page missing: %v", err)
	}
	defer f.Close()
	doc, err := html.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	var paras []string
	var cur strings.Builder
	flush := func() {
		if p := strings.Join(strings.Fields(cur.String()), " "); p != "" {
			paras = append(paras, p)
		}
		cur.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		block := n.Type == html.ElementNode && strings.Contains(" p div h1 h2 h3 h4 li blockquote pre br figcaption td ", " "+n.Data+" ")
		if block {
			flush()
		}
		if n.Type == html.TextNode {
			cur.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
	}
	walk(doc)
	flush()
	return strings.Join(paras, "\n\n")
}

func TestExtractiveCorpus(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"bbc-1", "cnn", "guardian-1", "lemonde-1", "heise", "nytimes-1", "wapo-1", "qq", "wikipedia", "yahoo-1"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			text := htmlText(t, filepath.Join("..", "..", "shared", "corpus", "readability", name, "expected.html"))
			a := &article.Article{URL: "https://example.com/" + name, Title: name, Text: text}
			s, err := NewExtractive().Summarize(context.Background(), a, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if s.Summary == "" {
				t.Fatal("empty summary")
			}
			norm := normalizeForMatch(text)
			for _, part := range append(append(sentencesOf(s.Summary), s.KeyPoints...), quoteTexts(s.Quotes)...) {
				if _, _, ok := norm.find(normalizeForMatch(part).runes); !ok {
					t.Errorf("not verbatim from the article: %q", part)
				}
			}
			t.Logf("%s: %d words, %d points, %d quotes\n%s", name, len(strings.Fields(text)), len(s.KeyPoints), len(s.Quotes), s.Summary)
		})
	}
}

func quoteTexts(qs []Quote) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Text
	}
	return out
}
