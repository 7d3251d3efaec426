package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/fakellm"
)

// TestCacheFollowsModelAndLanguage restarts Precis on one SQLite file with
// another LLM_MODEL or SUMMARY_LANGUAGE: a link summarised before is
// summarised again (a new model call, the footer naming the new model),
// and going back to the first setting answers from the cache.
func TestCacheFollowsModelAndLanguage(t *testing.T) {
	t.Parallel()
	articles := site(t, seed(t))
	fake := fakediscord.New(t, fakediscord.Options{})
	llm := fakellm.New(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "precis.db")
	link := articles.URL + "/article"

	runs := 0
	paste := func(model, lang string) (calls int, reply string) {
		t.Helper()
		runs++
		env := map[string]string{
			"DISCORD_TOKEN": fake.Token(), "DISCORD_API_URL": fake.APIURL(), "HTTP_ADDR": "off",
			"DATABASE_URL": db, "FETCH_ALLOW_PRIVATE": "true",
			"LLM_BASE_URL": llm.BaseURL(), "LLM_API_KEY": "sk-test", "LLM_MODEL": model, "SUMMARY_LANGUAGE": lang,
		}
		_, stop := runMain(t, env, nil)
		defer stop()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if _, err := fake.WaitRequestN(ctx, runs, fakediscord.Match("PUT", "/applications/*/**")); err != nil {
			t.Fatal(err)
		}
		before := llm.Calls()
		msg, err := fake.SendMessage(fakediscord.Message{Content: "read " + link})
		if err != nil {
			t.Fatal(err)
		}
		id := msg["id"].(string)
		r, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
			return r.Method == http.MethodPost && strings.Contains(string(r.Body), `"message_id":"`+id+`"`)
		})
		if err != nil {
			t.Fatalf("no reply with %s/%q: %v", model, lang, err)
		}
		return llm.Calls() - before, string(r.Body)
	}

	for i, step := range []struct {
		model, lang string
		wantCalls   int
	}{
		{"model-a", "", 1},
		{"model-b", "", 1}, // another model: summarised again
		{"model-a", "", 0}, // back to the first: from the cache
		{"model-a", "de", 1},
		{"model-a", "", 0},
	} {
		calls, reply := paste(step.model, step.lang)
		if calls != step.wantCalls {
			t.Errorf("step %d (%s, %q): %d model calls, want %d", i, step.model, step.lang, calls, step.wantCalls)
		}
		if !strings.Contains(reply, "Summarized by "+step.model) {
			t.Errorf("step %d: footer does not name %s:\n%s", i, step.model, reply)
		}
	}
}
