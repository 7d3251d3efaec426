package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/precisbot/precis/internal/fakellm"
	"github.com/precisbot/precis/summarize"
)

// TestSummarizeSaysWhyTheModelFailed: with a key set and a broken model,
// the command still prints the offline summary, but says on one stderr line
// what failed and where, and the summary's note says the model failed
// rather than that no model is configured.
func TestSummarizeSaysWhyTheModelFailed(t *testing.T) {
	t.Parallel()
	seed(t)
	refused := closedAddr(t)
	keyRefused := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"message":"Incorrect API key provided: sk-wrong.","type":"invalid_request_error","code":"invalid_api_key"}}`)
	}))
	t.Cleanup(keyRefused.Close)
	garbled := fakellm.New(t)
	garbled.SetResponder(fakellm.Malformed())

	for _, tc := range []struct {
		name, baseURL string
		wantStderr    []string
		wantNote      string
	}{
		{
			name: "nothing listening", baseURL: "http://" + refused + "/v1",
			wantStderr: []string{refused, "connection refused", "LLM_BASE_URL"},
			wantNote:   "The AI model failed (connection refused), so this is an offline summary.",
		},
		{
			name: "key refused", baseURL: keyRefused.URL + "/v1",
			wantStderr: []string{strings.TrimPrefix(keyRefused.URL, "http://"), "HTTP 401: Incorrect API key provided", "check LLM_API_KEY"},
			wantNote:   "The AI model failed (HTTP 401), so this is an offline summary.",
		},
		{
			name: "answers unusable", baseURL: garbled.BaseURL(),
			wantStderr: []string{strings.TrimPrefix(strings.TrimSuffix(garbled.BaseURL(), "/v1"), "http://"), "answers could not be used"},
			wantNote:   "The AI model failed (its answers could not be used), so this is an offline summary.",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"LLM_API_KEY": "sk-wrong", "LLM_BASE_URL": tc.baseURL, "LLM_MODEL": fakellm.ModelName}
			code, stdout, stderr := cli(t, env, "", "summarize", "--json", seedPage)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if n := strings.Count(stderr, "\n"); n != 1 {
				t.Errorf("stderr has %d lines, want 1:\n%s", n, stderr)
			}
			for _, want := range tc.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q does not say %q", stderr, want)
				}
			}
			var s summarize.Summary
			if err := json.Unmarshal([]byte(stdout), &s); err != nil {
				t.Fatalf("stdout: %v\n%s", err, stdout)
			}
			if s.Model != summarize.ExtractiveModel || s.Note != tc.wantNote {
				t.Errorf("model %q, note %q; want the offline summary noting %q", s.Model, s.Note, tc.wantNote)
			}

			// The text render says it once, and not that no model is set.
			_, text, _ := cli(t, env, "", "summarize", seedPage)
			if !strings.Contains(text, tc.wantNote) || strings.Contains(strings.ToLower(text), "no ai model") {
				t.Errorf("text render does not say the model failed:\n%s", text)
			}
		})
	}
}

// TestSummarizeWithoutKeyIsQuiet: no key is a choice, not a failure.
func TestSummarizeWithoutKeyIsQuiet(t *testing.T) {
	t.Parallel()
	seed(t)
	code, stdout, stderr := cli(t, nil, "", "summarize", seedPage)
	if code != 0 || stderr != "" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "no AI model set") {
		t.Errorf("the footer does not say no model is set:\n%s", stdout)
	}
}

// TestFlagErrorsListValidFlags: a mistyped flag is answered with the flags
// the command takes.
func TestFlagErrorsListValidFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"summarize", "--lenght", "short", seedPage}, "valid flags: --json, --language CODE, --length short|normal|detailed, --url URL"},
		{[]string{"extract", "--length", "short", seedPage}, "valid flags: --json, --url URL"},
		{[]string{"summarize", "--json=maybe", seedPage}, "valid flags: --json,"},
	} {
		code, _, stderr := cli(t, nil, "", tc.args...)
		if code != exitUsage || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
