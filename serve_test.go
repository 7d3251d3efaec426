package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/fakellm"
)

// TestServeProcess runs the real binary against a fake Discord, a fake LLM
// and a local article server: a slash command is deferred and answered with
// the summary, a pasted link gets a reply, and SIGTERM stops the process
// with exit status 0.
func TestServeProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	page := seed(t)
	articles := site(t, page)
	fake := fakediscord.New(t, fakediscord.Options{})
	llm := fakellm.New(t)

	bin := filepath.Join(t.TempDir(), "precis")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	dir := t.TempDir()
	cmd := exec.Command(bin, "serve")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"DISCORD_TOKEN=Bot "+fake.Token(),
		"DISCORD_API_URL="+fake.APIURL(),
		"LLM_BASE_URL="+llm.BaseURL(),
		"LLM_API_KEY=sk-test",
		"LLM_MODEL=fake-model",
		"DATABASE_URL=sqlite:data/precis.db", // relative, in a folder that does not exist yet
		"FETCH_ALLOW_PRIVATE=true",
		"HTTP_ADDR=127.0.0.1:0", // the process reports the port it bound
		"LOG_LEVEL=debug",
		"LOG_FORMAT=json",
	)
	logs := &logLines{addr: make(chan string, 1)}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("serve logs:\n%s", logs)
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := fake.WaitRequest(ctx, fakediscord.Match("PUT", "/applications/*/**")); err != nil {
		t.Fatalf("commands were not registered: %v", err)
	}
	var httpAddr string
	select {
	case httpAddr = <-logs.addr:
	case <-ctx.Done():
		t.Fatal("the HTTP address was not logged")
	}

	// A slash command: deferred at once, then edited with the summary.
	in, err := fake.SendSlashCommand(fakediscord.SlashCommand{
		Name: "summarize",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: articles.URL + "/article"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := fake.WaitRequest(ctx, fakediscord.Match("POST", "/interactions/"+in.ID+"/*/callback"))
	if err != nil {
		t.Fatal(err)
	}
	var deferred struct{ Type int }
	if err := cb.Decode(&deferred); err != nil || deferred.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
		t.Fatalf("callback type %d (%v), want a deferral", deferred.Type, err)
	}
	edit, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
		return r.Method == http.MethodPatch && strings.HasSuffix(r.Path, "/messages/@original") && strings.Contains(string(r.Body), "Blinken")
	})
	if err != nil {
		t.Fatalf("no summary edit: %v", err)
	}
	if !strings.Contains(string(edit.Body), `"parse":[]`) {
		t.Errorf("summary edit without allowed_mentions parse []: %s", edit.Body)
	}

	// A pasted link: a reply to the message.
	msg, err := fake.SendMessage(fakediscord.Message{Content: "look at this " + articles.URL + "/article?utm_source=x"})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
		return r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/api/v9/channels/") && strings.Contains(string(r.Body), msg["id"].(string))
	})
	if err != nil {
		t.Fatalf("no reply to the pasted link: %v", err)
	}
	if !strings.Contains(string(reply.Body), "message_reference") {
		t.Errorf("reply without message_reference: %s", reply.Body)
	}
	if n := llm.Calls(); n != 1 {
		t.Errorf("%d LLM calls for one article asked twice, want 1 (cache)", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "precis.db")); err != nil {
		t.Errorf("database not created at the relative path: %v", err)
	}

	// Health and metrics.
	if code, out, errOut := cli(t, map[string]string{"HTTP_ADDR": httpAddr}, "", "healthcheck"); code != 0 || !strings.Contains(out, `"model":"ok"`) {
		t.Errorf("healthcheck: exit %d %s %s", code, out, errOut)
	}
	resp, err := http.Get("http://" + httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), "precis_") {
		t.Errorf("metrics without precis_ series:\n%.500s", metrics)
	}

	// SIGTERM: a clean exit within 10 s.
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
		t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10 s after SIGTERM")
	}
}

// logLines collects a process's JSON log lines and passes on the address
// the health server reports it listens on.
type logLines struct {
	mu      sync.Mutex
	b       strings.Builder
	partial string
	addr    chan string
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	l.partial += string(p)
	for {
		line, rest, ok := strings.Cut(l.partial, "\n")
		if !ok {
			break
		}
		l.partial = rest
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "health and metrics listening" && rec.Addr != "" {
			select {
			case l.addr <- rec.Addr:
			default:
			}
		}
	}
	return len(p), nil
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// BenchmarkIdleServe reports the resident memory of `precis serve` after
// READY and the commands are registered, idle, against the fake Discord
// (idle_rss_MiB), and the start-up time of `precis version` (version_ms).
// Its peak memory is best read with `/usr/bin/time -f %M precis version`:
// a child's max RSS seen from the test process includes the fork's copy.
//
//	go test -run '^$' -bench IdleServe -benchtime 1x .
func BenchmarkIdleServe(b *testing.B) {
	fake, err := fakediscord.Start(fakediscord.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer fake.Close()
	bin := filepath.Join(b.TempDir(), "precis")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var idle, verMS float64
	for i := 0; b.Loop(); i++ {
		cmd := exec.Command(bin, "serve")
		cmd.Dir = b.TempDir()
		cmd.Env = append(os.Environ(), "DISCORD_TOKEN="+fake.Token(), "DISCORD_API_URL="+fake.APIURL(), "HTTP_ADDR=off")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, err := fake.WaitRequestN(ctx, i+1, fakediscord.Match("PUT", "/applications/*/**"))
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(2 * time.Second) // a measurement: let start-up garbage be collected
		idle = rssMiB(b, cmd.Process.Pid)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()

		start := time.Now()
		v := exec.Command(bin, "version")
		if err := v.Run(); err != nil {
			b.Fatal(err)
		}
		verMS = float64(time.Since(start).Microseconds()) / 1000
	}
	b.ReportMetric(idle, "idle_rss_MiB")
	b.ReportMetric(verMS, "version_ms")
}

// rssMiB is a process's resident memory from /proc.
func rssMiB(b *testing.B, pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
