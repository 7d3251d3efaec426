package article

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"testing"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
)

// Benchmarks for the extraction figures in the README's development notes.
// Run one benchmark per process for a meaningful maxrss:
//
//	go test -run '^$' -bench 'ExtractVsReadeck$' -benchtime 990x ./article/  # time per page vs readeck, one run
//	go test -run '^$' -bench 'ExtractBatch$' -benchtime 1x ./article/       # peak RSS over a 181-page batch
//	go test -run '^$' -bench 'ExtractCorpus$' -benchtime 990x ./article/    # Extract alone, allocations

// reportMemory reports the heap the process reserved (MemStats.HeapSys,
// which tracks the peak heap footprint) and the process's max resident set
// size.
func reportMemory(b *testing.B) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heapsys-MiB")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MiB") // Linux: KiB
	}
}

// runCorpusBench extracts b.N pages round-robin from the corpus and reports
// ms/page and memory. The corpus stays compressed in memory (29 MB) and
// each page is decompressed outside the timer.
func runCorpusBench(b *testing.B, extract func(page []byte, pageURL string)) {
	pages := loadTrafilaturaEvalGz(b)
	b.ReportAllocs()
	runtime.GC()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		pg := pages[i%len(pages)]
		page := gunzipPage(b, pg)
		b.StartTimer()
		extract(page, pg.url)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
	reportMemory(b)
}

// BenchmarkExtractCorpus measures Extract (metadata, hidden-element removal,
// page rendering, readability, fallback, cleanup) over the trafilatura
// evaluation pages.
func BenchmarkExtractCorpus(b *testing.B) {
	runCorpusBench(b, func(page []byte, pageURL string) {
		if _, err := Extract(page, pageURL); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkReadeckCorpus is the library alone through its own entry point,
// on the same pages.
func BenchmarkReadeckCorpus(b *testing.B) {
	runCorpusBench(b, func(page []byte, pageURL string) {
		u, _ := url.Parse(pageURL)
		_, _ = readability.FromReader(bytes.NewReader(page), u)
	})
}

// BenchmarkReadeckParsedCorpus is the library on a document parsed the way
// Extract parses it (no charset sniffing), isolating what Extract adds.
func BenchmarkReadeckParsedCorpus(b *testing.B) {
	runCorpusBench(b, func(page []byte, pageURL string) {
		u, _ := url.Parse(pageURL)
		doc, err := html.Parse(bytes.NewReader(page))
		if err != nil {
			b.Fatal(err)
		}
		p := readability.NewParser()
		_, _ = p.ParseAndMutate(doc, u)
	})
}

// BenchmarkExtractVsReadeck times, page by page in one run, what
// `precis extract FILE` does with a page's bytes (Reader.ReadBytes:
// charset decoding, extraction, quality gate) and readeck's
// readability.FromReader (charset sniffing, parse, extraction) on the same
// bytes, alternating which goes first, so that both see the same machine
// load. ratio is ours over readeck's; <= 1 is the goal.
func BenchmarkExtractVsReadeck(b *testing.B) {
	pages := loadTrafilaturaEvalGz(b)
	r := NewReader(nil, 0)
	var ours, theirs time.Duration
	runtime.GC()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		pg := pages[i%len(pages)]
		page := gunzipPage(b, pg)
		u, _ := url.Parse(pg.url)
		b.StartTimer()
		for k := range 2 {
			start := time.Now()
			if (i+k)%2 == 0 {
				_, _ = r.ReadBytes(page, pg.url, "text/html")
				ours += time.Since(start)
			} else {
				_, _ = readability.FromReader(bytes.NewReader(page), u)
				theirs += time.Since(start)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(ours.Microseconds())/1000/float64(b.N), "ms/page")
	b.ReportMetric(float64(theirs.Microseconds())/1000/float64(b.N), "readeck-ms/page")
	b.ReportMetric(float64(ours)/float64(theirs), "ratio")
}

// batchPages is the size of the batch whose peak memory is measured.
const batchPages = 181

// BenchmarkExtractBatch extracts a batch of pages one after the other the
// way `precis extract --json FILE...` does, reading each from disk, and
// reports the process's peak RSS: only the page in hand is in memory.
func BenchmarkExtractBatch(b *testing.B) {
	skipWithoutCorpus(b)
	dir := filepath.Join(corpusDir, "trafilatura-eval")
	data, err := os.ReadFile(filepath.Join(dir, "evaldata.json"))
	if err != nil {
		b.Fatal(err)
	}
	var eval map[string]struct {
		File string `json:"file"`
	}
	if err := json.Unmarshal(data, &eval); err != nil {
		b.Fatal(err)
	}
	type item struct{ file, url string }
	var items []item
	for u, e := range eval {
		items = append(items, item{e.File, u})
	}
	data, eval = nil, nil
	sort.Slice(items, func(i, j int) bool { return items[i].file < items[j].file })
	items = items[:min(batchPages, len(items))]
	r := NewReader(nil, 0)
	runtime.GC()
	b.ResetTimer()
	for range b.N {
		for _, it := range items {
			page, err := readGz(filepath.Join(dir, "html", it.file+".gz"))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = r.ReadBytes(page, it.url, "text/html")
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*len(items)), "ms/page")
	reportMemory(b)
}

func readGz(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
