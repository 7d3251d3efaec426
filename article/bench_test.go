package article

import (
	"bytes"
	"net/url"
	"runtime"
	"syscall"
	"testing"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
)

// runCorpusBench extracts b.N pages round-robin from the corpus and reports
// ms/page, the heap the process reserved (MemStats.HeapSys, which tracks the
// peak heap footprint) and the process's max resident set size. The corpus
// stays compressed in memory (29 MB) and each page is decompressed outside
// the timer. Run one benchmark per process for a meaningful maxrss.
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
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heapsys-MiB")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MiB") // Linux: KiB
	}
}

// BenchmarkExtractCorpus measures Extract (metadata, hidden-element removal,
// readability, fallback, cleanup) over the trafilatura evaluation pages:
//
//	go test -run '^$' -bench Corpus -benchtime 990x ./article/
func BenchmarkExtractCorpus(b *testing.B) {
	runCorpusBench(b, func(page []byte, pageURL string) {
		if _, err := Extract(page, pageURL); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkReadeckCorpus is the library alone through its own entry point,
// on the same pages, for the time ratio.
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
