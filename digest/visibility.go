package digest

import (
	"context"

	"github.com/precisbot/precis/store"
)

// ReasonNotVisible is recorded in Report.LeftOut for a link shared in a
// channel that some of the digest's readers cannot see. Such entries carry
// neither the link nor its title: the report is shown in /digest status.
const ReasonNotVisible = "shared where not everyone here can see it"

// audience answers, for one compose, whether links shared in a channel may
// be shown in the digest's channel, asking Visibility once per channel.
type audience struct {
	s                  *Service
	guildID, channelID string
	known              map[string]bool
}

func (s *Service) newAudience(sched store.DigestSchedule) *audience {
	return &audience{s: s, guildID: sched.GuildID, channelID: sched.ChannelID, known: make(map[string]bool)}
}

// allows reports whether a link shared in channelID may be shown; one that
// may not is recorded in rep. Without a Visibility every link may, and a
// link shared in the digest's own channel always may.
func (a *audience) allows(ctx context.Context, channelID string, rep *Report) bool {
	if a.s.visibility == nil || channelID == a.channelID {
		return true
	}
	ok, seen := a.known[channelID]
	if !seen {
		var err error
		ok, err = a.s.visibility.Covers(ctx, a.guildID, channelID, a.channelID)
		if err != nil {
			ok = false
			a.s.log.Warn("cannot tell who sees a channel: its links stay out of the digest",
				"guild_id", a.guildID, "channel_id", channelID, "digest_channel_id", a.channelID, "err", err)
		}
		a.known[channelID] = ok
	}
	if !ok {
		rep.leaveOut("", "", ReasonNotVisible)
	}
	return ok
}
