package bot

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/internal/fakecore"
	"github.com/precisbot/precis/internal/metrics"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestRewriteTransport(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Host+" "+r.URL.RequestURI())
		mu.Unlock()
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, tc := range []struct {
		api, req, want string
	}{
		{srv.URL + "/api/v9", "https://discord.com/api/v9/gateway", host + " /api/v9/gateway"},
		{srv.URL + "/proxy/discord/", "https://discord.com/api/v9/channels/1/messages?limit=2", host + " /proxy/discord/channels/1/messages?limit=2"},
		{srv.URL, "https://discord.com/api/v9/users/@me", host + " /api/v9/users/@me"},
		{srv.URL + "/", "https://discord.com/api/v9/gateway", host + " /api/v9/gateway"},
		{srv.URL + "/api/v10", "https://discord.com/api/v9/gateway", host + " /api/v10/gateway"},
		{srv.URL + "/x", "https://cdn.discordapp.com/avatars/1.png", host + " /avatars/1.png"},
	} {
		rt, err := NewRewriteTransport(tc.api, nil)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", tc.req, nil)
		resp, err := (&http.Client{Transport: rt}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		mu.Lock()
		last := got[len(got)-1]
		mu.Unlock()
		if last != tc.want {
			t.Errorf("API %s, request %s: server saw %q, want %q", tc.api, tc.req, last, tc.want)
		}
		if req.URL.String() != tc.req {
			t.Errorf("original request modified")
		}
	}
	for _, bad := range []string{"", "discord.com/api", "ftp://x/api"} {
		if _, err := NewRewriteTransport(bad, nil); err == nil {
			t.Errorf("NewRewriteTransport(%q) accepted", bad)
		}
	}
}

func TestBotToken(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"abc": "Bot abc", "Bot abc": "Bot abc", " abc\n": "Bot abc"} {
		if got := botToken(in); got != want {
			t.Errorf("botToken(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		connected bool
		pingErr   error
		wantCode  int
	}{
		{"healthy", true, nil, 200},
		{"gateway down", false, nil, 503},
		{"database down", true, errors.New("disk"), 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := fakecore.NewStore()
			st.PingErr = tc.pingErr
			b, _ := newTestBot(t, harnessConfig{
				client: ClientOptions{Token: "t", APIURL: "http://127.0.0.1:1/api/v9", RetryBase: time.Second},
				bot:    Options{ShutdownGrace: time.Second, JobTimeout: time.Minute},
				core:   testCoreOptions(),
			}, fakecore.NewReader(), nil, st)
			b.connected.Store(tc.connected)
			srv := httptest.NewServer(healthHandler(b.health, b.metrics))
			defer srv.Close()
			resp, err := http.Get(srv.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body healthStatus
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantCode || body.Gateway != tc.connected || body.OK != (tc.wantCode == 200) {
				t.Errorf("status %d body %+v, want %d", resp.StatusCode, body, tc.wantCode)
			}
		})
	}
}

func TestProgressEditorStopsBeforeFinal(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var edits []string
	p := newProgressEditor(func(s string) { mu.Lock(); edits = append(edits, s); mu.Unlock() })
	p.set("Reading example.com…")
	p.set("Reading example.com…") // unchanged: no second edit
	p.stop()
	p.set("Summarising 10 words…") // after stop: dropped
	p.stop()
	mu.Lock()
	defer mu.Unlock()
	if len(edits) > 1 || (len(edits) == 1 && edits[0] != "Reading example.com…") {
		t.Errorf("edits %q", edits)
	}
}

func TestRecentSet(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := newRecentSet(2, time.Hour, c.now)
	steps := []struct {
		advance time.Duration
		key     string
		want    bool
	}{
		{0, "a", true}, {0, "a", false}, {0, "b", true},
		{0, "c", true}, // evicts a (size 2)
		{0, "a", true},
		{2 * time.Hour, "c", true}, // expired
		{0, "c", false},
	}
	for i, s := range steps {
		c.add(s.advance)
		if got := r.add(s.key); got != s.want {
			t.Errorf("step %d add(%q) = %v, want %v", i, s.key, got, s.want)
		}
	}
}

func TestTrackerRefusesAfterClose(t *testing.T) {
	t.Parallel()
	var tr tracker
	if !tr.start() {
		t.Fatal("refused before close")
	}
	tr.close()
	if tr.start() {
		t.Fatal("accepted after close")
	}
	if tr.wait(0) {
		t.Fatal("idle with one in flight")
	}
	tr.done()
	if !tr.wait(time.Hour) {
		t.Fatal("not idle after done")
	}
}

func TestMetricsExposition(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.Summary("auto", "ok", 300*time.Millisecond)
	m.Summary("auto", "ok", 3*time.Second)
	m.Summary("command", "busy", 0)
	m.Cache("hit")
	m.SetQueueDepth(4)
	srv := httptest.NewServer(healthHandler(func(context.Context) healthStatus { return healthStatus{OK: true} }, m))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
	lines := map[string]string{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "#") {
			if !strings.HasPrefix(l, "# HELP ") && !strings.HasPrefix(l, "# TYPE ") {
				t.Errorf("bad comment line %q", l)
			}
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		if i < 0 {
			t.Fatalf("bad sample line %q", l)
		}
		lines[l[:i]] = l[i+1:]
	}
	for series, want := range map[string]string{
		`precis_summaries_total{source="auto",outcome="ok"}`:      "2",
		`precis_summaries_total{source="command",outcome="busy"}`: "1",
		`precis_summary_seconds_bucket{source="auto",le="0.25"}`:  "0",
		`precis_summary_seconds_bucket{source="auto",le="0.5"}`:   "1",
		`precis_summary_seconds_bucket{source="auto",le="5"}`:     "2",
		`precis_summary_seconds_bucket{source="auto",le="+Inf"}`:  "2",
		`precis_summary_seconds_count{source="auto"}`:             "2",
		`precis_summary_seconds_sum{source="auto"}`:               "3.3",
		`precis_cache_lookups_total{result="hit"}`:                "1",
		`precis_queue_depth`:       "4",
		`precis_llm_calls_total`:   "0",
		`precis_gateway_connected`: "0",
	} {
		if got, ok := lines[series]; !ok || got != want {
			t.Errorf("%s = %q (present %v), want %s", series, got, ok, want)
		}
	}
	if _, ok := lines["go_goroutines"]; !ok {
		t.Errorf("no go_goroutines")
	}
}
