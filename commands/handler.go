package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// Pipeline is the application core the summary commands use;
// *pipeline.Pipeline implements it.
type Pipeline interface {
	SummarizeLinks(ctx context.Context, req pipeline.Request, links []string) ([]pipeline.Result, error)
	LinksPerMessage() int
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
	Preview(ctx context.Context, guildID, channelID string) (*digest.Digest, error)
	Status(ctx context.Context, guildID string, canSee func(channelID string) bool) (string, error)
}

// Access tells whether Precis itself can post in a channel (view, send,
// embed links); *bot.Client implements it. The error explains what is
// missing.
type Access interface {
	CanPost(ctx context.Context, guildID, channelID string) error
}

// Limits are the configured guards, shown in help and usage texts.
type Limits struct {
	UserPerHour, ServerPerHour, ServerTokensPerDay int
	// MinWords is the article quality gate's default minimum.
	MinWords int
}

// Deps are the handlers' dependencies. Digest may be nil: the /digest
// commands then say digests are not available.
type Deps struct {
	Pipeline Pipeline
	Settings SettingsStore
	Usage    UsageStore
	Digest   DigestService
	// Access checks Precis's own permissions in a digest's channel; nil
	// skips the check.
	Access Access
	// FindLinks finds article links in message text (article.FindLinks).
	FindLinks func(text string, max int) []string
	Now       func() time.Time
	// History, Recaps and RecapOptIn serve /recap and the Summarize
	// discussion menu; without them recaps are not available.
	History    History
	Recaps     Recaps
	RecapOptIn RecapOptIn
	// Compares serves /compare and the Compare button; without it
	// comparisons are not available.
	Compares Compares
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

// Ephemeral reports whether the deferred answer to req should be visible to
// the user only. The bot needs it before Handle runs, to defer at once.
func (h *Handler) Ephemeral(req Request) bool {
	switch req.Name {
	case NameSummarize:
		return req.Bool("private") || !req.CanPost()
	case NameSummarizeLink:
		return !req.CanPost()
	case NameAsk, NameAskButton:
		return privateOrButton(req, NameAskButton)
	case NameRecap, NameSummarizeDiscussion:
		return recapEphemeral(req)
	case NameCompare, NameCompareButton:
		return privateOrButton(req, NameCompareButton)
	}
	return true
}

// privateOrButton reports whether the answer to a command that also comes
// from a button under summaries is shown to the member only: always from
// the button, on request, and wherever the member could not post in the
// channel themselves.
func privateOrButton(req Request, button string) bool {
	return req.Name == button || req.Bool("private") || !req.CanPost()
}

// cannotPostNote is the note on the answer to command when it is private
// only because the member may not post in the channel, naming what it
// shows ("answer"); "" otherwise.
func cannotPostNote(req Request, command, what string) string {
	if req.Name != command || req.Bool("private") || req.CanPost() {
		return ""
	}
	return "You can't send messages in this channel, so only you can see this " + what + "."
}

// notPostable is the note on an answer that was meant to be public but is
// shown only to the member, because they may not post in the channel.
const notPostable = "You can't post in this channel, so only you see this answer."

// Handle runs the command. progress, when not nil, receives status lines
// for slow work; it must not block for long.
func (h *Handler) Handle(ctx context.Context, req Request, progress func(string)) Response {
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
	case NameAsk, NameAskButton:
		resp = h.ask(ctx, req, progress)
	case NameRecap, NameSummarizeDiscussion:
		resp = h.recap(ctx, req, progress)
	case NameCompare, NameCompareButton:
		resp = h.compare(ctx, req, progress)
	default:
		resp = Response{Error: "I don't know that command. It may have been removed; try again in a minute."}
	}
	resp.Ephemeral = resp.Ephemeral || h.Ephemeral(req)
	if (req.Name == NameSummarize || req.Name == NameSummarizeLink) && !req.CanPost() && resp.Error == "" {
		resp.Content = strings.TrimSpace(notPostable + "\n" + resp.Content)
	}
	return resp
}

func (h *Handler) summarizeURL(ctx context.Context, req Request, progress func(string)) Response {
	u := req.String("url")
	if u == "" {
		return Response{Error: "Give me a link to summarise."}
	}
	length := req.String("length")
	switch length {
	case "", summarize.LengthShort, summarize.LengthNormal, summarize.LengthDetailed:
	default:
		return Response{Error: "Length must be short, normal or detailed."}
	}
	return h.summarizeLinks(ctx, req, []string{u}, pipeline.SourceCommand, length, progress)
}

func (h *Handler) summarizeMessage(ctx context.Context, req Request, progress func(string)) Response {
	var links []string
	if h.deps.FindLinks != nil {
		links = h.deps.FindLinks(req.TargetContent, h.deps.Pipeline.LinksPerMessage())
	}
	return h.summarizeLinks(ctx, req, links, pipeline.SourceContext, "", progress)
}

// summarizeLinks asks the core for the links' summaries and reports the
// ones that failed alongside the ones that worked.
func (h *Handler) summarizeLinks(ctx context.Context, req Request, links []string, source, length string, progress func(string)) Response {
	lang, err := h.channelLanguage(ctx, req)
	if err != nil {
		return Response{Error: pipeline.Explain(err)}
	}
	results, err := h.deps.Pipeline.SummarizeLinks(ctx, pipeline.Request{
		GuildID: req.GuildID, ChannelID: req.ChannelID, UserID: req.UserID,
		Length: length, Language: lang, Source: source, Asked: true, Progress: progress,
	}, links)
	if err != nil {
		return Response{Error: pipeline.Explain(err)}
	}
	resp := Response{Length: length}
	var failed []string
	for _, r := range results {
		if r.Err != nil {
			failed = append(failed, fmt.Sprintf("<%s>: %s", r.URL, pipeline.Explain(r.Err)))
			// No archived copy was found: offer archive.today's search,
			// where a member can look or ask for one.
			var ue *article.UnreadableError
			if errors.As(r.Err, &ue) && ue.SearchURL != "" {
				resp.Links = append(resp.Links, Link{Label: "Archived copy", URL: ue.SearchURL})
			}
			continue
		}
		resp.Summaries = append(resp.Summaries, r.Summary)
	}
	switch {
	case len(resp.Summaries) > 0 && len(failed) > 0:
		resp.Content = "I couldn't summarise every link:\n" + bulletList(failed)
	case len(resp.Summaries) > 0:
	case len(results) == 1:
		return Response{Error: pipeline.Explain(results[0].Err), Links: resp.Links}
	default:
		return Response{Error: "I couldn't summarise those links:\n" + bulletList(failed), Links: resp.Links}
	}
	return resp
}

// channelLanguage is the summary language configured for the channel.
func (h *Handler) channelLanguage(ctx context.Context, req Request) (string, error) {
	if h.deps.Settings == nil || req.GuildID == "" {
		return "", nil
	}
	cs, err := h.deps.Settings.ChannelSettings(ctx, req.GuildID, req.SettingsChannel())
	if err != nil {
		return "", fmt.Errorf("channel settings %s: %w", req.SettingsChannel(), err)
	}
	return cs.Language, nil
}

func bulletList(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("• " + l + "\n")
	}
	return b.String()
}

// canManage reports whether the member may change server settings.
func canManage(perms int64) bool {
	return perms&(PermManageGuild|PermAdministrator) != 0
}
