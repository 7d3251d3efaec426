package article

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestFindLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		max  int
		want []string
	}{
		{"none", "no links here, just words.", 0, nil},
		{"bare", "read this https://example.com/news/story-1 now", 0, []string{"https://example.com/news/story-1"}},
		{"sentence end", "Have you seen https://example.com/a.html.", 0, []string{"https://example.com/a.html"}},
		{"trailing punctuation", "wow https://example.com/a!!! and https://example.org/b?, also https://example.net/c:", 0,
			[]string{"https://example.com/a", "https://example.org/b", "https://example.net/c"}},
		{"suppressed embed", "<https://example.com/a>", 0, []string{"https://example.com/a"}},
		{"markdown masked", "see [the story](https://example.com/story) please", 0, []string{"https://example.com/story"}},
		{"markdown text is a url", "[https://evil.example/](https://example.com/real)", 0, []string{"https://example.com/real"}},
		{"spoiler", "||https://example.com/spoiler||", 0, []string{"https://example.com/spoiler"}},
		{"parenthesised", "(see https://example.com/a)", 0, []string{"https://example.com/a"}},
		{"balanced paren kept", "https://en.wikipedia.org/wiki/Go_(programming_language)", 0,
			[]string{"https://en.wikipedia.org/wiki/Go_(programming_language)"}},
		{"balanced paren inside parens", "(https://en.wikipedia.org/wiki/Go_(programming_language))", 0,
			[]string{"https://en.wikipedia.org/wiki/Go_(programming_language)"}},
		{"quoted", `he said "https://example.com/q" twice`, 0, []string{"https://example.com/q"}},
		{"bold", "**https://example.com/bold**", 0, []string{"https://example.com/bold"}},
		{"unicode punctuation", "記事：https://example.jp/news/1。", 0, []string{"https://example.jp/news/1"}},
		{"dedupe by normal form", "https://Example.com/a?utm_source=x https://example.com/a#top https://example.com/a", 0,
			[]string{"https://example.com/a"}},
		{"tracking removed", "https://example.com/a?id=7&fbclid=xyz", 0, []string{"https://example.com/a?id=7"}},
		{"default max 3", "https://a.example/1 https://a.example/2 https://a.example/3 https://a.example/4", 0,
			[]string{"https://a.example/1", "https://a.example/2", "https://a.example/3"}},
		{"explicit max", "https://a.example/1 https://a.example/2 https://a.example/3", 2,
			[]string{"https://a.example/1", "https://a.example/2"}},
		{"images and videos skipped", "https://example.com/cat.PNG https://example.com/v.mp4?x=1 https://example.com/a.jpeg https://example.com/ok", 0,
			[]string{"https://example.com/ok"}},
		{"gif and discord hosts skipped", "https://tenor.com/view/x https://media.tenor.com/y https://giphy.com/gifs/z " +
			"https://cdn.discordapp.com/attachments/1/2/f https://media.discordapp.net/a https://discord.com/channels/1/2/3 " +
			"https://discord.gg/abc https://discordapp.com/invite/x https://news.example/real", 0, []string{"https://news.example/real"}},
		{"other schemes skipped", "ftp://example.com/a mailto:x@example.com javascript:alert(1) file:///etc/passwd", 0, nil},
		{"inline code skipped", "try `curl https://example.com/api` or https://example.com/doc", 0, []string{"https://example.com/doc"}},
		{"double backtick code", "``a ` https://example.com/in``", 0, nil},
		{"code block skipped", "```go\nhttp.Get(\"https://example.com/x\")\n```\nhttps://example.com/after", 0,
			[]string{"https://example.com/after"}},
		{"unclosed backtick is text", "it's ` https://example.com/a", 0, []string{"https://example.com/a"}},
		{"glued word prefix", "xhttps://example.com/a", 0, nil},
		{"upper-case scheme", "HTTPS://EXAMPLE.COM/A", 0, []string{"https://example.com/A"}},
		{"mention next to link", "<@123> https://example.com/a<@456>", 0, []string{"https://example.com/a"}},
		{"newline separated", "https://example.com/a\nhttps://example.com/b", 0, []string{"https://example.com/a", "https://example.com/b"}},
		{"bad host skipped", "https://exa%20mple.com/ https://ok.example/", 0, []string{"https://ok.example/"}},
		{"scheme only", "http:// https://", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := FindLinks(tt.text, tt.max)
			if !slices.Equal(got, tt.want) {
				t.Errorf("FindLinks(%q, %d) = %q, want %q", tt.text, tt.max, got, tt.want)
			}
		})
	}
}

func FuzzFindLinks(f *testing.F) {
	for _, s := range []string{
		"read https://example.com/a?utm_source=x, then <https://example.org/b>",
		"[t](https://en.wikipedia.org/wiki/Go_(language)) ||https://x.example/s||",
		"```\nhttps://example.com/code\n``` `https://example.com/inline` https://tenor.com/x.gif",
		"HTTPS://Bücher.example/ü?q=1#f https://example.com/a.png",
		"((https://a.example/)))]]",
	} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, text string, max int) {
		got := FindLinks(text, max)
		limit := max
		if limit <= 0 {
			limit = DefaultMaxLinks
		}
		if len(got) > limit {
			t.Fatalf("FindLinks returned %d links, max %d", len(got), limit)
		}
		seen := map[string]bool{}
		for _, l := range got {
			u, err := url.Parse(l)
			if err != nil {
				t.Fatalf("link %q does not parse: %v", l, err)
			}
			if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
				t.Fatalf("link %q is not an absolute http(s) URL", l)
			}
			if norm, err := NormalizeURL(l); err != nil || norm != l {
				t.Fatalf("link %q is not in normal form: %q, %v", l, norm, err)
			}
			if seen[l] {
				t.Fatalf("duplicate link %q", l)
			}
			seen[l] = true
			if strings.ContainsAny(l, " \n\t") {
				t.Fatalf("link %q contains white space", l)
			}
		}
	})
}

func BenchmarkFindLinks(b *testing.B) {
	msg := "Morning all! Read <https://www.example.com/news/2024/05/story-about-things?utm_source=twitter&id=7> " +
		"and [this analysis](https://en.wikipedia.org/wiki/Go_(programming_language)), also ||https://example.org/spoiler|| " +
		"`https://example.com/code` https://tenor.com/view/funny-cat.gif " + strings.Repeat("words words words ", 50)
	b.ReportAllocs()
	for b.Loop() {
		FindLinks(msg, 3)
	}
}

func BenchmarkNormalizeURL(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NormalizeURL("HTTPS://Www.Example.com:443/news/Story?utm_source=x&b=2&a=1&fbclid=abc#top")
	}
}
