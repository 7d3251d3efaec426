package recap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/internal/fakellm"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

const (
	guildID   = "900000000000000001"
	channelID = "900000000000000010"
)

func readFixture(t *testing.T) *Conversation {
	t.Helper()
	f, err := os.Open("testdata/planning.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ReadExport(f)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newLLM is the real summarize.LLM against a fake model server.
func newLLM(t *testing.T, srv *fakellm.Server, contextTokens int) *summarize.LLM {
	t.Helper()
	l, err := summarize.NewLLM(summarize.Config{
		BaseURL: srv.BaseURL(), APIKey: "sk-test", Model: "fake-model",
		Timeout: 10 * time.Second, MaxTokens: 600, ContextTokens: contextTokens, MaxRetries: -1,
		Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestReadExport(t *testing.T) {
	t.Parallel()
	c := readFixture(t)
	if c.GuildID != guildID || c.ChannelID != channelID || c.ChannelName != "spring-planning" {
		t.Errorf("place %q/%q %q", c.GuildID, c.ChannelID, c.ChannelName)
	}
	if len(c.Messages) != 11 {
		t.Fatalf("%d messages, want 11", len(c.Messages))
	}
	byID := map[string]Message{}
	for _, m := range c.Messages {
		byID[m.ID] = m
	}
	if m := byID["900000000000000101"]; !m.System {
		t.Errorf("member join not marked as a system message: %+v", m)
	}
	if m := byID["900000000000000104"]; !m.Author.Bot {
		t.Errorf("bot message not marked: %+v", m)
	}
	if m := byID["900000000000000103"]; m.ReplyTo != "900000000000000102" || m.Author.DisplayName() != "bobby" {
		t.Errorf("reply: %+v", m)
	}
	if m := byID["900000000000000102"]; m.Author.DisplayName() != "Alice" || m.Author.Name != "alice_w" {
		t.Errorf("nickname: %+v", m.Author)
	}
	sel := selectMessages(c, 0)
	if len(sel.msgs) != 7 {
		t.Errorf("selected %d messages, want 7 (no bot, system or empty ones)", len(sel.msgs))
	}
}

func TestReadExportRefusesOtherJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{"messages": []}`, `[1,2]`, `{"guild": {}, "channel": {}, "messages": [{"id": "1", "timestamp": "yesterday"}]}`, `{`} {
		if _, err := ReadExport(strings.NewReader(in)); err == nil {
			t.Errorf("ReadExport(%s) accepted", in)
		}
	}
}

// TestRecapChecksQuotes drives a recap through the real LLM client and a
// fake model that answers with real, fabricated, misattributed and
// ambiguous quotes, pings and links.
func TestRecapChecksQuotes(t *testing.T) {
	t.Parallel()
	srv := fakellm.New(t)
	srv.SetResponder(fakellm.Content(fakellm.RecapPayload{
		Summary: "Alice proposed moving the seed swap to the library; Bob raised the opening hours. <@800000000000000002> @everyone see https://evil.example/x",
		Points: []string{
			"Alice will call the library about Sunday.",
			"[Vote here](https://evil.example/vote) @here",
		},
		OpenQuestions: []string{"Who can bring folding tables?"},
		Quotes: []fakellm.RecapQuote{
			// Real, by the named member (user name given): kept.
			{Text: "“I’ll call them tomorrow and ask whether Sunday works”", Author: "alice_w"},
			// Fabricated: dropped.
			{Text: "The library is a terrible venue", Author: "Bob"},
			// Written by Alice alone, attributed to Bob: re-attributed.
			{Text: "I propose we move the seed swap to the library on March 21", Author: "bobby"},
			// Written by Bob and by Carol, attributed to Alice: dropped.
			{Text: "Sounds good.", Author: "Alice"},
			// Real, with a ping inside, by the member nicknamed @here.
			{Text: "I can bring two tables", Author: "@here"},
			// In the bot's message only: bots are not recapped.
			{Text: "/garden help lists every command", Author: "GardenBot"},
		},
	}.JSON()))
	r := New(newLLM(t, srv, 8000), Options{}, nil)
	rc, err := r.Recap(context.Background(), readFixture(t))
	if err != nil {
		t.Fatal(err)
	}

	want := []Quote{
		{Text: "I’ll call them tomorrow and ask whether Sunday works.", Author: "Alice", MessageID: "900000000000000105"},
		{Text: "I propose we move the seed swap to the library on March 21", Author: "Alice", MessageID: "900000000000000102"},
		{Text: "I can bring two tables", Author: "@\u200bhere", MessageID: "900000000000000110"},
	}
	if len(rc.Quotes) != len(want) {
		t.Fatalf("quotes %+v, want %d", rc.Quotes, len(want))
	}
	for i, w := range want {
		w.URL = "https://discord.com/channels/" + guildID + "/" + channelID + "/" + w.MessageID
		if rc.Quotes[i] != w {
			t.Errorf("quote %d = %+v, want %+v", i, rc.Quotes[i], w)
		}
	}

	// Nothing pings, nothing links, in any field.
	out, _ := json.Marshal(rc)
	for _, bad := range []string{"@everyone", "@here", "<@8", "evil.example", "](", "[Vote"} {
		if strings.Contains(strings.ReplaceAll(string(out), `\u003c`, "<"), bad) {
			t.Errorf("recap JSON contains %q:\n%s", bad, out)
		}
	}
	if rc.Messages != 7 || rc.Participants != 4 || rc.Model != "fake-model" || rc.Usage.Calls != 1 {
		t.Errorf("messages %d, participants %d, model %q, usage %+v", rc.Messages, rc.Participants, rc.Model, rc.Usage)
	}
	if rc.From != "2026-03-02T10:00:00Z" || rc.To != "2026-03-02T10:31:00Z" {
		t.Errorf("from %q to %q", rc.From, rc.To)
	}
	if len(rc.Links) != 1 || !strings.HasPrefix(rc.Links[0], "https://garden.example.org/flyers/spring-swap") {
		t.Errorf("links %q", rc.Links)
	}
	if len(rc.OpenQuestions) != 1 || len(rc.Points) != 2 {
		t.Errorf("points %q, open questions %q", rc.Points, rc.OpenQuestions)
	}

	// The prompt fences the members' messages as data and leaves bots and
	// system messages out.
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d model calls", len(reqs))
	}
	prompt := reqs[0].LastUser()
	if !strings.Contains(prompt, "<<<MESSAGES ") || !strings.Contains(prompt, "<<<END MESSAGES ") {
		t.Errorf("messages not fenced:\n%s", prompt)
	}
	for _, left := range []string{"/garden help", "Joined the server", "Pinned a message"} {
		if strings.Contains(prompt, left) {
			t.Errorf("prompt holds %q", left)
		}
	}
	if lines := reqs[0].RecapMessages(); len(lines) != 7 || lines[1].ReplyTo != 1 || lines[1].Author != "bobby" {
		t.Errorf("prompt lines %+v", lines)
	}
}

func TestCheckQuotes(t *testing.T) {
	t.Parallel()
	sel := selectMessages(&Conversation{Messages: []Message{
		{ID: "1", Content: "We should ship on Friday — no later.", Author: Author{ID: "a", Name: "ann", Nickname: "Ann"}},
		{ID: "2", Content: "agreed", Author: Author{ID: "b", Name: "ben"}},
		{ID: "3", Content: "agreed", Author: Author{ID: "c", Name: "cy", GlobalName: "Cy Twombly"}},
		{ID: "4", Content: "Ann, we should ship on Friday - no later? Really?", Author: Author{ID: "b", Name: "ben"}},
		{ID: "5", Content: "ok by me", Author: Author{ID: "x", Name: "helper", Bot: true}},
	}}, 0)
	tests := []struct {
		name, text, author string
		wantID, wantAuthor string
	}{
		{"named author", "we should ship on Friday -- no later", "Ann", "", ""},
		{"dash folded", "We should ship on Friday – no later", "ann", "1", "Ann"},
		{"at-name", "We should ship on Friday — no later", "@Ann", "1", "Ann"},
		{"other member wrote it too", "we should ship on Friday - no later", "ben", "4", "ben"},
		{"wrong member, one writer", "Really?", "Ann", "4", "ben"},
		{"wrong member, two writers", "agreed", "Ann", "", ""},
		{"global name", "agreed", "Cy Twombly", "3", "Cy Twombly"},
		{"bot's words", "ok by me", "helper", "", ""},
		{"fabricated", "ship it today", "Ann", "", ""},
		{"too short", "a", "Ann", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var rep Report
			got := checkQuotes([]rawQuote{{text: tt.text, author: tt.author}}, sel, "g", "c", 5, &rep)
			if tt.wantID == "" {
				if len(got) != 0 {
					t.Fatalf("kept %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].MessageID != tt.wantID || got[0].Author != tt.wantAuthor || got[0].URL != "https://discord.com/channels/g/c/"+tt.wantID {
				t.Fatalf("got %+v, want message %s by %s", got, tt.wantID, tt.wantAuthor)
			}
			if !strings.Contains(sel.msgs[sel.byID[tt.wantID]].Content, got[0].Text) {
				t.Errorf("quote %q is not the message's own wording", got[0].Text)
			}
		})
	}
}

func TestOfflineRecap(t *testing.T) {
	t.Parallel()
	c := readFixture(t)
	rc, err := New(nil, Options{}, nil).Recap(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Model != ExtractiveModel || !strings.Contains(rc.Note, "Offline") || !rc.Offline {
		t.Errorf("model %q note %q", rc.Model, rc.Note)
	}
	if rc.Participants != 4 || len(rc.Links) != 1 || rc.Usage.Calls != 0 {
		t.Errorf("participants %d links %q usage %+v", rc.Participants, rc.Links, rc.Usage)
	}
	if !strings.Contains(rc.Summary, "7 messages from 4 members") || !strings.Contains(rc.Summary, "Alice") {
		t.Errorf("summary %q", rc.Summary)
	}
	if len(rc.Quotes) == 0 {
		t.Fatal("no quotes")
	}
	byID := map[string]Message{}
	for _, m := range c.Messages {
		byID[m.ID] = m
	}
	// The most-replied message (Alice's proposal, two replies) is quoted.
	if rc.Quotes[0].MessageID != "900000000000000102" {
		t.Errorf("first quote %+v, want Alice's proposal", rc.Quotes[0])
	}
	for _, q := range rc.Quotes {
		m := byID[q.MessageID]
		if !strings.Contains(summarize.NeutralizeMentions(m.Content), q.Text) || q.Author != safeName(m.Author.DisplayName()) {
			t.Errorf("quote %+v is not message %s's words by its author", q, q.MessageID)
		}
		if strings.Contains(q.Text, "@everyone") {
			t.Errorf("quote pings: %q", q.Text)
		}
	}
}

func TestRecapFallsBackWhenTheModelFails(t *testing.T) {
	t.Parallel()
	srv := fakellm.New(t)
	srv.SetResponder(fakellm.ServerError())
	rc, err := New(newLLM(t, srv, 8000), Options{}, nil).Recap(context.Background(), readFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if rc.Model != ExtractiveModel || !strings.HasPrefix(rc.Note, NoteLLMFallback) || len(rc.Quotes) == 0 {
		t.Errorf("fallback recap %+v", rc)
	}
}

// bigExport builds a conversation of n messages among a few members.
func bigExport(n int) *Conversation {
	c := &Conversation{GuildID: "g", ChannelID: "c", ChannelName: "busy"}
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	names := []string{"Ann", "Ben", "Cy", "Dee", "Eve"}
	for i := range n {
		m := Message{
			ID:      fmt.Sprintf("%d", 1000000+i),
			Time:    start.Add(time.Duration(i) * 30 * time.Second),
			Content: fmt.Sprintf("Message %d: I think the plan for stage %d needs another look before we agree on the budget.", i, i%17),
			Author:  Author{ID: fmt.Sprintf("u%d", i%len(names)), Name: strings.ToLower(names[i%len(names)]), Nickname: names[i%len(names)]},
		}
		if i > 0 && i%4 == 0 {
			m.ReplyTo = fmt.Sprintf("%d", 1000000+i-1)
		}
		c.Messages = append(c.Messages, m)
	}
	return c
}

// TestLongDiscussionWithinBudget recaps a 2,000-message export: every call
// fits the model's context, the number of calls is bounded, and the
// quotes found in the parts are still checked against the messages.
func TestLongDiscussionWithinBudget(t *testing.T) {
	t.Parallel()
	srv := fakellm.New(t)
	srv.SetResponder(fakellm.GoodRecap)
	const contextTokens = 16000
	llm := newLLM(t, srv, contextTokens)
	r := New(llm, Options{}, nil)
	c := bigExport(2000)
	est := r.Estimate(c)
	rc, err := r.Recap(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	calls := srv.Requests()
	if len(calls) < 3 || len(calls) > DefaultMaxParts+1 {
		t.Errorf("%d calls, want parts and one merge, at most %d", len(calls), DefaultMaxParts+1)
	}
	for i, req := range calls {
		if in := summarize.EstimateTokens(req.Prompt()); in+llm.Limits().MaxTokens > contextTokens {
			t.Errorf("call %d: %d prompt tokens + %d completion > context %d", i, in, llm.Limits().MaxTokens, contextTokens)
		}
	}
	spent := rc.Usage.PromptTokens + rc.Usage.CompletionTokens
	t.Logf("2,000 messages: %d calls, %d tokens spent, worst case %d, %d messages recapped", len(calls), spent, est, rc.Messages)
	if rc.Usage.Calls != len(calls) || spent == 0 || spent > est {
		t.Errorf("usage %+v (%d tokens) for %d calls, estimate %d", rc.Usage, spent, len(calls), est)
	}
	if rc.Messages+countDropped(rc.Note) != 2000 {
		t.Errorf("recap covers %d messages, note %q", rc.Messages, rc.Note)
	}
	if len(rc.Quotes) == 0 {
		t.Error("no checked quotes survived the merge")
	}
	for _, q := range rc.Quotes {
		if !strings.HasPrefix(q.Text, "Message ") || q.MessageID == "" {
			t.Errorf("quote %+v", q)
		}
	}
}

// TestLongDiscussionCapped keeps the latest messages when the whole
// discussion would need more calls than allowed, and says so.
func TestLongDiscussionCapped(t *testing.T) {
	t.Parallel()
	srv := fakellm.New(t)
	srv.SetResponder(fakellm.GoodRecap)
	r := New(newLLM(t, srv, 4000), Options{MaxParts: 2}, nil)
	rc, err := r.Recap(context.Background(), bigExport(400))
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls(); n != 3 {
		t.Errorf("%d calls, want 2 parts and a merge", n)
	}
	dropped := countDropped(rc.Note)
	if dropped == 0 || rc.Messages+dropped != 400 || rc.To != "2026-03-01T11:19:30Z" {
		t.Errorf("messages %d, note %q, to %s", rc.Messages, rc.Note, rc.To)
	}
}

func countDropped(note string) int {
	var n int
	fmt.Sscanf(note, "%d older messages", &n)
	return n
}

// openStore is a real SQLite store in the test's temporary folder.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.OpenWith(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "precis.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newCore is the application core on st, as serve builds it, for recaps.
func newCore(t *testing.T, st *store.Store, now func() time.Time, mod func(*pipeline.Options)) *pipeline.Pipeline {
	t.Helper()
	opts := pipeline.Options{Workers: 2, QueueSize: 4, ModelConcurrency: 2, MaxLinks: 3, JobTimeout: time.Minute, CacheMaxAge: time.Hour}
	mod(&opts)
	p, err := pipeline.New(pipeline.Deps{
		Reader: article.NewReader(article.NewFetcher(article.FetchOptions{}), 0), Extractive: summarize.NewExtractive(), Store: st, Now: now,
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

func TestServiceQuotaAndBudget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := fakellm.New(t)
	srv.SetResponder(fakellm.GoodRecap)
	r := New(newLLM(t, srv, 8000), Options{}, nil)
	c := readFixture(t)
	est := r.Estimate(c)
	now := time.Date(2026, 3, 2, 12, 30, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	day := "2026-03-02"

	// Within the budget: the model answers, the reservation settles at
	// the tokens used, the recap is counted.
	st := openStore(t)
	s := NewService(ServiceDeps{Recapper: r, Core: newCore(t, st, clock, func(o *pipeline.Options) {
		o.UserPerHour, o.ServerPerHour, o.TokensPerDay = 2, 10, 10*est
	})})
	rc, err := s.Recap(ctx, guildID, "u1", c)
	if err != nil {
		t.Fatal(err)
	}
	n, tokens, err := st.Usage(ctx, guildID, day)
	used := rc.Usage.PromptTokens + rc.Usage.CompletionTokens
	if err != nil || rc.Model != "fake-model" || n != 1 || tokens != used || used == 0 || used > est {
		t.Errorf("model %q: recorded %d recaps, %d tokens (used %d, estimate %d, err %v)", rc.Model, n, tokens, used, est, err)
	}

	// The member's second recap this hour is allowed, the third is not
	// (summaries and recaps share the allowance).
	if _, err := s.Recap(ctx, guildID, "u1", c); err != nil {
		t.Fatal(err)
	}
	var qe *pipeline.QuotaError
	if _, err := s.Recap(ctx, guildID, "u1", c); !errors.As(err, &qe) || qe.Scope != "user" || qe.RetryIn != 30*time.Minute {
		t.Errorf("third recap: %v, want the user's quota error", err)
	}

	// When what is left of the budget cannot hold another recap's worst
	// case, the offline recap answers and the model is not asked.
	_, tokens, _ = st.Usage(ctx, guildID, day)
	budget := tokens + est - 1
	s = NewService(ServiceDeps{Recapper: r, Core: newCore(t, st, clock, func(o *pipeline.Options) { o.TokensPerDay = budget })})
	calls := srv.Calls()
	rc, err = s.Recap(ctx, guildID, "u2", c)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Model != ExtractiveModel || !strings.HasPrefix(rc.Note, NoteBudget) || srv.Calls() != calls {
		t.Errorf("over budget: model %q note %q, %d more calls", rc.Model, rc.Note, srv.Calls()-calls)
	}
	if _, tokens, _ := st.Usage(ctx, guildID, day); tokens > budget {
		t.Errorf("%d tokens used, budget %d", tokens, budget)
	}

	// Nothing to recap: the allowance taken is given back.
	st2 := openStore(t)
	s2 := NewService(ServiceDeps{Recapper: r, Core: newCore(t, st2, clock, func(o *pipeline.Options) { o.UserPerHour = 1 })})
	if _, err := s2.Recap(ctx, guildID, "u1", &Conversation{}); err != ErrNoMessages {
		t.Fatalf("empty conversation: %v", err)
	}
	if _, err := s2.Recap(ctx, guildID, "u1", c); err != nil {
		t.Errorf("allowance not refunded after an empty recap: %v", err)
	}
}
