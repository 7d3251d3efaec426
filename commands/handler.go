package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// Job asks the summarising pipeline for one link.
type Job struct {
	URL                        string
	GuildID, ChannelID, UserID string
	// Length is "short", "normal" or "detailed"; "" means normal.
	Length string
	// Language is the output language; "" means the article's own.
	Language string
	// MinWords, when positive, skips articles shorter than this unless
	// Asked (the channel's min_words setting).
	MinWords int
	// Source says what triggered the job, for metrics and logs:
	// "command", "context", "auto" or "reaction".
	Source string
	// Asked is true when a person asked for this summary; failures are then
	// explained to them instead of logged quietly.
	Asked bool
	// Progress, when set, receives short status lines as work advances.
	Progress func(status string)
}

// Summarizer runs the pipeline (cache, fetch, extract, summarise) for one
// link. The bot's pipeline implements it.
type Summarizer interface {
	Summarize(ctx context.Context, job Job) (*summarize.Summary, error)
}

// Quota takes n summaries from the hourly allowances of a server and, when
// userID is not empty, of a user; it returns a *QuotaError when either is
// used up, and then takes nothing.
type Quota interface {
	Take(guildID, userID string, n int) error
}

// SettingsStore reads and writes per-channel settings; *store.Store
// implements it.
type SettingsStore interface {
	ChannelSettings(ctx context.Context, guildID, channelID string) (store.ChannelSettings, error)
	SetChannelSettings(ctx context.Context, cs store.ChannelSettings) error
}

// UsageStore reads a server's usage for a UTC day ("2006-01-02");
// *store.Store implements it.
type UsageStore interface {
	Usage(ctx context.Context, guildID, day string) (summaries, tokens int, err error)
}

// DigestService is the part of *digest.Service the /digest commands drive.
type DigestService interface {
	Set(ctx context.Context, guildID, channelID, hhmm, timezone, sources string) (next time.Time, err error)
	SetQuietDay(ctx context.Context, guildID, channelID string, post bool) error
	Off(ctx context.Context, guildID, channelID string) error
	AddFeed(ctx context.Context, guildID, channelID, feedURL string) error
	RemoveFeed(ctx context.Context, guildID, channelID, feedURL string) error
	Feeds(ctx context.Context, guildID, channelID string) ([]string, error)
	Preview(ctx context.Context, guildID, channelID string) ([]*discordgo.MessageSend, error)
	Status(ctx context.Context, guildID string) (string, error)
}

// Limits are the configured guards, shown in help and usage texts.
type Limits struct {
	UserPerHour, ServerPerHour, ServerTokensPerDay int
	// MinWords is the article quality gate's default minimum.
	MinWords int
	// MaxLinks is how many links of one message are summarised; 0 means
	// MaxLinksPerMessage.
	MaxLinks int
}

// LinksPerMessage is MaxLinks with its default applied.
func (l Limits) LinksPerMessage() int {
	if l.MaxLinks > 0 {
		return l.MaxLinks
	}
	return MaxLinksPerMessage
}

// Deps are the handlers' dependencies. Digest may be nil: the /digest
// commands then say digests are not available.
type Deps struct {
	Summarizer Summarizer
	Quota      Quota
	Settings   SettingsStore
	Usage      UsageStore
	Digest     DigestService
	// FindLinks finds article links in message text (article.FindLinks).
	FindLinks func(text string, max int) []string
	Now       func() time.Time
}

// Handler answers command Requests.
type Handler struct {
	deps   Deps
	limits Limits
}

// New returns a Handler. Now defaults to time.Now.
func New(deps Deps, limits Limits) *Handler {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Handler{deps: deps, limits: limits}
}

// MaxLinksPerMessage is how many links of one message get summarised by
// default.
const MaxLinksPerMessage = 3

// Ephemeral reports whether the deferred answer to req should be visible to
// the user only. The bot needs it before Handle runs, to defer at once.
func (h *Handler) Ephemeral(req Request) bool {
	switch req.Name {
	case NameSummarize:
		return req.Bool("private")
	case NameSummarizeLink:
		return false
	}
	return true
}

// Handle runs the command. progress, when not nil, receives status lines
// for slow work; it must not block for long.
func (h *Handler) Handle(ctx context.Context, req Request, progress func(string)) Response {
	if progress == nil {
		progress = func(string) {}
	}
	var resp Response
	switch req.Name {
	case NameSummarize:
		resp = h.summarizeURL(ctx, req, progress)
	case NameSummarizeLink:
		resp = h.summarizeMessage(ctx, req, progress)
	case NamePrecis:
		resp = h.precis(ctx, req)
	case NameDigest:
		resp = h.digest(ctx, req)
	default:
		resp = Response{Error: "I don't know that command. It may have been removed; try again in a minute."}
	}
	resp.Ephemeral = resp.Ephemeral || h.Ephemeral(req)
	return resp
}

func (h *Handler) summarizeURL(ctx context.Context, req Request, progress func(string)) Response {
	u := req.String("url")
	if u == "" {
		return Response{Error: "Give me a link to summarise."}
	}
	length := req.String("length")
	switch length {
	case "", "short", "normal", "detailed":
	default:
		return Response{Error: "Length must be short, normal or detailed."}
	}
	if err := h.deps.Quota.Take(req.GuildID, req.UserID, 1); err != nil {
		return Response{Error: UserMessage(err)}
	}
	lang, err := h.channelLanguage(ctx, req)
	if err != nil {
		return Response{Error: UserMessage(err)}
	}
	s, err := h.deps.Summarizer.Summarize(ctx, Job{
		URL: u, GuildID: req.GuildID, ChannelID: req.ChannelID, UserID: req.UserID,
		Length: length, Language: lang, Source: "command", Asked: true, Progress: progress,
	})
	if err != nil {
		return Response{Error: UserMessage(err)}
	}
	return Response{Summaries: []*summarize.Summary{s}, Length: length}
}

func (h *Handler) summarizeMessage(ctx context.Context, req Request, progress func(string)) Response {
	var links []string
	if h.deps.FindLinks != nil {
		links = h.deps.FindLinks(req.TargetContent, h.limits.LinksPerMessage())
	}
	if len(links) == 0 {
		return Response{Error: "I found no article links in that message."}
	}
	if err := h.deps.Quota.Take(req.GuildID, req.UserID, len(links)); err != nil {
		return Response{Error: UserMessage(err)}
	}
	lang, err := h.channelLanguage(ctx, req)
	if err != nil {
		return Response{Error: UserMessage(err)}
	}
	type result struct {
		s   *summarize.Summary
		err error
	}
	results := make([]result, len(links))
	done := make(chan struct{})
	for i, u := range links {
		go func() {
			defer func() { done <- struct{}{} }()
			p := progress
			if i > 0 {
				p = nil // one status line is enough; the first link's is shown
			}
			s, err := h.deps.Summarizer.Summarize(ctx, Job{
				URL: u, GuildID: req.GuildID, ChannelID: req.ChannelID, UserID: req.UserID,
				Language: lang, Source: "context", Asked: true, Progress: p,
			})
			results[i] = result{s, err}
		}()
	}
	for range links {
		<-done
	}
	var resp Response
	var failed []string
	for i, r := range results {
		if r.err != nil {
			failed = append(failed, fmt.Sprintf("<%s>: %s", links[i], UserMessage(r.err)))
			continue
		}
		resp.Summaries = append(resp.Summaries, r.s)
	}
	if len(resp.Summaries) == 0 {
		if len(failed) == 1 {
			return Response{Error: UserMessage(results[0].err)}
		}
		return Response{Error: "I couldn't summarise those links:\n" + bulletList(failed)}
	}
	if len(failed) > 0 {
		resp.Content = "I couldn't summarise every link:\n" + bulletList(failed)
	}
	return resp
}

// channelLanguage is the summary language configured for the channel.
func (h *Handler) channelLanguage(ctx context.Context, req Request) (string, error) {
	if h.deps.Settings == nil || req.GuildID == "" {
		return "", nil
	}
	cs, err := h.deps.Settings.ChannelSettings(ctx, req.GuildID, req.ChannelID)
	if err != nil {
		return "", fmt.Errorf("channel settings %s: %w", req.ChannelID, err)
	}
	return cs.Language, nil
}

func bulletList(lines []string) string {
	out := ""
	for _, l := range lines {
		out += "• " + l + "\n"
	}
	return out
}

// canManage reports whether the member may change server settings.
func canManage(perms int64) bool {
	return perms&(manageGuild|discordgo.PermissionAdministrator) != 0
}
