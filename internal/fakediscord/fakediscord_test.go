package fakediscord_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/precisbot/precis/internal/fakediscord"
)

// testCtx bounds every wait so a broken fake fails instead of hanging.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// openSession connects a real discordgo session to the fake.
func openSession(t *testing.T, fake *fakediscord.Server, setup func(*discordgo.Session)) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + fake.Token())
	if err != nil {
		t.Fatal(err)
	}
	s.Client = fake.Client()
	s.LogLevel = discordgo.LogError
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsGuildMessageReactions | discordgo.IntentMessageContent
	if setup != nil {
		setup(s)
	}
	if err := s.Open(); err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { closeSession(s) })
	return s
}

// interactionSession opens a session that hands the interactions it
// receives (up to buffer without a reader) to got, and waits until it is
// ready.
func interactionSession(t *testing.T, ctx context.Context, fake *fakediscord.Server, buffer int) (s *discordgo.Session, got <-chan *discordgo.InteractionCreate) {
	t.Helper()
	ch := make(chan *discordgo.InteractionCreate, buffer)
	s = openSession(t, fake, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { ch <- i })
	})
	if err := fake.WaitReady(ctx, 1); err != nil {
		t.Fatal(err)
	}
	return s, ch
}

// closeSession closes s without letting a failing heartbeat reconnect it
// after the fake is gone. The flag is written under the session lock, which
// discordgo's reconnect path takes (in Close) before it reads the flag.
func closeSession(s *discordgo.Session) {
	s.Lock()
	s.ShouldReconnectOnError = false
	s.Unlock()
	_ = s.Close()
}

func TestSessionOpensAndReady(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{})
	ready := make(chan *discordgo.Ready, 1)
	guild := make(chan *discordgo.GuildCreate, 1)
	s := openSession(t, fake, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready <- r })
		s.AddHandler(func(_ *discordgo.Session, g *discordgo.GuildCreate) { guild <- g })
	})
	id, err := fake.WaitIdentify(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if id.Token != "Bot "+fake.Token() || id.Intents&int(discordgo.IntentMessageContent) == 0 {
		t.Errorf("identify = %+v", id)
	}
	select {
	case r := <-ready:
		if r.User == nil || r.User.ID != fakediscord.DefaultBotUserID || !r.User.Bot || r.SessionID == "" {
			t.Errorf("ready = %+v", r)
		}
	case <-ctx.Done():
		t.Fatal("Ready handler never ran")
	}
	select {
	case g := <-guild:
		if g.ID != fakediscord.DefaultGuildID || len(g.Channels) != 1 || g.Channels[0].ID != fakediscord.DefaultChannelID {
			t.Errorf("guild = %+v", g.Guild)
		}
	case <-ctx.Done():
		t.Fatal("GuildCreate handler never ran")
	}
	if err := fake.WaitReady(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// discordgo state now knows the bot's member and its permissions.
	perms, err := s.State.UserChannelPermissions(s.State.User.ID, fakediscord.DefaultChannelID)
	if err != nil {
		t.Fatalf("state permissions: %v", err)
	}
	if perms&discordgo.PermissionSendMessages == 0 || perms&discordgo.PermissionEmbedLinks == 0 {
		t.Errorf("bot permissions %b lack send/embed", perms)
	}
	// discordgo sends a heartbeat right after the handshake; the fake ACKs it.
	if err := fake.WaitHeartbeat(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := fake.Connections(); got != 1 {
		t.Errorf("connections = %d", got)
	}
	// GET /gateway was asked through the rewriting client.
	if _, err := fake.WaitRequest(ctx, fakediscord.Match("GET", "/gateway")); err != nil {
		t.Fatal(err)
	}
}

func TestHeartbeatACKUpdatesSession(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{HeartbeatInterval: 20 * time.Millisecond})
	s := openSession(t, fake, nil)
	// Several heartbeats on the short interval, each answered.
	if err := fake.WaitHeartbeat(ctx, 3); err != nil {
		t.Fatal(err)
	}
	acks := 0
	for _, f := range fake.Frames() {
		if f.Dir == fakediscord.Sent && f.Op == fakediscord.OpHeartbeatACK {
			acks++
		}
	}
	if acks < 3 {
		t.Errorf("acks = %d", acks)
	}
	s.RLock()
	last := s.LastHeartbeatAck
	s.RUnlock()
	if last.IsZero() {
		t.Error("discordgo saw no ACK")
	}
}

func sendOK() *discordgo.MessageSend {
	return &discordgo.MessageSend{
		Content:         "hello",
		Embeds:          []*discordgo.MessageEmbed{{Title: "t", Description: "d"}},
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	}
}

func TestMessageRecordedAndValidated(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{})
	s := openSession(t, fake, nil)
	msg, err := s.ChannelMessageSendComplex(fakediscord.DefaultChannelID, sendOK(), discordgo.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if msg.ID == "" || msg.Content != "hello" || msg.Author == nil || msg.Author.ID != fakediscord.DefaultBotUserID {
		t.Errorf("message = %+v", msg)
	}
	req, err := fake.WaitRequest(ctx, fakediscord.Match("POST", "/channels/*/messages"))
	if err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("Authorization") != "Bot "+fake.Token() || req.Path != "/api/v9/channels/"+fakediscord.DefaultChannelID+"/messages" {
		t.Errorf("request = %+v", req)
	}
	var body map[string]any
	if err := req.Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body["content"] != "hello" {
		t.Errorf("body = %v", body)
	}
	got, err := s.ChannelMessage(fakediscord.DefaultChannelID, msg.ID)
	if err != nil || got.Content != "hello" {
		t.Fatalf("read back: %v %+v", err, got)
	}
	edited, err := s.ChannelMessageEditComplex(&discordgo.MessageEdit{
		ID: msg.ID, Channel: fakediscord.DefaultChannelID, Content: ptr("edited"), AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	})
	if err != nil || edited.Content != "edited" || edited.EditedTimestamp == nil {
		t.Fatalf("edit: %v %+v", err, edited)
	}
	if err := s.MessageReactionAdd(fakediscord.DefaultChannelID, msg.ID, "📰"); err != nil {
		t.Fatal(err)
	}
	if err := s.ChannelTyping(fakediscord.DefaultChannelID); err != nil {
		t.Fatal(err)
	}
	if v := fake.Violations(); len(v) != 0 {
		t.Errorf("violations: %q", v)
	}
}

func ptr[T any](v T) *T { return &v }

func TestRateLimitIsRetried(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{})
	s := openSession(t, fake, nil)
	var limited atomic.Int32
	s.AddHandler(func(_ *discordgo.Session, rl *discordgo.RateLimit) { limited.Add(1) })
	fake.RateLimitNext("POST", "/channels/", 30*time.Millisecond, false)
	if _, err := s.ChannelMessageSendComplex(fakediscord.DefaultChannelID, sendOK()); err != nil {
		t.Fatalf("send after 429: %v", err)
	}
	posts := 0
	var statuses []int
	for _, r := range fake.Requests() {
		if fakediscord.Match("POST", "/channels/*/messages")(r) {
			posts++
			statuses = append(statuses, r.Status)
		}
	}
	if posts != 2 || statuses[0] != 429 || statuses[1] != 200 {
		t.Errorf("statuses = %v", statuses)
	}
	var rl map[string]any
	first, _ := fake.WaitRequest(ctx, fakediscord.Match("POST", "/channels/*/messages"))
	if err := json.Unmarshal(first.Response, &rl); err != nil || rl["message"] != "You are being rate limited." || rl["global"] != false {
		t.Errorf("429 body = %s", first.Response)
	}
	if limited.Load() != 1 {
		t.Errorf("RateLimit events = %d", limited.Load())
	}

	// A global limit is retried too.
	fake.RateLimitNext("", "/channels/", 10*time.Millisecond, true)
	if _, err := s.ChannelMessageSendComplex(fakediscord.DefaultChannelID, sendOK()); err != nil {
		t.Fatalf("send after global 429: %v", err)
	}
	if limited.Load() != 2 {
		t.Errorf("RateLimit events = %d", limited.Load())
	}
}

func TestReconnectResumes(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{})
	resumed := make(chan struct{}, 1)
	s := openSession(t, fake, func(s *discordgo.Session) {
		s.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { resumed <- struct{}{} })
	})
	if err := fake.WaitReady(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// Reconnect itself waits for discordgo's first heartbeat.
	if err := fake.Reconnect(); err != nil {
		t.Fatal(err)
	}
	r, err := fake.WaitResume(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Accepted || r.SessionID == "" || r.Seq < 2 {
		t.Errorf("resume = %+v", r)
	}
	select {
	case <-resumed:
	case <-ctx.Done():
		t.Fatal("Resumed handler never ran")
	}
	// Dispatches keep flowing on the new connection with increasing seq.
	got := make(chan *discordgo.MessageCreate, 1)
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { got <- m })
	if _, err := fake.SendMessage(fakediscord.Message{Content: "after resume"}); err != nil {
		for _, f := range fake.Frames() {
			t.Logf("%d %s op=%d %s seq=%d %.80s", f.Conn, f.Dir, f.Op, f.Type, f.Seq, f.Data)
		}
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m.Content != "after resume" {
			t.Errorf("content = %q", m.Content)
		}
	case <-ctx.Done():
		t.Fatal("MessageCreate never arrived")
	}
	f, err := fake.WaitDispatch(ctx, "MESSAGE_CREATE", 1)
	if err != nil {
		t.Fatal(err)
	}
	if f.Seq <= r.Seq || f.Conn == 1 {
		t.Errorf("dispatch seq %d on conn %d after resume at seq %d", f.Seq, f.Conn, r.Seq)
	}
	if ids := fake.Identifies(); len(ids) != 1 {
		t.Errorf("identifies = %d, want 1 (resume, not re-identify)", len(ids))
	}
}

func TestInvalidSessionReidentifies(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{})
	readies := make(chan *discordgo.Ready, 2)
	openSession(t, fake, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { readies <- r })
	})
	if err := fake.WaitReady(ctx, 1); err != nil {
		t.Fatal(err)
	}
	first := <-readies
	if err := fake.WaitHeartbeat(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := fake.InvalidSession(false); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitIdentify(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitReady(ctx, 2); err != nil {
		t.Fatal(err)
	}
	select {
	case second := <-readies:
		if second.SessionID == first.SessionID {
			t.Errorf("same session id %q after a non-resumable invalid session", second.SessionID)
		}
	case <-ctx.Done():
		t.Fatal("second Ready never arrived")
	}
}

func TestInteractionRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{})
	s, got := interactionSession(t, ctx, fake, 1)
	in, err := fake.SendSlashCommand(fakediscord.SlashCommand{
		Name: "summarize",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: "https://example.com/a"},
			{Name: "length", Type: discordgo.ApplicationCommandOptionString, Value: "short"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ic *discordgo.InteractionCreate
	select {
	case ic = <-got:
	case <-ctx.Done():
		t.Fatal("InteractionCreate never arrived")
	}
	data := ic.ApplicationCommandData()
	if ic.ID != in.ID || data.Name != "summarize" || data.GetOption("url").StringValue() != "https://example.com/a" ||
		ic.GuildID != fakediscord.DefaultGuildID || ic.Member == nil || ic.Member.User.ID != fakediscord.DefaultUserID ||
		ic.Member.Permissions&discordgo.PermissionSendMessages == 0 || ic.AppID != fake.ApplicationID() {
		t.Fatalf("interaction = %+v data = %+v", ic.Interaction, data)
	}
	if err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatal(err)
	}
	cb, err := fake.WaitRequest(ctx, fakediscord.Match("POST", in.CallbackPath))
	if err != nil {
		t.Fatal(err)
	}
	if cb.Status != 204 {
		t.Errorf("callback = %v", cb)
	}
	edit, err := s.InteractionResponseEdit(ic.Interaction, &discordgo.WebhookEdit{
		Content: ptr("done"), AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	})
	if err != nil || edit.Content != "done" {
		t.Fatalf("edit original: %v %+v", err, edit)
	}
	if _, err := fake.WaitRequest(ctx, fakediscord.Match("PATCH", in.OriginalPath)); err != nil {
		t.Fatal(err)
	}
	fu, err := s.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "more", AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}})
	if err != nil || fu.ID == "" || fu.ID == edit.ID {
		t.Fatalf("follow-up: %v %+v", err, fu)
	}
	// A second acknowledgement is an error, as on Discord.
	err = s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	if err == nil {
		t.Fatal("second ack accepted")
	}
	if v := fake.TakeViolations(); len(v) != 1 || !strings.Contains(v[0], "already acknowledged") {
		t.Errorf("violations = %q", v)
	}
}

func TestMessageCommandAndEvents(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{})
	interactions := make(chan *discordgo.InteractionCreate, 1)
	messages := make(chan *discordgo.MessageCreate, 3)
	reactions := make(chan *discordgo.MessageReactionAdd, 1)
	s := openSession(t, fake, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { interactions <- i })
		s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { messages <- m })
		s.AddHandler(func(_ *discordgo.Session, r *discordgo.MessageReactionAdd) { reactions <- r })
	})
	if err := fake.WaitReady(ctx, 1); err != nil {
		t.Fatal(err)
	}
	in, err := fake.SendMessageCommand(fakediscord.MessageCommand{Name: "Summarize", Target: fakediscord.Message{Content: "look https://example.com/x"}})
	if err != nil {
		t.Fatal(err)
	}
	ic := <-interactions
	data := ic.ApplicationCommandData()
	target := data.Resolved.Messages[data.TargetID]
	if ic.ID != in.ID || data.TargetID == "" || target == nil || target.Content != "look https://example.com/x" {
		t.Fatalf("message command data = %+v", data)
	}
	// The target can be read back over REST too.
	if m, err := s.ChannelMessage(ic.ChannelID, data.TargetID); err != nil || m.Content != target.Content {
		t.Fatalf("read target: %v", err)
	}
	if _, err := fake.SendMessage(fakediscord.Message{Content: "user"}); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.SendMessage(fakediscord.Message{Content: "bot", Author: &discordgo.User{ID: "42", Username: "other", Bot: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.SendMessage(fakediscord.Message{Content: "hook", WebhookID: "77"}); err != nil {
		t.Fatal(err)
	}
	// discordgo runs handlers in their own goroutines: order is not kept.
	byContent := map[string]*discordgo.MessageCreate{}
	for range 3 {
		m := <-messages
		byContent[m.Content] = m
	}
	m1, m2, m3 := byContent["user"], byContent["bot"], byContent["hook"]
	if m1 == nil || m2 == nil || m3 == nil {
		t.Fatalf("messages: %v", byContent)
	}
	if m1.Author.Bot || m1.Member == nil || !m2.Author.Bot || m3.WebhookID != "77" || m3.Member != nil {
		t.Errorf("messages: %+v %+v %+v", m1.Message, m2.Message, m3.Message)
	}
	if err := fake.SendReaction(fakediscord.Reaction{MessageID: m1.ID, Emoji: "📰"}); err != nil {
		t.Fatal(err)
	}
	r := <-reactions
	if r.MessageID != m1.ID || r.Emoji.Name != "📰" || r.UserID != fakediscord.DefaultUserID || r.GuildID != fakediscord.DefaultGuildID {
		t.Errorf("reaction = %+v", r.MessageReaction)
	}
}

func TestCommandsBulkOverwrite(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(t, fakediscord.Options{})
	s := openSession(t, fake, nil)
	cmds := []*discordgo.ApplicationCommand{
		{Name: "summarize", Description: "Summarize an article", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "Article link", Required: true},
		}},
		{Name: "Summarize", Type: discordgo.MessageApplicationCommand},
	}
	out, err := s.ApplicationCommandBulkOverwrite(fake.ApplicationID(), fakediscord.DefaultGuildID, cmds)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].ID == "" || out[0].GuildID != fakediscord.DefaultGuildID || out[1].Type != discordgo.MessageApplicationCommand {
		t.Errorf("commands = %+v", out)
	}
	if got := fake.Commands(fakediscord.DefaultGuildID); len(got) != 2 {
		t.Errorf("stored = %d", len(got))
	}
	if _, err := s.ApplicationCommandBulkOverwrite(fake.ApplicationID(), "", cmds); err != nil {
		t.Fatal(err)
	}
}

func TestViolationsDetected(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(t, fakediscord.Options{AllowViolations: true})
	s := openSession(t, fake, nil)
	// No allowed_mentions.
	if _, err := s.ChannelMessageSendComplex(fakediscord.DefaultChannelID, &discordgo.MessageSend{Content: "hi"}); err != nil {
		t.Fatal(err)
	}
	v := fake.TakeViolations()
	if len(v) != 1 || !strings.Contains(v[0], "allowed_mentions") {
		t.Errorf("missing allowed_mentions: violations = %q", v)
	}
	// 2001 characters.
	long := sendOK()
	long.Content = strings.Repeat("a", 2001)
	if _, err := s.ChannelMessageSendComplex(fakediscord.DefaultChannelID, long); err != nil {
		t.Fatal(err)
	}
	v = fake.TakeViolations()
	if len(v) != 1 || !strings.Contains(v[0], "content is 2001 characters") {
		t.Errorf("long content: violations = %q", v)
	}
	// An unknown route.
	if _, err := s.Request("GET", discordgo.EndpointAPI+"nonsense/route", nil); err == nil {
		t.Error("unknown route answered")
	}
	if v = fake.TakeViolations(); len(v) != 1 || !strings.Contains(v[0], "no such route") {
		t.Errorf("unknown route: violations = %q", v)
	}
}

func TestWrongTokenRefused(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{AllowViolations: true})
	s, err := discordgo.New("Bot wrong")
	if err != nil {
		t.Fatal(err)
	}
	s.Client = fake.Client()
	s.LogLevel = -1
	s.ShouldReconnectOnError = false
	if _, err := s.User("@me"); err == nil {
		t.Error("REST with a wrong token succeeded")
	}
	if _, err := fake.WaitViolation(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if v := fake.Violations(); !strings.Contains(v[0], "Authorization") {
		t.Errorf("violations = %q", v)
	}
}

func TestDeferredFollowupsLikeDiscord(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{})
	s, got := interactionSession(t, ctx, fake, 2)
	defer_ := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}}

	// The first follow-up after a deferral replaces the "thinking…" message.
	if _, err := fake.SendSlashCommand(fakediscord.SlashCommand{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	ic := <-got
	if err := s.InteractionRespond(ic.Interaction, defer_); err != nil {
		t.Fatal(err)
	}
	orig, err := s.InteractionResponse(ic.Interaction)
	if err != nil || orig.Flags&discordgo.MessageFlagsEphemeral == 0 || orig.Flags&discordgo.MessageFlagsLoading == 0 {
		t.Fatalf("original = %v %+v", err, orig)
	}
	fu, err := s.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "x", AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}})
	if err != nil || fu.ID != orig.ID {
		t.Fatalf("first follow-up %v id %v, want the original's %s", err, fu, orig.ID)
	}

	// After deleting the original, a follow-up is a new message and
	// @original is gone.
	if _, err := fake.SendSlashCommand(fakediscord.SlashCommand{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	ic = <-got
	if err := s.InteractionRespond(ic.Interaction, defer_); err != nil {
		t.Fatal(err)
	}
	orig, err = s.InteractionResponse(ic.Interaction)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InteractionResponseDelete(ic.Interaction); err != nil {
		t.Fatal(err)
	}
	fu, err = s.FollowupMessageCreate(ic.Interaction, true, &discordgo.WebhookParams{Content: "y", AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}})
	if err != nil || fu.ID == orig.ID {
		t.Fatalf("follow-up after delete: %v %+v", err, fu)
	}
	if _, err := s.InteractionResponse(ic.Interaction); err == nil {
		t.Error("@original still there after delete")
	}
}

// clock is a settable test clock.
type clock struct{ now atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.now.Load()) }
func (c *clock) Advance(d time.Duration) { c.now.Add(int64(d)) }

func TestLateInteractionAckIsRefused(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	clk := &clock{}
	clk.now.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	fake := fakediscord.New(t, fakediscord.Options{AllowViolations: true, Now: clk.Now})
	s, got := interactionSession(t, ctx, fake, 1)
	if _, err := fake.SendSlashCommand(fakediscord.SlashCommand{Name: "slow"}); err != nil {
		t.Fatal(err)
	}
	ic := <-got
	clk.Advance(3*time.Second + time.Millisecond)
	err := s.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Message == nil || rest.Message.Code != 10062 {
		t.Fatalf("late ack: %v", err)
	}
	if v := fake.Violations(); len(v) != 1 || !strings.Contains(v[0], "answered after") {
		t.Errorf("violations = %q", v)
	}
}

func TestDisconnectResumes(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{})
	openSession(t, fake, nil)
	if err := fake.WaitReady(ctx, 1); err != nil {
		t.Fatal(err)
	}
	fake.Disconnect(4000, "Unknown error.")
	r, err := fake.WaitResume(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Accepted {
		t.Errorf("resume refused: %+v", r)
	}
	if err := fake.WaitResumed(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if ids := fake.ReadyConnections(); len(ids) != 1 || ids[0] != r.Conn {
		t.Errorf("ready connections %v, resumed on %d", ids, r.Conn)
	}
}

func TestCallbackWithResponse(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	fake := fakediscord.New(t, fakediscord.Options{})
	s := openSession(t, fake, nil)
	if err := fake.WaitReady(ctx, 1); err != nil {
		t.Fatal(err)
	}
	in, err := fake.SendSlashCommand(fakediscord.SlashCommand{Name: "now"})
	if err != nil {
		t.Fatal(err)
	}
	body := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "hi", AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}}}
	raw, err := s.Request("POST", discordgo.EndpointInteractionResponse(in.ID, in.Token)+"?with_response=true", body)
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		Resource struct {
			Type    int               `json:"type"`
			Message discordgo.Message `json:"message"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil || resp.Resource.Type != 4 || resp.Resource.Message.Content != "hi" {
		t.Fatalf("with_response = %s (%v)", raw, err)
	}
}
