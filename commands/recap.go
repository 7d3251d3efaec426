package commands

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/recap"
)

// Recap command names as registered with Discord.
const (
	NameRecap               = "recap"
	NameSummarizeDiscussion = "Summarize discussion" // message context menu
)

// Bounds of what one recap reads.
const (
	// DefaultRecapMessages is how many of the latest messages /recap
	// reads when neither messages nor since is given.
	DefaultRecapMessages = 100
	// MaxRecapMessages bounds the messages one recap reads from Discord.
	MaxRecapMessages = 500
	// maxReplyChain bounds how far the context menu follows a reply chain
	// back.
	maxReplyChain = 25
)

// RecapWindows are the since: choices of /recap.
var RecapWindows = map[string]time.Duration{"1h": time.Hour, "6h": 6 * time.Hour, "24h": 24 * time.Hour}

// ChannelInfo describes the channel a recap is asked in.
type ChannelInfo struct {
	ID, Name string
	// Thread is set for threads; ParentID is then the channel they belong
	// to, whose settings they follow.
	Thread   bool
	ParentID string
}

// HistoryQuery chooses messages of a channel.
type HistoryQuery struct {
	// After, when set, asks for the messages after this one; otherwise
	// the latest ones are read.
	After string
	// Limit bounds how many messages are returned.
	Limit int
	// Since, when not zero, leaves out messages older than this.
	Since time.Time
}

// History reads a channel's messages through Discord's API with the bot's
// access; *bot.Client implements it. Messages come back oldest first,
// with mentions written as names.
type History interface {
	Channel(ctx context.Context, channelID string) (ChannelInfo, error)
	Messages(ctx context.Context, channelID string, q HistoryQuery) ([]recap.Message, error)
	Message(ctx context.Context, channelID, messageID string) (recap.Message, error)
}

// Recaps makes a recap for a member under the hourly allowances and the
// daily token budget; *recap.Service implements it.
type Recaps interface {
	Recap(ctx context.Context, guildID, userID string, c *recap.Conversation) (*recap.Recap, error)
}

// RecapOptIn is where admins allowed recaps; *store.Store implements it.
type RecapOptIn interface {
	RecapEnabled(ctx context.Context, guildID, channelID string) (bool, error)
	SetRecapEnabled(ctx context.Context, guildID, channelID string, on bool) error
}

// recapOff is the answer where recaps are not allowed.
const recapOff = "Recaps are off in this channel: members' messages go to the AI model only where an admin allows it. " +
	"Someone with Manage Server can turn them on here with `/precis settings recap:true`."

// recapEphemeral reports whether a recap is answered privately: always
// for the context menu, when asked, and whenever the member could not post
// here themselves (checked for both channels and threads, as the deferral
// is chosen before the channel is looked up).
func recapEphemeral(req Request) bool {
	return req.Name == NameSummarizeDiscussion || req.Bool("private") || !canPostAnywhere(req.Permissions)
}

// canPostAnywhere reports whether the member may send messages both in
// channels and in threads (Request.CanPost checks only the one where the
// command was used, as the adapter knows it).
func canPostAnywhere(perms int64) bool {
	const both = PermSendMessages | PermSendInThreads
	return perms&PermAdministrator != 0 || perms&both == both
}

// canReadHistory reports whether the member may read the channel's
// history.
func canReadHistory(perms int64) bool {
	const both = PermViewChannel | PermReadMessageHistory
	return perms&PermAdministrator != 0 || perms&both == both
}

// recap answers /recap and the Summarize discussion context menu.
func (h *Handler) recap(ctx context.Context, req Request, progress func(string)) Response {
	if h.deps.History == nil || h.deps.Recaps == nil || h.deps.RecapOptIn == nil {
		return Response{Error: "Recaps are not available on this Precis instance."}
	}
	if req.GuildID == "" {
		return Response{Error: "Recaps work in server channels and threads; use this in a server."}
	}
	if !canReadHistory(req.Permissions) {
		return Response{Error: "You can only recap a channel whose message history you can read."}
	}
	ch, err := h.deps.History.Channel(ctx, req.ChannelID)
	if err != nil {
		return Response{Error: recapExplain(fmt.Errorf("channel %s: %w", req.ChannelID, err))}
	}
	settingsChannel := req.ChannelID
	if ch.Thread && ch.ParentID != "" {
		settingsChannel = ch.ParentID
	}
	on, err := h.deps.RecapOptIn.RecapEnabled(ctx, req.GuildID, settingsChannel)
	if err != nil {
		return Response{Error: pipeline.Explain(fmt.Errorf("recap setting %s: %w", settingsChannel, err))}
	}
	if !on {
		return Response{Error: recapOff}
	}

	report(progress, "Reading the conversation…")
	var msgs []recap.Message
	if req.Name == NameSummarizeDiscussion {
		msgs, err = h.discussion(ctx, req, ch)
	} else {
		var q HistoryQuery
		q, err = recapQuery(req, h.deps.Now())
		if err == nil {
			msgs, err = h.deps.History.Messages(ctx, req.ChannelID, q)
		}
	}
	if err != nil {
		return Response{Error: recapExplain(err)}
	}
	report(progress, fmt.Sprintf("Recapping %d messages…", len(msgs)))
	conv := &recap.Conversation{GuildID: req.GuildID, ChannelID: req.ChannelID, ChannelName: ch.Name, Messages: msgs}
	rc, err := h.deps.Recaps.Recap(ctx, req.GuildID, req.UserID, conv)
	if err != nil {
		return Response{Error: recapExplain(err)}
	}
	resp := Response{Recap: rc}
	if req.Name == NameRecap && !req.Bool("private") && !canPostAnywhere(req.Permissions) {
		resp.Content = "Only you can see this recap: you can't send messages here."
	}
	return resp
}

// recapQuery turns /recap's options into a history query.
func recapQuery(req Request, now time.Time) (HistoryQuery, error) {
	q := HistoryQuery{Limit: DefaultRecapMessages}
	if s := req.String("since"); s != "" {
		d, ok := RecapWindows[s]
		if !ok {
			return q, userError("since must be 1h, 6h or 24h.")
		}
		q.Since, q.Limit = now.Add(-d), MaxRecapMessages
	}
	if n, ok := req.Int("messages"); ok {
		if n < 2 || n > MaxRecapMessages {
			return q, userError(fmt.Sprintf("messages must be between 2 and %d.", MaxRecapMessages))
		}
		q.Limit = int(n)
	}
	return q, nil
}

// discussion is what the context menu recaps: the whole thread (its
// latest messages up to the cap) when used in a thread; otherwise the
// message, the reply chain it answers and the conversation after it.
func (h *Handler) discussion(ctx context.Context, req Request, ch ChannelInfo) ([]recap.Message, error) {
	if ch.Thread {
		return h.deps.History.Messages(ctx, req.ChannelID, HistoryQuery{Limit: MaxRecapMessages})
	}
	if req.TargetMessageID == "" {
		return nil, userError("Use this on a message.")
	}
	target, err := h.deps.History.Message(ctx, req.ChannelID, req.TargetMessageID)
	if err != nil {
		return nil, fmt.Errorf("message %s: %w", req.TargetMessageID, err)
	}
	msgs := []recap.Message{target}
	seen := map[string]bool{target.ID: true}
	for ref, hops := target.ReplyTo, 0; ref != "" && !seen[ref] && hops < maxReplyChain; hops++ {
		m, err := h.deps.History.Message(ctx, req.ChannelID, ref)
		if err != nil {
			break // a deleted message ends the chain
		}
		seen[m.ID] = true
		msgs = append(msgs, m)
		ref = m.ReplyTo
	}
	after, err := h.deps.History.Messages(ctx, req.ChannelID, HistoryQuery{After: target.ID, Limit: MaxRecapMessages - len(msgs)})
	if err != nil {
		return nil, err
	}
	for _, m := range after {
		if !seen[m.ID] {
			seen[m.ID] = true
			msgs = append(msgs, m)
		}
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].Time.Before(msgs[j].Time) })
	return msgs, nil
}

// recapSetting applies /precis settings recap: and returns the line that
// describes the channel's recap setting.
func (h *Handler) recapSetting(ctx context.Context, req Request) (line string, changed bool, errMsg string) {
	if h.deps.RecapOptIn == nil {
		return "", false, ""
	}
	if req.Has("recap") {
		if err := h.deps.RecapOptIn.SetRecapEnabled(ctx, req.GuildID, req.ChannelID, req.Bool("recap")); err != nil {
			return "", false, pipeline.Explain(fmt.Errorf("save recap setting %s: %w", req.ChannelID, err))
		}
		changed = true
	}
	on, err := h.deps.RecapOptIn.RecapEnabled(ctx, req.GuildID, req.ChannelID)
	if err != nil {
		return "", changed, pipeline.Explain(fmt.Errorf("recap setting %s: %w", req.ChannelID, err))
	}
	if on {
		return "\n• Recaps: on: `/recap` and Summarize discussion send members' messages here to the AI model", changed, ""
	}
	return "\n• Recaps: off (`recap:true` lets members recap this channel and its threads with the AI model)", changed, ""
}

// userError is a mistake in what the member asked, shown as it is.
type userError string

func (e userError) Error() string       { return string(e) }
func (e userError) UserMessage() string { return string(e) }

// recapExplain words an error of a recap for the member.
func recapExplain(err error) string {
	if errors.Is(err, recap.ErrNoMessages) {
		return "There are no messages from members to recap here."
	}
	return pipeline.Explain(err)
}

func report(progress func(string), s string) {
	if progress != nil {
		progress(s)
	}
}

// recapCommand is /recap's definition.
func recapCommand() Command {
	return Command{
		Name:        NameRecap,
		Description: "Recap this channel or thread neutrally, with members' words checked and linked",
		GuildOnly:   true,
		Options: []Option{
			{
				Type: OptInteger, Name: "messages", MinValue: 2, MaxValue: MaxRecapMessages,
				Description: fmt.Sprintf("How many of the latest messages to recap (default %d)", DefaultRecapMessages),
			},
			{Type: OptString, Name: "since", Description: "Recap the messages of the last hour, 6 hours or day", Choices: []string{"1h", "6h", "24h"}},
			{Type: OptBoolean, Name: "private", Description: "Only you see the recap"},
		},
	}
}

// recapSettingOption is /precis settings recap:.
func recapSettingOption() Option {
	return Option{Type: OptBoolean, Name: "recap", Description: "Allow recaps here: members' messages go to the AI model (default: off)"}
}
