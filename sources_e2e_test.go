package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakediscord"
)

// TestArchivedCopiesThroughDiscord: /summarize on a page that refuses bots
// (403) is answered from its Wayback copy, marked as archived with the
// snapshot's date and both links; a blocked page with no copy anywhere is
// explained privately with an "Archived copy" search button.
func TestArchivedCopiesThroughDiscord(t *testing.T) {
	t.Parallel()
	page := seed(t)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Access denied", http.StatusForbidden)
	}))
	t.Cleanup(site.Close)
	const stamp = "20260302100000"
	var wayback *httptest.Server
	wayback = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/wayback/available" {
			target := r.URL.Query().Get("url")
			ans := map[string]any{"url": target, "archived_snapshots": map[string]any{}}
			if strings.HasSuffix(target, "/has-copy") {
				ans["archived_snapshots"] = map[string]any{"closest": map[string]any{
					"available": true, "status": "200", "timestamp": stamp, "url": wayback.URL + "/web/" + stamp + "/" + target}}
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(ans)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/web/"+stamp+"id_/") {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(wayback.Close)
	today := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }))
	t.Cleanup(today.Close)

	fake := fakediscord.New(t, fakediscord.Options{})
	runMain(t, serveEnv(t, fake, allowPrivate, map[string]string{"ARCHIVE_WAYBACK_URL": wayback.URL, "ARCHIVE_TODAY_URL": today.URL}), nil)
	ctx, _ := commandsRegistered(t, fake, 60*time.Second)
	ask := func(link string) fakediscord.Interaction {
		in, err := fake.SendSlashCommand(fakediscord.SlashCommand{Name: "summarize",
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: link}}})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}

	in := ask(site.URL + "/has-copy")
	edit, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
		return r.Method == http.MethodPatch && r.Route == in.OriginalPath && strings.Contains(string(r.Body), "embeds\":[{")
	})
	if err != nil {
		t.Fatalf("no summary from the archived copy: %v", err)
	}
	body := string(edit.Body)
	for _, want := range []string{"archived copy of 2 March 2026", "Wayback Machine", `"label":"Archived copy"`, site.URL + "/has-copy", "checked against the archived copy"} {
		if !strings.Contains(body, want) {
			t.Errorf("archived summary lacks %q:\n%.800s", want, body)
		}
	}

	in = ask(site.URL + "/no-copy")
	follow, err := fake.WaitRequest(ctx, fakediscord.Match("POST", in.FollowupPath))
	if err != nil {
		t.Fatalf("no explanation: %v", err)
	}
	body = string(follow.Body)
	if !strings.Contains(body, `"label":"Archived copy"`) || !strings.Contains(body, today.URL+"/"+site.URL+"/no-copy") || !strings.Contains(body, `"flags":64`) {
		t.Errorf("refusal without the archive search button or not private:\n%s", body)
	}
}
