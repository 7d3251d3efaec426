package article

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the extraction (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestExtractSeed(t *testing.T) {
	t.Parallel()
	page, err := os.ReadFile(filepath.Join(corpusDir, "seed", "page.html"))
	if err != nil {
		t.Skipf("seed page not available: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(corpusDir, "seed", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		URL         string   `json:"url"`
		Title       string   `json:"title"`
		Text        string   `json:"text"`
		Boilerplate []string `json:"boilerplate"`
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	a, err := Extract(page, want.URL)
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != want.Title {
		t.Errorf("title = %q, want %q", a.Title, want.Title)
	}
	got := make(map[string]bool)
	for _, p := range strings.Split(a.Text, "\n\n") {
		got[p] = true
	}
	for _, p := range strings.Split(want.Text, "\n\n") {
		if !got[p] {
			t.Errorf("missing paragraph %q", p)
		}
	}
	for _, b := range want.Boilerplate {
		if strings.Contains(a.Text, b) {
			t.Errorf("boilerplate %q left in the text", b)
		}
	}
	if a.Site != "World News Today" || a.Language != "en" || a.Published == nil ||
		!a.Published.Equal(time.Date(2022, 1, 21, 18, 4, 11, 0, time.UTC)) {
		t.Errorf("metadata: site %q language %q published %v", a.Site, a.Language, a.Published)
	}
	if err := CheckQuality(a, 0); err != nil {
		t.Errorf("CheckQuality: %v", err)
	}
	out, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "seed.golden.json", append(out, '\n'))
}

func TestNeedsFallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		words, pageWords int
		want             bool
	}{
		{words: 500, pageWords: 600, want: false},
		{words: 200, pageWords: 600, want: true},  // a fragment of a split story
		{words: 20, pageWords: 0, want: true},     // text outside <p>: too short on its face
		{words: 60, pageWords: 0, want: false},    // short but all the page has
		{words: 0, pageWords: 0, want: true},      // nothing found
		{words: 400, pageWords: 2000, want: true}, // a list beside the story
		{words: 1300, pageWords: 2000, want: false},
	}
	for _, tt := range tests {
		if got := needsFallback(tt.words, tt.pageWords); got != tt.want {
			t.Errorf("needsFallback(%d, %d) = %v, want %v", tt.words, tt.pageWords, got, tt.want)
		}
	}
}

// testWords returns a paragraph of n distinct words starting with prefix.
func testWords(prefix string, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = prefix + strconv.Itoa(i)
	}
	return strings.Join(w, " ")
}

func TestPreferFallback(t *testing.T) {
	t.Parallel()
	story := []string{testWords("story", 80), testWords("more", 70)} // 150 words
	tests := []struct {
		name        string
		paras, alt  []string
		wantPrefers bool
	}{
		{"clearly longer", story[:1], story, true},
		{"only a little longer", story, append(append([]string{}, story...), testWords("x", 10)), false},
		{"primary empty", nil, []string{"Just a few words."}, true},
		{"both empty", nil, nil, false},
		{"disjoint and substantial", story, []string{testWords("other", 60), testWords("else", 40)}, true},
		{"disjoint but under half", story, []string{testWords("other", 70)}, false},
		{"disjoint but too short", story[:1][:1], []string{testWords("other", 45)}, false},
		{"same text, shorter", story, story[1:], false},
	}
	for _, tt := range tests {
		if got := preferFallback(tt.paras, tt.alt); got != tt.wantPrefers {
			t.Errorf("%s: preferFallback = %v, want %v", tt.name, got, tt.wantPrefers)
		}
	}
}

func TestDropBlobs(t *testing.T) {
	t.Parallel()
	blob := testWords("caption", 900)
	para := testWords("story", 120)
	tests := []struct {
		name         string
		alt          []string
		primaryWords int
		want         int // paragraphs kept
	}{
		{"blob longer than the primary text", []string{para, blob, para}, 300, 2},
		{"primary text longer than the blob", []string{para, blob}, 1000, 2},
		{"primary too short to compare", []string{para, blob}, 20, 2},
		{"long paragraph under the floor", []string{testWords("long", 390)}, 100, 1},
	}
	for _, tt := range tests {
		if got := dropBlobs(append([]string(nil), tt.alt...), tt.primaryWords); len(got) != tt.want {
			t.Errorf("%s: kept %d paragraphs, want %d", tt.name, len(got), tt.want)
		}
	}
}

func TestExtractLDBody(t *testing.T) {
	t.Parallel()
	story := strings.Repeat("The council voted to rebuild the bridge after the flood, and work starts in May. ", 5)
	const lead = "The town will get its bridge back next year, the council decided on Monday night."
	ld := func(body string) string {
		b, err := json.Marshal(map[string]any{"@type": "NewsArticle", "headline": "Bridge", "articleBody": body})
		if err != nil {
			t.Fatal(err)
		}
		return `<script type="application/ld+json">` + string(b) + `</script>`
	}
	tests := []struct {
		name     string
		page     string
		want     []string
		wantNot  []string
		wantWord int // at least
	}{
		{
			name: "text rendered by scripts comes from articleBody, with the described standfirst",
			page: `<html><head><meta name="description" content="` + lead + `">` + ld(story+"\n"+story) + `</head><body>
				<h1>Bridge</h1><p class="x">` + lead + `</p><div id="app">Loading</div></body></html>`,
			want:     []string{lead, "work starts in May"},
			wantWord: 150,
		},
		{
			name:    "articleBody in HTML is rendered",
			page:    `<html><head>` + ld("<p>"+story+"</p><p>"+story+"</p>") + `</head><body><h1>Bridge</h1><div id="app"></div></body></html>`,
			want:    []string{"work starts in May"},
			wantNot: []string{"<p>"},
		},
		{
			name: "a page that shows its story keeps its own text",
			page: `<html><head>` + ld("Short summary of the story in a few words, nothing like the page itself, and more.") + `</head><body><article><p>` +
				story + `</p><p>` + story + `</p></article></body></html>`,
			want:    []string{"work starts in May"},
			wantNot: []string{"Short summary"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := Extract([]byte(tt.page), "https://news.example/bridge")
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(a.Text, w) {
					t.Errorf("%q missing from:\n%s", w, a.Text)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(a.Text, w) {
					t.Errorf("%q in:\n%s", w, a.Text)
				}
			}
			if a.Words < tt.wantWord {
				t.Errorf("%d words, want at least %d", a.Words, tt.wantWord)
			}
		})
	}
}
