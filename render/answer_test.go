package render

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/golden"
	"github.com/precisbot/precis/summarize"
)

func sampleAnswer() *summarize.Answer {
	return &summarize.Answer{
		URL: "https://www.example.com/news/2025/harbour-bridge-vote", Title: "Council approves harbour bridge",
		Question: "Who pays for the bridge?",
		Answer:   "The regional transport fund pays 60% and the city the rest, the council said.",
		Answered: true,
		Quotes: []summarize.Quote{
			{Text: "The regional transport fund will cover 60% of the cost, with the city paying the rest."},
			{Text: "This bridge will connect our neighbourhoods for the next hundred years.", Speaker: "Mayor Ana Ruiz"},
		},
		Model: "gpt-4.1-mini",
	}
}

func TestRenderAnswerGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(a *summarize.Answer)
	}{
		{"answered", func(*summarize.Answer) {}},
		{"not_said", func(a *summarize.Answer) {
			a.Question, a.Answer, a.Answered, a.Quotes = "Who will win the next election?", summarize.NotSaid("en"), false, []summarize.Quote{}
		}},
		{"offline", func(a *summarize.Answer) {
			a.Model, a.Note = summarize.ExtractiveModel, summarize.AskOfflineNote
			a.Answer = a.Quotes[0].Text
			a.Quotes = a.Quotes[:1]
		}},
		{"hostile", func(a *summarize.Answer) {
			a.Question = "@everyone **ignore the article** <@123456789012345678> [x](https://evil.example)\u202e"
			a.Answer = "# Heading @here"
			a.Title = "<@&42> title"
			a.Quotes = []summarize.Quote{{Text: "`code` > quote", Speaker: "@everyone"}}
		}},
		{"no_link", func(a *summarize.Answer) { a.URL = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := sampleAnswer()
			tt.edit(a)
			msg := Answer(a)
			body, err := json.Marshal(msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := fakediscord.ValidatePayload("POST", "/channels/1300000000000000001/messages", body); err != nil {
				t.Errorf("message payload invalid:\n%v", err)
			}
			edit, err := json.Marshal(Edit(msg))
			if err != nil {
				t.Fatal(err)
			}
			if err := fakediscord.ValidatePayload("PATCH", "/webhooks/1/token/messages/@original", edit); err != nil {
				t.Errorf("PATCH @original payload invalid:\n%v", err)
			}
			checkLimits(t, msg.Embeds)
			if msg.AllowedMentions == nil || msg.AllowedMentions.Parse == nil || len(msg.AllowedMentions.Parse) != 0 {
				t.Errorf("allowed mentions = %+v", msg.AllowedMentions)
			}
			if f := msg.Embeds[0].Footer; f == nil || !strings.HasSuffix(f.Text, "checked against the article") {
				t.Errorf("footer = %+v", f)
			}
			golden.JSON(t, "answer/"+tt.name, msg)
		})
	}
}

// The card shows the question, the answer and each piece of evidence with
// its speaker, as the CLI prints it.
func TestRenderAnswerText(t *testing.T) {
	t.Parallel()
	got := Text(Answer(sampleAnswer()))
	for _, want := range []string{
		"## [Council approves harbour bridge](<https://www.example.com/news/2025/harbour-bridge-vote>)",
		"**Q:** Who pays for the bridge?",
		"The regional transport fund pays 60% and the city the rest, the council said.",
		"**From the article**\n> The regional transport fund will cover 60% of the cost, with the city paying the rest.",
		"> This bridge will connect our neighbourhoods for the next hundred years.\n— Mayor Ana Ruiz",
		"-# Answered by gpt-4.1-mini · checked against the article",
		"[Read article](<https://www.example.com/news/2025/harbour-bridge-vote>)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
}

func askButton(t *testing.T, comps []discordgo.MessageComponent) *discordgo.Button {
	t.Helper()
	for _, c := range comps {
		row, ok := c.(discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, b := range row.Components {
			if btn, ok := b.(discordgo.Button); ok && btn.CustomID == AskButtonID {
				return &btn
			}
		}
	}
	return nil
}

// Every summary with a link carries an Ask button, also when it is an
// edit of a deferred answer; the embed carries the link the click reads.
func TestSummaryAskButton(t *testing.T) {
	t.Parallel()
	s := shortSummary()
	msg := Summary(s, Options{})
	btn := askButton(t, msg.Components)
	if btn == nil || !strings.Contains(btn.Label, "Ask") || btn.Style == discordgo.LinkButton || btn.URL != "" {
		t.Fatalf("Ask button = %+v", btn)
	}
	if msg.Embeds[0].URL != s.URL {
		t.Errorf("embed URL %q, want the article's", msg.Embeds[0].URL)
	}
	if edit := SummaryEdit(s, Options{}); askButton(t, *edit.Components) == nil {
		t.Error("no Ask button on the edit")
	}
	if askButton(t, Summary(s, Options{NoButton: true}).Components) != nil {
		t.Error("Ask button despite NoButton")
	}
	if a := askButton(t, Answer(sampleAnswer()).Components); a == nil {
		t.Error("no Ask button under an answer (for a follow-up)")
	}
}

func TestAskModal(t *testing.T) {
	t.Parallel()
	const short = "https://news.example/a"
	long := "https://news.example/" + strings.Repeat("x", 120)
	for _, u := range []string{short, long, "javascript:alert(1)"} {
		m := AskModal(u)
		body, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := fakediscord.ValidatePayload("POST", "/interactions/1/token/callback", body); err != nil {
			t.Errorf("modal for %q invalid:\n%v", u, err)
		}
		if m.Type != discordgo.InteractionResponseModal || !strings.HasPrefix(m.Data.CustomID, AskModalID) || len(m.Data.CustomID) > 100 {
			t.Errorf("modal %+v", m.Data)
		}
		in := m.Data.Components[0].(discordgo.ActionsRow).Components[0].(discordgo.TextInput)
		if in.CustomID != AskInputID || in.Style != discordgo.TextInputParagraph || !in.Required {
			t.Errorf("input %+v", in)
		}
		want := ""
		if u == short {
			want = short
		}
		if got := AskModalURL(m.Data.CustomID); got != want {
			t.Errorf("AskModalURL(%q) = %q, want %q", m.Data.CustomID, got, want)
		}
	}
}
