package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/precisbot/precis/internal/fakellm"
)

const recapExport = "recap/testdata/planning.json"

// recapJSON decodes the one JSON object recap --json prints, refusing
// unknown keys: the output is exactly the object.
func recapJSON(t *testing.T, stdout string) (out struct {
	Channel       string   `json:"channel"`
	From          string   `json:"from"`
	To            string   `json:"to"`
	Messages      int      `json:"messages"`
	Participants  int      `json:"participants"`
	Summary       string   `json:"summary"`
	Points        []string `json:"points"`
	OpenQuestions []string `json:"open_questions"`
	Quotes        []struct {
		Text      string `json:"text"`
		Author    string `json:"author"`
		MessageID string `json:"message_id"`
		URL       string `json:"url"`
	} `json:"quotes"`
	Links []string `json:"links"`
	Model string   `json:"model"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		Calls            int `json:"calls"`
	} `json:"usage"`
	Note string `json:"note"`
}) {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &keys); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	for _, k := range []string{"channel", "from", "to", "messages", "participants", "summary", "points", "open_questions", "quotes", "links", "model", "usage", "note"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("recap JSON lacks %q", k)
		}
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil || dec.More() {
		t.Fatalf("stdout is not exactly the recap object: %v\n%s", err, stdout)
	}
	return out
}

// exportMessages maps message IDs to content and author names.
func exportMessages(t *testing.T) map[string]struct{ content, nick, name string } {
	t.Helper()
	raw, err := os.ReadFile(recapExport)
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Messages []struct {
			ID, Content string
			Author      struct{ Name, Nickname string }
		}
	}
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	out := map[string]struct{ content, nick, name string }{}
	for _, m := range ex.Messages {
		out[m.ID] = struct{ content, nick, name string }{m.Content, m.Author.Nickname, m.Author.Name}
	}
	return out
}

func TestRecapCommandOffline(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := cli(t, nil, "", "recap", "--json", recapExport)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rc := recapJSON(t, stdout)
	if rc.Model != "extractive" || rc.Note == "" || rc.Messages != 7 || rc.Participants != 4 || rc.Channel != "spring-planning" {
		t.Errorf("offline recap: model %q note %q messages %d participants %d channel %q", rc.Model, rc.Note, rc.Messages, rc.Participants, rc.Channel)
	}
	msgs := exportMessages(t)
	if len(rc.Quotes) == 0 {
		t.Fatal("offline recap quotes no message")
	}
	for _, q := range rc.Quotes {
		m, ok := msgs[q.MessageID]
		// Mentions in a quote are made inert with a zero-width space.
		if !ok || !strings.Contains(m.content, strings.ReplaceAll(q.Text, "\u200b", "")) {
			t.Errorf("quote %+v is not in message %s", q, q.MessageID)
		}
		if q.URL != "https://discord.com/channels/900000000000000001/900000000000000010/"+q.MessageID {
			t.Errorf("jump link %q", q.URL)
		}
	}

	// Text output is the Discord message's render, printed as Markdown.
	code, text, _ := cli(t, nil, "", "recap", recapExport)
	if code != 0 || !strings.Contains(text, "## Recap of #spring-planning") || !strings.Contains(text, "Offline recap") {
		t.Fatalf("exit %d:\n%s", code, text)
	}
	for _, q := range rc.Quotes {
		if !strings.Contains(text, "[jump to message]("+q.URL+")") {
			t.Errorf("text output lacks the jump link %s:\n%s", q.URL, text)
		}
	}
	if strings.Contains(text, "@everyone") || strings.Contains(text, "@here") {
		t.Errorf("text output can ping:\n%s", text)
	}
}

func TestRecapCommandLLM(t *testing.T) {
	t.Parallel()
	llm := fakellm.New(t)
	llm.SetResponder(fakellm.Content(fakellm.RecapPayload{
		Summary: "Alice proposed the library; bobby raised its Saturday hours. @everyone",
		Points:  []string{"Alice will call the library."},
		Quotes: []fakellm.RecapQuote{
			{Text: "I’ll call them tomorrow", Author: "Alice"},
			{Text: "We must cancel the swap", Author: "Carol"},
			{Text: "so we would lose the afternoon slot", Author: "Alice"},
			{Text: "Sounds good.", Author: "Dana"},
		},
	}.JSON()))
	env := map[string]string{"LLM_BASE_URL": llm.BaseURL(), "LLM_API_KEY": "sk-test", "LLM_MODEL": "fake-model"}
	code, stdout, stderr := cli(t, env, "", "recap", "--json", recapExport)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rc := recapJSON(t, stdout)
	type q struct{ text, author, id string }
	want := []q{
		{"I’ll call them tomorrow", "Alice", "900000000000000105"},
		// Alice did not write it; bobby alone did.
		{"so we would lose the afternoon slot.", "bobby", "900000000000000103"},
	}
	if len(rc.Quotes) != len(want) {
		t.Fatalf("quotes %+v, want %v", rc.Quotes, want)
	}
	for i, w := range want {
		if g := rc.Quotes[i]; g.Text != w.text || g.Author != w.author || g.MessageID != w.id {
			t.Errorf("quote %d = %+v, want %+v", i, g, w)
		}
	}
	if rc.Model != "fake-model" || rc.Usage.Calls != 1 || rc.Note != "" || strings.Contains(rc.Summary, "@everyone") {
		t.Errorf("model %q usage %+v note %q summary %q", rc.Model, rc.Usage, rc.Note, rc.Summary)
	}
}

func TestRecapCommandErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		msg   string
	}{
		{"no file", []string{"recap"}, "", 2, "give one"},
		{"two files", []string{"recap", "a.json", "b.json"}, "", 2, "give one"},
		{"missing file", []string{"recap", "testdata/none.json"}, "", 1, "no such file"},
		{"not an export", []string{"recap", "-"}, `{"hello": 1}`, 1, "DiscordChatExporter"},
		{"no members' messages", []string{"recap", "-"}, `{"guild": {"id": "1"}, "channel": {"id": "2"}, "messages": []}`, 1, "no messages"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := cli(t, nil, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit %d and %q on one line", code, stderr, tt.code, tt.msg)
			}
		})
	}
}
