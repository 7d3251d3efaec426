package render

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/internal/discordtext"
)

const (
	digestColor       = 0x4F6D8F
	maxSourcesListed  = 8
	maxChannelsListed = 3
)

// Digest renders a digest as messages: a header line, then one embed per
// story, packed into as few messages as Discord's limits allow. A quiet
// digest is a one-line note, or nothing when the schedule posts nothing on
// quiet days. Every message carries allowed_mentions with an empty parse
// list, and every untrusted text in it is escaped.
func Digest(d *digest.Digest) []*discordgo.MessageSend {
	if d == nil {
		return nil
	}
	if d.Quiet || len(d.Stories) == 0 {
		if !d.QuietNote {
			return nil
		}
		return []*discordgo.MessageSend{{
			Content:         discordtext.Truncate(DigestHeader(d)+": quiet day, nothing new since the last digest.", discordtext.MaxContent),
			AllowedMentions: noMentions(),
		}}
	}
	header := fmt.Sprintf("%s: %d %s", DigestHeader(d), len(d.Stories), plural(len(d.Stories), "story", "stories"))

	var msgs []*discordgo.MessageSend
	var cur []*discordgo.MessageEmbed
	total := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		m := &discordgo.MessageSend{Embeds: fitEmbeds(cur), AllowedMentions: noMentions()}
		if len(msgs) == 0 {
			m.Content = discordtext.Truncate(header, discordtext.MaxContent)
		}
		msgs = append(msgs, m)
		cur, total = nil, 0
	}
	for i, st := range d.Stories {
		e := storyEmbed(d.GuildID, i+1, st)
		fitEmbed(e)
		n := embedLength(e)
		if len(cur) == discordtext.MaxEmbeds || total+n > discordtext.MaxEmbedTotal {
			flush()
		}
		cur = append(cur, e)
		total += n
	}
	flush()
	return msgs
}

// DigestHeader is how the first message of d's digest begins, whatever it
// holds; the adapter looks for it among the channel's recent messages when
// it takes over a run.
func DigestHeader(d *digest.Digest) string {
	return "📰 **Daily digest · " + d.Date.Format("Monday 2 January 2006") + "**"
}

// storyEmbed renders one story: its title linking to the main article, the
// summary, then every source article and where it was shared.
func storyEmbed(guildID string, rank int, st digest.Story) *discordgo.MessageEmbed {
	var b strings.Builder
	if st.Summary != "" {
		b.WriteString(safeText(st.Summary))
		b.WriteString("\n\n")
	}
	for i, src := range st.Sources {
		if i == maxSourcesListed {
			fmt.Fprintf(&b, "… and %d more sources\n", len(st.Sources)-i)
			break
		}
		b.WriteString(sourceLink(src))
		for j, sh := range src.Shares {
			if j == maxChannelsListed {
				b.WriteString(" · …")
				break
			}
			if sh.MessageID != "" {
				fmt.Fprintf(&b, " · [shared in %s](%s)", channelLabel(sh), messageLink(guildID, sh.ChannelID, sh.MessageID))
			} else {
				fmt.Fprintf(&b, " · shared in %s", channelLabel(sh))
			}
		}
		if src.FromFeed {
			b.WriteString(" · from a followed feed")
		}
		b.WriteByte('\n')
	}

	var foot []string
	if n := len(st.Sources); n > 1 {
		foot = append(foot, fmt.Sprintf("%d sources", n))
	}
	switch {
	case st.Shares == 1:
		foot = append(foot, "shared once")
	case st.Shares > 1 && st.Channels > 1:
		foot = append(foot, fmt.Sprintf("shared %d times in %d channels", st.Shares, st.Channels))
	case st.Shares > 1:
		foot = append(foot, fmt.Sprintf("shared %d times", st.Shares))
	}
	if st.SummaryFrom == "feed" {
		foot = append(foot, "summary from the feed")
	}
	emb := &discordgo.MessageEmbed{
		Title:       discordtext.Truncate(fmt.Sprintf("%d. %s", rank, safeText(st.Title)), discordtext.MaxEmbedTitle),
		Description: discordtext.Truncate(strings.TrimSpace(b.String()), discordtext.MaxEmbedDescription),
		Color:       digestColor,
	}
	if u := renderURL(st.URL); u != "" && len(u) <= renderMaxEmbedURL {
		emb.URL = u
	}
	if len(foot) > 0 {
		emb.Footer = &discordgo.MessageEmbedFooter{Text: strings.Join(foot, " · ")}
	}
	return emb
}

// sourceLink is "• [host](url)". The visible text is the link's real host,
// never the page's self-declared site name alone, so a masked link cannot
// pretend to lead somewhere else; the site name goes before it when it
// differs.
func sourceLink(src digest.Source) string {
	host := renderHost(renderURL(src.URL))
	if host == "" {
		return "• " + safeText(src.URL)
	}
	site := safeText(src.Site)
	link := fmt.Sprintf("[%s](%s)", safeText(host), markdownURL(src.URL))
	if site != "" && !strings.EqualFold(site, host) && !strings.EqualFold(strings.ReplaceAll(site, `\`, ""), host) {
		return "• " + site + " · " + link
	}
	return "• " + link
}

// messageLink is the jump link to a Discord message.
func messageLink(guildID, channelID, messageID string) string {
	return fmt.Sprintf("https://discord.com/channels/%s/%s/%s", guildID, channelID, messageID)
}

// channelLabel is "#name" when the name is known, else a <#id> channel
// mention, which Discord shows as the channel name and which never pings.
func channelLabel(sh digest.Share) string {
	if name := safeText(strings.TrimPrefix(sh.ChannelName, "#")); name != "" {
		return "#" + name
	}
	return "<#" + sh.ChannelID + ">"
}

// safeText makes untrusted text inert as one line of Discord Markdown.
func safeText(s string) string { return discordtext.SafeLine(s) }

// markdownURL makes a URL safe inside a markdown masked link: Discord ends
// the link at ')' or white space, so those are percent-encoded.
func markdownURL(u string) string {
	if pu, err := url.Parse(u); err == nil {
		u = pu.String()
	}
	return strings.NewReplacer(" ", "%20", ")", "%29", "(", "%28", "<", "%3C", ">", "%3E").Replace(u)
}
