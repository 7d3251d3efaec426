package digest

import "time"

// Digest is one channel's digest for one local day as domain values: what
// to say, not how Discord shows it. Text in it is raw (untrusted titles and
// summaries included); the render package escapes it and fits it to
// Discord's limits.
type Digest struct {
	GuildID, ChannelID string
	// LocalDate is the run's date in the channel's zone ("2006-01-02"): a
	// digest is posted once per channel and LocalDate.
	LocalDate string
	// Date is the local time of the run, for the header.
	Date time.Time
	// Quiet means there is nothing to report; QuietNote says whether a
	// one-line note is posted then (the schedule's quiet_day choice).
	Quiet, QuietNote bool
	// Stories are ranked, most important first.
	Stories []Story
}

// Story is one story of a digest: one or more articles about it.
type Story struct {
	Title, URL string
	// Summary is the story's text, already cut to the digest's word budget.
	Summary string
	// SummaryFrom says where Summary came from: "cache", "summarizer",
	// "feed" or "none".
	SummaryFrom string
	// Sources are the articles, most important first.
	Sources []Source
	// Shares is how many times the story's links were shared, in how many
	// Channels.
	Shares, Channels int
}

// Source is one article of a story and where it was shared.
type Source struct {
	URL string
	// Site is the outlet's self-declared name, or the host.
	Site string
	// Shares are the first share in each channel it was shared in, in
	// order.
	Shares []Share
	// FromFeed is true when it came only from a followed feed.
	FromFeed bool
}

// Share is a message that shared a link.
type Share struct {
	ChannelID, MessageID string
	// ChannelName is the channel's name without '#', or "" when unknown.
	ChannelName string
}

// digest turns the composition into its domain value.
func (c *composition) digest(channelID string) *Digest {
	d := &Digest{
		GuildID: c.guildID, ChannelID: channelID, LocalDate: c.report.LocalDate, Date: c.date,
		Quiet: c.quiet, QuietNote: c.quietDay,
	}
	for _, e := range c.entries {
		st := Story{
			Title: e.title, URL: e.url, Summary: e.summary, SummaryFrom: e.from,
			Shares: e.shares, Channels: e.channels,
		}
		for _, it := range e.items {
			src := Source{URL: it.url, Site: it.site(), FromFeed: len(it.shares) == 0 && len(it.feeds) > 0}
			seen := make(map[string]bool)
			for _, sh := range it.shares {
				if seen[sh.ChannelID] {
					continue
				}
				seen[sh.ChannelID] = true
				src.Shares = append(src.Shares, Share{
					ChannelID: sh.ChannelID, MessageID: sh.MessageID, ChannelName: c.names[sh.ChannelID],
				})
			}
			st.Sources = append(st.Sources, src)
		}
		d.Stories = append(d.Stories, st)
	}
	return d
}
