package bot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakecore"
	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/render"
)

// A pasted link's summary carries the Ask button; the click opens the
// modal; the submitted question is answered privately, and a panic in the
// asker costs the member an explanation, not the bot.
func TestAskButtonThroughAdapter(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	msg, err := h.fake.SendMessage(fakediscord.Message{Content: "https://news.example/story"})
	if err != nil {
		t.Fatal(err)
	}
	reply := h.wait(func(r fakediscord.Request) bool {
		return r.Method == "POST" && strings.Contains(string(r.Body), `"message_id":"`+msg["id"].(string)+`"`)
	})
	if !strings.Contains(string(reply.Body), `"custom_id":"`+render.AskButtonID+`"`) {
		t.Fatalf("summary without Ask button: %s", reply.Body)
	}
	var posted struct{ ID string }
	if err := json.Unmarshal(reply.Response, &posted); err != nil {
		t.Fatal(err)
	}
	id := posted.ID

	click, err := h.fake.SendComponent(fakediscord.ComponentClick{MessageID: id, CustomID: render.AskButtonID})
	if err != nil {
		t.Fatal(err)
	}
	cb := h.wait(fakediscord.Match("POST", click.CallbackPath))
	var modal struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data struct {
			CustomID string `json:"custom_id"`
		} `json:"data"`
	}
	if err := cb.Decode(&modal); err != nil || modal.Type != discordgo.InteractionResponseModal {
		t.Fatalf("click answered %s (%v), want a modal", cb.Body, err)
	}

	for _, tt := range []struct {
		name      string
		messageID string // "" : the submit carries no message; the modal's custom_id has the link
		boom      bool
		want      string
	}{
		{"with the message", id, false, fakecore.FakeAnswer},
		{"without the message", "", false, fakecore.FakeAnswer},
		{"asker panics", id, true, "couldn't read that page"},
	} {
		if tt.boom {
			h.llm.PanicAsks()
		}
		sub, err := h.fake.SendModalSubmit(fakediscord.ModalSubmit{
			CustomID: modal.Data.CustomID, MessageID: tt.messageID, Values: map[string]string{render.AskInputID: "What did the council say?"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if cb := h.wait(fakediscord.Match("POST", sub.CallbackPath)); !strings.Contains(string(cb.Body), `"flags":64`) {
			t.Errorf("%s: deferral not private: %s", tt.name, cb.Body)
		}
		final := h.wait(func(r fakediscord.Request) bool {
			return r.Method == "PATCH" && r.Route == sub.OriginalPath && strings.Contains(string(r.Body), tt.want)
		})
		if tt.want == fakecore.FakeAnswer && !strings.Contains(string(final.Body), "checked against the article") {
			t.Errorf("%s: answer %s", tt.name, final.Body)
		}
	}
	if n := h.reader.Calls("https://news.example/story"); n != 1 {
		t.Errorf("article read %d times, want once", n)
	}
}

func TestModalValueAndArticleURL(t *testing.T) {
	t.Parallel()
	comps := []discordgo.MessageComponent{
		&discordgo.ActionsRow{Components: []discordgo.MessageComponent{&discordgo.TextInput{CustomID: "other", Value: "x"}}},
		discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{CustomID: render.AskInputID, Value: "why?"}}},
	}
	if got := modalValue(comps, render.AskInputID); got != "why?" {
		t.Errorf("modalValue = %q", got)
	}
	if got := modalValue(nil, render.AskInputID); got != "" {
		t.Errorf("modalValue(nil) = %q", got)
	}
	m := &discordgo.Message{Embeds: []*discordgo.MessageEmbed{{Title: "no link"}, {URL: "https://a.example/x"}}}
	if got := messageArticleURL(m); got != "https://a.example/x" {
		t.Errorf("messageArticleURL = %q", got)
	}
	if messageArticleURL(nil) != "" || messageArticleURL(&discordgo.Message{}) != "" {
		t.Error("a link from nothing")
	}
}
