package render

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/golden"
	"github.com/precisbot/precis/recap"
	"github.com/precisbot/precis/summarize"
)

func shortRecap() *recap.Recap {
	return &recap.Recap{
		Channel: "spring-planning", From: "2026-03-02T10:00:00Z", To: "2026-03-02T10:31:00Z",
		Messages: 7, Participants: 4, GuildID: "900000000000000001", ChannelID: "900000000000000010",
		Summary:       "Alice proposed moving the seed swap to the library on March 21. Bob pointed out the library's Saturday hours.",
		Points:        []string{"Alice will ask the library about Sunday.", "Dana prefers the hall if it frees up."},
		OpenQuestions: []string{"Who can bring folding tables?"},
		Quotes: []recap.Quote{{
			Text: "I’ll call them tomorrow and ask whether Sunday works.", Author: "Alice", MessageID: "900000000000000105",
			URL: "https://discord.com/channels/900000000000000001/900000000000000010/900000000000000105",
		}},
		Links: []string{"https://garden.example.org/flyers/spring-swap"},
		Names: []string{"Alice", "bobby", "Carol", "@\u200bhere"},
		Model: "fake-model", Usage: summarize.Usage{PromptTokens: 700, CompletionTokens: 180, Calls: 1},
	}
}

func hostileRecap() *recap.Recap {
	rc := shortRecap()
	rc.Channel = "@everyone **bold**"
	rc.Summary = "@everyone <@123456789012345678> # Heading [click](https://evil.example)"
	rc.Names = []string{"@here", "<@&42>", "**Mallory**"}
	rc.Quotes = append(rc.Quotes, recap.Quote{Text: "@everyone look", Author: "@everyone", MessageID: "1", URL: "javascript:alert(1)"})
	rc.Links = append(rc.Links, "javascript:alert(1)")
	rc.Note = "@here note"
	return rc
}

func longRecap() *recap.Recap {
	rc := shortRecap()
	huge := func(word string, n int) string { return strings.TrimSpace(strings.Repeat(word+" ", n)) }
	rc.Summary = huge("A long summary sentence.", 700)
	rc.Points, rc.Quotes, rc.Links, rc.Names = nil, nil, nil, nil
	for i := range 40 {
		rc.Points = append(rc.Points, fmt.Sprintf("Point %d: %s", i+1, huge("detail", 60)))
		rc.Quotes = append(rc.Quotes, recap.Quote{Text: huge("words", 120), Author: fmt.Sprintf("Member %d", i), MessageID: fmt.Sprint(i), URL: fmt.Sprintf("https://discord.com/channels/1/2/%d", i)})
		rc.Links = append(rc.Links, fmt.Sprintf("https://example.com/%d/%s", i, strings.Repeat("x", 100)))
		rc.Names = append(rc.Names, fmt.Sprintf("Member %d", i))
	}
	rc.Model = recap.ExtractiveModel
	rc.Note = recap.NoteOffline
	return rc
}

var pingRE = regexp.MustCompile(`@(everyone|here)|<@[!&]?\d+>`)

// checkPostable asserts what every message Precis posts must be: valid
// against Discord's schema, within its limits, unable to ping, and free
// of hostile links in what it shows.
func checkPostable(t *testing.T, msg *discordgo.MessageSend) {
	t.Helper()
	body, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := fakediscord.ValidatePayload("POST", "/channels/1300000000000000001/messages", body); err != nil {
		t.Errorf("payload invalid:\n%v", err)
	}
	checkLimits(t, msg.Embeds)
	if msg.AllowedMentions == nil || len(msg.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions %+v", msg.AllowedMentions)
	}
	text := Text(msg)
	if m := pingRE.FindString(text); m != "" {
		t.Errorf("rendered text can ping (%q):\n%s", m, text)
	}
	if strings.Contains(text, "javascript:") || strings.Contains(text, "[click](") {
		t.Errorf("rendered text carries a hostile link:\n%s", text)
	}
}

func TestRecapRender(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		rc   *recap.Recap
	}{
		{"short", shortRecap()},
		{"hostile", hostileRecap()},
		{"long", longRecap()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := Recap(tt.rc)
			checkPostable(t, msg)
			golden.JSON(t, "recap/"+tt.name, msg)
		})
	}
}

func TestRecapRenderLinksQuotes(t *testing.T) {
	t.Parallel()
	text := Text(Recap(shortRecap()))
	for _, want := range []string{
		"Recap of #spring-planning",
		"> I’ll call them tomorrow and ask whether Sunday works.\n— Alice · [jump to message](https://discord.com/channels/900000000000000001/900000000000000010/900000000000000105)",
		"7 messages · 4 members · 2 Mar 2026, 10:00–10:31 UTC",
		"• https://garden.example.org/flyers/spring-swap",
		"Recapped by fake-model",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("render lacks %q:\n%s", want, text)
		}
	}
}
