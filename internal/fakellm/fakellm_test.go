package fakellm

import (
	"context"
	"net/http"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"
)

func client(s *Server) *openai.Client {
	cfg := openai.DefaultConfig("k")
	cfg.BaseURL = s.BaseURL()
	return openai.NewClientWithConfig(cfg)
}

const prompt = "Summarise.\n\n<<<ARTICLE abc>>>\nTitle: Talks go on\n\nLavrov spoke first. Blinken answered.\n\n“We will keep talking to each other,” Lavrov said.\n<<<END ARTICLE abc>>>\n\nJSON only."

func TestGoodAndRecording(t *testing.T) {
	t.Parallel()
	s := New(t)
	resp, err := client(s).CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model:          "m",
		Messages:       []openai.ChatCompletionMessage{{Role: "system", Content: "rules"}, {Role: "user", Content: prompt}},
		ResponseFormat: &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := resp.Choices[0].Message.Content
	for _, want := range []string{`"headline":"Talks go on"`, `"text":"We will keep talking to each other"`, `"speaker":"Lavrov"`} {
		if !strings.Contains(got, want) {
			t.Errorf("content lacks %s: %s", want, got)
		}
	}
	if resp.Usage.PromptTokens == 0 || resp.Usage.CompletionTokens == 0 {
		t.Errorf("usage = %+v", resp.Usage)
	}
	r := s.Requests()[0]
	if r.System() != "rules" || r.ResponseFormat() != "json_object" || r.Title() != "Talks go on" {
		t.Errorf("recorded %q %q %q", r.System(), r.ResponseFormat(), r.Title())
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.Enqueue(RateLimited("3"), RejectJSONSchema(Good))
	c := client(s)
	req := openai.ChatCompletionRequest{Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: prompt}},
		ResponseFormat: &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: "x", Schema: nil}}}
	_, err := c.CreateChatCompletion(context.Background(), req)
	var apiErr *openai.APIError
	if !asAPIError(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusTooManyRequests {
		t.Fatalf("err = %v, want 429", err)
	}
	_, err = c.CreateChatCompletion(context.Background(), req)
	if !asAPIError(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusBadRequest || !strings.Contains(apiErr.Message, "json_schema") {
		t.Fatalf("err = %v, want 400 naming json_schema", err)
	}
	if _, err := c.CreateChatCompletion(context.Background(), req); err != nil {
		t.Fatalf("after the queue, Good: %v", err)
	}
}

func asAPIError(err error, target **openai.APIError) bool {
	e, ok := err.(*openai.APIError)
	if ok {
		*target = e
	}
	return ok
}
