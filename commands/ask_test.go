package commands

import (
	"context"
	"strings"
	"testing"

	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/summarize"
)

// fakeAsker is a pipeline that also answers questions.
type fakeAsker struct {
	fakePipeline
	asked []pipeline.AskRequest
	err   error
}

func (f *fakeAsker) Ask(_ context.Context, req pipeline.AskRequest) (*summarize.Answer, error) {
	f.asked = append(f.asked, req)
	if f.err != nil {
		return nil, f.err
	}
	if req.Progress != nil {
		req.Progress("Reading…")
	}
	return &summarize.Answer{URL: req.URL, Question: req.Question, Answer: "Because.", Answered: true, Model: "m"}, nil
}

func TestAsk(t *testing.T) {
	t.Parallel()
	const canSend = PermSendMessages
	tests := []struct {
		name        string
		req         Request
		err         error
		wantEph     bool
		wantError   string
		wantContent string
		wantSource  string
	}{
		{name: "public /ask", req: Request{Name: NameAsk, Permissions: canSend, Options: map[string]any{"url": "https://a.example/x", "question": "Why?"}},
			wantSource: pipeline.SourceAskCommand},
		{name: "private /ask", req: Request{Name: NameAsk, Permissions: canSend, Options: map[string]any{"url": "https://a.example/x", "question": "Why?", "private": true}},
			wantEph: true, wantSource: pipeline.SourceAskCommand},
		{name: "member cannot post: private, saying why", req: Request{Name: NameAsk, Permissions: 1 << 10, Options: map[string]any{"url": "https://a.example/x", "question": "Why?"}},
			wantEph: true, wantContent: "You can't send messages in this channel", wantSource: pipeline.SourceAskCommand},
		{name: "Ask button is private", req: Request{Name: NameAskButton, Permissions: canSend, Options: map[string]any{"url": "https://a.example/x", "question": "Why?"}},
			wantEph: true, wantSource: pipeline.SourceAskButton},
		{name: "no question", req: Request{Name: NameAsk, Permissions: canSend, Options: map[string]any{"url": "https://a.example/x", "question": "  "}},
			wantError: "Ask a question about the article."},
		{name: "no link", req: Request{Name: NameAskButton, Options: map[string]any{"question": "Why?"}},
			wantEph: true, wantError: "Give me a link to the article."},
		{name: "quota", req: Request{Name: NameAsk, Permissions: canSend, Options: map[string]any{"url": "https://a.example/x", "question": "Why?"}},
			err: &pipeline.QuotaError{Scope: "user", Limit: 5}, wantError: "You've reached your limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			core := &fakeAsker{err: tt.err}
			h := New(Deps{Pipeline: core}, Limits{})
			tt.req.GuildID, tt.req.ChannelID, tt.req.UserID = "g", "c", "u"
			if got := h.Ephemeral(tt.req); got != tt.wantEph {
				t.Errorf("Ephemeral = %v", got)
			}
			var progress []string
			resp := h.Handle(context.Background(), tt.req, func(s string) { progress = append(progress, s) })
			if tt.wantError != "" {
				if !strings.HasPrefix(resp.Error, tt.wantError) || resp.Answer != nil {
					t.Errorf("resp = %+v, want error %q", resp, tt.wantError)
				}
				return
			}
			if resp.Error != "" || resp.Answer == nil || resp.Answer.Answer != "Because." || resp.Ephemeral != tt.wantEph {
				t.Fatalf("resp = %+v", resp)
			}
			if !strings.HasPrefix(resp.Content, tt.wantContent) || (tt.wantContent == "" && resp.Content != "") {
				t.Errorf("content = %q, want %q", resp.Content, tt.wantContent)
			}
			if len(core.asked) != 1 {
				t.Fatalf("asked %d times", len(core.asked))
			}
			a := core.asked[0]
			if a.URL != "https://a.example/x" || a.Question != "Why?" || a.GuildID != "g" || a.UserID != "u" || a.Source != tt.wantSource {
				t.Errorf("ask request %+v", a)
			}
			if len(progress) == 0 {
				t.Error("progress not passed on")
			}
		})
	}
}

func TestAskWithoutAsker(t *testing.T) {
	t.Parallel()
	h := New(Deps{Pipeline: &fakePipeline{}}, Limits{})
	resp := h.Handle(context.Background(), Request{Name: NameAsk, Options: map[string]any{"url": "https://a.example", "question": "q"}}, nil)
	if resp.Error == "" {
		t.Errorf("resp = %+v, want an error", resp)
	}
}

func TestAskDefinition(t *testing.T) {
	t.Parallel()
	for _, c := range Definitions() {
		if c.Name != NameAsk {
			continue
		}
		names := map[string]bool{}
		for _, o := range c.Options {
			names[o.Name] = o.Required
		}
		if req, ok := names["private"]; !names["url"] || !names["question"] || !ok || req {
			t.Errorf("/ask options %+v", c.Options)
		}
		return
	}
	t.Error("no /ask command defined")
}
