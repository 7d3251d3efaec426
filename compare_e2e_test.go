package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/fakellm"
	"github.com/precisbot/precis/render"
	"github.com/precisbot/precis/store"
)

// outletServer serves one fixture page at /story, as its own outlet.
func outletServer(t *testing.T, file string) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/story" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (c askCard) hasButton(id string) bool {
	for _, row := range c.Components {
		for _, b := range row.Components {
			if b.CustomID == id {
				return true
			}
		}
	}
	return false
}

// TestCompareEndToEnd runs Precis (Main, as serve does) against the fake
// Discord and the fake LLM. The #general channel follows a feed that
// carried the Coastal Times' report of the council vote; the Courier's
// report was shared only in #staff. The Herald's report pasted in
// #general gets a summary saying the Coastal Times covered the story too,
// with a Compare button; the button answers privately with a checked
// comparison of the two; nothing from #staff is used: not everyone who
// sees #general may see #staff (the digest's rule, Client.Covers).
// /compare answers in the channel.
func TestCompareEndToEnd(t *testing.T) {
	t.Parallel()
	herald, coastal, courier := outletServer(t, heraldFile), outletServer(t, coastalFile), outletServer(t, courierFile)
	heraldURL, coastalURL, courierURL := herald.URL+"/story", coastal.URL+"/story", courier.URL+"/story"
	clock := &testClock{now: time.Date(2026, 5, 6, 9, 0, 0, 0, time.UTC)}
	const (
		staff = "1300000000000000002"
		role  = "1500000000000000002"
	)
	fake := fakediscord.New(t, fakediscord.Options{Now: clock.Now, InteractionAckTimeout: -1, Guilds: []fakediscord.Guild{{
		ID:    fakediscord.DefaultGuildID,
		Roles: []fakediscord.Role{{ID: role, Name: "staff"}},
		Channels: []fakediscord.Channel{
			{ID: fakediscord.DefaultChannelID, Name: "general"},
			{ID: staff, Name: "staff", Overwrites: fakediscord.PrivateTo(fakediscord.DefaultGuildID, role)},
		},
	}}})
	llm := fakellm.New(t)
	llm.SetResponder(fakellm.GoodCompare)
	m, _ := runMain(t, serveEnv(t, fake, allowPrivate, modelEnv(llm)), clock)
	ctx, reg := commandsRegistered(t, fake, 60*time.Second)
	w := discordWaiter{t, ctx, fake}

	// #general follows a feed that carried the Coastal Times' story (its
	// poll fails: the item is stored already).
	feed := coastal.URL + "/feed.xml"
	if err := m.store.AddFeed(ctx, store.Feed{GuildID: fakediscord.DefaultGuildID, ChannelID: fakediscord.DefaultChannelID, URL: feed}); err != nil {
		t.Fatal(err)
	}
	if err := m.store.AddFeedItems(ctx, []store.FeedItem{{
		FeedURL: feed, GUID: "vote", URL: coastalURL, Title: "Northport votes for sea wall after long debate",
		Summary:   "After a five-hour debate, Northport city council voted 9 to 4 on Tuesday to build a £48 million sea wall along the harbour.",
		Published: clock.Now().Add(-12 * time.Hour),
	}}); err != nil {
		t.Fatal(err)
	}

	replyTo := func(channel, content string) (askCard, string) {
		t.Helper()
		msg, err := fake.SendMessage(fakediscord.Message{ChannelID: channel, Content: content})
		if err != nil {
			t.Fatal(err)
		}
		r := w.wait(func(r fakediscord.Request) bool {
			return r.Method == http.MethodPost && strings.Contains(string(r.Body), `"message_id":"`+msg["id"].(string)+`"`)
		})
		var posted struct{ ID string }
		if err := json.Unmarshal(r.Response, &posted); err != nil || posted.ID == "" {
			t.Fatalf("posted reply: %v %s", err, r.Response)
		}
		return decodeCard(t, r), posted.ID
	}
	checkComparison := func(c askCard) {
		t.Helper()
		if len(c.Embeds) != 1 {
			t.Fatalf("comparison has %d embeds: %+v", len(c.Embeds), c)
		}
		e := c.Embeds[0]
		if !strings.HasPrefix(e.Title, "How 2 outlets cover: Council approves £48 million sea wall") ||
			!strings.Contains(e.Description, heraldURL) || !strings.Contains(e.Description, coastalURL) || strings.Contains(e.Description, courierURL) {
			t.Errorf("comparison of the wrong articles: %q\n%s", e.Title, e.Description)
		}
		if len(e.Fields) == 0 || e.Fields[0].Name != "What all report" {
			t.Errorf("fields %+v", e.Fields)
		}
		if e.Footer == nil || !strings.HasPrefix(e.Footer.Text, "Compared by fake-model") {
			t.Errorf("footer %+v", e.Footer)
		}
		if c.AllowedMentions == nil || c.AllowedMentions.Parse == nil || len(*c.AllowedMentions.Parse) != 0 {
			t.Errorf("allowed_mentions = %+v", c.AllowedMentions)
		}
	}
	ephemeral := int(discordgo.MessageFlagsEphemeral)
	if !strings.Contains(string(reg.Body), `"name":"compare"`) {
		t.Errorf("/compare not registered: %s", reg.Body)
	}

	// The Courier's story was shared in #staff, which only the staff role
	// sees.
	if err := m.store.RecordLink(ctx, store.SharedLink{
		URL: courierURL, NormURL: courierURL, GuildID: fakediscord.DefaultGuildID, ChannelID: staff,
		MessageID: "1400000000000000900", AuthorID: fakediscord.DefaultUserID, SharedAt: clock.Now().Add(-time.Hour),
	}); err != nil {
		t.Fatal(err)
	}

	// The Herald's story in #general: also covered by the Coastal Times
	// (its feed), not by the Courier (#staff's link).
	card, posted := replyTo(fakediscord.DefaultChannelID, "read "+heraldURL)
	if !card.hasButton(render.CompareButtonID) || !card.hasButton(render.AskButtonID) {
		t.Fatalf("summary without the Compare button: %+v", card.Components)
	}
	var also string
	for _, f := range card.Embeds[0].Fields {
		if f.Name == "Also covered by" {
			also = f.Value
		}
	}
	if !strings.Contains(also, coastalURL) || strings.Contains(also, courierURL) {
		t.Errorf("Also covered by: %q", also)
	}

	// The Compare button: a private, checked comparison of the two.
	click, err := fake.SendComponent(fakediscord.ComponentClick{MessageID: posted, CustomID: render.CompareButtonID})
	if err != nil {
		t.Fatal(err)
	}
	if f := w.deferredFlags(click); f&ephemeral == 0 {
		t.Errorf("the Compare button deferred publicly (flags %d)", f)
	}
	checkComparison(w.final(click))
	var compares []*fakellm.Request
	for _, r := range llm.Requests() {
		if len(r.CompareArticles()) > 0 {
			compares = append(compares, r)
		}
		if strings.Contains(r.Prompt(), "finance director") && len(r.CompareArticles()) > 0 {
			t.Errorf("the Courier's story from #staff went into a comparison")
		}
	}
	if len(compares) != 1 || len(compares[0].CompareArticles()) != 2 {
		t.Fatalf("%d comparison calls", len(compares))
	}

	// /compare in the channel answers there.
	in, err := fake.SendSlashCommand(fakediscord.SlashCommand{Name: "compare", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		{Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: heraldURL},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if f := w.deferredFlags(in); f&ephemeral != 0 {
		t.Errorf("/compare deferred privately (flags %d)", f)
	}
	checkComparison(w.final(in))
	summaries, tokens, err := m.store.Usage(ctx, fakediscord.DefaultGuildID, clock.Now().UTC().Format("2006-01-02"))
	if err != nil || summaries != 3 || tokens == 0 {
		t.Errorf("usage: %d summaries and comparisons, %d tokens, %v; want 3 (a summary, 2 comparisons)", summaries, tokens, err)
	}
}
