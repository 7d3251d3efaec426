package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/internal/fakecore"
	"github.com/precisbot/precis/internal/fakediscord"
)

// TestRejectedTokenNamesTheFix: Discord closes the gateway with 4004 on a
// token it does not know (the fake does the same); Run's error carries
// discordgo's own text and says where to get a new token.
func TestRejectedTokenNamesTheFix(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(t, fakediscord.Options{AllowViolations: true})
	cfg := harnessConfig{
		client: ClientOptions{Token: "not-the-token", APIURL: fake.APIURL(), RetryBase: time.Second},
		bot:    Options{ShutdownGrace: time.Second, JobTimeout: time.Minute},
		core:   testCoreOptions(),
	}
	b, _ := newTestBot(t, cfg, fakecore.NewReader(), fakecore.NewSummarizer("fake-llm"), fakecore.NewStore())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := b.Run(ctx)
	if err == nil {
		t.Fatal("Run with a rejected token returned nil")
	}
	for _, want := range []string{"websocket: close 4004: Authentication failed.", "developer portal", "Reset Token", "DISCORD_TOKEN"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if v := fake.Violations(); len(v) == 0 || !strings.Contains(strings.Join(v, "\n"), "IDENTIFY with wrong token") {
		t.Errorf("the fake did not see the wrong token at IDENTIFY: %q", v)
	}
}
