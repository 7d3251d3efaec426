package summarize

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/precisbot/precis/internal/fakellm"
)

func TestRemoveURLs(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Read more at https://evil.example/login now.", "Read more at now."},
		{"See (https://evil.example/a?b=c) for details.", "See for details."},
		{"Visit www.evil.example today", "Visit today"},
		{"Join discord.gg/abc123 for updates.", "Join for updates."},
		{"Log in at evil.example/login.", "Log in at."},
		{"<https://x.example/y> is hidden", "is hidden"},
		{"ftp://files.example/pub and hxxp text", "and hxxp text"},
		{"Amazon.com said sales rose 3.5% to 1.2/share.", "Amazon.com said sales rose 3.5% to 1.2/share."},
		{"U.S./Canada talks and/or trade", "U.S./Canada talks and/or trade"},
		{"no links here", "no links here"},
	}
	for _, tt := range tests {
		if got := removeURLs(tt.in); got != tt.want {
			t.Errorf("removeURLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLLMOutputHasNoURLs: links the model writes are removed from every
// field; the only link left is the article's own.
func TestLLMOutputHasNoURLs(t *testing.T) {
	t.Parallel()
	srv := fakellm.New(t)
	srv.SetResponder(fakellm.Modify(func(p *fakellm.Payload, _ string) {
		p.Headline = "Talks go on https://evil.example/h"
		p.Summary = "Blinken met Lavrov, see www.evil.example/s. " + p.Summary
		p.KeyPoints = append(p.KeyPoints, "Details at evil.example/k", "http://only.example/link")
		if len(p.Quotes) > 0 {
			p.Quotes[0].Speaker = "Blinken https://evil.example/sp"
		}
		p.Perspectives = append(p.Perspectives, fakellm.Perspective{Party: "Russia <https://evil.example/p>", Position: "Lavrov says more at http://evil.example/pos"})
	}))
	l, _ := newTestLLM(t, srv, nil)
	a := seedArticle(t)
	s, err := l.Summarize(context.Background(), a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fields := []string{s.Headline, s.Summary}
	fields = append(fields, s.KeyPoints...)
	for _, q := range s.Quotes {
		fields = append(fields, q.Text, q.Speaker)
	}
	for _, p := range s.Perspectives {
		fields = append(fields, p.Party, p.Position)
	}
	link := regexp.MustCompile(`(?i)https?://|www\.|evil\.example|only\.example`)
	for _, f := range fields {
		if link.MatchString(f) {
			t.Errorf("link left in %q", f)
		}
	}
	if !strings.HasPrefix(s.Headline, "Talks go on") || !strings.HasPrefix(s.Summary, "Blinken met Lavrov, see.") {
		t.Errorf("text around the links lost: %q / %q", s.Headline, s.Summary)
	}
	if s.URL != a.URL {
		t.Errorf("url = %q, want the article's %q", s.URL, a.URL)
	}
}
