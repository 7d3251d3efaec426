package article

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// TestCorpusGateVerdicts runs the quality gate over the evaluation corpora:
// real article pages, annotated by people, so a wall verdict there is
// almost always a false alarm. It counts the verdicts with the text alone
// and with the page's markup, and holds the walls to a ratchet.
func TestCorpusGateVerdicts(t *testing.T) {
	t.Parallel()
	// Under -race (CI) a smaller subset than the extraction ratchets use:
	// the gate is not what the race detector is for.
	pages := append(corpusSubset(loadTrafilaturaEvalGz(t), 16), corpusSubset(loadReadability(t), 8)...)
	type verdicts struct{ text, page Quality }
	got := make([]verdicts, len(pages))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, pg := range pages {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			body := gunzipPage(t, pg)
			a, err := Extract(body, pg.url)
			if err != nil {
				return
			}
			got[i].text, _ = judge(a, 0, pageSignals{})
			var sig pageSignals
			if CountWords(a.Text) <= wallMaxWords {
				sig = scanSignals(body, a.Text)
			}
			got[i].page, _ = judge(a, 0, sig)
		}()
	}
	wg.Wait()
	count := func(pick func(verdicts) Quality) map[string]int {
		m := map[string]int{}
		for _, v := range got {
			q := pick(v)
			if q.OK {
				m["ok"]++
			} else {
				m[q.Reason]++
			}
		}
		return m
	}
	text, page := count(func(v verdicts) Quality { return v.text }), count(func(v verdicts) Quality { return v.page })
	t.Logf("%d pages: text alone %v; with page markup %v", len(pages), text, page)
	// Measured on all 1,120 pages: 5 walls with markup (every one a
	// teaser: "Mit top+ weiterlesen", a text cut off with "...", two
	// marked not free), 1 from the text alone.
	if limit := max(1, len(pages)/150); page[ReasonWall] > limit {
		t.Errorf("%d of %d real article pages judged walls; at most %d expected", page[ReasonWall], len(pages), limit)
	}
	if os.Getenv("GATE_VERBOSE") != "" {
		var lines []string
		for i, v := range got {
			if v.page.Reason == ReasonWall || v.page.Reason == ReasonShort {
				lines = append(lines, fmt.Sprintf("%s %s %s", v.page.Reason, pages[i].name, pages[i].url))
			}
		}
		sort.Strings(lines)
		t.Log("\n" + strings.Join(lines, "\n"))
	}
}
