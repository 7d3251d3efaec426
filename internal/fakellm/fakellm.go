// Package fakellm owns a fake OpenAI-compatible chat-completions server for
// tests: scriptable replies (a queue of responders, then a default), faults
// (429 with Retry-After, 500s, slow answers, malformed or incomplete JSON,
// response_format rejection, fabricated quotes, invented numbers, mentions,
// obeyed prompt injections), configurable latency, and a record of every
// request. Its default responder builds a plausible, valid summary from the
// article in the prompt, so other packages' end-to-end tests get sensible
// output.
//
// The article is found in the prompt between a line "<<<ARTICLE id>>>" and a
// line "<<<END ARTICLE id>>>", after a header block ended by a blank line;
// that is the format package summarize sends.
package fakellm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// ModelName is the model the server lists and reports by default.
const ModelName = "fake-model"

// Request is one recorded chat-completions request.
type Request struct {
	Body   openai.ChatCompletionRequest
	Raw    []byte
	Header http.Header
	// Ctx is the request's context; a Responder may watch it.
	Ctx context.Context
}

// ResponseFormat is the response_format type asked for: "json_schema",
// "json_object", "text" or "" (none).
func (r *Request) ResponseFormat() string {
	if r.Body.ResponseFormat == nil {
		return ""
	}
	return string(r.Body.ResponseFormat.Type)
}

// System is the system message, if any.
func (r *Request) System() string {
	for _, m := range r.Body.Messages {
		if m.Role == openai.ChatMessageRoleSystem {
			return m.Content
		}
	}
	return ""
}

// LastUser is the last user message.
func (r *Request) LastUser() string {
	for i := len(r.Body.Messages) - 1; i >= 0; i-- {
		if r.Body.Messages[i].Role == openai.ChatMessageRoleUser {
			return r.Body.Messages[i].Content
		}
	}
	return ""
}

// Prompt is every message's content joined, for substring assertions.
func (r *Request) Prompt() string {
	var b strings.Builder
	for _, m := range r.Body.Messages {
		b.WriteString(m.Content)
		b.WriteString("\n")
	}
	return b.String()
}

// Article returns the fenced data of the latest message that has one: its
// header lines (Title: ..., Site: ...) and its body text.
func (r *Request) Article() (header, body string, ok bool) {
	for i := len(r.Body.Messages) - 1; i >= 0; i-- {
		if h, b, ok := fenced(r.Body.Messages[i].Content); ok {
			return h, b, true
		}
	}
	return "", "", false
}

// Title is the "Title:" header line of the fenced article, if any.
func (r *Request) Title() string {
	h, _, _ := r.Article()
	for _, line := range strings.Split(h, "\n") {
		if t, ok := strings.CutPrefix(line, "Title: "); ok {
			return t
		}
	}
	return ""
}

func fenced(s string) (header, body string, ok bool) {
	const open = "<<<ARTICLE "
	i := strings.Index(s, open)
	if i < 0 {
		return "", "", false
	}
	rest := s[i+len(open):]
	j := strings.Index(rest, ">>>\n")
	if j < 0 {
		return "", "", false
	}
	id := rest[:j]
	data := rest[j+4:]
	k := strings.LastIndex(data, "\n<<<END ARTICLE "+id+">>>")
	if k < 0 {
		return "", "", false
	}
	data = data[:k]
	header, body, found := strings.Cut(data, "\n\n")
	if !found {
		return "", data, true
	}
	return header, body, true
}

// Reply is what the server answers.
type Reply struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// Header is added to the answer (e.g. Retry-After).
	Header http.Header
	// Body, when set, is sent as it is. Otherwise a 200 answer is a chat
	// completion whose message content is Content, and an error status an
	// OpenAI-style error object with Content as its message.
	Body    string
	Content string
	// FinishReason defaults to "stop".
	FinishReason string
	// Delay is waited before answering; the client's cancellation (its
	// timeout) cuts it short.
	Delay time.Duration
	// Usage overrides the estimated token counts when set.
	Usage *openai.Usage
}

// Responder produces the reply to one request.
type Responder func(*Request) Reply

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu        sync.Mutex
	queue     []Responder
	responder Responder
	latency   time.Duration
	requests  []*Request
	model     string
}

// New starts a server that answers with Good until told otherwise, and stops
// it when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{responder: Good, model: ModelName}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("GET /v1/models", s.models)
	s.srv = httptest.NewServer(mux)
	tb.Cleanup(s.srv.Close)
	return s
}

// BaseURL is the API base to configure a client with ("http://.../v1").
func (s *Server) BaseURL() string { return s.srv.URL + "/v1" }

// Client is an http.Client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the server (also done at test cleanup).
func (s *Server) Close() { s.srv.Close() }

// SetResponder replaces the default responder, used when the queue is empty.
func (s *Server) SetResponder(r Responder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responder = r
}

// Enqueue adds responders that answer the next requests, one each, before
// the default responder takes over again.
func (s *Server) Enqueue(rs ...Responder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, rs...)
}

// SetLatency makes every chat answer wait d first (for load benchmarks).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Requests returns the chat requests received so far, in order.
func (s *Server) Requests() []*Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Request(nil), s.requests...)
}

// Calls is the number of chat requests received.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *Server) models(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"object":"list","data":[{"id":%q,"object":"model","created":0,"owned_by":"fakellm"}]}`, s.model)
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := &Request{Raw: raw, Header: r.Header.Clone(), Ctx: r.Context()}
	if err := json.Unmarshal(raw, &req.Body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error(), "invalid_request_error")
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	resp := s.responder
	if len(s.queue) > 0 {
		resp = s.queue[0]
		s.queue = s.queue[1:]
	}
	latency := s.latency
	s.mu.Unlock()

	if !wait(r.Context(), latency) {
		return
	}
	rep := resp(req)
	if !wait(r.Context(), rep.Delay) {
		return
	}
	for k, vs := range rep.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := rep.Status
	if status == 0 {
		status = http.StatusOK
	}
	if rep.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, rep.Body)
		return
	}
	if status != http.StatusOK {
		writeError(w, status, rep.Content, "server_error")
		return
	}
	usage := openai.Usage{
		PromptTokens:     estimate(req.Prompt()),
		CompletionTokens: estimate(rep.Content),
	}
	if rep.Usage != nil {
		usage = *rep.Usage
	}
	usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	finish := openai.FinishReason(rep.FinishReason)
	if finish == "" {
		finish = openai.FinishReasonStop
	}
	model := req.Body.Model
	if model == "" {
		model = s.model
	}
	out := openai.ChatCompletionResponse{
		ID:      fmt.Sprintf("chatcmpl-fake-%d", s.Calls()),
		Object:  "chat.completion",
		Created: 1700000000,
		Model:   model,
		Choices: []openai.ChatCompletionChoice{{
			Index:        0,
			Message:      openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: rep.Content},
			FinishReason: finish,
		}},
		Usage: usage,
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func writeError(w http.ResponseWriter, status int, msg, typ string) {
	if msg == "" {
		msg = http.StatusText(status)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil},
	})
}

// estimate counts tokens the way a rough tokenizer would: 4 bytes of text
// per token, at least 1.
func estimate(s string) int {
	return max(1, (len(s)+3)/4)
}
