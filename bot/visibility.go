package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Who may see a shared link in a digest. A link shared in one channel may
// be shown in a digest posted in another only if everyone who can view the
// digest's channel can also view the channel it was shared in. Discord
// decides who can view a channel from the server's roles and the channel's
// permission overwrites; Precis does not list members (that needs a
// privileged intent), so it checks every kind of member those rules can
// tell apart, at the time the digest is composed:
//
//   - a member with no role but @everyone;
//   - a member with any one or any two of the roles that have an overwrite
//     on either channel, and with a role that grants View Channel without
//     one (two roles are enough: one to see the digest's channel, one to be
//     kept out of the other; more roles only add allows);
//   - each of those again as each member who has an overwrite of their own
//     on either channel.
//
// If any of them can view the digest's channel but not the shared one, the
// link stays out. Administrators and the server owner see every channel
// and never keep a link out. A thread is judged by its parent channel;
// links from private threads never count; links from age-restricted (NSFW)
// channels never go into a channel that is not. When Precis cannot tell (a
// channel or the server's roles cannot be read), the link stays out.

// Covers reports whether a link shared in sharedChannelID may appear in a
// digest posted in digestChannelID of guild guildID; it implements
// digest.Visibility. It reads the gateway's state, asking the API for what
// the state lacks (archived threads; servers of other shards). An error
// means Precis could not tell; the answer is then false.
func (c *Client) Covers(ctx context.Context, guildID, sharedChannelID, digestChannelID string) (bool, error) {
	if sharedChannelID == digestChannelID {
		return true, nil
	}
	shared, private, err := c.audienceOf(ctx, guildID, sharedChannelID)
	if err != nil {
		return false, fmt.Errorf("shared-in channel %s: %w", sharedChannelID, err)
	}
	if private {
		return false, nil
	}
	dest, _, err := c.audienceOf(ctx, guildID, digestChannelID)
	if err != nil {
		return false, fmt.Errorf("digest channel %s: %w", digestChannelID, err)
	}
	if shared.id == dest.id {
		return true, nil // a public thread of the digest's channel
	}
	if shared.nsfw && !dest.nsfw {
		return false, nil
	}
	g, err := c.guildRoles(ctx, guildID)
	if err != nil {
		return false, err
	}
	return viewCovered(g, shared.overwrites, dest.overwrites), nil
}

// channelRules are the parts of a channel that decide who can view it.
type channelRules struct {
	id, guildID, parentID string
	typ                   discordgo.ChannelType
	nsfw                  bool
	overwrites            []discordgo.PermissionOverwrite
}

// guildRules are a server's roles: ID to permissions. The @everyone role's
// ID is the server's.
type guildRules struct {
	everyone, owner string
	roles           map[string]int64
}

// errOtherGuild is a channel that is not in the digest's server.
var errOtherGuild = errors.New("channel is not in this server")

// audienceOf returns the channel whose audience decides who sees a
// channel: the channel itself, or a thread's parent. private is true for
// a private thread.
func (c *Client) audienceOf(ctx context.Context, guildID, channelID string) (ch channelRules, private bool, err error) {
	ch, err = c.channelRules(ctx, channelID)
	if err != nil {
		return ch, false, err
	}
	if ch.guildID != guildID {
		return ch, false, errOtherGuild
	}
	if !isThread(ch.typ) {
		return ch, false, nil
	}
	private = ch.typ == discordgo.ChannelTypeGuildPrivateThread
	if ch.parentID == "" {
		return ch, private, errors.New("thread without a parent channel")
	}
	parent, err := c.channelRules(ctx, ch.parentID)
	if err != nil {
		return parent, private, fmt.Errorf("parent channel %s: %w", ch.parentID, err)
	}
	if parent.guildID != guildID {
		return parent, private, errOtherGuild
	}
	if isThread(parent.typ) {
		return parent, private, errors.New("thread inside a thread")
	}
	return parent, private, nil
}

func isThread(t discordgo.ChannelType) bool {
	return t == discordgo.ChannelTypeGuildPublicThread || t == discordgo.ChannelTypeGuildPrivateThread ||
		t == discordgo.ChannelTypeGuildNewsThread
}

// lookupTimeout bounds one API request for a channel or a server's roles.
const lookupTimeout = 5 * time.Second

// channelRules reads a channel from the gateway's state, or from the API
// when the state lacks it.
func (c *Client) channelRules(ctx context.Context, channelID string) (channelRules, error) {
	if st := c.session.State; st != nil {
		if ch, err := st.Channel(channelID); err == nil {
			st.RLock()
			defer st.RUnlock()
			return rulesOf(ch), nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	ch, err := c.session.Channel(channelID, discordgo.WithContext(ctx))
	if err != nil {
		return channelRules{}, err
	}
	return rulesOf(ch), nil
}

// rulesOf copies what decides a channel's audience; for a channel of the
// state, the caller holds the state's read lock.
func rulesOf(ch *discordgo.Channel) channelRules {
	r := channelRules{id: ch.ID, guildID: ch.GuildID, parentID: ch.ParentID, typ: ch.Type, nsfw: ch.NSFW}
	for _, o := range ch.PermissionOverwrites {
		if o != nil {
			r.overwrites = append(r.overwrites, *o)
		}
	}
	return r
}

// guildRoles reads a server's roles from the gateway's state, or from the
// API when the state lacks the server.
func (c *Client) guildRoles(ctx context.Context, guildID string) (guildRules, error) {
	g := guildRules{everyone: guildID, roles: map[string]int64{}}
	if st := c.session.State; st != nil {
		if sg, err := st.Guild(guildID); err == nil {
			st.RLock()
			defer st.RUnlock()
			g.owner = sg.OwnerID
			for _, r := range sg.Roles {
				if r != nil {
					g.roles[r.ID] = r.Permissions
				}
			}
			if _, ok := g.roles[guildID]; ok {
				return g, nil
			}
			// A server in the state without its roles: ask the API.
		}
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	roles, err := c.session.GuildRoles(guildID, discordgo.WithContext(ctx))
	if err != nil {
		return g, fmt.Errorf("roles of server %s: %w", guildID, err)
	}
	for _, r := range roles {
		if r != nil {
			g.roles[r.ID] = r.Permissions
		}
	}
	if _, ok := g.roles[guildID]; !ok {
		return g, fmt.Errorf("roles of server %s: no @everyone role", guildID)
	}
	return g, nil
}

// viewBits are the overwrite bits of one role or member that matter here.
type viewBits struct{ allow, deny bool }

// viewRules is a channel's overwrites, reduced to View Channel.
type viewRules struct {
	everyone viewBits
	roles    map[string]viewBits
	members  map[string]viewBits
}

func newViewRules(everyone string, ows []discordgo.PermissionOverwrite) viewRules {
	v := viewRules{roles: map[string]viewBits{}, members: map[string]viewBits{}}
	for _, o := range ows {
		b := viewBits{allow: o.Allow&discordgo.PermissionViewChannel != 0, deny: o.Deny&discordgo.PermissionViewChannel != 0}
		switch {
		case o.Type == discordgo.PermissionOverwriteTypeRole && o.ID == everyone:
			v.everyone = b
		case o.Type == discordgo.PermissionOverwriteTypeRole:
			v.roles[o.ID] = b
		case o.Type == discordgo.PermissionOverwriteTypeMember:
			v.members[o.ID] = b
		}
	}
	return v
}

// view applies Discord's order to one member: the permissions of their
// roles (with @everyone's), Administrator, then the channel's @everyone
// overwrite, the overwrites of their roles (denies, then allows) and their
// own overwrite.
func view(base int64, everyone viewBits, roleAllow, roleDeny bool, member viewBits) bool {
	if base&discordgo.PermissionAdministrator != 0 {
		return true
	}
	v := base&discordgo.PermissionViewChannel != 0
	if everyone.deny {
		v = false
	}
	if everyone.allow {
		v = true
	}
	if roleDeny {
		v = false
	}
	if roleAllow {
		v = true
	}
	if member.deny {
		v = false
	}
	if member.allow {
		v = true
	}
	return v
}

// candidate is a role tried as part of a member: its permissions and its
// overwrites on the shared (src) and the digest's (dst) channel.
type candidate struct {
	base     int64
	src, dst viewBits
}

// viewCovered reports whether every member who can view the channel with
// overwrites to can also view the channel with overwrites from (see the
// comment at the top of this file for the members it checks).
func viewCovered(g guildRules, from, to []discordgo.PermissionOverwrite) bool {
	src, dst := newViewRules(g.everyone, from), newViewRules(g.everyone, to)

	// Roles worth trying: every role with an overwrite on either channel
	// (known to the server or not), and one role that grants View Channel
	// without an overwrite. Others act like @everyone alone. The first
	// candidate is "no role".
	seen := map[string]bool{g.everyone: true}
	var ids []string
	for _, v := range []viewRules{src, dst} {
		for id := range v.roles {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	var plain []string
	for id, p := range g.roles {
		if !seen[id] && p&discordgo.PermissionViewChannel != 0 && p&discordgo.PermissionAdministrator == 0 {
			plain = append(plain, id)
		}
	}
	if len(plain) > 0 {
		sort.Strings(plain)
		ids = append(ids, plain[0])
	}
	sort.Strings(ids)
	cands := make([]candidate, 0, len(ids))
	for _, id := range ids {
		cands = append(cands, candidate{base: g.roles[id], src: src.roles[id], dst: dst.roles[id]})
	}

	members := []string{""}
	for _, v := range []viewRules{src, dst} {
		for id := range v.members {
			if !seen["member:"+id] && id != g.owner {
				seen["member:"+id] = true
				members = append(members, id)
			}
		}
	}

	everyone := g.roles[g.everyone]
	for _, m := range members {
		ms, md := src.members[m], dst.members[m]
		// leaks: this member with roles a and b (a zero candidate is no
		// role) sees the digest's channel but not the shared one.
		leaks := func(a, b candidate) bool {
			base := everyone | a.base | b.base
			return view(base, dst.everyone, a.dst.allow || b.dst.allow, a.dst.deny || b.dst.deny, md) &&
				!view(base, src.everyone, a.src.allow || b.src.allow, a.src.deny || b.src.deny, ms)
		}
		if leaks(candidate{}, candidate{}) {
			return false
		}
		for i, a := range cands {
			if leaks(a, candidate{}) {
				return false
			}
			for _, b := range cands[i+1:] {
				if leaks(a, b) {
					return false
				}
			}
		}
	}
	return true
}
