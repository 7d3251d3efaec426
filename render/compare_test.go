package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/compare"
	"github.com/precisbot/precis/internal/golden"
	"github.com/precisbot/precis/summarize"
)

func sampleComparison() *compare.Comparison {
	herald := "https://herald.example/2026/05/05/council-approves-sea-wall"
	courier := "https://www.baycourier.example/local/sea-wall-council-tax"
	return &compare.Comparison{
		Articles: []compare.Article{
			{URL: herald, Title: "Council approves £48 million sea wall for Northport", Site: "Northport Herald"},
			{URL: courier, Title: "Sea wall will raise council tax by 4 percent, finance chief says", Site: "baycourier.example"},
		},
		Common: []compare.Point{{Text: "The council approved a £48 million sea wall on Tuesday.", Evidence: []compare.Evidence{
			{Outlet: "Northport Herald", URL: herald, Text: "Northport city council approved a £48 million sea wall on Tuesday after a five-hour debate."},
			{Outlet: "baycourier.example", URL: courier, Text: "the £48 million sea wall approved on Tuesday"},
		}}},
		Differences: []compare.Difference{{Point: "Council tax will rise by 4 percent to pay for the wall.", Outlets: []string{"baycourier.example"},
			Evidence: []compare.Evidence{{Outlet: "baycourier.example", URL: courier, Text: "Northport households will pay 4 percent more council tax to fund the £48 million sea wall"}}}},
		Framing: []compare.Framing{{Outlet: "baycourier.example", Note: "The headline leads with the tax rise.",
			Evidence: []compare.Evidence{{Outlet: "baycourier.example", URL: courier, Text: "Sea wall will raise council tax by 4 percent, finance chief says"}}}},
		Quotes: []compare.Quote{{Outlet: "baycourier.example", URL: courier, Text: "The borrowing is affordable, but it is not free", Speaker: "Priya Nandakumar"}},
		Model:  "fake-model",
	}
}

func hostileComparison() *compare.Comparison {
	c := sampleComparison()
	c.Articles[0].Site = "@everyone **Herald**"
	c.Articles[1].URL = "javascript:alert(1)"
	c.Common[0].Text = "@here <@123456789012345678> [click](https://evil.example)"
	c.Quotes[0].Speaker = "<@&42>"
	c.Note = "@everyone note"
	return c
}

func longComparison() *compare.Comparison {
	c := sampleComparison()
	huge := func(word string, n int) string { return strings.TrimSpace(strings.Repeat(word+" ", n)) }
	for i := range 30 {
		c.Common = append(c.Common, compare.Point{Text: fmt.Sprintf("Point %d: %s", i, huge("detail", 80)), Evidence: []compare.Evidence{
			{Outlet: "Northport Herald", Text: huge("words", 200)}, {Outlet: "baycourier.example", Text: huge("more", 200)},
		}})
		c.Quotes = append(c.Quotes, compare.Quote{Outlet: "Northport Herald", Text: huge("said", 300), Speaker: "Someone"})
	}
	c.Model = compare.ExtractiveModel
	c.Offline = true
	c.Note = compare.NoteOffline
	return c
}

func TestComparisonRender(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		c    *compare.Comparison
	}{
		{"sample", sampleComparison()},
		{"hostile", hostileComparison()},
		{"long", longComparison()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := Comparison(tt.c)
			checkPostable(t, msg)
			golden.JSON(t, "compare/"+tt.name, msg)
		})
	}
}

// TestComparisonText is the CLI's view: every section, each point with the
// outlets' own words under it.
func TestComparisonText(t *testing.T) {
	t.Parallel()
	text := Text(Comparison(sampleComparison()))
	for _, want := range []string{
		"## How 2 outlets cover: Council approves £48 million sea wall for Northport",
		"• **[Northport Herald](https://herald.example/2026/05/05/council-approves-sea-wall)**: Council approves",
		"**What all report**\n• The council approved a £48 million sea wall on Tuesday.\n> Northport city council approved a £48 million sea wall on Tuesday after a five-hour debate. — Northport Herald",
		"**What only some report**\n• Council tax will rise by 4 percent to pay for the wall. *(baycourier.example)*",
		"**Framing**",
		"**Whom they quote**\n> The borrowing is affordable, but it is not free\n— Priya Nandakumar, in baycourier.example",
		"-# Compared by fake-model · every point checked against each outlet's own words · no outlet is rated",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

// A summary whose story other outlets in the server covered says so in one
// line and carries the Compare button; one without coverage has neither.
func TestSummaryAlsoCovered(t *testing.T) {
	t.Parallel()
	hasCompare := func(comps []discordgo.MessageComponent) bool {
		for _, c := range comps {
			if row, ok := c.(discordgo.ActionsRow); ok {
				for _, b := range row.Components {
					if btn, ok := b.(discordgo.Button); ok && btn.CustomID == CompareButtonID {
						return true
					}
				}
			}
		}
		return false
	}
	s := shortSummary()
	plain := Summary(s, Options{})
	if hasCompare(plain.Components) || strings.Contains(Text(plain), "Also covered by") {
		t.Errorf("a summary without coverage offers a comparison:\n%s", Text(plain))
	}
	s.AlsoCovered = []summarize.Coverage{
		{URL: "https://coastaltimes.example/news/northport-sea-wall-vote", Site: "Coastal Times"},
		{URL: "https://www.baycourier.example/local/sea-wall-council-tax", Site: "@everyone"},
	}
	msg := Summary(s, Options{})
	text := Text(msg)
	if !hasCompare(msg.Components) {
		t.Errorf("no Compare button: %+v", msg.Components)
	}
	if !strings.Contains(text, "**Also covered by**\n[Coastal Times](https://coastaltimes.example/news/northport-sea-wall-vote) · [") {
		t.Errorf("no Also covered by line:\n%s", text)
	}
	if m := pingRE.FindString(text); m != "" {
		t.Errorf("text can ping (%q)", m)
	}
	if len(buttons(msg.Components)) < 3 {
		t.Errorf("the other buttons went: %v", buttons(msg.Components))
	}
	if none := Summary(s, Options{NoButton: true}); hasCompare(none.Components) {
		t.Error("NoButton kept the Compare button")
	}
	checkLimits(t, msg.Embeds)
}
