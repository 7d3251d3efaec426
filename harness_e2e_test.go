package main

import (
	"context"
	"maps"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/fakellm"
)

// allowPrivate lets Precis fetch from the tests' local servers.
var allowPrivate = map[string]string{"FETCH_ALLOW_PRIVATE": "true"}

// modelEnv points Precis's model calls at llm, as fake-model.
func modelEnv(llm *fakellm.Server) map[string]string {
	return map[string]string{"LLM_BASE_URL": llm.BaseURL(), "LLM_API_KEY": "sk-test", "LLM_MODEL": "fake-model"}
}

// serveEnv is Precis's environment against the fake Discord: no HTTP
// server and a fresh SQLite database, then the variables of more, which
// may override them.
func serveEnv(t *testing.T, fake *fakediscord.Server, more ...map[string]string) map[string]string {
	t.Helper()
	env := map[string]string{
		"DISCORD_TOKEN": fake.Token(), "DISCORD_API_URL": fake.APIURL(), "HTTP_ADDR": "off",
		"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "precis.db"),
	}
	for _, m := range more {
		maps.Copy(env, m)
	}
	return env
}

// commandsRegistered waits until Precis has registered its commands with
// the fake Discord and returns that request, with a context that bounds
// the rest of the test to timeout.
func commandsRegistered(t *testing.T, fake *fakediscord.Server, timeout time.Duration) (context.Context, fakediscord.Request) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	reg, err := fake.WaitRequest(ctx, fakediscord.Match("PUT", "/applications/*/**"))
	if err != nil {
		t.Fatalf("commands were not registered: %v", err)
	}
	return ctx, reg
}

// discordWaiter waits for what Precis sends the fake Discord, failing the
// test when it does not come before ctx ends.
type discordWaiter struct {
	t    *testing.T
	ctx  context.Context
	fake *fakediscord.Server
}

// wait is the first request matching pred.
func (w discordWaiter) wait(pred func(fakediscord.Request) bool) fakediscord.Request {
	w.t.Helper()
	r, err := w.fake.WaitRequest(w.ctx, pred)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// decodeCard reads a message payload Precis sent.
func decodeCard(t *testing.T, r fakediscord.Request) askCard {
	t.Helper()
	var c askCard
	if err := r.Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// deferredFlags are the flags of an interaction's deferral.
func (w discordWaiter) deferredFlags(in fakediscord.Interaction) int {
	w.t.Helper()
	var cb struct {
		Type int `json:"type"`
		Data struct {
			Flags int `json:"flags"`
		} `json:"data"`
	}
	if err := w.wait(fakediscord.Match("POST", in.CallbackPath)).Decode(&cb); err != nil || cb.Type != 5 {
		w.t.Fatalf("callback type %d, %v; want a deferral", cb.Type, err)
	}
	return cb.Data.Flags
}

// final is the edit of the deferred answer that finishes it (progress
// lines come before).
func (w discordWaiter) final(in fakediscord.Interaction) askCard {
	w.t.Helper()
	return decodeCard(w.t, w.wait(func(r fakediscord.Request) bool {
		return r.Method == http.MethodPatch && r.Route == in.OriginalPath && !strings.Contains(string(r.Body), `"embeds":[]`)
	}))
}

// digestSet is the options of /digest set: a digest of channel at 08:00
// in timezone, from sources ("" leaves the option out).
func digestSet(channel, timezone, sources string) []*discordgo.ApplicationCommandInteractionDataOption {
	opts := []*discordgo.ApplicationCommandInteractionDataOption{
		{Name: "channel", Type: discordgo.ApplicationCommandOptionChannel, Value: channel},
		{Name: "time", Type: discordgo.ApplicationCommandOptionString, Value: "08:00"},
		{Name: "timezone", Type: discordgo.ApplicationCommandOptionString, Value: timezone},
	}
	if sources != "" {
		opts = append(opts, &discordgo.ApplicationCommandInteractionDataOption{Name: "sources", Type: discordgo.ApplicationCommandOptionString, Value: sources})
	}
	return []*discordgo.ApplicationCommandInteractionDataOption{{Name: "set", Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}}
}
