package article

import (
	"strings"
	"testing"
	"time"
)

func TestExtractMetadata(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("<p>"+para+"</p>", 5)
	type want struct {
		title, byline, site, lang, image string
		published                        string // RFC 3339, "" = nil
	}
	tests := []struct {
		name string
		head string
		html string // before the article body
		want want
	}{
		{
			name: "opengraph and article meta",
			head: `<title>Rail inquiry blames operator | The Daily Example</title>
<meta property="og:title" content="Rail inquiry blames operator">
<meta property="og:site_name" content="The Daily Example">
<meta property="og:image" content="/img/rail.jpg">
<meta property="article:published_time" content="2024-03-05T08:30:00+01:00">
<meta name="author" content="By Jane Doe">`,
			want: want{"Rail inquiry blames operator", "Jane Doe", "The Daily Example", "en", "https://www.news.example/img/rail.jpg", "2024-03-05T07:30:00Z"},
		},
		{
			name: "json-ld graph",
			head: `<title>Rail inquiry blames operator - Example News</title>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"WebSite","name":"Example News"},
 {"@type":["NewsArticle"],"headline":"Rail inquiry blames operator","datePublished":"2024-03-05T07:30:00Z",
  "author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"John Roe"}],
  "publisher":{"@type":"Organization","name":"Example News"},
  "image":{"@type":"ImageObject","url":"https://cdn.example/rail.jpg"},"inLanguage":"en-GB"}]}</script>`,
			want: want{"Rail inquiry blames operator", "Jane Doe, John Roe", "Example News", "en", "https://cdn.example/rail.jpg", "2024-03-05T07:30:00Z"},
		},
		{
			name: "title suffix stripped by site name, h1 wins over title",
			head: `<title>Rail inquiry blames operator – NEWS.EXAMPLE</title>`,
			html: `<h1>Rail inquiry blames operator</h1>`,
			want: want{title: "Rail inquiry blames operator", site: "news.example", lang: "en"},
		},
		{
			name: "plain title suffix stripped by host",
			head: `<title>Rail inquiry blames operator | News Example</title>`,
			html: `<h1 class="logo">News Example</h1><time datetime="2023-11-02">2 Nov</time><a rel="author" href="/a/jd">Jane Doe</a>`,
			want: want{"Rail inquiry blames operator", "Jane Doe", "news.example", "en", "", "2023-11-02T00:00:00Z"},
		},
		{
			name: "json-ld headline that disagrees with the title is a description",
			head: `<title>New Zealand - Wikipedia</title><script type="application/ld+json">{"@type":"Article","headline":"constitutional monarchy in Oceania"}</script>`,
			html: `<h1>New Zealand</h1>`,
			want: want{title: "New Zealand", site: "news.example", lang: "en"},
		},
		{
			name: "short title suffix dropped without site metadata",
			head: `<title>Lorem ipsum dolor sit amet – My website</title>`,
			want: want{title: "Lorem ipsum dolor sit amet", site: "news.example", lang: "en"},
		},
		{
			name: "twitter image and dc date, locale from og",
			head: `<meta name="twitter:image" content="https://img.example/t.png"><meta name="dc.date" content="2022-01-21 18:04:11">
<meta property="og:locale" content="de_DE"><meta property="og:title" content="Bahn-Untersuchung">`,
			want: want{title: "Bahn-Untersuchung", site: "news.example", lang: "de", image: "https://img.example/t.png", published: "2022-01-21T18:04:11Z"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lang := ` lang="en"`
			if strings.Contains(tt.head, "og:locale") {
				lang = ""
			}
			page := `<!DOCTYPE html><html` + lang + `><head>` + tt.head + `</head><body>` + tt.html + `<article>` + body + `</article></body></html>`
			a, err := Extract([]byte(page), "https://www.news.example/2024/rail")
			if err != nil {
				t.Fatal(err)
			}
			var pub string
			if a.Published != nil {
				pub = a.Published.UTC().Format(time.RFC3339)
			}
			got := want{a.Title, a.Byline, a.Site, a.Language, a.Image, pub}
			if got != tt.want {
				t.Errorf("metadata\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestNormalizeLang(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"en-US": "en", "de_DE": "de", "FR": "fr", "": "", "english": "", "pt-BR": "pt"} {
		if got := normalizeLang(in); got != want {
			t.Errorf("normalizeLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExtractDetectsLanguage(t *testing.T) {
	t.Parallel()
	page := `<html><head><title>Bahn</title></head><body><article>` + strings.Repeat(`<p>Der Ausschuss hat am Montag seine Ergebnisse veröffentlicht, nachdem er zwei Jahre lang den Zusammenbruch des regionalen Bahnbetreibers untersucht hatte, der Tausende von Pendlern ohne zuverlässigen Dienst ließ.</p>`, 4) + `</article></body></html>`
	a, err := Extract([]byte(page), "https://news.example/bahn")
	if err != nil {
		t.Fatal(err)
	}
	if a.Language != "de" {
		t.Errorf("language = %q, want de", a.Language)
	}
}

func TestExtractText(t *testing.T) {
	t.Parallel()
	a, err := ExtractText([]byte("Rail inquiry blames operator\r\n\r\n"+para+"\r\n\r\n"+para+"\n"), "https://www.news.example/rail.txt")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Rail inquiry blames operator" || a.Text != para+"\n\n"+para || a.Site != "news.example" || a.Words != 2*CountWords(para) || a.Language != "en" {
		t.Errorf("ExtractText = %+v", a)
	}
}
