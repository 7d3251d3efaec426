package commands

import (
	"strings"

	"github.com/precisbot/precis/compare"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/recap"
	"github.com/precisbot/precis/summarize"
)

// Request is one command invocation, free of Discord plumbing.
type Request struct {
	// Name is the command's name, e.g. "summarize" or "Summarize links".
	Name string
	// Path is the subcommand group and subcommand, e.g. ["feeds", "add"].
	Path []string
	// Options holds the leaf options by name: string, bool or int64 values;
	// channel options hold the channel ID as a string.
	Options map[string]any

	GuildID, ChannelID, UserID string
	// ParentID is the thread's parent channel when the command was used in
	// a thread: threads follow their parent's settings.
	ParentID string
	// InThread is true when the command was used in a thread.
	InThread bool
	// Permissions are the member's permissions in the channel (Discord
	// computes them with the channel's overwrites).
	Permissions int64
	// ChannelPermissions are the member's permissions in channels the
	// command's options name (Discord's resolved channels).
	ChannelPermissions map[string]int64
	// TargetMessageID and TargetContent describe the message a context-menu
	// command was used on; TargetContent includes its embeds' links.
	TargetMessageID string
	TargetContent   string
	Locale          string
}

// Sub is the subcommand path joined with spaces, e.g. "feeds add".
func (r Request) Sub() string { return strings.Join(r.Path, " ") }

// String returns a string option, or "" when absent.
func (r Request) String(name string) string {
	s, _ := r.Options[name].(string)
	return strings.TrimSpace(s)
}

// Bool returns a boolean option, or false when absent.
func (r Request) Bool(name string) bool {
	b, _ := r.Options[name].(bool)
	return b
}

// Int returns an integer option and whether it was given.
func (r Request) Int(name string) (int64, bool) {
	switch v := r.Options[name].(type) {
	case int64:
		return v, true
	case int:
		return int64(v), true
	case float64:
		return int64(v), true
	}
	return 0, false
}

// SettingsChannel is the channel whose settings apply: a thread's parent,
// else the channel itself.
func (r Request) SettingsChannel() string {
	if r.ParentID != "" {
		return r.ParentID
	}
	return r.ChannelID
}

// CanPost reports whether the member may send messages where the command
// was used (in a thread: send messages in threads). Precis answers in
// public on a member's behalf only there.
func (r Request) CanPost() bool {
	if r.InThread {
		return r.Permissions&(PermSendInThreads|PermAdministrator) != 0
	}
	return r.Permissions&(PermSendMessages|PermAdministrator) != 0
}

// permissionsIn is the member's permissions in channelID, as Discord sent
// them (for the channel the command was used in, or one its options name),
// and whether they are known.
func (r Request) permissionsIn(channelID string) (int64, bool) {
	if perms, ok := r.ChannelPermissions[channelID]; ok {
		return perms, true
	}
	return r.Permissions, channelID == r.ChannelID
}

// canView reports whether the member can see channelID; unknown means no.
func (r Request) canView(channelID string) bool {
	perms, ok := r.permissionsIn(channelID)
	return ok && perms&(PermViewChannel|PermAdministrator) != 0
}

// Has reports whether an option was given.
func (r Request) Has(name string) bool {
	_, ok := r.Options[name]
	return ok
}

// Response is what a handler wants shown, as domain values: the render
// package turns it into Discord messages. Error, when set, replaces
// everything else with a short explanation only the user sees.
type Response struct {
	Ephemeral bool
	Content   string
	Summaries []*summarize.Summary
	// Length is the summary length asked for, so short ones render compactly.
	Length string
	// Digest is a digest preview.
	Digest *digest.Digest
	// Links are link buttons shown with the answer or the error, such as
	// an "Archived copy" search for a page that could not be read.
	Links []Link
	// Answer is the answer to a question (/ask, the Ask button).
	Answer *summarize.Answer
	Error  string

	// Recap is a checked recap of a discussion.
	Recap *recap.Recap
	// Comparison is a checked comparison of coverage (/compare, the
	// Compare button).
	Comparison *compare.Comparison
}

// Link is a link button.
type Link struct{ Label, URL string }
