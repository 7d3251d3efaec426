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

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// fakeSummarizer answers per URL: an error from errs, else a summary.
type fakeSummarizer struct {
	mu   sync.Mutex
	errs map[string]error
	jobs []Job
}

func (f *fakeSummarizer) Summarize(_ context.Context, job Job) (*summarize.Summary, error) {
	f.mu.Lock()
	f.jobs = append(f.jobs, job)
	err := f.errs[job.URL]
	f.mu.Unlock()
	if job.Progress != nil {
		job.Progress("Reading…")
	}
	if err != nil {
		return nil, err
	}
	return &summarize.Summary{URL: job.URL, Headline: "H " + job.URL, Language: job.Language}, nil
}

type fakeQuota struct {
	err   error
	taken int
}

func (q *fakeQuota) Take(_, _ string, n int) error {
	if q.err != nil {
		return q.err
	}
	q.taken += n
	return nil
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
	msgs  []*discordgo.MessageSend
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
func (d *fakeDigest) Preview(_ context.Context, g, c string) ([]*discordgo.MessageSend, error) {
	return d.msgs, d.rec("preview %s %s", g, c)
}
func (d *fakeDigest) Status(_ context.Context, g string) (string, error) {
	return "**status**", d.rec("status %s", g)
}

var fixedNow = func() time.Time { return time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC) }

const admin = int64(discordgo.PermissionManageGuild)

type env struct {
	sum      *fakeSummarizer
	quota    *fakeQuota
	settings *fakeSettings
	digest   *fakeDigest
	h        *Handler
}

func newEnv(limits Limits) *env {
	e := &env{sum: &fakeSummarizer{errs: map[string]error{}}, quota: &fakeQuota{}, settings: &fakeSettings{}, digest: &fakeDigest{}}
	e.h = New(Deps{
		Summarizer: e.sum, Quota: e.quota, Settings: e.settings, Usage: fakeUsage{n: 12, tokens: 150_000},
		Digest: e.digest, FindLinks: article.FindLinks, Now: fixedNow,
	}, limits)
	return e
}

func req(name string, path string, opts map[string]any) Request {
	r := Request{Name: name, Options: opts, GuildID: "g1", ChannelID: "c1", UserID: "u1"}
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
			quotaErr: &QuotaError{Scope: "user", Limit: 20, RetryIn: 12 * time.Minute}, wantErr: "your limit of 20 summaries per hour. Try again in 12 minutes"},
		{name: "server quota", opts: map[string]any{"url": "https://news.example/a"},
			quotaErr: &QuotaError{Scope: "server", Limit: 120, RetryIn: 30 * time.Second}, wantErr: "This server has reached its limit of 120 summaries per hour. Try again in a minute"},
		{name: "busy", opts: map[string]any{"url": "https://news.example/a"}, sumErr: fmt.Errorf("queue: %w", ErrBusy), wantErr: "busy"},
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
			e.quota.err = tc.quotaErr
			if tc.sumErr != nil {
				e.sum.errs["https://news.example/a"] = tc.sumErr
			}
			var progress []string
			resp := e.h.Handle(context.Background(), req(NameSummarize, "", tc.opts), func(s string) { progress = append(progress, s) })
			if tc.wantErr == "" {
				if resp.Error != "" || len(resp.Summaries) != 1 {
					t.Fatalf("resp %+v, want one summary", resp)
				}
				j := e.sum.jobs[0]
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
			if tc.quotaErr != nil && len(e.sum.jobs) != 0 {
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
	if resp.Error != "" || e.sum.jobs[0].Language != "de" {
		t.Fatalf("resp %+v jobs %+v", resp, e.sum.jobs)
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
			e := newEnv(Limits{MaxLinks: tc.maxLinks})
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
			if e.quota.taken != len(e.sum.jobs) {
				t.Errorf("quota took %d for %d links", e.quota.taken, len(e.sum.jobs))
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
		{name: "administrator may", perms: discordgo.PermissionAdministrator, opts: map[string]any{"mode": "off"},
			wantSaved: &store.ChannelSettings{GuildID: "g1", ChannelID: "c1", Mode: "off"}},
		{name: "all options", perms: admin, opts: map[string]any{"mode": "reaction", "language": "pt-BR", "min_words": int64(200)},
			wantSaved: &store.ChannelSettings{GuildID: "g1", ChannelID: "c1", Mode: "reaction", Language: "pt-BR", MinWords: 200}, wantText: "📰"},
		{name: "article language", perms: admin, opts: map[string]any{"language": "article"},
			wantSaved: &store.ChannelSettings{GuildID: "g1", ChannelID: "c1", Mode: "auto"}, wantText: "article's own"},
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
		{name: "feeds list", path: "feeds list", wantCall: "feeds g1 c1", wantText: "no feeds"},
		{name: "preview", path: "preview", wantCall: "preview g1 c1", wantText: "would be empty"},
		{name: "status", path: "status", wantCall: "status g1", wantText: "**status**"},
		{name: "internal error hidden", path: "status", digestErr: errors.New("sql: no rows"), wantErr: "Something went wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(Limits{})
			e.digest.err = tc.digestErr
			e.digest.next = next
			r := req(NameDigest, tc.path, tc.opts)
			r.Permissions = tc.perms
			resp := e.h.Handle(context.Background(), r, nil)
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
	e.digest.msgs = []*discordgo.MessageSend{{Content: "digest"}}
	resp := e.h.Handle(context.Background(), req(NameDigest, "preview", nil), nil)
	if len(resp.Messages) != 1 {
		t.Errorf("preview messages %v", resp.Messages)
	}
	h := New(Deps{}, Limits{})
	if resp := h.Handle(context.Background(), req(NameDigest, "status", nil), nil); !strings.Contains(resp.Error, "not enabled") {
		t.Errorf("nil digest: %+v", resp)
	}
}

func TestUserMessage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("x: %w", article.ErrTooLarge), "too large"},
		{fmt.Errorf("x: %w", article.ErrTimeout), "timed out"},
		{fmt.Errorf("x: %w", article.ErrUnsupportedType), "unsupported content type"},
		{fmt.Errorf("x: %w", article.ErrBadURL), "not a valid http or https link"},
		{fmt.Errorf("x: %w", &article.HTTPError{StatusCode: 403}), "refused access"},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), "took too long"},
		{fmt.Errorf("x: %w", ErrTooShort), "too short"},
		{&digest.UserError{Msg: "That feed is already there.", Err: errors.New("unique")}, "That feed is already there."},
	} {
		if got := UserMessage(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("UserMessage(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestRequestFromInteraction(t *testing.T) {
	t.Parallel()
	i := &discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommand, GuildID: "g", ChannelID: "c", Locale: "de",
		Member: &discordgo.Member{User: &discordgo.User{ID: "u"}, Permissions: admin},
		Data: discordgo.ApplicationCommandInteractionData{
			Name: "digest", CommandType: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{
				Name: "feeds", Type: discordgo.ApplicationCommandOptionSubCommandGroup,
				Options: []*discordgo.ApplicationCommandInteractionDataOption{{
					Name: "add", Type: discordgo.ApplicationCommandOptionSubCommand,
					Options: []*discordgo.ApplicationCommandInteractionDataOption{
						{Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: "https://f.example/rss"},
						{Name: "channel", Type: discordgo.ApplicationCommandOptionChannel, Value: "c7"},
						{Name: "min_words", Type: discordgo.ApplicationCommandOptionInteger, Value: float64(150)},
						{Name: "private", Type: discordgo.ApplicationCommandOptionBoolean, Value: true},
					},
				}},
			}},
		},
	}
	r, ok := RequestFromInteraction(i)
	if !ok {
		t.Fatal("not converted")
	}
	n, _ := r.Int("min_words")
	if r.Sub() != "feeds add" || r.String("url") != "https://f.example/rss" || r.String("channel") != "c7" ||
		n != 150 || !r.Bool("private") || r.UserID != "u" || r.Permissions != admin || r.Locale != "de" {
		t.Errorf("request %+v", r)
	}

	mc := &discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommand, GuildID: "g", ChannelID: "c",
		Member: &discordgo.Member{User: &discordgo.User{ID: "u"}},
		Data: discordgo.ApplicationCommandInteractionData{
			Name: NameSummarizeLink, CommandType: discordgo.MessageApplicationCommand, TargetID: "m1",
			Resolved: &discordgo.ApplicationCommandInteractionDataResolved{Messages: map[string]*discordgo.Message{
				"m1": {ID: "m1", Content: "see this", Embeds: []*discordgo.MessageEmbed{{URL: "https://news.example/e"}}},
			}},
		},
	}
	r, _ = RequestFromInteraction(mc)
	if r.TargetMessageID != "m1" || !strings.Contains(r.TargetContent, "https://news.example/e") {
		t.Errorf("message command request %+v", r)
	}
	if _, ok := RequestFromInteraction(&discordgo.Interaction{Type: discordgo.InteractionPing}); ok {
		t.Errorf("ping converted")
	}
}

func TestDefinitions(t *testing.T) {
	t.Parallel()
	defs := Definitions()
	seen := map[string]*discordgo.ApplicationCommand{}
	var walk func(cmd string, opts []*discordgo.ApplicationCommandOption)
	walk = func(cmd string, opts []*discordgo.ApplicationCommandOption) {
		for _, o := range opts {
			if len(o.Name) > 32 || strings.ToLower(o.Name) != o.Name || o.Description == "" || len([]rune(o.Description)) > 100 {
				t.Errorf("%s: option %q: bad name or description %q", cmd, o.Name, o.Description)
			}
			walk(cmd+" "+o.Name, o.Options)
		}
	}
	for _, d := range defs {
		seen[d.Name] = d
		if d.Type == discordgo.ChatApplicationCommand && (d.Description == "" || len([]rune(d.Description)) > 100) {
			t.Errorf("%s: description %q", d.Name, d.Description)
		}
		walk(d.Name, d.Options)
	}
	for _, name := range []string{NamePrecis, NameDigest} {
		d := seen[name]
		if d == nil || d.DefaultMemberPermissions == nil || *d.DefaultMemberPermissions != admin {
			t.Errorf("%s: default_member_permissions not Manage Server", name)
		}
	}
	if d := seen[NameSummarizeLink]; d == nil || d.Type != discordgo.MessageApplicationCommand {
		t.Errorf("message context menu missing")
	}
	if d := seen[NameSummarize]; d == nil || d.DefaultMemberPermissions != nil || len(d.Options) != 3 || !d.Options[0].Required {
		t.Errorf("summarize definition %+v", d)
	}
}
