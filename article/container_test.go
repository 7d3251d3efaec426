package article

import (
	"strings"
	"testing"
)

func TestContainerBlocks(t *testing.T) {
	t.Parallel()
	long := func(s string) string { return strings.Repeat(s+" ", 12) }
	tests := []struct {
		name      string
		page      string
		want      []string // substrings that must be in the result
		wantNot   []string // and must not
		wantEmpty bool
	}{
		{
			name: "split story: both parts, not the sidebar",
			page: `<body><div id="main"><div class="a"><p>` + long("first part") + `</p></div>
				<div class="ad">Buy now</div><div class="b"><p>` + long("second part") + `</p></div></div>
				<aside><p>` + long("sidebar teaser") + `</p></aside></body>`,
			want:    []string{"first part", "second part"},
			wantNot: []string{"sidebar teaser"},
		},
		{
			name: "comment thread is furniture however long",
			page: `<body><article><p>` + long("story text") + `</p><p>` + long("more story") + `</p></article>
				<div id="comments"><p>` + long("a comment") + `</p></div></body>`,
			want:    []string{"story text", "more story"},
			wantNot: []string{"a comment"},
		},
		{
			name: "a layout wrapper named for its sidebar is not furniture",
			page: `<body><div class="layout--has-sidebar"><p>` + strings.Repeat(long("story text"), 6) + `</p><p>` +
				strings.Repeat(long("more story"), 6) + `</p></div></body>`,
			want: []string{"story text", "more story"},
		},
		{
			name:      "no running text",
			page:      `<body><nav><a href="/a">Home</a></nav><p>Short.</p></body>`,
			wantEmpty: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := strings.Join(blockTexts(containerBlocks(renderPage(mustParse(t, []byte(tt.page))))), "\n")
			if tt.wantEmpty != (got == "") {
				t.Fatalf("got %q, want empty %v", got, tt.wantEmpty)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in %q", w, got)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in %q", w, got)
				}
			}
		})
	}
}

func TestAddLead(t *testing.T) {
	t.Parallel()
	const lead = "The minister resigned on Tuesday after a week of protests over the new tax law."
	page := `<body><p>An older teaser above the header, of no interest to this page at all.</p><header><h1>Minister resigns</h1></header><p>` + lead + `</p>
		<div class="body"><p>First paragraph of the story, long enough to count as running text here.</p></div>
		<div class="teasers"><p>Another story that repeats nothing of the description at all today.</p></div></body>`
	blocks := renderPage(mustParse(t, []byte(page)))
	story := []string{"First paragraph of the story, long enough to count as running text here."}
	tests := []struct {
		name string
		desc string
		in   []string
		want int // paragraphs out
	}{
		{"description equals the standfirst", lead, story, 2},
		{"truncated description", "The minister resigned on Tuesday after a week of…", story, 2},
		{"short description", "Minister resigns", story, 1},
		{"unrelated description", "A page about taxes and other matters of state and more.", story, 1},
		{"standfirst already there", lead, []string{lead, story[0]}, 2},
		{"standfirst after the text's start", lead, []string{"An older teaser above the header, of no interest to this page at all."}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := addLead(append([]string(nil), tt.in...), blocks, tt.desc)
			if len(got) != tt.want {
				t.Fatalf("got %q, want %d paragraphs", got, tt.want)
			}
			if tt.want > len(tt.in) && got[0] != lead {
				t.Errorf("first paragraph %q, want the standfirst", got[0])
			}
		})
	}
}

// TestAddLeadNotHeadline: a description that repeats the headline names no
// standfirst, so the <h1> is not put back into the text; a deck in an <h2>
// that the description repeats is.
func TestAddLeadNotHeadline(t *testing.T) {
	t.Parallel()
	const (
		headline = "The minister resigned on Tuesday after a week of protests over tax"
		story    = "First paragraph of the story, long enough to count as running text here."
	)
	for _, tag := range []string{"h1", "h2"} {
		page := `<body><header><` + tag + `>` + headline + `</` + tag + `></header><div class="body"><p>` + story + `</p></div></body>`
		got := addLead([]string{story}, renderPage(mustParse(t, []byte(page))), headline)
		if want := map[string]int{"h1": 1, "h2": 2}[tag]; len(got) != want {
			t.Errorf("<%s>: got %q, want %d paragraphs", tag, got, want)
		}
	}
}

func TestAddMarkedLead(t *testing.T) {
	t.Parallel()
	const (
		lead  = "The minister resigned on Tuesday after a week of protests over the new tax law."
		story = "First paragraph of the story, long enough to count as running text here."
	)
	tests := []struct {
		name string
		page string
		want int // paragraphs out
	}{
		{"deck named by its class", `<body><h1>Minister resigns</h1><div class="article-dek"><p>` + lead + `</p></div>
			<div class="body"><p>` + story + `</p></div></body>`, 2},
		{"intro two levels up", `<body><h1>Minister resigns</h1><div class="c-page-intro__copy"><div><p>` + lead + `</p></div></div>
			<div class="body"><p>` + story + `</p></div></body>`, 2},
		{"teaser before the headline", `<body><div class="teaser"><p>` + lead + `</p></div><h1>Minister resigns</h1>
			<div class="body"><p>` + story + `</p></div></body>`, 1},
		{"teaser cut short", `<body><h1>Minister resigns</h1><div class="teaser"><p>The minister resigned on Tuesday after a week of protests over the...</p></div>
			<div class="body"><p>` + story + `</p></div></body>`, 1},
		{"in the headline's header", `<body><header><h1>Minister resigns</h1><p>` + lead + `</p></header>
			<div class="body"><p>` + story + `</p></div></body>`, 2},
		{"in another header", `<body><header><p>` + lead + `</p></header><h1>Minister resigns</h1>
			<div class="body"><p>` + story + `</p></div></body>`, 1},
		{"no class", `<body><h1>Minister resigns</h1><div><p>` + lead + `</p></div>
			<div class="body"><p>` + story + `</p></div></body>`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			blocks := renderPage(mustParse(t, []byte(tt.page)))
			got := addLead([]string{story}, blocks, "")
			if len(got) != tt.want {
				t.Fatalf("got %q, want %d paragraphs", got, tt.want)
			}
			if tt.want == 2 && got[0] != lead {
				t.Errorf("first paragraph %q, want the standfirst", got[0])
			}
		})
	}
}
