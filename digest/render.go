package digest

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/discordtext"
)

const (
	embedColor        = 0x4F6D8F
	maxSourcesListed  = 8
	maxChannelsListed = 3
)

// messageLink is the jump link to a Discord message.
func messageLink(guildID, channelID, messageID string) string {
	return fmt.Sprintf("https://discord.com/channels/%s/%s/%s", guildID, channelID, messageID)
}

// channelLabel is "#name" when the name is known, else a <#id> channel
// mention, which Discord shows as the channel name and which never pings.
func (c *composition) channelLabel(channelID string) string {
	if name := safeText(strings.TrimPrefix(c.names[channelID], "#")); name != "" {
		return "#" + name
	}
	return "<#" + channelID + ">"
}

// render turns a composition into messages: a header line, then one embed
// per story, packed into as few messages as Discord's limits allow. Every
// message carries allowed_mentions with an empty parse list.
func (c *composition) render() []*discordgo.MessageSend {
	date := c.date.Format("Monday 2 January 2006")
	if c.quiet {
		if !c.quietDay {
			return nil
		}
		return []*discordgo.MessageSend{{
			Content:         discordtext.Truncate(fmt.Sprintf("📰 **Daily digest · %s**: quiet day, nothing new since the last digest.", date), discordtext.MaxContent),
			AllowedMentions: discordtext.NoMentions(),
		}}
	}

	stories := "stories"
	if len(c.entries) == 1 {
		stories = "story"
	}
	header := fmt.Sprintf("📰 **Daily digest · %s**: %d %s", date, len(c.entries), stories)

	var embeds []*discordgo.MessageEmbed
	for i, e := range c.entries {
		embeds = append(embeds, c.embed(i+1, e))
	}

	var msgs []*discordgo.MessageSend
	var cur []*discordgo.MessageEmbed
	total := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		m := &discordgo.MessageSend{
			Embeds:          discordtext.FitEmbeds(cur),
			AllowedMentions: discordtext.NoMentions(),
		}
		if len(msgs) == 0 {
			m.Content = discordtext.Truncate(header, discordtext.MaxContent)
		}
		msgs = append(msgs, m)
		cur, total = nil, 0
	}
	for _, e := range embeds {
		discordtext.FitEmbed(e)
		n := discordtext.EmbedLength(e)
		if len(cur) == discordtext.MaxEmbeds || total+n > discordtext.MaxEmbedTotal {
			flush()
		}
		cur = append(cur, e)
		total += n
	}
	flush()
	return msgs
}

// embed renders one story: its headline linking to the main article, the
// summary, then every source article and where it was shared.
func (c *composition) embed(rank int, e *entry) *discordgo.MessageEmbed {
	var b strings.Builder
	if e.summary != "" {
		b.WriteString(safeText(e.summary))
		b.WriteString("\n\n")
	}
	for i, it := range e.items {
		if i == maxSourcesListed {
			fmt.Fprintf(&b, "… and %d more sources\n", len(e.items)-i)
			break
		}
		fmt.Fprintf(&b, "• [%s](%s)", linkText(it.site()), linkURL(it.url))
		seen := make(map[string]bool)
		listed := 0
		for _, sh := range it.shares {
			if seen[sh.ChannelID] {
				continue
			}
			seen[sh.ChannelID] = true
			if listed == maxChannelsListed {
				b.WriteString(" · …")
				break
			}
			listed++
			if sh.MessageID != "" {
				fmt.Fprintf(&b, " · [shared in %s](%s)", c.channelLabel(sh.ChannelID), messageLink(c.guildID, sh.ChannelID, sh.MessageID))
			} else {
				fmt.Fprintf(&b, " · shared in %s", c.channelLabel(sh.ChannelID))
			}
		}
		if len(it.shares) == 0 && len(it.feeds) > 0 {
			b.WriteString(" · from a followed feed")
		}
		b.WriteByte('\n')
	}

	var foot []string
	if n := len(e.items); n > 1 {
		foot = append(foot, fmt.Sprintf("%d sources", n))
	}
	switch {
	case e.shares == 1:
		foot = append(foot, "shared once")
	case e.shares > 1 && e.channels > 1:
		foot = append(foot, fmt.Sprintf("shared %d times in %d channels", e.shares, e.channels))
	case e.shares > 1:
		foot = append(foot, fmt.Sprintf("shared %d times", e.shares))
	}
	if e.from == "feed" {
		foot = append(foot, "summary from the feed")
	}
	emb := &discordgo.MessageEmbed{
		Title:       discordtext.Truncate(fmt.Sprintf("%d. %s", rank, safeText(e.title)), discordtext.MaxEmbedTitle),
		URL:         e.url,
		Description: discordtext.Truncate(strings.TrimSpace(b.String()), discordtext.MaxEmbedDescription),
		Color:       embedColor,
	}
	if len(foot) > 0 {
		emb.Footer = &discordgo.MessageEmbedFooter{Text: strings.Join(foot, " · ")}
	}
	return emb
}
