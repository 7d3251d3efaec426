package summarize

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	"github.com/precisbot/precis/article"
)

// corpusDir is the shared test corpus next to the repository clone; corpus
// tests and benchmarks skip when it is absent.
const corpusDir = "../../shared/corpus"

// corpusArticle is one corpus page as Precis extracts it.
type corpusArticle struct {
	name string
	a    *article.Article
}

func skipWithoutCorpus(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(corpusDir, "README.md")); err != nil {
		tb.Skipf("corpus not found at %s: %v", corpusDir, err)
	}
}

// extractPage turns a stored page into an article the way `precis` does,
// or nil when it would not pass the quality gate.
func extractPage(raw []byte, pageURL string) *article.Article {
	if !utf8.Valid(raw) {
		if enc, name, _ := charset.DetermineEncoding(raw, "text/html"); enc != nil && name != "utf-8" {
			if out, err := io.ReadAll(enc.NewDecoder().Reader(bytes.NewReader(raw))); err == nil {
				raw = out
			}
		}
	}
	a, err := article.Extract(raw, pageURL)
	if err != nil || article.CheckQuality(a, 0) != nil {
		return nil
	}
	return a
}

// loadCorpusArticles extracts the readability pages (every one) and the
// trafilatura-eval pages (every step-th, in name order).
func loadCorpusArticles(tb testing.TB, step int) (readability, trafilatura []corpusArticle) {
	tb.Helper()
	skipWithoutCorpus(tb)
	dir := filepath.Join(corpusDir, "readability")
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		src, err := os.ReadFile(filepath.Join(dir, e.Name(), "source.html"))
		if err != nil {
			continue
		}
		if a := extractPage(src, "https://example.com/"+e.Name()); a != nil {
			readability = append(readability, corpusArticle{e.Name(), a})
		}
	}
	dir = filepath.Join(corpusDir, "trafilatura-eval")
	data, err := os.ReadFile(filepath.Join(dir, "evaldata.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var eval map[string]struct {
		File string `json:"file"`
	}
	if err := json.Unmarshal(data, &eval); err != nil {
		tb.Fatal(err)
	}
	urls := make([]string, 0, len(eval))
	for u := range eval {
		urls = append(urls, u)
	}
	sort.Slice(urls, func(i, j int) bool { return eval[urls[i]].File < eval[urls[j]].File })
	for i, u := range urls {
		if i%step != 0 {
			continue
		}
		gz, err := os.ReadFile(filepath.Join(dir, "html", eval[u].File+".gz"))
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			tb.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			tb.Fatal(err)
		}
		if a := extractPage(raw, u); a != nil {
			trafilatura = append(trafilatura, corpusArticle{eval[u].File, a})
		}
	}
	return readability, trafilatura
}

// shownWords is what a reader of an extractive summary reads: the summary,
// the key points and the quotes (the headline is the article's title).
func shownWords(s *Summary) int {
	n := article.CountWords(s.Summary)
	for _, p := range s.KeyPoints {
		n += article.CountWords(p)
	}
	for _, q := range s.Quotes {
		n += article.CountWords(q.Text)
	}
	return n
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// lengthFigures summarises a corpus: the median words shown, the median of
// words shown / words in the article, and the median summary words.
func lengthFigures(tb testing.TB, arts []corpusArticle, length string) (out, ratio, summary float64) {
	e := NewExtractive()
	var outs, ratios, sums []float64
	for _, ca := range arts {
		s, err := e.Summarize(context.Background(), ca.a, Options{Length: length})
		if err != nil {
			tb.Fatalf("%s: %v", ca.name, err)
		}
		in := article.CountWords(ca.a.Text)
		w := shownWords(s)
		outs = append(outs, float64(w))
		ratios = append(ratios, float64(w)/float64(in))
		sums = append(sums, float64(article.CountWords(s.Summary)))
	}
	return median(outs), median(ratios), median(sums)
}

// BenchmarkExtractiveCorpusLength reports how much of an article the
// offline summary shows, on the readability and trafilatura-eval corpora
// (every page that passes the quality gate): the median words shown
// (summary, key points and quotes), the median ratio of words shown to
// words in, and the median summary words. Run it with
//
//	go test -run '^$' -bench ExtractiveCorpusLength -benchtime 1x ./summarize/
func BenchmarkExtractiveCorpusLength(b *testing.B) {
	readability, trafilatura := loadCorpusArticles(b, 1)
	for _, c := range []struct {
		name string
		arts []corpusArticle
	}{{"readability", readability}, {"trafilatura", trafilatura}} {
		b.Run(c.name, func(b *testing.B) {
			var out, ratio, sum float64
			for b.Loop() {
				out, ratio, sum = lengthFigures(b, c.arts, LengthNormal)
			}
			b.ReportMetric(float64(len(c.arts)), "pages")
			b.ReportMetric(out, "median_words_out")
			b.ReportMetric(ratio, "median_out/in")
			b.ReportMetric(sum, "median_summary_words")
		})
	}
}
