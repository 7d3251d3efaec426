package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/internal/fakellm"
	"github.com/precisbot/precis/render"
	"github.com/precisbot/precis/summarize"
)

// seedPage is a copy of corpus/seed kept in the repository, so these tests
// run in a plain clone.
const seedPage = "testdata/seed/page.html"

// cli runs the program in-process with the given environment.
func cli(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb, getenv)
	return code, out.String(), errb.String()
}

func seed(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(seedPage)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// site serves the seed article and a few hostile answers.
func site(t *testing.T, page []byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/article", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	mux.HandleFunc("/image", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG\r\n\x1a\n"))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		chunk := make([]byte, 1<<16)
		for i := 0; i < 256; i++ { // 16 MiB decoded
			gz.Write(chunk)
		}
		gz.Close()
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
	})
	mux.HandleFunc("/wall", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<html><head><title>News</title></head><body><article><h1>Council delays vote on the harbour plan</h1>
<p>The city council postponed its vote on the harbour redevelopment plan on Tuesday after residents asked for more time to study the costs…</p>
<div class="paywall"><p>This article is for subscribers only. Subscribe now to continue reading, or sign in if you already have an account.</p></div></article></body></html>`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestExtractCommand(t *testing.T) {
	t.Parallel()
	page := seed(t)
	srv := site(t, page)
	allow := map[string]string{"FETCH_ALLOW_PRIVATE": "true", "FETCH_MAX_BYTES": "2MiB", "FETCH_TIMEOUT": "5s", "ARCHIVE_FALLBACK": "false"}
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		stdout   string // substring
		stderrIs string // substring of the single stderr line
	}{
		{"file", nil, []string{"extract", seedPage}, 0, "US and Russia plan further Ukraine talks", ""},
		{"file json", nil, []string{"extract", "--json", "--url", "https://example.com/a", seedPage}, 0, `"url":"https://example.com/a"`, ""},
		{"url", allow, []string{"extract", srv.URL + "/article"}, 0, "Blinken", ""},
		{"private refused", nil, []string{"extract", srv.URL + "/article"}, 1, "", "private"},
		{"not found", allow, []string{"extract", srv.URL + "/missing"}, 1, "", "HTTP 404"},
		{"image", allow, []string{"extract", srv.URL + "/image"}, 1, "", "content type"},
		{"gzip bomb", allow, []string{"extract", srv.URL + "/big"}, 1, "", "too large"},
		{"redirect loop", allow, []string{"extract", srv.URL + "/loop"}, 1, "", "redirect"},
		{"empty", allow, []string{"extract", srv.URL + "/empty"}, 1, "", "empty"},
		// What was found, with the gate's verdict as data; summarize still
		// refuses a wall.
		{"paywall", allow, []string{"extract", "--json", srv.URL + "/wall"}, 0, `"quality":{"ok":false,"reason":"wall"}`, ""},
		{"paywall summarize", allow, []string{"summarize", srv.URL + "/wall"}, 1, "", "paywall"},
		{"missing file", nil, []string{"extract", "/no/such/file.html"}, 1, "", "no such file"},
		{"no input", nil, []string{"extract"}, 2, "", "give a URL"},
		{"bad flag", nil, []string{"extract", "--frobnicate", seedPage}, 2, "", "frobnicate"},
		{"unknown command", nil, []string{"frobnicate"}, 2, "", "unknown command"},
		{"help", nil, []string{"extract", "--help"}, 0, "Usage:", ""},
		{"ftp", nil, []string{"extract", "ftp://example.com/a"}, 1, "", "http"},
		{"file scheme", nil, []string{"extract", "file:///etc/passwd"}, 1, "", "http"},
		{"pdf file", nil, []string{"extract", "testdata/not-an-article.pdf"}, 1, "", "PDF's text can't be read"},
		{"bad config", map[string]string{"FETCH_TIMEOUT": "soon"}, []string{"extract", seedPage}, 1, "", "FETCH_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := cli(t, tt.env, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%.500s", tt.stdout, stdout)
			}
			if tt.code == 0 {
				if stderr != "" {
					t.Errorf("stderr on success: %q", stderr)
				}
				return
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("stderr is not exactly one line: %q", stderr)
			}
			if !strings.Contains(stderr, tt.stderrIs) {
				t.Errorf("stderr %q does not mention %q", stderr, tt.stderrIs)
			}
		})
	}
}

func TestExtractStdinAndBatch(t *testing.T) {
	t.Parallel()
	page := seed(t)
	code, stdout, stderr := cli(t, nil, string(page), "extract", "--json", "--url", "https://news.example/x", "-")
	if code != 0 {
		t.Fatalf("stdin: exit %d: %s", code, stderr)
	}
	var a struct {
		URL, Title, Text string
		Words            int
	}
	if err := json.Unmarshal([]byte(stdout), &a); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	if a.URL != "https://news.example/x" || a.Words < 300 || !strings.Contains(a.Text, "\n\n") {
		t.Errorf("unexpected article: url %q words %d", a.URL, a.Words)
	}

	dir := t.TempDir()
	short := filepath.Join(dir, "empty.html")
	os.WriteFile(short, []byte("<html><body></body></html>"), 0o600)
	code, stdout, stderr = cli(t, nil, "", "extract", "--json", seedPage, short, seedPage)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 JSON lines, got %d:\n%s", len(lines), stdout)
	}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v", i, err)
		}
		_, isErr := m["error"]
		if isErr != (i == 1) {
			t.Errorf("line %d: error present = %v", i, isErr)
		}
	}
	if code != 1 || strings.Count(stderr, "\n") != 1 {
		t.Errorf("batch with a failure: exit %d, stderr %q", code, stderr)
	}
}

func TestSummarizeCommandOffline(t *testing.T) {
	t.Parallel()
	seed(t)
	code, stdout, stderr := cli(t, nil, "", "summarize", "--json", seedPage)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	jsonOut := stdout
	var s struct {
		Model  string
		Quotes []struct{ Text, Speaker string }
		Words  int
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&s); err != nil || dec.More() {
		t.Fatalf("stdout is not exactly one JSON object: %v\n%s", err, stdout)
	}
	if s.Model != "extractive" || len(s.Quotes) == 0 || s.Words < 300 {
		t.Errorf("model %q, %d quotes, %d words", s.Model, len(s.Quotes), s.Words)
	}
	page := string(seed(t))
	for _, q := range s.Quotes {
		if !strings.Contains(page, q.Text) {
			t.Errorf("quote not in the page: %q", q.Text)
		}
	}

	// The text output is the Discord message's own render: the CLI is a
	// faithful preview of what the bot posts.
	var full summarize.Summary
	if err := json.Unmarshal([]byte(jsonOut), &full); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = cli(t, nil, "", "summarize", seedPage)
	if want := render.Text(render.Summary(&full, render.Options{})); code != 0 || stdout != want {
		t.Errorf("text output (exit %d) is not the Discord message's render:\n%s\nwant:\n%s", code, stdout, want)
	}
}

func TestSummarizeCommandLLM(t *testing.T) {
	t.Parallel()
	seed(t)
	llm := fakellm.New(t)
	env := map[string]string{"LLM_BASE_URL": llm.BaseURL(), "LLM_API_KEY": "sk-test", "LLM_MODEL": "fake-model"}
	code, stdout, stderr := cli(t, env, "", "summarize", "--json", "--url", "https://news.example/ukraine", seedPage)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s struct {
		URL, Model, Headline string
	}
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("stdout: %v\n%s", err, stdout)
	}
	if s.Model != "fake-model" || s.URL != "https://news.example/ukraine" || s.Headline == "" {
		t.Errorf("unexpected summary %+v", s)
	}
	if n := llm.Calls(); n != 1 {
		t.Errorf("%d LLM calls for an article that fits the budget, want 1", n)
	}
}

func TestConfigCommandRedacts(t *testing.T) {
	t.Parallel()
	code, stdout, _ := cli(t, map[string]string{"DISCORD_TOKEN": "secret-token"}, "", "config")
	if code != 0 || strings.Contains(stdout, "secret-token") || !strings.Contains(stdout, "DISCORD_TOKEN=[redacted]") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

func TestServeNeedsToken(t *testing.T) {
	t.Parallel()
	code, _, stderr := cli(t, nil, "", "serve")
	if code != 1 || !strings.Contains(stderr, "DISCORD_TOKEN") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// runMain builds Precis from env (through config.Load, as serve does) with
// clock (nil: the system clock) and runs it until the test ends or stop is
// called. stop waits for Run to return and reports its error.
func runMain(t *testing.T, env map[string]string, clock digest.Clock) (m *Main, stop func()) {
	t.Helper()
	return runMainLogged(t, env, clock, slog.New(slog.DiscardHandler))
}

// runMainLogged is runMain logging to logger (PRECIS_TEST_LOG adds
// stderr).
func runMainLogged(t *testing.T, env map[string]string, clock digest.Clock, logger *slog.Logger) (m *Main, stop func()) {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("PRECIS_TEST_LOG") != "" {
		logger = slog.New(slog.NewMultiHandler(logger.Handler(), slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
	m, err = newMain(context.Background(), cfg, logger, clock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			m.Close()
		})
	}
	t.Cleanup(stop)
	return m, stop
}
