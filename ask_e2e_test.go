package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/fakellm"
	"github.com/precisbot/precis/render"
)

// askCard is the part of an answer payload the tests read.
type askCard struct {
	Content    string                    `json:"content"`
	Embeds     []*discordgo.MessageEmbed `json:"embeds"`
	Components []struct {
		Components []struct {
			Label    string `json:"label"`
			CustomID string `json:"custom_id"`
			URL      string `json:"url"`
		} `json:"components"`
	} `json:"components"`
	AllowedMentions *struct {
		Parse *[]string `json:"parse"`
	} `json:"allowed_mentions"`
}

func (c askCard) hasAskButton() bool {
	for _, row := range c.Components {
		for _, b := range row.Components {
			if b.CustomID == render.AskButtonID && strings.Contains(b.Label, "Ask") {
				return true
			}
		}
	}
	return false
}

// checkAnswerCard checks an answer as Discord would show it: the question,
// evidence found in the article, the footer, no mentions.
func checkAnswerCard(t *testing.T, c askCard, question string, page string) {
	t.Helper()
	if len(c.Embeds) != 1 {
		t.Fatalf("answer has %d embeds: %+v", len(c.Embeds), c)
	}
	e := c.Embeds[0]
	if !strings.Contains(e.Description, "**Q:** "+question) {
		t.Errorf("question not shown: %q", e.Description)
	}
	if e.Footer == nil || e.Footer.Text != "Answered by fake-model · checked against the article" {
		t.Errorf("footer = %+v", e.Footer)
	}
	if len(e.Fields) == 0 || e.Fields[0].Name != "From the article" {
		t.Fatalf("no evidence: %+v", e.Fields)
	}
	for _, line := range strings.Split(e.Fields[0].Value, "\n") {
		if q, ok := strings.CutPrefix(line, "> "); ok && !strings.Contains(page, strings.ReplaceAll(q, `\`, "")) {
			t.Errorf("evidence not in the article: %q", q)
		}
	}
	if c.AllowedMentions == nil || c.AllowedMentions.Parse == nil || len(*c.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions = %+v", c.AllowedMentions)
	}
	if !c.hasAskButton() {
		t.Error("no Ask button under the answer")
	}
}

// TestAskEndToEnd runs Precis (Main, as serve does) against the fake
// Discord and the fake LLM: a pasted link gets a summary with an Ask
// button; pressing it opens a modal; the submitted question is answered
// privately from the article, which is not fetched again. /ask answers in
// the channel with the member's earlier question as context, privately
// where the member cannot post, and an Ask button on a message older than
// the cache still works (the article is read again).
func TestAskEndToEnd(t *testing.T) {
	t.Parallel()
	page := seed(t)
	var fetches atomic.Int32
	articles := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	t.Cleanup(articles.Close)
	text := string(page)
	clock := &testClock{now: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	fake := fakediscord.New(t, fakediscord.Options{Now: clock.Now, InteractionAckTimeout: -1})
	llm := fakellm.New(t)
	m, _ := runMain(t, serveEnv(t, fake, allowPrivate, modelEnv(llm)), clock)
	ctx, reg := commandsRegistered(t, fake, 60*time.Second)
	w := discordWaiter{t, ctx, fake}
	ephemeral := int(discordgo.MessageFlagsEphemeral)
	if !strings.Contains(string(reg.Body), `"name":"ask"`) {
		t.Errorf("/ask not registered: %s", reg.Body)
	}

	// A pasted link: the summary carries the Ask button.
	link := articles.URL + "/2022/ukraine-talks"
	msg, err := fake.SendMessage(fakediscord.Message{Content: "read " + link})
	if err != nil {
		t.Fatal(err)
	}
	reply := w.wait(func(r fakediscord.Request) bool {
		return r.Method == http.MethodPost && strings.Contains(string(r.Body), `"message_id":"`+msg["id"].(string)+`"`)
	})
	if !decodeCard(t, reply).hasAskButton() {
		t.Fatalf("summary without an Ask button: %s", reply.Body)
	}
	var posted struct{ ID string }
	if err := json.Unmarshal(reply.Response, &posted); err != nil || posted.ID == "" {
		t.Fatalf("posted summary: %v %s", err, reply.Response)
	}

	// Pressing Ask opens a modal with one paragraph field.
	askOnce := func(messageID, question string) askCard {
		t.Helper()
		click, err := fake.SendComponent(fakediscord.ComponentClick{MessageID: messageID, CustomID: render.AskButtonID})
		if err != nil {
			t.Fatal(err)
		}
		cb := w.wait(fakediscord.Match("POST", "/interactions/"+click.ID+"/*/callback"))
		var modal struct {
			Type int `json:"type"`
			Data struct {
				CustomID   string `json:"custom_id"`
				Components []struct {
					Components []struct {
						Type     int    `json:"type"`
						CustomID string `json:"custom_id"`
						Style    int    `json:"style"`
					} `json:"components"`
				} `json:"components"`
			} `json:"data"`
		}
		if err := cb.Decode(&modal); err != nil {
			t.Fatal(err)
		}
		if modal.Type != 9 || len(modal.Data.Components) != 1 || len(modal.Data.Components[0].Components) != 1 ||
			modal.Data.Components[0].Components[0].Style != int(discordgo.TextInputParagraph) {
			t.Fatalf("click answered with %s, want a modal with one paragraph field", cb.Body)
		}
		input := modal.Data.Components[0].Components[0].CustomID
		// The submitted question is answered privately: defer, then edit.
		sub, err := fake.SendModalSubmit(fakediscord.ModalSubmit{
			CustomID: modal.Data.CustomID, MessageID: messageID, Values: map[string]string{input: question},
		})
		if err != nil {
			t.Fatal(err)
		}
		if f := w.deferredFlags(sub); f&ephemeral == 0 {
			t.Errorf("deferral flags %d, want ephemeral", f)
		}
		return w.final(sub)
	}
	const q1 = "How many troops has Russia amassed near the border?"
	checkAnswerCard(t, askOnce(posted.ID, q1), q1, text)
	if n := fetches.Load(); n != 1 {
		t.Errorf("article fetched %d times for a summary and a question, want once (kept with the summary)", n)
	}
	if n := llm.Calls(); n != 2 {
		t.Errorf("%d model calls, want 2 (summary, answer)", n)
	}

	// /ask in the channel, with the first question as context.
	const q2 = "What did Lavrov say about the talks?"
	in, err := fake.SendSlashCommand(fakediscord.SlashCommand{Name: "ask", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		{Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: link},
		{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: q2},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if f := w.deferredFlags(in); f&ephemeral != 0 {
		t.Errorf("/ask deferred privately (flags %d)", f)
	}
	checkAnswerCard(t, w.final(in), q2, text)
	reqs := llm.Requests()
	if last := reqs[len(reqs)-1].LastUser(); !strings.Contains(last, "Earlier questions") || !strings.Contains(last, q1) {
		t.Errorf("the member's earlier question did not go along:\n%s", last)
	}
	_, tokens, err := m.store.Usage(ctx, fakediscord.DefaultGuildID, clock.Now().UTC().Format("2006-01-02"))
	if err != nil || tokens == 0 {
		t.Errorf("tokens billed = %d, %v", tokens, err)
	}

	// A member who cannot post here gets the answer privately, told why.
	in, err = fake.SendSlashCommand(fakediscord.SlashCommand{
		Invoker: fakediscord.Invoker{Permissions: discordgo.PermissionViewChannel | discordgo.PermissionUseApplicationCommands},
		Name:    "ask",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: link},
			{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: q2},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if f := w.deferredFlags(in); f&ephemeral == 0 {
		t.Errorf("read-only member's /ask deferred publicly (flags %d)", f)
	}
	if c := w.final(in); !strings.Contains(c.Content, "can't send messages") {
		t.Errorf("no reason given: %q", c.Content)
	}

	// Two days later the stored article is stale: the button still works,
	// and the article is read again.
	clock.Set(clock.Now().Add(48 * time.Hour))
	const q3 = "Who is Kiril Petkov?"
	checkAnswerCard(t, askOnce(posted.ID, q3), q3, text)
	if n := fetches.Load(); n != 2 {
		t.Errorf("article fetched %d times after the cache aged, want a second read", n)
	}
}
