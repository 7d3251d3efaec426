package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/internal/fakecore"
	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/internal/metrics"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// harness is a running bot against a fake Discord, with the real core and
// command handlers and fake articles, summarizers and store.
type harness struct {
	t      *testing.T
	fake   *fakediscord.Server
	bot    *Bot
	pipe   *pipeline.Pipeline
	reader *fakecore.Reader
	llm    *fakecore.Summarizer
	store  *fakecore.Store
	ctx    context.Context // the test's deadline
	cancel context.CancelFunc
}

// harnessConfig is what a test may change before the bot starts.
type harnessConfig struct {
	fake   fakediscord.Options
	client ClientOptions
	bot    Options
	core   pipeline.Options
	// botStore, when set, is the adapter's store in place of the fake one
	// (a wrapper that records calls, say).
	botStore Store
}

type harnessOpt func(*harnessConfig)

// testCoreOptions size the core for tests.
func testCoreOptions() pipeline.Options {
	return pipeline.Options{
		Workers: 4, QueueSize: 64, ModelConcurrency: 8, MaxLinks: 3,
		JobTimeout: time.Minute, CacheMaxAge: 24 * time.Hour,
	}
}

// startBot wires the adapter as main does (core, command handlers, client,
// bot), runs it through New(...).Run(ctx) against a fake Discord and waits
// until the commands are registered.
func startBot(t *testing.T, opts ...harnessOpt) *harness {
	t.Helper()
	cfg := harnessConfig{
		bot:  Options{ShutdownGrace: time.Second, JobTimeout: time.Minute},
		core: testCoreOptions(),
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	fake := fakediscord.New(t, cfg.fake)
	if cfg.client.Token == "" {
		cfg.client.Token = fake.Token()
	}
	cfg.client.APIURL = fake.APIURL()
	if cfg.client.RetryBase == 0 {
		cfg.client.RetryBase = time.Second
	}
	h := &harness{t: t, fake: fake, reader: fakecore.NewReader(), llm: fakecore.NewSummarizer("fake-llm"), store: fakecore.NewStore()}
	h.bot, h.pipe = newTestBot(t, cfg, h.reader, h.llm, h.store)
	h.ctx, h.cancel = context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(h.cancel) // after the bot has stopped: cleanups run last first
	runBot(t, h.bot)
	if _, err := fake.WaitRequest(h.ctx, fakediscord.Match("PUT", "/applications/*/**")); err != nil {
		t.Fatalf("commands not registered: %v", err)
	}
	return h
}

// runBot runs b until the test ends; the cleanup cancels it and checks
// that Run returns nil soon.
func runBot(t *testing.T, b *Bot) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
}

// newTestBot builds the core, the handlers, the client and the bot, all on
// st but the adapter's own store when cfg.botStore is set.
func newTestBot(t testing.TB, cfg harnessConfig, reader pipeline.ArticleReader, llm pipeline.Summarizer, st *fakecore.Store) (*Bot, *pipeline.Pipeline) {
	t.Helper()
	m := metrics.New()
	p, err := pipeline.New(pipeline.Deps{
		Reader: reader, LLM: llm, Extractive: fakecore.NewSummarizer(summarize.ExtractiveModel), Store: st, Metrics: m,
	}, cfg.core)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	client, err := NewClient(cfg.client, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	handler := commands.New(commands.Deps{Pipeline: p, Settings: st, Usage: st, FindLinks: article.FindLinks}, commands.Limits{MinWords: 80})
	var bst Store = st
	if cfg.botStore != nil {
		bst = cfg.botStore
	}
	b, err := New(client, Deps{Core: p, Commands: handler, Store: bst, Metrics: m}, cfg.bot)
	if err != nil {
		t.Fatal(err)
	}
	return b, p
}

// putSummary stores s as the fake LLM's summary of norm at length in the
// default language, as the core would have.
func (h *harness) putSummary(norm, length string, s *summarize.Summary) {
	h.t.Helper()
	data, err := json.Marshal(map[string]any{"made_at": time.Now(), "summary": s})
	if err != nil {
		h.t.Fatal(err)
	}
	key := pipeline.CacheKey(norm, h.llm.Model(), summarize.Options{Length: length})
	if err := h.store.PutSummary(context.Background(), key, norm, data); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) wait(pred func(fakediscord.Request) bool) fakediscord.Request {
	h.t.Helper()
	r, err := h.fake.WaitRequest(h.ctx, pred)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func (h *harness) waitN(n int, pred func(fakediscord.Request) bool) fakediscord.Request {
	h.t.Helper()
	r, err := h.fake.WaitRequestN(h.ctx, n, pred)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func count(reqs []fakediscord.Request, pred func(fakediscord.Request) bool) int {
	n := 0
	for _, r := range reqs {
		if pred(r) {
			n++
		}
	}
	return n
}

type postedMessage struct {
	Content   string                    `json:"content"`
	Flags     int                       `json:"flags"`
	Embeds    []*discordgo.MessageEmbed `json:"embeds"`
	Reference *struct {
		MessageID string `json:"message_id"`
		ChannelID string `json:"channel_id"`
	} `json:"message_reference"`
	AllowedMentions *struct {
		Parse       *[]string `json:"parse"`
		RepliedUser *bool     `json:"replied_user"`
	} `json:"allowed_mentions"`
}

func decodeMessage(t *testing.T, r fakediscord.Request) postedMessage {
	t.Helper()
	var m postedMessage
	if err := r.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func stringOpt(name, v string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: v}
}

func TestRegistersCommandsByBulkOverwrite(t *testing.T) {
	t.Parallel()
	for _, guild := range []string{"", fakediscord.DefaultGuildID} {
		t.Run("guild="+guild, func(t *testing.T) {
			t.Parallel()
			h := startBot(t, func(c *harnessConfig) { c.bot.GuildID = guild })
			r := h.wait(fakediscord.Match("PUT", "/applications/*/**"))
			want := "/applications/" + h.fake.ApplicationID() + "/commands"
			if guild != "" {
				want = "/applications/" + h.fake.ApplicationID() + "/guilds/" + guild + "/commands"
			}
			if r.Route != want || r.Status != 200 {
				t.Fatalf("registration %s, want PUT %s -> 200", r, want)
			}
			var cmds []map[string]any
			if err := r.Decode(&cmds); err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, c := range cmds {
				names[c["name"].(string)] = true
			}
			for _, n := range []string{"summarize", "Summarize links", "precis", "digest"} {
				if !names[n] {
					t.Errorf("command %q not registered; got %v", n, names)
				}
			}
		})
	}
}

func TestIdentifyIntentsAndToken(t *testing.T) {
	t.Parallel()
	h := startBot(t, func(c *harnessConfig) { c.client.Token = "Bot " + fakediscord.DefaultToken })
	id, err := h.fake.WaitIdentify(h.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsGuildMessageReactions | discordgo.IntentMessageContent
	if discordgo.Intent(id.Intents) != want {
		t.Errorf("intents %d, want %d", id.Intents, want)
	}
}

func TestSlashCommandDefersThenEditsWithSummary(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	gate := make(chan struct{})
	h.reader.Gate = gate // the article arrives only after the deferral was seen
	in, err := h.fake.SendSlashCommand(fakediscord.SlashCommand{
		Name: "summarize", Options: []*discordgo.ApplicationCommandInteractionDataOption{stringOpt("url", "https://news.example/story")},
	})
	if err != nil {
		t.Fatal(err)
	}
	cb := h.wait(fakediscord.Match("POST", in.CallbackPath))
	var body struct {
		Type int `json:"type"`
		Data struct {
			Flags int `json:"flags"`
		} `json:"data"`
	}
	if err := cb.Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Type != 5 || body.Data.Flags&64 != 0 {
		t.Fatalf("callback %s: want type 5, public", cb)
	}
	close(gate)
	final := h.wait(func(r fakediscord.Request) bool {
		return r.Method == "PATCH" && r.Route == in.OriginalPath && strings.Contains(string(r.Body), `"embeds":[{`)
	})
	m := decodeMessage(t, final)
	if len(m.Embeds) == 0 || !strings.Contains(m.Embeds[0].Title+m.Embeds[0].Description, "Council") {
		t.Errorf("final edit has no summary embed: %s", final.Body)
	}
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(*m.AllowedMentions.Parse) != 0 {
		t.Errorf("final edit allowed_mentions = %s", final.Body)
	}
	if final.Seq < cb.Seq {
		t.Errorf("edit before deferral")
	}
}

// A page that makes the extractor panic costs its asker an explanation,
// not the bot: the next link is answered.
func TestExtractorPanicIsContained(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	h.reader.Panics = map[string]bool{"https://news.example/boom": true}
	in, err := h.fake.SendSlashCommand(fakediscord.SlashCommand{
		Name: "summarize", Options: []*discordgo.ApplicationCommandInteractionDataOption{stringOpt("url", "https://news.example/boom")},
	})
	if err != nil {
		t.Fatal(err)
	}
	followUp := h.wait(fakediscord.Match("POST", in.FollowupPath))
	if m := decodeMessage(t, followUp); m.Flags&64 == 0 || !strings.Contains(m.Content, "couldn't read that page") {
		t.Errorf("explanation %s", followUp.Body)
	}
	next, err := h.fake.SendSlashCommand(fakediscord.SlashCommand{
		Name: "summarize", Options: []*discordgo.ApplicationCommandInteractionDataOption{stringOpt("url", "https://news.example/fine")},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.wait(func(r fakediscord.Request) bool {
		return r.Method == "PATCH" && r.Route == next.OriginalPath && strings.Contains(string(r.Body), "Council")
	})
	var sb strings.Builder
	_, _ = h.bot.Metrics().WriteTo(&sb)
	if !strings.Contains(sb.String(), `precis_panics_total{where="summarize"} 1`) {
		t.Errorf("panic not counted:\n%s", sb.String())
	}
}

func TestSlashCommandPrivateIsEphemeral(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	in, err := h.fake.SendSlashCommand(fakediscord.SlashCommand{
		Name: "summarize", Options: []*discordgo.ApplicationCommandInteractionDataOption{
			stringOpt("url", "https://news.example/private"),
			{Name: "private", Type: discordgo.ApplicationCommandOptionBoolean, Value: true},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	cb := h.wait(fakediscord.Match("POST", in.CallbackPath))
	if !strings.Contains(string(cb.Body), `"flags":64`) {
		t.Errorf("private deferral not ephemeral: %s", cb.Body)
	}
	h.wait(func(r fakediscord.Request) bool {
		return r.Method == "PATCH" && r.Route == in.OriginalPath && strings.Contains(string(r.Body), `"embeds":[{`)
	})
}

func TestSlashCommandErrorIsEphemeralFollowUp(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	h.reader.Errs["https://news.example/gone"] = &article.HTTPError{StatusCode: 404, Status: "404 Not Found"}
	in, err := h.fake.SendSlashCommand(fakediscord.SlashCommand{
		Name: "summarize", Options: []*discordgo.ApplicationCommandInteractionDataOption{stringOpt("url", "https://news.example/gone")},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.wait(fakediscord.Match("DELETE", in.OriginalPath))
	f := h.wait(fakediscord.Match("POST", in.FollowupPath))
	m := decodeMessage(t, f)
	if m.Flags&64 == 0 || !strings.Contains(m.Content, "404") {
		t.Errorf("error follow-up %s: want ephemeral text mentioning 404", f.Body)
	}
}

func TestContextMenuSummarizesEachLink(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	in, err := h.fake.SendMessageCommand(fakediscord.MessageCommand{
		Name:   "Summarize links",
		Target: fakediscord.Message{Content: "two reads: https://news.example/a and https://other.example/b"},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.wait(func(r fakediscord.Request) bool {
		return r.Method == "PATCH" && r.Route == in.OriginalPath && strings.Contains(string(r.Body), `"embeds":[{`)
	})
	f := h.wait(fakediscord.Match("POST", in.FollowupPath))
	if m := decodeMessage(t, f); len(m.Embeds) == 0 {
		t.Errorf("follow-up without summary: %s", f.Body)
	}
}

func TestSettingsCommandIsEphemeralAndSaves(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	in, err := h.fake.SendSlashCommand(fakediscord.SlashCommand{
		Name:    "precis",
		Invoker: fakediscord.Invoker{Permissions: fakediscord.DefaultUserPermissions | discordgo.PermissionManageGuild},
		Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "settings", Type: discordgo.ApplicationCommandOptionSubCommand,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{stringOpt("mode", "reaction")},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cb := h.wait(fakediscord.Match("POST", in.CallbackPath))
	if !strings.Contains(string(cb.Body), `"flags":64`) {
		t.Errorf("settings deferral not ephemeral: %s", cb.Body)
	}
	edit := h.wait(fakediscord.Match("PATCH", in.OriginalPath))
	if !strings.Contains(string(edit.Body), "reaction") {
		t.Errorf("settings reply %s", edit.Body)
	}
	cs, _ := h.store.ChannelSettings(h.ctx, in.GuildID, in.ChannelID)
	if cs.Mode != "reaction" {
		t.Errorf("mode saved %q, want reaction", cs.Mode)
	}
}

func TestPastedLinkGetsReplyWithoutPing(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	msg, err := h.fake.SendMessage(fakediscord.Message{Content: "look https://news.example/pasted"})
	if err != nil {
		t.Fatal(err)
	}
	r := h.wait(fakediscord.Match("POST", "/channels/*/messages"))
	m := decodeMessage(t, r)
	if m.Reference == nil || m.Reference.MessageID != msg["id"] {
		t.Errorf("reply does not reference the message: %s", r.Body)
	}
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(*m.AllowedMentions.Parse) != 0 ||
		m.AllowedMentions.RepliedUser == nil || *m.AllowedMentions.RepliedUser {
		t.Errorf("reply may ping: %s", r.Body)
	}
	l := <-h.store.Linked
	if l.NormURL != "https://news.example/pasted" || l.MessageID != msg["id"] || l.GuildID == "" {
		t.Errorf("recorded link %+v", l)
	}
}

func TestPastedLinkAnsweredFromCacheWithoutFetch(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	norm, _ := article.NormalizeURL("https://news.example/cached")
	s, _ := h.llm.Summarize(context.Background(), &article.Article{URL: norm, Title: "Cached"}, summarize.Options{})
	h.putSummary(norm, summarize.LengthNormal, s)
	if _, err := h.fake.SendMessage(fakediscord.Message{Content: "https://news.example/cached"}); err != nil {
		t.Fatal(err)
	}
	r := h.wait(fakediscord.Match("POST", "/channels/*/messages"))
	if m := decodeMessage(t, r); len(m.Embeds) == 0 {
		t.Errorf("cached reply without embeds: %s", r.Body)
	}
	if n := h.reader.Calls(norm); n != 0 {
		t.Errorf("cached link fetched %d times", n)
	}
}

// A 📰 from a member who may not post in the channel makes Precis say
// nothing: it never speaks where the asker could not. The member is not
// the default user, who owns the fake guild and so may do anything. The
// test proves the
// reaction was handled (its settings were read, the bot went idle, the
// refusal was counted) before it checks that nothing was said.
func TestReactionFromMemberWhoCannotPost(t *testing.T) {
	t.Parallel()
	h := startBot(t, func(c *harnessConfig) {
		c.fake.Guilds = []fakediscord.Guild{{ID: fakediscord.DefaultGuildID,
			EveryonePermissions: discordgo.PermissionViewChannel | discordgo.PermissionAddReactions | discordgo.PermissionReadMessageHistory}}
	})
	g, c := fakediscord.DefaultGuildID, fakediscord.DefaultChannelID
	if err := h.store.SetChannelSettings(h.ctx, store.ChannelSettings{GuildID: g, ChannelID: c, Mode: "reaction"}); err != nil {
		t.Fatal(err)
	}
	msg, err := h.fake.SendMessage(fakediscord.Message{Content: "https://news.example/react"})
	if err != nil {
		t.Fatal(err)
	}
	<-h.store.Linked // the message handler is done with the settings
	for len(h.store.SettingsRead) > 0 {
		<-h.store.SettingsRead
	}
	const member = "1400000000000000099"
	if err := h.fake.SendReaction(fakediscord.Reaction{UserID: member, MessageID: msg["id"].(string), Emoji: reactionEmoji}); err != nil {
		t.Fatal(err)
	}
	// The reaction handler reads the channel's settings once it has begun;
	// Idle then waits for it to return.
	select {
	case key := <-h.store.SettingsRead:
		if key != g+"/"+c {
			t.Fatalf("settings read for %s, want %s/%s", key, g, c)
		}
	case <-h.ctx.Done():
		t.Fatal("the reaction was never handled")
	}
	if !h.bot.Idle(h.ctx) {
		t.Fatal("busy")
	}
	if n := h.bot.Metrics().Counter("precis_summaries_total", "source", pipeline.SourceReaction, "outcome", "not_allowed"); n != 1 {
		t.Errorf("not_allowed reactions counted %v, want 1", n)
	}
	if n := count(h.fake.Requests(), fakediscord.Match("GET", "/channels/*/messages/*")); n != 0 {
		t.Errorf("the reacted message was fetched %d times", n)
	}
	if n := count(h.fake.Requests(), fakediscord.Match("POST", "/channels/*/messages")); n != 0 || h.reader.Calls("https://news.example/react") != 0 {
		t.Errorf("Precis answered a reaction of a member who cannot post (%d posts)", n)
	}
}

func TestReactionMode(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	g, c := fakediscord.DefaultGuildID, fakediscord.DefaultChannelID
	_ = h.store.SetChannelSettings(h.ctx, store.ChannelSettings{GuildID: g, ChannelID: c, Mode: "reaction"})
	msg, err := h.fake.SendMessage(fakediscord.Message{Content: "https://news.example/react"})
	if err != nil {
		t.Fatal(err)
	}
	<-h.store.Linked // the handler is done with the message: recorded, no reply
	if n := count(h.fake.Requests(), fakediscord.Match("POST", "/channels/*/messages")); n != 0 {
		t.Fatalf("reaction mode replied to a pasted link without a reaction")
	}
	id := msg["id"].(string)
	if err := h.fake.SendReaction(fakediscord.Reaction{MessageID: id, Emoji: "👍"}); err != nil {
		t.Fatal(err)
	}
	if err := h.fake.SendReaction(fakediscord.Reaction{MessageID: id, Emoji: reactionEmoji}); err != nil {
		t.Fatal(err)
	}
	r := h.wait(fakediscord.Match("POST", "/channels/*/messages"))
	if m := decodeMessage(t, r); m.Reference == nil || m.Reference.MessageID != id {
		t.Errorf("reaction reply %s does not reference %s", r.Body, id)
	}
}

func TestBotsWebhooksAndSelfIgnored(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	self := h.fake.BotUser()
	ignored := []*discordgo.MessageCreate{
		{Message: &discordgo.Message{ID: "1", GuildID: "g", ChannelID: "c", Content: "https://news.example/x", Author: &discordgo.User{ID: "9", Bot: true}}},
		{Message: &discordgo.Message{ID: "2", GuildID: "g", ChannelID: "c", Content: "https://news.example/x", Author: &discordgo.User{ID: "8"}, WebhookID: "77"}},
		{Message: &discordgo.Message{ID: "3", GuildID: "g", ChannelID: "c", Content: "https://news.example/x", Author: &self}},
		{Message: &discordgo.Message{ID: "4", GuildID: "", ChannelID: "dm", Content: "https://news.example/x", Author: &discordgo.User{ID: "7"}}},
	}
	for _, m := range ignored {
		h.bot.onMessageCreate(h.bot.client.session, m) // synchronous: returns when handled
	}
	if len(h.store.Linked) != 0 || h.reader.Calls("https://news.example/x") != 0 {
		t.Fatalf("ignored messages were processed")
	}
	// Through the gateway too: a bot's and a webhook's links, then a person's.
	bot := &discordgo.User{ID: "1500000000000000001", Username: "feedbot", Bot: true}
	for _, m := range []fakediscord.Message{
		{Content: "https://news.example/bot", Author: bot},
		{Content: "https://news.example/hook", WebhookID: "1600000000000000001"},
	} {
		if _, err := h.fake.SendMessage(m); err != nil {
			t.Fatal(err)
		}
	}
	human, err := h.fake.SendMessage(fakediscord.Message{Content: "https://news.example/human"})
	if err != nil {
		t.Fatal(err)
	}
	r := h.wait(fakediscord.Match("POST", "/channels/*/messages"))
	if m := decodeMessage(t, r); m.Reference == nil || m.Reference.MessageID != human["id"] {
		t.Errorf("first reply is not to the human: %s", r.Body)
	}
}

func TestRateLimitHonoured(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	h.fake.RateLimitNext("POST", "/channels/"+fakediscord.DefaultChannelID+"/messages", 20*time.Millisecond, false)
	if _, err := h.fake.SendMessage(fakediscord.Message{Content: "https://news.example/limited"}); err != nil {
		t.Fatal(err)
	}
	first := h.waitN(1, fakediscord.Match("POST", "/channels/*/messages"))
	if first.Status != 429 {
		t.Fatalf("first post %d, want the fake's 429", first.Status)
	}
	second := h.waitN(2, fakediscord.Match("POST", "/channels/*/messages"))
	if second.Status != 200 {
		t.Fatalf("retry %s, want 200", second)
	}
	if !second.Time.After(first.Time) {
		t.Errorf("retry not after the 429")
	}
}

func TestServerErrorRetried(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			h := startBot(t, func(c *harnessConfig) { c.client.RetryBase = time.Millisecond })
			h.fake.FailNext("POST", "/channels/"+fakediscord.DefaultChannelID+"/messages", status)
			if _, err := h.fake.SendMessage(fakediscord.Message{Content: "https://news.example/flaky"}); err != nil {
				t.Fatal(err)
			}
			first := h.waitN(1, fakediscord.Match("POST", "/channels/*/messages"))
			if first.Status != status {
				t.Fatalf("first post %d, want the fake's %d", first.Status, status)
			}
			if second := h.waitN(2, fakediscord.Match("POST", "/channels/*/messages")); second.Status != 200 {
				t.Fatalf("retry %s, want 200", second)
			}
		})
	}
}

func TestSurvivesGatewayReconnect(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	if err := h.fake.Reconnect(); err != nil {
		t.Fatal(err)
	}
	res, err := h.fake.WaitResume(h.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Accepted {
		if err := h.fake.WaitReady(h.ctx, 2); err != nil {
			t.Fatal(err)
		}
	}
	msg, err := h.fake.SendMessage(fakediscord.Message{Content: "after reconnect https://news.example/later"})
	if err != nil {
		t.Fatal(err)
	}
	r := h.wait(fakediscord.Match("POST", "/channels/*/messages"))
	if m := decodeMessage(t, r); m.Reference == nil || m.Reference.MessageID != msg["id"] {
		t.Errorf("reply after reconnect %s", r.Body)
	}
}

func TestShutdownCancelsInFlightWork(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(t, fakediscord.Options{AllowViolations: true})
	reader := fakecore.NewReader()
	reader.Gate = make(chan struct{}) // never opened: work is stuck
	b, _ := newTestBot(t, harnessConfig{
		client: ClientOptions{Token: fake.Token(), APIURL: fake.APIURL(), RetryBase: time.Second},
		bot:    Options{ShutdownGrace: 50 * time.Millisecond, JobTimeout: time.Minute},
		core:   testCoreOptions(),
	}, reader, fakecore.NewSummarizer("m"), fakecore.NewStore())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer wcancel()
	if _, err := fake.WaitRequest(wctx, fakediscord.Match("PUT", "/applications/*/**")); err != nil {
		t.Fatal(err)
	}
	in, err := fake.SendSlashCommand(fakediscord.SlashCommand{
		Name: "summarize", Options: []*discordgo.ApplicationCommandInteractionDataOption{stringOpt("url", "https://news.example/stuck")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitRequest(wctx, fakediscord.Match("POST", in.CallbackPath)); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-wctx.Done():
		t.Fatal("Run did not return after cancel")
	}
	// The user was told, not left with "thinking…" forever.
	if _, err := fake.WaitRequest(wctx, fakediscord.Match("POST", in.FollowupPath)); err != nil {
		t.Errorf("no explanation after cancelled work: %v", err)
	}
}

func TestMetricsAfterSummary(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	if _, err := h.fake.SendMessage(fakediscord.Message{Content: "https://news.example/m"}); err != nil {
		t.Fatal(err)
	}
	h.wait(fakediscord.Match("POST", "/channels/*/messages"))
	// The reply's request is recorded before it is answered: wait for the
	// handler to finish by draining in-flight work.
	if !h.bot.inflight.wait(10 * time.Second) {
		t.Fatal("handler still running")
	}
	var sb strings.Builder
	if _, err := h.bot.Metrics().WriteTo(&sb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`precis_summaries_total{source="auto",outcome="ok"} 1`,
		`precis_llm_tokens_total{kind="prompt"} 900`,
		`precis_llm_calls_total 1`,
		`precis_gateway_connected 1`,
		`precis_summary_seconds_count{source="auto"} 1`,
		`precis_stage_seconds_count{stage="fetch"} 1`,
	} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, sb.String())
		}
	}
}
