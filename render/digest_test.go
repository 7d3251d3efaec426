package render

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/internal/golden"
)

// checkMessages asserts the rules every posted message must meet.
func checkMessages(t *testing.T, msgs []*discordgo.MessageSend) {
	t.Helper()
	for i, m := range msgs {
		if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 ||
			len(m.AllowedMentions.Users) != 0 || len(m.AllowedMentions.Roles) != 0 {
			t.Errorf("message %d: allowed_mentions = %+v, want parse: []", i, m.AllowedMentions)
		}
		if discordtext.Len(m.Content) > discordtext.MaxContent {
			t.Errorf("message %d: content %d chars", i, discordtext.Len(m.Content))
		}
		if len(m.Embeds) > discordtext.MaxEmbeds {
			t.Errorf("message %d: %d embeds", i, len(m.Embeds))
		}
		total := 0
		for _, e := range m.Embeds {
			total += embedLength(e)
			if discordtext.Len(e.Title) > discordtext.MaxEmbedTitle || discordtext.Len(e.Description) > discordtext.MaxEmbedDescription {
				t.Errorf("message %d: embed over its limits", i)
			}
		}
		if total > discordtext.MaxEmbedTotal {
			t.Errorf("message %d: embeds total %d chars", i, total)
		}
		data, _ := json.Marshal(m)
		text := strings.ReplaceAll(string(data), `\u003c`, "<")
		for _, bad := range []string{"@everyone", "@here", "<@"} {
			if strings.Contains(text, bad) {
				t.Errorf("message %d contains %q: %s", i, bad, text)
			}
		}
	}
}

// TestDigestGolden renders the digest package's composed golden day (its
// domain value, copied to testdata/digest/input.json) and a quiet day.
func TestDigestGolden(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "digest", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d digest.Digest
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	msgs := Digest(&d)
	checkMessages(t, msgs)
	golden.JSON(t, "digest/digest", msgs)

	quiet := &digest.Digest{Date: d.Date, Quiet: true, QuietNote: true}
	qm := Digest(quiet)
	checkMessages(t, qm)
	golden.JSON(t, "digest/quiet", qm)
	if off := Digest(&digest.Digest{Date: d.Date, Quiet: true}); len(off) != 0 {
		t.Errorf("quiet day with QuietNote off rendered %d messages", len(off))
	}
}

func TestDigestSplitsLongDigests(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Officials said the measure would take effect next month, according to a statement. ", 40)
	d := &digest.Digest{GuildID: "g", Date: time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)}
	for i := 0; i < 14; i++ {
		u := fmt.Sprintf("https://site%d.example/story-number-%d-headline", i, i)
		st := digest.Story{Title: strings.Repeat("Long headline words ", 20), URL: u, Summary: long, Sources: []digest.Source{{URL: u}}}
		for k := 0; k < 12; k++ {
			st.Sources = append(st.Sources, digest.Source{URL: fmt.Sprintf("https://outlet%d.example/story-%d", k, i),
				Shares: []digest.Share{{ChannelID: "ch", MessageID: fmt.Sprint(k)}}})
		}
		d.Stories = append(d.Stories, st)
	}
	msgs := Digest(d)
	if len(msgs) < 2 {
		t.Fatalf("%d messages for 14 long entries, want a split", len(msgs))
	}
	checkMessages(t, msgs)
	n := 0
	for _, m := range msgs {
		n += len(m.Embeds)
	}
	if n != 14 {
		t.Fatalf("%d embeds in all, want 14 (one per entry)", n)
	}
	if msgs[0].Content == "" || msgs[1].Content != "" {
		t.Errorf("header should be on the first message only")
	}
}

// A masked link shows the link's real host, whatever the page calls
// itself, and an embed URL past Discord's limit is left out.
func TestDigestLinksShowRealHost(t *testing.T) {
	t.Parallel()
	long := "https://news.example/" + strings.Repeat("a", 2100)
	d := &digest.Digest{GuildID: "g", Stories: []digest.Story{{
		Title: "Story", URL: long,
		Sources: []digest.Source{{URL: "https://evil.example/x", Site: "nytimes.com"}, {URL: long, Site: "News"}},
	}}}
	msgs := Digest(d)
	checkMessages(t, msgs)
	e := msgs[0].Embeds[0]
	if e.URL != "" {
		t.Errorf("embed url of %d characters kept", len(e.URL))
	}
	if !strings.Contains(e.Description, "[evil.example](https://evil.example/x)") || strings.Contains(e.Description, "[nytimes.com]") {
		t.Errorf("masked link text is not the real host:\n%s", e.Description)
	}
}

func TestSafeText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"hello @everyone", "hello @\u200beveryone"},
		{"hello @HERE", "hello @\u200bHERE"},
		{"ping <@123> and <@&456> and <@!789>", "ping \\<\u200b@123> and \\<\u200b@&456> and \\<\u200b@!789>"},
		{"[text](https://evil.example)", "\\[text\\](https://evil.example)"},
		{"line\nbreak\tand\x00nul", "line break andnul"},
		{"`code`", "\\`code\\`"},
		{"# FREE NITRO ||click|| -# small print", "\\# FREE NITRO \\|\\|click\\|\\| -# small print"},
		{"**bold** title", "\\*\\*bold\\*\\* title"},
	}
	for _, tt := range tests {
		if got := safeText(tt.in); got != tt.want {
			t.Errorf("safeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
