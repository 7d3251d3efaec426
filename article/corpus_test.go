package article

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// corpusDir is the shared test corpus, next to the repository clone
// (<clone>/../shared/corpus); corpus tests skip when it is absent.
const corpusDir = "../../shared/corpus"

// Ratchets: the corpus figures measured for the current extractor, minus a
// small margin. A change that makes extraction worse fails the test; when a
// change makes it better, raise these.
const (
	ratchetTrafilaturaF1 = 0.9383 // measured 0.9403 (P 0.9303, R 0.9505); issue 14's goal is 0.935
	ratchetReadabilityF1 = 0.9850 // measured 0.9851 (P 0.9899, R 0.9802), held at issue 14's goal on purpose: a change that takes it below fails; its reference keeps related-story lists, short captions and credits, and leaves out standfirsts
	// Under -race only every 4th trafilatura-eval page and every 3rd
	// readability page are scored (see corpusSubset).
	ratchetTrafilaturaRaceF1 = 0.9326 // measured 0.9346 on 248 pages
	ratchetReadabilityRaceF1 = 0.9879 // measured 0.9899 on 44 pages
)

type corpusPage struct {
	name    string
	url     string
	html    []byte   // UTF-8
	gz      []byte   // trafilatura-eval: the page compressed, when html is not loaded
	with    []string // trafilatura-eval: snippets that must be extracted
	without []string // trafilatura-eval: snippets that must not
	want    string   // readability: expected text
}

func skipWithoutCorpus(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(corpusDir, "README.md")); err != nil {
		tb.Skipf("corpus not found at %s: %v", corpusDir, err)
	}
}

// corpusUTF8 decodes a stored page: valid UTF-8 as is (some pages declare
// a legacy charset but are UTF-8), else by its <meta charset> or sniffing.
func corpusUTF8(tb testing.TB, raw []byte) []byte {
	if utf8.Valid(raw) {
		return raw
	}
	enc, name, _ := charset.DetermineEncoding(raw, "text/html")
	if name == "utf-8" || enc == nil {
		return raw
	}
	out, err := io.ReadAll(enc.NewDecoder().Reader(bytes.NewReader(raw)))
	if err != nil {
		tb.Errorf("decode %s: %v", name, err)
	}
	return out
}

// loadTrafilaturaEvalGz loads the evaluation pages still compressed (29 MB
// rather than 150), for benchmarks that measure memory.
func loadTrafilaturaEvalGz(tb testing.TB) []corpusPage {
	tb.Helper()
	skipWithoutCorpus(tb)
	dir := filepath.Join(corpusDir, "trafilatura-eval")
	data, err := os.ReadFile(filepath.Join(dir, "evaldata.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var eval map[string]struct {
		File    string   `json:"file"`
		With    []string `json:"with"`
		Without []string `json:"without"`
	}
	if err := json.Unmarshal(data, &eval); err != nil {
		tb.Fatal(err)
	}
	pages := make([]corpusPage, 0, len(eval))
	for u, e := range eval {
		gz, err := os.ReadFile(filepath.Join(dir, "html", e.File+".gz"))
		if err != nil {
			tb.Fatal(err)
		}
		pages = append(pages, corpusPage{name: e.File, url: u, gz: gz, with: e.With, without: e.Without})
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].name < pages[j].name })
	return pages
}

// gunzipPage returns a compressed page's HTML as UTF-8. It is safe to call
// from any goroutine: failures are reported with Errorf.
func gunzipPage(tb testing.TB, pg corpusPage) []byte {
	if pg.html != nil {
		return pg.html
	}
	zr, err := gzip.NewReader(bytes.NewReader(pg.gz))
	if err != nil {
		tb.Errorf("%s: %v", pg.name, err)
		return nil
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		tb.Errorf("%s: %v", pg.name, err)
		return nil
	}
	return corpusUTF8(tb, raw)
}

func loadReadability(tb testing.TB) []corpusPage {
	tb.Helper()
	skipWithoutCorpus(tb)
	dir := filepath.Join(corpusDir, "readability")
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var pages []corpusPage
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, e.Name(), "source.html"))
		if err != nil {
			tb.Fatal(err)
		}
		exp, err := os.ReadFile(filepath.Join(dir, e.Name(), "expected.html"))
		if err != nil {
			tb.Fatal(err)
		}
		doc, err := html.Parse(bytes.NewReader(exp))
		if err != nil {
			tb.Fatal(err)
		}
		want := strings.Join(renderParagraphs(doc, nil), "\n\n")
		pages = append(pages, corpusPage{
			name: e.Name(), url: "http://fakehost/test/page.html",
			html: corpusUTF8(tb, src), want: want,
		})
	}
	return pages
}

// extractFunc is an extractor under measurement; it returns the main text.
type extractFunc func(page []byte, pageURL string) string

func ourText(page []byte, pageURL string) string {
	a, err := Extract(page, pageURL)
	if err != nil {
		return ""
	}
	return a.Text
}

// extractAll runs fn over pages on GOMAXPROCS workers, decompressing pages
// loaded compressed; results keep page order.
func extractAll(tb testing.TB, pages []corpusPage, fn extractFunc) []string {
	out := make([]string, len(pages))
	idx := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				out[i] = fn(gunzipPage(tb, pages[i]), pages[i].url)
			}
		}()
	}
	for i := range pages {
		idx <- i
	}
	close(idx)
	wg.Wait()
	return out
}

type prf struct{ p, r, f float64 }

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// snippetScore is trafilatura's evaluation: white-space normalised substring
// matching, totals over all pages.
func snippetScore(pages []corpusPage, texts []string) prf {
	var tp, fn, fp float64
	for i, pg := range pages {
		got := strings.Join(strings.Fields(texts[i]), " ")
		for _, s := range pg.with {
			if strings.Contains(got, strings.Join(strings.Fields(s), " ")) {
				tp++
			} else {
				fn++
			}
		}
		for _, s := range pg.without {
			if strings.Contains(got, strings.Join(strings.Fields(s), " ")) {
				fp++
			}
		}
	}
	p, r := tp/(tp+fp), tp/(tp+fn)
	return prf{p, r, f1(p, r)}
}

// scoreWords splits s into Unicode \w+ words (letters, marks, digits, '_').
func scoreWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_')
	})
}

func shingles(s string) map[string]int {
	w := scoreWords(s)
	m := make(map[string]int)
	if len(w) == 0 {
		return m
	}
	if len(w) < 4 {
		m[strings.Join(w, " ")]++
		return m
	}
	for i := 0; i+4 <= len(w); i++ {
		m[strings.Join(w[i:i+4], " ")]++
	}
	return m
}

// shinglePR is one page's 4-gram shingle precision and recall.
func shinglePR(got, want string) (p, r float64) {
	g, w := shingles(got), shingles(want)
	var ng, nw, overlap int
	for k, c := range g {
		ng += c
		overlap += min(c, w[k])
	}
	for _, c := range w {
		nw += c
	}
	if ng > 0 {
		p = float64(overlap) / float64(ng)
	}
	if nw > 0 {
		r = float64(overlap) / float64(nw)
	}
	return p, r
}

// shingleScore averages precision and recall over pages, F1 from the averages.
func shingleScore(pages []corpusPage, texts []string) prf {
	var sp, sr float64
	for i, pg := range pages {
		p, r := shinglePR(texts[i], pg.want)
		sp += p
		sr += r
	}
	n := float64(len(pages))
	return prf{sp / n, sr / n, f1(sp/n, sr/n)}
}

// corpusSubset returns every page, or under the race detector (about ten
// times slower) a deterministic subset of every n-th page so
// `go test -race ./...` stays fast on CI's two cores. The full sets, and the
// ratchets, run without -race; under -race a lower subset ratchet applies.
func corpusSubset(pages []corpusPage, every int) []corpusPage {
	if !raceEnabled {
		return pages
	}
	var sub []corpusPage
	for i := 0; i < len(pages); i += every {
		sub = append(sub, pages[i])
	}
	return sub
}

func TestCorpusTrafilaturaEval(t *testing.T) {
	t.Parallel()
	pages := corpusSubset(loadTrafilaturaEvalGz(t), 4)
	s := snippetScore(pages, extractAll(t, pages, ourText))
	t.Logf("trafilatura-eval (%d pages): F1 %.4f P %.4f R %.4f", len(pages), s.f, s.p, s.r)
	ratchet := ratchetTrafilaturaF1
	if raceEnabled {
		ratchet = ratchetTrafilaturaRaceF1
	}
	if s.f < ratchet {
		t.Errorf("trafilatura-eval F1 %.4f fell below the ratchet %.4f", s.f, ratchet)
	}
}

func TestCorpusReadability(t *testing.T) {
	t.Parallel()
	pages := corpusSubset(loadReadability(t), 3)
	s := shingleScore(pages, extractAll(t, pages, ourText))
	t.Logf("readability (%d pages): 4-gram F1 %.4f P %.4f R %.4f", len(pages), s.f, s.p, s.r)
	ratchet := ratchetReadabilityF1
	if raceEnabled {
		ratchet = ratchetReadabilityRaceF1
	}
	if s.f < ratchet {
		t.Errorf("readability 4-gram F1 %.4f fell below the ratchet %.4f", s.f, ratchet)
	}
}
