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
	for _, tt := range []struct {
		length      string
		maxWords    int
		maxShown    int
		wantSpeaker []string
	}{
		{LengthShort, 60, 100, nil},
		{LengthNormal, 120, 200, []string{"Lavrov"}},
		{LengthDetailed, 200, 333, []string{"Lavrov", "Kiril Petkov"}},
	} {
		s, err := NewExtractive().Summarize(context.Background(), a, Options{Length: tt.length})
		if err != nil {
			t.Fatal(err)
		}
		if s.Headline != a.Title || s.Model != ExtractiveModel || s.Note != ExtractiveNote {
			t.Errorf("%s: headline %q model %q note %q", tt.length, s.Headline, s.Model, s.Note)
		}
		if !strings.HasPrefix(s.Summary, "The US and Russian foreign ministers ended") {
			t.Errorf("%s: summary does not start with the lead: %q", tt.length, s.Summary)
		}
		if n := article.CountWords(s.Summary); n > tt.maxWords {
			t.Errorf("%s: %d summary words, want at most %d", tt.length, n, tt.maxWords)
		}
		if n := shownWords(s); n > tt.maxShown {
			t.Errorf("%s: %d words shown, want at most %d", tt.length, n, tt.maxShown)
		}
		speakers := map[string]bool{}
		for _, q := range s.Quotes {
			speakers[q.Speaker] = true
		}
		for _, sp := range tt.wantSpeaker {
			if !speakers[sp] {
				t.Errorf("%s: quotes = %+v, want %s among the speakers", tt.length, s.Quotes, sp)
			}
		}
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

// TestExtractiveCorpus: on real pages in several languages (English,
// French, German, Chinese) the offline summary is verbatim, within its
// budget (about 120 summary words, 3 key points, 2 quotes), ends on a whole
// sentence, and shows no sentence that leans on one it does not show.
func TestExtractiveCorpus(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"bbc-1", "cnn", "guardian-1", "lemonde-1", "heise", "nytimes-1", "wapo-1", "qq", "gmw", "wikipedia", "yahoo-1"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			text := htmlText(t, filepath.Join(corpusDir, "readability", name, "expected.html"))
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
			if n := article.CountWords(s.Summary); n > 120 {
				t.Errorf("summary has %d words, want at most 120", n)
			}
			in, shown := article.CountWords(text), shownWords(s)
			if shown > 200 || shown > max(60, in/4) {
				t.Errorf("%d words shown of %d, want at most 200 and a quarter", shown, in)
			}
			if len(s.KeyPoints) > 3 || len(s.Quotes) > 2 {
				t.Errorf("%d key points and %d quotes, want at most 3 and 2", len(s.KeyPoints), len(s.Quotes))
			}
			for _, part := range append([]string{s.Summary}, s.KeyPoints...) {
				if !endsLikeSentence(part) || openQuote(part) {
					t.Errorf("does not end on a whole sentence: %q", part)
				}
			}
			for _, p := range s.KeyPoints {
				if leansBack(p) || pronounSaidRE().MatchString(narration(p)) {
					t.Errorf("key point leans on a sentence not shown: %q", p)
				}
			}
			if sents := sentencesOf(s.Summary); len(sents) > 0 && leansBack(sents[0]) {
				t.Errorf("summary opens leaning on a sentence not shown: %q", sents[0])
			}
			t.Logf("%s: %d words in, %d shown\n%s", name, article.CountWords(text), shownWords(s), s.Summary)
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
