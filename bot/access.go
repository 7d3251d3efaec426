package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// postPermissions are what Precis needs to post a summary or a digest.
const postPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks

// AccessError says what Precis lacks in a channel, in words an admin can
// act on.
type AccessError struct {
	ChannelID string
	Missing   []string
}

func (e *AccessError) Error() string {
	return fmt.Sprintf("channel %s: missing %s", e.ChannelID, strings.Join(e.Missing, ", "))
}

// UserMessage is the sentence for the person who asked.
func (e *AccessError) UserMessage() string {
	return fmt.Sprintf("Precis can't post in <#%s>: it needs the %s permission there. Give its role that permission in the channel's settings, then try again.",
		e.ChannelID, strings.Join(e.Missing, " and "))
}

// CanPost reports whether Precis may view, post and embed links in a
// channel (a thread: its parent's permissions, and Send Messages in
// Threads); it implements commands.Access. The answer comes from the
// gateway's state: the server's roles and the channel's overwrites.
func (c *Client) CanPost(ctx context.Context, guildID, channelID string) error {
	self, err := c.selfID(ctx)
	if err != nil {
		return err
	}
	st := c.session.State
	if _, err := st.Guild(guildID); guildID != "" && err != nil {
		// Another shard's server (or one this process has not seen yet):
		// its permissions are not known here, and posting tells soon
		// enough (a refusal is retried and shown in /digest status).
		return nil
	}
	ch, err := st.Channel(channelID)
	if err != nil {
		if ch, err = c.session.Channel(channelID, discordgo.WithContext(ctx)); err != nil {
			return fmt.Errorf("look up channel %s: %w", channelID, err)
		}
	}
	target := channelID
	need := int64(postPermissions)
	if ch.IsThread() && ch.ParentID != "" {
		target = ch.ParentID
		need = discordgo.PermissionViewChannel | discordgo.PermissionSendMessagesInThreads | discordgo.PermissionEmbedLinks
	}
	perms, err := st.UserChannelPermissions(self, target)
	if err != nil {
		return fmt.Errorf("permissions in channel %s: %w", target, err)
	}
	if perms&discordgo.PermissionAdministrator != 0 || perms&need == need {
		return nil
	}
	var missing []string
	for _, p := range []struct {
		bit  int64
		name string
	}{
		{discordgo.PermissionViewChannel, "View Channel"},
		{discordgo.PermissionSendMessages, "Send Messages"},
		{discordgo.PermissionSendMessagesInThreads, "Send Messages in Threads"},
		{discordgo.PermissionEmbedLinks, "Embed Links"},
	} {
		if need&p.bit != 0 && perms&p.bit == 0 {
			missing = append(missing, p.name)
		}
	}
	return &AccessError{ChannelID: channelID, Missing: missing}
}

// place is where a message or command is: a thread answers to its parent
// channel's settings.
func (c *Client) place(channelID string) (parentID string, inThread bool) {
	ch, err := c.session.State.Channel(channelID)
	if err != nil || ch == nil || !ch.IsThread() {
		return "", false
	}
	return ch.ParentID, true
}

// memberPermissions computes the invoking member's permissions in the
// channels a command's options name (discordgo drops the permissions
// Discord sends with resolved channels).
func (c *Client) memberPermissions(i *discordgo.Interaction) map[string]int64 {
	if i.Type != discordgo.InteractionApplicationCommand {
		return nil
	}
	data := i.ApplicationCommandData()
	if data.Resolved == nil || len(data.Resolved.Channels) == 0 {
		return nil
	}
	ids := make([]string, 0, len(data.Resolved.Channels))
	for id := range data.Resolved.Channels {
		ids = append(ids, id)
	}
	return c.permissionsIn(i.GuildID, i.Member, ids...)
}

// memberCanPost reports whether a member may send messages in a channel
// (in a thread: send in threads). Unknown means no.
func (c *Client) memberCanPost(guildID, channelID string, m *discordgo.Member) bool {
	need := int64(discordgo.PermissionSendMessages)
	if parent, inThread := c.place(channelID); inThread && parent != "" {
		channelID, need = parent, discordgo.PermissionSendMessagesInThreads
	}
	perms, ok := c.permissionsIn(guildID, m, channelID)[channelID]
	return ok && (perms&discordgo.PermissionAdministrator != 0 || perms&need != 0)
}

// permissionsIn is a member's permissions in channels, from the server's
// roles and the channels' overwrites in the gateway's state; a channel
// whose permissions cannot be computed is left out.
func (c *Client) permissionsIn(guildID string, m *discordgo.Member, channelIDs ...string) map[string]int64 {
	if m == nil || m.User == nil || guildID == "" {
		return nil
	}
	st := c.session.State
	mm := *m
	mm.GuildID = guildID
	if err := st.MemberAdd(&mm); err != nil {
		return nil
	}
	out := make(map[string]int64, len(channelIDs))
	for _, id := range channelIDs {
		if p, err := st.UserChannelPermissions(m.User.ID, id); err == nil {
			out[id] = p
		}
	}
	return out
}
