package commands

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/recap"
)

// fakeHistory serves channels and their messages (oldest first).
type fakeHistory struct {
	mu       sync.Mutex
	channels map[string]ChannelInfo
	msgs     map[string][]recap.Message
	queries  []HistoryQuery
	err      error
}

func (f *fakeHistory) Channel(_ context.Context, id string) (ChannelInfo, error) {
	if f.err != nil {
		return ChannelInfo{}, f.err
	}
	return f.channels[id], nil
}

func (f *fakeHistory) Messages(_ context.Context, channelID string, q HistoryQuery) ([]recap.Message, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	var out []recap.Message
	seenAfter := q.After == ""
	for _, m := range f.msgs[channelID] {
		if !seenAfter {
			seenAfter = m.ID == q.After
			continue
		}
		if !q.Since.IsZero() && m.Time.Before(q.Since) {
			continue
		}
		out = append(out, m)
	}
	if len(out) > q.Limit {
		if q.After != "" {
			out = out[:q.Limit]
		} else {
			out = out[len(out)-q.Limit:]
		}
	}
	return out, nil
}

func (f *fakeHistory) Message(_ context.Context, channelID, id string) (recap.Message, error) {
	for _, m := range f.msgs[channelID] {
		if m.ID == id {
			return m, nil
		}
	}
	return recap.Message{}, errors.New("unknown message")
}

// fakeRecaps records the conversation it was given.
type fakeRecaps struct {
	mu   sync.Mutex
	conv *recap.Conversation
	err  error
}

func (f *fakeRecaps) Recap(_ context.Context, _, _ string, c *recap.Conversation) (*recap.Recap, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conv = c
	if f.err != nil {
		return nil, f.err
	}
	return &recap.Recap{Channel: c.ChannelName, Messages: len(c.Messages)}, nil
}

type fakeOptIn struct {
	mu sync.Mutex
	on map[string]bool
}

func (f *fakeOptIn) RecapEnabled(_ context.Context, _, channelID string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.on[channelID], nil
}

func (f *fakeOptIn) SetRecapEnabled(_ context.Context, _, channelID string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.on[channelID] = on
	return nil
}

const (
	member = PermViewChannel | PermReadMessageHistory | PermSendMessages | PermSendInThreads
	now    = "2026-03-02T12:00:00Z"
)

func recapFixture() (*fakeHistory, *fakeRecaps, *fakeOptIn, *Handler) {
	t0, _ := time.Parse(time.RFC3339, now)
	msg := func(id string, ago time.Duration, reply string) recap.Message {
		return recap.Message{ID: id, Time: t0.Add(-ago), Content: "message " + id, ReplyTo: reply, Author: recap.Author{ID: "u" + id, Name: "user" + id}}
	}
	hist := &fakeHistory{
		channels: map[string]ChannelInfo{
			"general": {ID: "general", Name: "general"},
			"thread":  {ID: "thread", Name: "plans", Thread: true, ParentID: "general"},
			"staff":   {ID: "staff", Name: "staff"},
		},
		msgs: map[string][]recap.Message{
			"general": {msg("1", 30*time.Hour, ""), msg("2", 5*time.Hour, "1"), msg("3", 4*time.Hour, ""), msg("4", 3*time.Hour, "2"), msg("5", 30*time.Minute, "")},
			"thread":  {msg("t1", time.Hour, ""), msg("t2", 10*time.Minute, "t1")},
		},
	}
	recaps := &fakeRecaps{}
	optIn := &fakeOptIn{on: map[string]bool{"general": true}}
	h := New(Deps{History: hist, Recaps: recaps, RecapOptIn: optIn, Now: func() time.Time { return t0 }}, Limits{})
	return hist, recaps, optIn, h
}

func TestRecapHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		req       Request
		wantErr   string
		wantIDs   []string
		wantEph   bool
		wantNote  bool
		wantQuery HistoryQuery
	}{
		{name: "default window", req: Request{Name: NameRecap, ChannelID: "general", Permissions: member},
			wantIDs: []string{"1", "2", "3", "4", "5"}, wantQuery: HistoryQuery{Limit: DefaultRecapMessages}},
		{name: "messages", req: Request{Name: NameRecap, ChannelID: "general", Permissions: member, Options: map[string]any{"messages": int64(2)}},
			wantIDs: []string{"4", "5"}},
		{name: "since", req: Request{Name: NameRecap, ChannelID: "general", Permissions: member, Options: map[string]any{"since": "6h"}},
			wantIDs: []string{"2", "3", "4", "5"}},
		{name: "bad since", req: Request{Name: NameRecap, ChannelID: "general", Permissions: member, Options: map[string]any{"since": "7d"}},
			wantErr: "since must be"},
		{name: "private", req: Request{Name: NameRecap, ChannelID: "general", Permissions: member, Options: map[string]any{"private": true}},
			wantIDs: []string{"1", "2", "3", "4", "5"}, wantEph: true},
		{name: "cannot post: private, saying why", req: Request{Name: NameRecap, ChannelID: "general", Permissions: PermViewChannel | PermReadMessageHistory},
			wantIDs: []string{"1", "2", "3", "4", "5"}, wantEph: true, wantNote: true},
		{name: "cannot read history", req: Request{Name: NameRecap, ChannelID: "general", Permissions: PermViewChannel | PermSendMessages | PermSendInThreads},
			wantErr: "history you can read"},
		{name: "administrator", req: Request{Name: NameRecap, ChannelID: "general", Permissions: PermAdministrator},
			wantIDs: []string{"1", "2", "3", "4", "5"}},
		{name: "off in the channel", req: Request{Name: NameRecap, ChannelID: "staff", Permissions: member},
			wantErr: "Recaps are off"},
		{name: "thread follows its channel", req: Request{Name: NameRecap, ChannelID: "thread", Permissions: member},
			wantIDs: []string{"t1", "t2"}},
		{name: "menu: chain and after", req: Request{Name: NameSummarizeDiscussion, ChannelID: "general", Permissions: member, TargetMessageID: "4"},
			wantIDs: []string{"1", "2", "4", "5"}, wantEph: true},
		{name: "menu: whole thread", req: Request{Name: NameSummarizeDiscussion, ChannelID: "thread", Permissions: member, TargetMessageID: "t2"},
			wantIDs: []string{"t1", "t2"}, wantEph: true},
		{name: "outside a server", req: Request{Name: NameRecap, Permissions: member}, wantErr: "in a server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hist, recaps, _, h := recapFixture()
			if tt.req.GuildID == "" && tt.name != "outside a server" {
				tt.req.GuildID = "g"
			}
			resp := h.Handle(context.Background(), tt.req, nil)
			if tt.wantErr != "" {
				if !strings.Contains(resp.Error, tt.wantErr) || resp.Recap != nil {
					t.Fatalf("error %q, want %q", resp.Error, tt.wantErr)
				}
				return
			}
			if resp.Error != "" || resp.Recap == nil {
				t.Fatalf("error %q", resp.Error)
			}
			if resp.Ephemeral != tt.wantEph || h.Ephemeral(tt.req) != tt.wantEph {
				t.Errorf("ephemeral %v (deferral %v), want %v", resp.Ephemeral, h.Ephemeral(tt.req), tt.wantEph)
			}
			var ids []string
			for _, m := range recaps.conv.Messages {
				ids = append(ids, m.ID)
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("recapped %v, want %v", ids, tt.wantIDs)
			}
			if (resp.Content != "") != tt.wantNote {
				t.Errorf("content %q", resp.Content)
			}
			if tt.wantQuery.Limit > 0 && (len(hist.queries) != 1 || hist.queries[0] != tt.wantQuery) {
				t.Errorf("queries %+v, want %+v", hist.queries, tt.wantQuery)
			}
		})
	}
}

func TestRecapErrorsExplained(t *testing.T) {
	t.Parallel()
	_, recaps, _, h := recapFixture()
	recaps.err = recap.ErrNoMessages
	req := Request{Name: NameRecap, GuildID: "g", ChannelID: "general", Permissions: member}
	if resp := h.Handle(context.Background(), req, nil); !strings.Contains(resp.Error, "no messages from members") {
		t.Errorf("no messages: %q", resp.Error)
	}
	recaps.err = &pipeline.QuotaError{Scope: "user", Limit: 3, RetryIn: time.Minute}
	if resp := h.Handle(context.Background(), req, nil); !strings.Contains(resp.Error, "limit of 3") {
		t.Errorf("quota: %q", resp.Error)
	}
}

func TestRecapSetting(t *testing.T) {
	t.Parallel()
	_, _, optIn, h := recapFixture()
	h.deps.Settings = &fakeSettings{}
	req := Request{Name: NamePrecis, Path: []string{"settings"}, GuildID: "g", ChannelID: "staff", Permissions: PermManageGuild,
		Options: map[string]any{"recap": true}}
	resp := h.Handle(context.Background(), req, nil)
	if resp.Error != "" || !strings.Contains(resp.Content, "Saved.") || !strings.Contains(resp.Content, "Recaps: on") || !optIn.on["staff"] {
		t.Fatalf("settings recap:true: %+v, stored %v", resp, optIn.on)
	}
	req.Permissions = member
	if resp := h.Handle(context.Background(), req, nil); resp.Error == "" {
		t.Error("a member without Manage Server changed the recap setting")
	}
}
