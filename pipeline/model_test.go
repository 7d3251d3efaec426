package pipeline

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func modelServer(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" {
			t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
		}
		if r.URL.Path != "/v1/models" {
			http.NotFound(w, r) // what Ollama says without /v1
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

func TestModelHealthCheck(t *testing.T) {
	t.Parallel()
	const list = `{"object":"list","data":[{"id":"llama3.1:latest","object":"model"},{"id":"qwen2.5:7b","object":"model"}]}`
	tests := []struct {
		name, base, key, model string
		wantCause, wantFix     string // substrings; "" wantCause means healthy
		wantDetail             string // the server's words: in the error, never in the state
		wantState              string // prefix
	}{
		{name: "listed", base: modelServer(t, 200, list), key: "k", model: "qwen2.5:7b", wantState: "ok"},
		{name: "ollama latest tag implied", base: modelServer(t, 200, list), key: "k", model: "llama3.1", wantState: "ok"},
		{
			name: "not listed", base: modelServer(t, 200, list), key: "k", model: "gpt-4.1-mini",
			wantCause: `model "gpt-4.1-mini" is not offered`, wantFix: "llama3.1:latest, qwen2.5:7b", wantState: "failing: model",
		},
		{
			name: "key refused", key: "k", model: "m",
			base:      modelServer(t, 401, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}`),
			wantCause: "HTTP 401", wantDetail: "Incorrect API key provided", wantFix: "LLM_API_KEY", wantState: "failing: HTTP 401 (127.0.0.1:",
		},
		{
			name: "ollama without /v1", key: "k", model: "m",
			base:      strings.TrimSuffix(modelServer(t, 200, list), "/v1"),
			wantCause: "HTTP 404", wantFix: "ending in /v1", wantState: "failing: HTTP 404",
		},
		{
			name: "web page instead of the API", key: "k", model: "m",
			base:      modelServer(t, 200, "<html><body>Welcome</body></html>"),
			wantCause: "not an OpenAI-compatible API", wantFix: "/v1", wantState: "failing:",
		},
		{
			name: "nothing listening", key: "k", model: "m", base: "http://" + closedAddr(t) + "/v1",
			wantCause: "connection refused", wantFix: "LLM_BASE_URL", wantState: "failing: connection refused (127.0.0.1:",
		},
		{name: "no key", base: "http://" + closedAddr(t) + "/v1", model: "m", wantState: "offline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := NewModelHealth(ModelHealthOptions{BaseURL: tt.base, APIKey: tt.key, Model: tt.model})
			err := h.Check(context.Background())
			if tt.wantCause == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
			} else {
				var me *ModelError
				if !errors.As(err, &me) {
					t.Fatalf("Check = %v, want a *ModelError", err)
				}
				if !strings.Contains(me.Cause, tt.wantCause) || !strings.Contains(me.Fix, tt.wantFix) {
					t.Errorf("cause %q, fix %q; want %q and %q", me.Cause, me.Fix, tt.wantCause, tt.wantFix)
				}
				if me.Host == "" || !strings.Contains(err.Error(), me.Host) {
					t.Errorf("error %q does not name the server", err)
				}
				if !strings.Contains(me.Detail, tt.wantDetail) || !strings.Contains(err.Error(), tt.wantDetail) {
					t.Errorf("detail %q, error %q; want %q in both", me.Detail, err, tt.wantDetail)
				}
				if tt.wantDetail != "" && strings.Contains(h.State(), tt.wantDetail) {
					t.Errorf("State %q shows the server's words", h.State())
				}
			}
			if st := h.State(); !strings.HasPrefix(st, tt.wantState) {
				t.Errorf("State = %q, want prefix %q", st, tt.wantState)
			}
		})
	}
}

// TestModelHealthFollowsTraffic: the summarizer's own requests move the
// state, and the last failure is kept for whoever asks after a fallback.
func TestModelHealthFollowsTraffic(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Query().Has("bad-request"):
			http.Error(w, `{"error":{"message":"response_format not supported"}}`, http.StatusBadRequest)
		case fail.Load():
			http.Error(w, `{"error":"model is loading"}`, http.StatusServiceUnavailable)
		default:
			io.WriteString(w, `{}`)
		}
	}))
	t.Cleanup(srv.Close)
	h := NewModelHealth(ModelHealthOptions{BaseURL: srv.URL + "/v1", APIKey: "k", Model: "m"})
	get := func(query string) {
		t.Helper()
		resp, err := h.HTTPClient().Get(srv.URL + "/v1/chat/completions" + query)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(body) == 0 {
			t.Error("the body was not given back to the caller")
		}
	}
	if st := h.State(); st != ModelUnchecked {
		t.Errorf("before any request: %q", st)
	}
	fail.Store(true)
	get("")
	if st := h.State(); st != "failing: HTTP 503 ("+h.Host()+")" {
		t.Errorf("after a 503: %q", st)
	}
	fail.Store(false)
	get("?bad-request")
	if st := h.State(); !strings.HasPrefix(st, "failing: HTTP 503") {
		t.Errorf("a 400 the summarizer adapts to changed the state: %q", st)
	}
	get("")
	if st := h.State(); st != ModelOK {
		t.Errorf("after a 200: %q", st)
	}
	if e := h.LastFailure(); e == nil || e.Cause != "HTTP 503" || e.Detail != "model is loading" {
		t.Errorf("LastFailure = %v", e)
	}

	// A request its caller cancelled says nothing about the server.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+closedAddr(t)+"/v1/models", nil)
	if _, err := h.HTTPClient().Do(req); err == nil {
		t.Fatal("cancelled request succeeded")
	}
	if st := h.State(); st != ModelOK {
		t.Errorf("after a cancelled request: %q", st)
	}
}
