package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// fakePipeline answers per URL: an error from errs, else a summary. quota,
// when set, refuses every request as the core's limiter would.
type fakePipeline struct {
	mu    sync.Mutex
	errs  map[string]error
	quota error
	reqs  []pipeline.Request
	links []string
	max   int
}

func (f *fakePipeline) SummarizeLinks(_ context.Context, req pipeline.Request, links []string) ([]pipeline.Result, error) {
	if len(links) == 0 {
		return nil, pipeline.ErrNoLinks
	}
	if f.quota != nil {
		return nil, f.quota
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if req.Progress != nil {
		req.Progress("Reading…")
	}
	var out []pipeline.Result
	for _, u := range links {
		f.reqs = append(f.reqs, req)
		f.links = append(f.links, u)
		if err := f.errs[u]; err != nil {
			out = append(out, pipeline.Result{URL: u, Err: err})
			continue
		}
		out = append(out, pipeline.Result{URL: u, Summary: &summarize.Summary{URL: u, Headline: "H " + u, Language: req.Language}})
	}
	return out, nil
}

func (f *fakePipeline) LinksPerMessage() int {
	if f.max > 0 {
		return f.max
	}
	return 3
}

type fakeSettings struct {
	cs    map[string]store.ChannelSettings
	saved []store.ChannelSettings
}

func (f *fakeSettings) ChannelSettings(_ context.Context, g, c string) (store.ChannelSettings, error) {
	if cs, ok := f.cs[g+"/"+c]; ok {
		return cs, nil
	}
	return store.ChannelSettings{GuildID: g, ChannelID: c, Mode: ModeAuto}, nil
}

func (f *fakeSettings) SetChannelSettings(_ context.Context, cs store.ChannelSettings) error {
	f.saved = append(f.saved, cs)
	if f.cs == nil {
		f.cs = map[string]store.ChannelSettings{}
	}
	f.cs[cs.GuildID+"/"+cs.ChannelID] = cs
	return nil
}

type fakeUsage struct{ n, tokens int }

func (f fakeUsage) Usage(context.Context, string, string) (int, int, error) {
	return f.n, f.tokens, nil
}

// fakeDigest records the calls it gets as strings.
type fakeDigest struct {
	calls []string
	err   error
	feeds []string
	dg    *digest.Digest
	next  time.Time
}

func (d *fakeDigest) rec(format string, args ...any) error {
	d.calls = append(d.calls, fmt.Sprintf(format, args...))
	return d.err
}
func (d *fakeDigest) Set(_ context.Context, g, c, hhmm, tz, src string) (time.Time, error) {
	return d.next, d.rec("set %s %s %s %s %s", g, c, hhmm, tz, src)
}
func (d *fakeDigest) SetQuietDay(_ context.Context, g, c string, post bool) error {
	return d.rec("quiet %s %s %v", g, c, post)
}
func (d *fakeDigest) Off(_ context.Context, g, c string) error { return d.rec("off %s %q", g, c) }
func (d *fakeDigest) AddFeed(_ context.Context, g, c, u string) error {
	return d.rec("add %s %s %s", g, c, u)
}
func (d *fakeDigest) RemoveFeed(_ context.Context, g, c, u string) error {
	return d.rec("remove %s %s %s", g, c, u)
}
func (d *fakeDigest) Feeds(_ context.Context, g, c string) ([]string, error) {
	return d.feeds, d.rec("feeds %s %s", g, c)
}
func (d *fakeDigest) Preview(_ context.Context, g, c string) (*digest.Digest, error) {
	return d.dg, d.rec("preview %s %s", g, c)
}
func (d *fakeDigest) Status(_ context.Context, g string, _ func(string) bool) (string, error) {
	return "**status**", d.rec("status %s", g)
}

type fakeAccess struct{ err error }

func (a fakeAccess) CanPost(context.Context, string, string) error { return a.err }

var fixedNow = func() time.Time { return time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC) }

const admin = PermManageGuild

type env struct {
	sum      *fakePipeline
	settings *fakeSettings
	digest   *fakeDigest
	h        *Handler
}

func newEnv(limits Limits) *env {
	e := &env{sum: &fakePipeline{errs: map[string]error{}}, settings: &fakeSettings{}, digest: &fakeDigest{}}
	e.h = New(Deps{
		Pipeline: e.sum, Settings: e.settings, Usage: fakeUsage{n: 12, tokens: 150_000},
		Digest: e.digest, FindLinks: article.FindLinks, Now: fixedNow,
	}, limits)
	return e
}

func req(name string, path string, opts map[string]any) Request {
	r := Request{Name: name, Options: opts, GuildID: "g1", ChannelID: "c1", UserID: "u1", Permissions: PermViewChannel | PermSendMessages}
	if path != "" {
		r.Path = strings.Split(path, " ")
	}
	if r.Options == nil {
		r.Options = map[string]any{}
	}
	return r
}

func TestEphemeral(t *testing.T) {
	t.Parallel()
	h := newEnv(Limits{}).h
	for _, tc := range []struct {
		r    Request
		want bool
	}{
		{req(NameSummarize, "", map[string]any{"url": "https://a.example/x"}), false},
		{req(NameSummarize, "", map[string]any{"url": "https://a.example/x", "private": true}), true},
		{req(NameSummarizeLink, "", nil), false},
		{req(NamePrecis, "settings", nil), true},
		{req(NamePrecis, "help", nil), true},
		{req(NameDigest, "status", nil), true},
		// Precis never speaks where the member could not.
		{func() Request {
			r := req(NameSummarize, "", map[string]any{"url": "https://a.example/x"})
			r.Permissions = PermViewChannel
			return r
		}(), true},
		{func() Request { r := req(NameSummarizeLink, "", nil); r.Permissions = PermViewChannel; return r }(), true},
		{func() Request {
			r := req(NameSummarize, "", map[string]any{"url": "https://a.example/x"})
			r.InThread, r.Permissions = true, PermViewChannel|PermSendMessages
			return r
		}(), true},
		{func() Request {
			r := req(NameSummarize, "", map[string]any{"url": "https://a.example/x"})
			r.InThread, r.Permissions = true, PermViewChannel|PermSendInThreads
			return r
		}(), false},
	} {
		if got := h.Ephemeral(tc.r); got != tc.want {
			t.Errorf("Ephemeral(%s %v %v) = %v, want %v", tc.r.Name, tc.r.Path, tc.r.Options, got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		opts     map[string]any
		quotaErr error
		sumErr   error
		wantErr  string // substring of Response.Error; "" = success
	}{
		{name: "ok", opts: map[string]any{"url": "https://news.example/a", "length": "short"}},
		{name: "no url", opts: map[string]any{}, wantErr: "Give me a link"},
		{name: "bad length", opts: map[string]any{"url": "https://news.example/a", "length": "epic"}, wantErr: "short, normal or detailed"},
		{name: "user quota", opts: map[string]any{"url": "https://news.example/a"},
			quotaErr: &pipeline.QuotaError{Scope: "user", Limit: 20, RetryIn: 12 * time.Minute}, wantErr: "your limit of 20 summaries per hour (questions, recaps and comparisons count too). Try again in 12 minutes"},
		{name: "server quota", opts: map[string]any{"url": "https://news.example/a"},
			quotaErr: &pipeline.QuotaError{Scope: "server", Limit: 120, RetryIn: 30 * time.Second}, wantErr: "This server has reached its limit of 120 summaries per hour (questions, recaps and comparisons count too). Try again in a minute"},
		{name: "busy", opts: map[string]any{"url": "https://news.example/a"}, sumErr: fmt.Errorf("queue: %w", pipeline.ErrBusy), wantErr: "busy"},
		{name: "404", opts: map[string]any{"url": "https://news.example/a"},
			sumErr: fmt.Errorf("read: %w", &article.HTTPError{StatusCode: 404}), wantErr: "not found (HTTP 404)"},
		{name: "refused", opts: map[string]any{"url": "https://news.example/a"},
			sumErr: fmt.Errorf("dial: %w", article.ErrRefusedAddress), wantErr: "private or reserved address"},
		{name: "paywall", opts: map[string]any{"url": "https://news.example/a"},
			sumErr: fmt.Errorf("gate: %w", article.ErrNoArticle), wantErr: "paywalled"},
		{name: "internal", opts: map[string]any{"url": "https://news.example/a"},
			sumErr: errors.New("sqlite: disk I/O error"), wantErr: "Something went wrong on my side"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(Limits{})
			e.sum.quota = tc.quotaErr
			if tc.sumErr != nil {
				e.sum.errs["https://news.example/a"] = tc.sumErr
			}
			var progress []string
			resp := e.h.Handle(context.Background(), req(NameSummarize, "", tc.opts), func(s string) { progress = append(progress, s) })
			if tc.wantErr == "" {
				if resp.Error != "" || len(resp.Summaries) != 1 {
					t.Fatalf("resp %+v, want one summary", resp)
				}
				j := e.sum.reqs[0]
				if j.Length != "short" || !j.Asked || j.Source != "command" || j.UserID != "u1" {
					t.Errorf("job %+v", j)
				}
				if len(progress) == 0 {
					t.Errorf("progress not passed through")
				}
				return
			}
			if !strings.Contains(resp.Error, tc.wantErr) {
				t.Errorf("Error = %q, want it to contain %q", resp.Error, tc.wantErr)
			}
			if strings.Contains(resp.Error, "sqlite") {
				t.Errorf("internal detail leaked: %q", resp.Error)
			}
			if tc.quotaErr != nil && len(e.sum.reqs) != 0 {
				t.Errorf("summarised past the quota")
			}
		})
	}
}

func TestSummarizeUsesChannelLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(Limits{})
	e.settings.cs = map[string]store.ChannelSettings{"g1/c1": {Mode: ModeAuto, Language: "de"}}
	resp := e.h.Handle(context.Background(), req(NameSummarize, "", map[string]any{"url": "https://news.example/a"}), nil)
	if resp.Error != "" || e.sum.reqs[0].Language != "de" {
		t.Fatalf("resp %+v requests %+v", resp, e.sum.reqs)
	}
}

func TestSummarizeMessage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		content     string
		failing     []string
		maxLinks    int
		wantN       int
		wantErr     string
		wantContent string
	}{
		{name: "no links", content: "hello there", wantErr: "no article links"},
		{name: "two links", content: "https://a.example/1 and https://b.example/2", wantN: 2},
		{name: "max three", content: "https://a.example/1 https://a.example/2 https://a.example/3 https://a.example/4", wantN: 3},
		{name: "configured max", content: "https://a.example/1 https://a.example/2 https://a.example/3", maxLinks: 1, wantN: 1},
		{name: "one fails", content: "https://a.example/1 https://b.example/2", failing: []string{"https://b.example/2"},
			wantN: 1, wantContent: "couldn't summarise every link"},
		{name: "all fail", content: "https://a.example/1", failing: []string{"https://a.example/1"}, wantErr: "HTTP 404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(Limits{})
			if tc.maxLinks > 0 {
				e.sum.max = tc.maxLinks
			}
			for _, u := range tc.failing {
				e.sum.errs[u] = &article.HTTPError{StatusCode: 404}
			}
			r := req(NameSummarizeLink, "", nil)
			r.TargetContent = tc.content
			resp := e.h.Handle(context.Background(), r, nil)
			if tc.wantErr != "" {
				if !strings.Contains(resp.Error, tc.wantErr) {
					t.Fatalf("Error = %q, want %q", resp.Error, tc.wantErr)
				}
				return
			}
			if resp.Error != "" || len(resp.Summaries) != tc.wantN {
				t.Fatalf("resp %+v, want %d summaries", resp, tc.wantN)
			}
			if !strings.Contains(resp.Content, tc.wantContent) {
				t.Errorf("Content = %q, want %q", resp.Content, tc.wantContent)
			}
			if len(e.sum.links) != tc.wantN+len(tc.failing) {
				t.Errorf("asked the core for %d links", len(e.sum.links))
			}
			for i, s := range resp.Summaries[1:] {
				if s.URL < resp.Summaries[i].URL {
					t.Errorf("summaries out of link order")
				}
			}
		})
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		perms     int64
		opts      map[string]any
		wantErr   string
		wantSaved *store.ChannelSettings
		wantText  string
	}{
		{name: "no permission", perms: 0, opts: map[string]any{"mode": "off"}, wantErr: "Manage Server"},
		{name: "show", perms: admin, wantText: "Mode: auto"},
		{name: "administrator may", perms: PermAdministrator, opts: map[string]any{"mode": "off"},
			wantSaved: &store.ChannelSettings{GuildID: "g1", ChannelID: "c1", Mode: "off"}},
		{name: "all options", perms: admin, opts: map[string]any{"mode": "reaction", "language": "pt-BR", "min_words": int64(200)},
			wantSaved: &store.ChannelSettings{GuildID: "g1", ChannelID: "c1", Mode: "reaction", Language: "pt-BR", MinWords: 200}, wantText: "📰"},
		{name: "article language", perms: admin, opts: map[string]any{"language": "article"},
			wantSaved: &store.ChannelSettings{GuildID: "g1", ChannelID: "c1", Mode: "auto"}, wantText: "article's own"},
		{name: "length", perms: admin, opts: map[string]any{"length": "short"},
			wantSaved: &store.ChannelSettings{GuildID: "g1", ChannelID: "c1", Mode: "auto", Length: "short"}, wantText: "Length of summaries of pasted links: short"},
		{name: "normal length is the default", perms: admin, opts: map[string]any{"length": "normal"},
			wantSaved: &store.ChannelSettings{GuildID: "g1", ChannelID: "c1", Mode: "auto"}, wantText: "pasted links: normal"},
		{name: "bad length", perms: admin, opts: map[string]any{"length": "tiny"}, wantErr: "short, normal or detailed"},
		{name: "bad mode", perms: admin, opts: map[string]any{"mode": "loud"}, wantErr: "auto, reaction or off"},
		{name: "bad language", perms: admin, opts: map[string]any{"language": "English please"}, wantErr: "language code"},
		{name: "min words too big", perms: admin, opts: map[string]any{"min_words": int64(999999)}, wantErr: "between 0 and"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(Limits{MinWords: 80})
			r := req(NamePrecis, "settings", tc.opts)
			r.Permissions = tc.perms
			resp := e.h.Handle(context.Background(), r, nil)
			if !resp.Ephemeral {
				t.Errorf("settings answer not ephemeral")
			}
			if tc.wantErr != "" {
				if !strings.Contains(resp.Error, tc.wantErr) {
					t.Fatalf("Error = %q, want %q", resp.Error, tc.wantErr)
				}
				if len(e.settings.saved) != 0 {
					t.Errorf("saved despite error: %+v", e.settings.saved)
				}
				return
			}
			if resp.Error != "" {
				t.Fatalf("Error = %q", resp.Error)
			}
			switch {
			case tc.wantSaved == nil && len(e.settings.saved) != 0:
				t.Errorf("saved %+v without changes", e.settings.saved)
			case tc.wantSaved != nil && (len(e.settings.saved) != 1 || e.settings.saved[0] != *tc.wantSaved):
				t.Errorf("saved %+v, want %+v", e.settings.saved, *tc.wantSaved)
			}
			if !strings.Contains(resp.Content, tc.wantText) {
				t.Errorf("Content = %q, want %q", resp.Content, tc.wantText)
			}
		})
	}
}

func TestUsageText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		limits Limits
		want   []string
	}{
		{Limits{}, []string{"Today (2026-03-14 UTC): 12 summaries, 150,000 LLM tokens."}},
		{Limits{ServerTokensPerDay: 300_000, ServerPerHour: 120, UserPerHour: 20},
			[]string{"150,000 LLM tokens of 300,000 a day (50%)", "120 summaries per server, 20 per person"}},
		{Limits{ServerTokensPerDay: 100_000}, []string{"(100%)", "offline summarizer"}},
	} {
		e := newEnv(tc.limits)
		resp := e.h.Handle(context.Background(), req(NamePrecis, "usage", nil), nil)
		for _, w := range tc.want {
			if !strings.Contains(resp.Content, w) {
				t.Errorf("limits %+v: usage %q lacks %q", tc.limits, resp.Content, w)
			}
		}
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	e := newEnv(Limits{UserPerHour: 20, ServerPerHour: 120})
	resp := e.h.Handle(context.Background(), req(NamePrecis, "help", nil), nil)
	for _, w := range []string{"/summarize", "Summarize links", "/precis settings", "/digest set", "20 summaries per person per hour", "Mode: auto"} {
		if !strings.Contains(resp.Content, w) {
			t.Errorf("help lacks %q:\n%s", w, resp.Content)
		}
	}
}

func TestDigestCommands(t *testing.T) {
	t.Parallel()
	next := time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		path      string
		opts      map[string]any
		perms     int64
		chanPerms int64 // the member's in the target channel; 0: view and send
		botErr    error // Precis's own access to the target channel
		digestErr error
		wantCall  string
		wantCalls []string
		wantText  string
		wantErr   string
	}{
		{name: "set", path: "set", perms: admin, opts: map[string]any{"channel": "c9", "time": "08:00", "timezone": "Europe/Paris"},
			wantCall: "set g1 c9 08:00 Europe/Paris both", wantText: fmt.Sprintf("<t:%d:R>", next.Unix())},
		{name: "set feeds", path: "set", perms: admin, opts: map[string]any{"channel": "c9", "time": "08:00", "timezone": "UTC", "sources": "feeds"},
			wantCall: "set g1 c9 08:00 UTC feeds"},
		{name: "set skipping quiet days", path: "set", perms: admin, opts: map[string]any{"channel": "c9", "time": "08:00", "timezone": "UTC", "quiet_day": false},
			wantCalls: []string{"set g1 c9 08:00 UTC both", "quiet g1 c9 false"}, wantText: "skipped"},
		{name: "set needs permission", path: "set", opts: map[string]any{"channel": "c9", "time": "08:00", "timezone": "UTC"}, wantErr: "Manage Server"},
		{name: "set bad zone", path: "set", perms: admin, opts: map[string]any{"channel": "c9", "time": "08:00", "timezone": "Mars/Base"},
			digestErr: &digest.UserError{Msg: "Unknown time zone Mars/Base."}, wantErr: "Unknown time zone Mars/Base."},
		{name: "off all", path: "off", perms: admin, wantCall: `off g1 ""`, wantText: "Every daily digest"},
		{name: "off one", path: "off", perms: admin, opts: map[string]any{"channel": "c9"}, wantCall: `off g1 "c9"`},
		{name: "feeds add here", path: "feeds add", perms: admin, opts: map[string]any{"url": "https://f.example/rss"},
			wantCall: "add g1 c1 https://f.example/rss"},
		{name: "feeds remove there", path: "feeds remove", perms: admin, opts: map[string]any{"url": "https://f.example/rss", "channel": "c9"},
			wantCall: "remove g1 c9 https://f.example/rss"},
		{name: "feeds add needs permission", path: "feeds add", opts: map[string]any{"url": "https://f.example/rss"}, wantErr: "Manage Server"},
		{name: "feeds list", path: "feeds list", perms: admin, wantCall: "feeds g1 c1", wantText: "no feeds"},
		{name: "preview", path: "preview", perms: admin, wantCall: "preview g1 c1", wantText: "would be empty"},
		{name: "status", path: "status", perms: admin, wantCall: "status g1", wantText: "**status**"},
		{name: "internal error hidden", path: "status", perms: admin, digestErr: errors.New("sql: no rows"), wantErr: "Something went wrong"},
		// What a digest would share is as private as changing it.
		{name: "feeds list needs permission", path: "feeds list", wantErr: "Manage Server"},
		{name: "preview needs permission", path: "preview", wantErr: "Manage Server"},
		{name: "status needs permission", path: "status", wantErr: "Manage Server"},
		// A digest goes only where the member could post, and where Precis can.
		{name: "set where the member cannot post", path: "set", perms: admin, chanPerms: PermViewChannel,
			opts: map[string]any{"channel": "c9", "time": "08:00", "timezone": "UTC"}, wantErr: "see and post in <#c9>"},
		{name: "set where Precis cannot post", path: "set", perms: admin, botErr: &digest.UserError{Msg: "Precis can't post in <#c9>."},
			opts: map[string]any{"channel": "c9", "time": "08:00", "timezone": "UTC"}, wantErr: "Precis can't post"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(Limits{})
			e.digest.err = tc.digestErr
			e.digest.next = next
			r := req(NameDigest, tc.path, tc.opts)
			r.Permissions = tc.perms | PermViewChannel | PermSendMessages
			cp := tc.chanPerms
			if cp == 0 {
				cp = PermViewChannel | PermSendMessages
			}
			r.ChannelPermissions = map[string]int64{"c9": cp}
			h := New(Deps{Pipeline: e.sum, Settings: e.settings, Digest: e.digest, Access: fakeAccess{tc.botErr}, Now: fixedNow}, Limits{})
			resp := h.Handle(context.Background(), r, nil)
			if !resp.Ephemeral {
				t.Errorf("digest answer not ephemeral")
			}
			if tc.wantErr != "" {
				if !strings.Contains(resp.Error, tc.wantErr) {
					t.Fatalf("Error = %q, want %q", resp.Error, tc.wantErr)
				}
				return
			}
			if resp.Error != "" {
				t.Fatalf("Error = %q", resp.Error)
			}
			if tc.wantCall != "" && (len(e.digest.calls) != 1 || e.digest.calls[0] != tc.wantCall) {
				t.Errorf("calls %q, want %q", e.digest.calls, tc.wantCall)
			}
			if tc.wantCalls != nil && !slices.Equal(e.digest.calls, tc.wantCalls) {
				t.Errorf("calls %q, want %q", e.digest.calls, tc.wantCalls)
			}
			if !strings.Contains(resp.Content, tc.wantText) {
				t.Errorf("Content = %q, want %q", resp.Content, tc.wantText)
			}
		})
	}
}

func TestDigestPreviewMessagesAndDisabled(t *testing.T) {
	t.Parallel()
	e := newEnv(Limits{})
	e.digest.dg = &digest.Digest{Stories: []digest.Story{{Title: "A story"}}}
	r := req(NameDigest, "preview", nil)
	r.Permissions |= admin
	resp := e.h.Handle(context.Background(), r, nil)
	if resp.Digest != e.digest.dg {
		t.Errorf("preview response %+v", resp)
	}
	h := New(Deps{}, Limits{})
	if resp := h.Handle(context.Background(), r, nil); !strings.Contains(resp.Error, "not enabled") {
		t.Errorf("nil digest: %+v", resp)
	}
}

func TestSummaryWhereTheMemberCannotPostIsPrivate(t *testing.T) {
	t.Parallel()
	e := newEnv(Limits{})
	r := req(NameSummarize, "", map[string]any{"url": "https://news.example/a"})
	r.Permissions = PermViewChannel
	resp := e.h.Handle(context.Background(), r, nil)
	if !resp.Ephemeral || len(resp.Summaries) != 1 || !strings.Contains(resp.Content, "can't post in this channel") {
		t.Errorf("resp %+v: want a private summary saying why", resp)
	}
}
