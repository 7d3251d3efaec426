package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/precisbot/precis/pipeline"
)

func (h *Handler) digest(ctx context.Context, req Request) Response {
	if h.deps.Digest == nil {
		return Response{Error: "Daily digests are not enabled on this Precis instance."}
	}
	if req.GuildID == "" {
		return Response{Error: "Digests belong to server channels; use this in a server."}
	}
	// Every /digest subcommand shows or changes what the server shares in
	// its digests, so every one needs Manage Server, checked here from the
	// interaction's member permissions whatever Discord's defaults say.
	if !canManage(req.Permissions) {
		return Response{Error: "You need the Manage Server permission to use /digest."}
	}
	sub := req.Sub()
	channel := req.String("channel")
	orHere := channel
	if orHere == "" {
		orHere = req.ChannelID
	}
	switch sub {
	case "set", "feeds add":
		if msg := h.checkDigestChannel(ctx, req, orHere); msg != "" {
			return Response{Error: msg}
		}
	case "preview", "feeds list":
		// Manage Server does not include seeing every channel: a preview
		// shows what would be shared in a channel, so only to those who
		// can see it.
		if !req.canView(orHere) {
			return Response{Error: fmt.Sprintf("You need to be able to see <#%s> to look at its digest.", orHere)}
		}
	}
	d := h.deps.Digest
	switch sub {
	case "set":
		if channel == "" {
			return Response{Error: "Choose the channel for the digest."}
		}
		sources := req.String("sources")
		if sources == "" {
			sources = "both"
		}
		hhmm, tz := req.String("time"), req.String("timezone")
		next, err := d.Set(ctx, req.GuildID, channel, hhmm, tz, sources)
		if err != nil {
			return Response{Error: pipeline.Explain(err)}
		}
		msg := fmt.Sprintf("Daily digest for <#%s> at %s %s (sources: %s).", channel, hhmm, tz, sources)
		if req.Has("quiet_day") {
			post := req.Bool("quiet_day")
			if err := d.SetQuietDay(ctx, req.GuildID, channel, post); err != nil {
				return Response{Error: pipeline.Explain(err)}
			}
			if post {
				msg += " Days with nothing to report get a short line."
			} else {
				msg += " Days with nothing to report are skipped."
			}
		}
		if !next.IsZero() {
			msg += fmt.Sprintf(" Next one <t:%d:R> (<t:%d:f>).", next.Unix(), next.Unix())
		}
		return Response{Content: msg}
	case "off":
		if err := d.Off(ctx, req.GuildID, channel); err != nil {
			return Response{Error: pipeline.Explain(err)}
		}
		if channel == "" {
			return Response{Content: "Every daily digest in this server is off."}
		}
		return Response{Content: fmt.Sprintf("The daily digest for <#%s> is off.", channel)}
	case "feeds add":
		u := req.String("url")
		if err := d.AddFeed(ctx, req.GuildID, orHere, u); err != nil {
			return Response{Error: pipeline.Explain(err)}
		}
		return Response{Content: fmt.Sprintf("Added <%s> to the digest for <#%s>.", u, orHere)}
	case "feeds remove":
		u := req.String("url")
		if err := d.RemoveFeed(ctx, req.GuildID, orHere, u); err != nil {
			return Response{Error: pipeline.Explain(err)}
		}
		return Response{Content: fmt.Sprintf("Removed <%s> from the digest for <#%s>.", u, orHere)}
	case "feeds list":
		feeds, err := d.Feeds(ctx, req.GuildID, orHere)
		if err != nil {
			return Response{Error: pipeline.Explain(err)}
		}
		if len(feeds) == 0 {
			return Response{Content: fmt.Sprintf("<#%s> has no feeds. Add one with `/digest feeds add`.", orHere)}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Feeds for <#%s>:\n", orHere)
		for _, f := range feeds {
			b.WriteString("• <" + f + ">\n")
		}
		return Response{Content: strings.TrimSuffix(b.String(), "\n")}
	case "preview":
		dg, err := d.Preview(ctx, req.GuildID, orHere)
		if err != nil {
			return Response{Error: pipeline.Explain(err)}
		}
		if dg == nil || len(dg.Stories) == 0 && !dg.Quiet {
			return Response{Content: fmt.Sprintf("The digest for <#%s> would be empty right now.", orHere)}
		}
		return Response{Digest: dg}
	case "status":
		text, err := d.Status(ctx, req.GuildID, req.canView)
		if err != nil {
			return Response{Error: pipeline.Explain(err)}
		}
		if strings.TrimSpace(text) == "" {
			text = "No daily digests in this server. Start one with `/digest set`."
		}
		return Response{Content: text}
	}
	return Response{Error: "Unknown /digest subcommand."}
}

// checkDigestChannel makes sure a digest may go to channelID: the member
// can view and post there (so /digest set cannot make Precis speak where
// they could not), and Precis can view, post and embed links there. It
// returns the reason when not, or "".
func (h *Handler) checkDigestChannel(ctx context.Context, req Request, channelID string) string {
	member, ok := req.permissionsIn(channelID)
	need := PermViewChannel | PermSendMessages
	if !ok || member&PermAdministrator == 0 && member&need != need {
		return fmt.Sprintf("You need to be able to see and post in <#%s> to send a digest there.", channelID)
	}
	if h.deps.Access == nil {
		return ""
	}
	if err := h.deps.Access.CanPost(ctx, req.GuildID, channelID); err != nil {
		return pipeline.Explain(err)
	}
	return ""
}
