package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/fakellm"
)

// records is a slog handler that passes every record to a channel, so a
// test can wait for a log line instead of sleeping.
type records chan slog.Record

func (records) Enabled(context.Context, slog.Level) bool { return true }
func (r records) Handle(_ context.Context, rec slog.Record) error {
	select {
	case r <- rec.Clone():
	default: // a test that stopped reading must not block the program
	}
	return nil
}
func (r records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r records) WithGroup(string) slog.Handler      { return r }

func attrs(rec slog.Record) map[string]string {
	m := map[string]string{}
	rec.Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.String()
		return true
	})
	return m
}

// TestServeChecksModel: serve asks the model server at start and logs the
// cause and the fix when it fails; /healthz reports the model's state
// without calling the bot unhealthy, as summaries go on offline.
func TestServeChecksModel(t *testing.T) {
	t.Parallel()
	refused := closedAddr(t)
	llm := fakellm.New(t)

	for _, tc := range []struct {
		name, baseURL, key, model string
		wantLog                   string
		wantAttrs                 map[string]string // substrings
		wantState                 string            // prefix
	}{
		{
			name: "server down", baseURL: "http://" + refused + "/v1", key: "sk-test", model: "m",
			wantLog:   "model check failed: summaries are offline until the model answers",
			wantAttrs: map[string]string{"server": refused, "cause": "connection refused", "fix": "LLM_BASE_URL"},
			wantState: "failing: connection refused (" + refused + ")",
		},
		{
			name: "model not pulled", baseURL: llm.BaseURL(), key: "sk-test", model: "llama3.1",
			wantLog:   "model check failed: summaries are offline until the model answers",
			wantAttrs: map[string]string{"cause": `model "llama3.1" is not offered`, "fix": fakellm.ModelName},
			wantState: `failing: model "llama3.1" is not offered`,
		},
		{
			name: "fine", baseURL: llm.BaseURL(), key: "sk-test", model: fakellm.ModelName,
			wantLog: "model check passed", wantAttrs: map[string]string{"model": fakellm.ModelName}, wantState: "ok",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := fakediscord.New(t, fakediscord.Options{})
			env := map[string]string{
				"DISCORD_TOKEN": fake.Token(), "DISCORD_API_URL": fake.APIURL(), "HTTP_ADDR": "127.0.0.1:0",
				"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "precis.db"),
				"LLM_BASE_URL": tc.baseURL, "LLM_API_KEY": tc.key, "LLM_MODEL": tc.model,
			}
			cfg, err := config.Load(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			logs := make(records, 256)
			m, err := newMain(context.Background(), cfg, slog.New(logs), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- m.Run(runCtx) }()
			t.Cleanup(func() {
				stop()
				<-done
				m.Close()
			})

			var rec slog.Record
			for rec.Message != tc.wantLog {
				select {
				case rec = <-logs:
				case <-ctx.Done():
					t.Fatalf("no log line %q", tc.wantLog)
				}
			}
			got := attrs(rec)
			t.Logf("%s: %s %v", rec.Level, rec.Message, got)
			for k, want := range tc.wantAttrs {
				if !strings.Contains(got[k], want) {
					t.Errorf("log %s=%q, want it to say %q", k, got[k], want)
				}
			}
			if _, err := fake.WaitRequest(ctx, fakediscord.Match("PUT", "/applications/*/**")); err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get("http://" + m.HTTPAddr() + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var st struct {
				OK    bool
				Model string
			}
			if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || !st.OK || !strings.HasPrefix(st.Model, tc.wantState) {
				t.Errorf("/healthz %d %+v; want 200, ok, model %q", resp.StatusCode, st, tc.wantState)
			}
		})
	}
}

// TestServeWithoutKeyReportsOfflineModel: no key is not a failure.
func TestServeWithoutKeyReportsOfflineModel(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(t, fakediscord.Options{})
	m, _ := runMain(t, serveEnv(t, fake, map[string]string{"HTTP_ADDR": "127.0.0.1:0"}), nil)
	commandsRegistered(t, fake, 30*time.Second)
	code, out, errOut := cli(t, map[string]string{"HTTP_ADDR": m.HTTPAddr()}, "", "healthcheck")
	if code != 0 || !strings.Contains(out, `"model":"offline"`) {
		t.Errorf("healthcheck: exit %d, %s %s", code, out, errOut)
	}
}

// TestServeRejectedToken: the one error line of a rejected token says
// where to get a new one.
func TestServeRejectedToken(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(t, fakediscord.Options{AllowViolations: true})
	code, _, stderr := cli(t, map[string]string{
		// A token of the right shape that Discord does not know.
		"DISCORD_TOKEN": strings.ToUpper(fake.Token()[:10]) + fake.Token()[10:len(fake.Token())-3] + "xyz", "DISCORD_API_URL": fake.APIURL(), "HTTP_ADDR": "off",
		"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "precis.db"),
	}, "", "serve")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1] // serve logs to stderr too; the error is the last line
	if code != exitError || !strings.HasPrefix(last, "precis serve: ") || !strings.Contains(last, "4004") || !strings.Contains(last, "Reset Token") {
		t.Errorf("exit %d, last line %q", code, last)
	}
}
