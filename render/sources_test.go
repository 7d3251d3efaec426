package render

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/summarize"
)

func buttons(comps []discordgo.MessageComponent) map[string]string {
	out := map[string]string{}
	for _, c := range comps {
		if row, ok := c.(discordgo.ActionsRow); ok {
			for _, b := range row.Components {
				if btn, ok := b.(discordgo.Button); ok {
					out[btn.Label] = btn.URL
				}
			}
		}
	}
	return out
}

// A summary of an archived copy says so, with the snapshot's date, and
// links both the original and the copy.
func TestSummaryFromArchivedCopy(t *testing.T) {
	t.Parallel()
	snap := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s := shortSummary()
	s.Archive = &article.Archived{Service: article.ServiceWayback, URL: "https://web.archive.org/web/20260302100000/https://news.example/a",
		OriginalURL: s.URL, Snapshot: &snap}
	m := Summary(s, Options{})
	checkLimits(t, m.Embeds)
	d, foot := m.Embeds[0].Description, m.Embeds[0].Footer.Text
	if !strings.Contains(d, "archived copy of 2 March 2026 (the Wayback Machine)") || !strings.Contains(foot, "checked against the archived copy") {
		t.Errorf("description %q footer %q", d, foot)
	}
	b := buttons(m.Components)
	if b["Read article"] != s.URL || b["Archived copy"] != s.Archive.URL {
		t.Errorf("buttons %v: want the original and the copy", b)
	}
}

// A short real item is shown in full, quoted, without claiming a summary.
func TestShortItemCard(t *testing.T) {
	t.Parallel()
	a := &article.Article{URL: "https://wire.example/brief", Title: "Port strike ends", Site: "Wire",
		Text: "Dock workers ended a three-day strike on Tuesday after the port operator agreed to a new contract, the union said.", Words: 21}
	m := Summary(summarize.ShortItem(a), Options{})
	e := m.Embeds[0]
	if !strings.HasPrefix(e.Description, "> Dock workers ended") || len(e.Fields) != 0 || !strings.Contains(e.Footer.Text, "shown in full") {
		t.Errorf("short card: %q / %d fields / %q", e.Description, len(e.Fields), e.Footer.Text)
	}
}

// A page that could not be read, with no copy found, is explained with a
// button to archive.today's search for it.
func TestErrorWithArchiveButton(t *testing.T) {
	t.Parallel()
	e := ErrorEdit("I couldn't summarise that link.", commands.Link{Label: "Archived copy", URL: "https://archive.ph/https://news.example/a"})
	if b := buttons(*e.Components); b["Archived copy"] != "https://archive.ph/https://news.example/a" {
		t.Errorf("buttons %v", b)
	}
	if d := Error("no"); len(d.Components) != 0 {
		t.Errorf("error without links has components %v", d.Components)
	}
}
