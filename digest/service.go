package digest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/store"
)

// Set schedules (or reschedules) the daily digest of a channel at local
// time hhmm ("HH:MM", 24-hour) in the IANA zone timezone, collecting from
// sources ("shared", "feeds" or "both"; "" means both). It returns the next
// run time. Bad input comes back as a *UserError.
//
// A new schedule posts a one-line "quiet day" note when there is nothing
// to report (store.DigestSchedule.QuietDay); setting the schedule again
// keeps the channel's existing choice. A schedule set after today's time
// has passed starts tomorrow, and a channel never gets two digests for one
// local date, even when its time or zone changes.
func (s *Service) Set(ctx context.Context, guildID, channelID, hhmm, timezone, sources string) (time.Time, error) {
	if guildID == "" || channelID == "" {
		return time.Time{}, userErrorf(nil, "Digests can only be set up in a server channel.")
	}
	at, err := parseClock(hhmm)
	if err != nil {
		return time.Time{}, userErrorf(err, "%q is not a time of day. Use HH:MM on a 24-hour clock, like 08:30 or 18:00.", hhmm)
	}
	loc, err := loadZone(timezone)
	if err != nil {
		return time.Time{}, userErrorf(err, "%q is not a time zone I know. Use an IANA zone name such as Europe/Berlin, America/New_York, Asia/Kolkata or UTC.", timezone)
	}
	src := strings.ToLower(strings.TrimSpace(sources))
	switch src {
	case "":
		src = SourcesBoth
	case SourcesShared, SourcesFeeds, SourcesBoth:
	default:
		return time.Time{}, userErrorf(nil, "Sources must be shared (links posted in this server), feeds (followed feeds) or both.")
	}

	quiet := true
	existing, err := s.store.GuildDigestSchedules(ctx, guildID)
	if err != nil {
		return time.Time{}, fmt.Errorf("digest schedules of guild %s: %w", guildID, err)
	}
	for _, d := range existing {
		if d.ChannelID == channelID {
			quiet = d.QuietDay
		}
	}
	now := s.clock.Now()
	sched := store.DigestSchedule{
		GuildID: guildID, ChannelID: channelID,
		Time: at.String(), Timezone: loc.String(), Sources: src,
		QuietDay: quiet, UpdatedAt: now,
	}
	if err := s.store.SetDigestSchedule(ctx, sched); err != nil {
		return time.Time{}, fmt.Errorf("save digest schedule for channel %s: %w", channelID, err)
	}
	p := plan{sched: sched, at: at, loc: loc}
	done, err := s.doneOn(ctx, channelID, p.localDate(now))
	if err != nil {
		return time.Time{}, err
	}
	s.log.Info("digest scheduled", "guild_id", guildID, "channel_id", channelID, "time", sched.Time, "timezone", sched.Timezone, "sources", src)
	return p.next(now, done), nil
}

// SetQuietDay chooses whether the channel's digest posts a short "quiet
// day" line when there is nothing to report (post) or posts nothing.
func (s *Service) SetQuietDay(ctx context.Context, guildID, channelID string, post bool) error {
	existing, err := s.store.GuildDigestSchedules(ctx, guildID)
	if err != nil {
		return fmt.Errorf("digest schedules of guild %s: %w", guildID, err)
	}
	for _, d := range existing {
		if d.ChannelID != channelID {
			continue
		}
		d.QuietDay = post
		d.UpdatedAt = s.clock.Now()
		if err := s.store.SetDigestSchedule(ctx, d); err != nil {
			return fmt.Errorf("save digest schedule for channel %s: %w", channelID, err)
		}
		return nil
	}
	return userErrorf(nil, "<#%s> has no daily digest. Set one up with `/digest set` first.", channelID)
}

// doneOn reports whether the channel's digest for localDate has been posted.
func (s *Service) doneOn(ctx context.Context, channelID, localDate string) (bool, error) {
	last, ok, err := s.store.LastDigestRun(ctx, channelID)
	if err != nil {
		return false, fmt.Errorf("last digest run of channel %s: %w", channelID, err)
	}
	return ranFor(last, ok, localDate), nil
}

// Off stops the digest of a channel, or with channelID "" every digest in
// the guild. Followed feeds are kept for when the digest is set again.
func (s *Service) Off(ctx context.Context, guildID, channelID string) error {
	scheds, err := s.store.GuildDigestSchedules(ctx, guildID)
	if err != nil {
		return fmt.Errorf("digest schedules of guild %s: %w", guildID, err)
	}
	n := 0
	for _, d := range scheds {
		if channelID != "" && d.ChannelID != channelID {
			continue
		}
		if err := s.store.DeleteDigestSchedule(ctx, guildID, d.ChannelID); err != nil {
			return fmt.Errorf("delete digest schedule of channel %s: %w", d.ChannelID, err)
		}
		n++
	}
	if n == 0 {
		if channelID == "" {
			return userErrorf(nil, "There is no digest scheduled in this server.")
		}
		return userErrorf(nil, "There is no digest scheduled in this channel.")
	}
	s.log.Info("digest off", "guild_id", guildID, "channel_id", channelID, "schedules", n)
	return nil
}

// checkFeedURL accepts absolute http and https URLs.
func checkFeedURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	raw = strings.TrimSuffix(strings.TrimPrefix(raw, "<"), ">") // Discord's no-embed form
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", userErrorf(err, "That is not a valid http or https feed address.")
	}
	u.Fragment = ""
	return u.String(), nil
}

// AddFeed makes the channel's digest follow a feed. The feed is fetched and
// parsed first: an unreachable address or something that is not an RSS,
// Atom or JSON feed is refused with a *UserError.
func (s *Service) AddFeed(ctx context.Context, guildID, channelID, feedURL string) error {
	u, err := checkFeedURL(feedURL)
	if err != nil {
		return err
	}
	feeds, err := s.store.Feeds(ctx, guildID, channelID)
	if err != nil {
		return fmt.Errorf("feeds of channel %s: %w", channelID, err)
	}
	for _, f := range feeds {
		if f.URL == u {
			return nil // already followed
		}
	}
	if len(feeds) >= s.opts.MaxFeedsPerChannel {
		return userErrorf(nil, "This channel already follows %d feeds, the most a digest can have. Remove one first.", len(feeds))
	}
	inGuild, err := s.store.GuildFeedCount(ctx, guildID)
	if err != nil {
		return fmt.Errorf("count feeds of guild %s: %w", guildID, err)
	}
	if inGuild >= s.opts.MaxFeedsPerServer {
		return userErrorf(nil, "This server's digests already follow %d feeds, the most one server can have. "+
			"Remove one with `/digest feeds remove` (in the channel that follows it) first.", inGuild)
	}

	prev, _, err := s.store.FeedState(ctx, u)
	if err != nil {
		return fmt.Errorf("feed state %s: %w", u, err)
	}
	// Validation ignores the conditional headers: a 304 proves nothing.
	items, page, err := s.fetchFeed(ctx, u, store.FeedState{URL: u})
	if err != nil {
		if page == nil {
			return userErrorf(err, "I couldn't fetch that feed: %s.", fetchErrorText(err))
		}
		return userErrorf(err, "That address doesn't serve an RSS, Atom or JSON feed I can read.")
	}
	now := s.clock.Now()
	if err := s.store.AddFeed(ctx, store.Feed{GuildID: guildID, ChannelID: channelID, URL: u, AddedAt: now}); err != nil {
		return fmt.Errorf("add feed %s: %w", u, err)
	}
	// Keep what was just fetched so the next poll is a conditional one.
	if len(items) > 0 {
		if err := s.store.AddFeedItems(ctx, items); err != nil {
			return fmt.Errorf("save items of feed %s: %w", u, err)
		}
	}
	st := store.FeedState{URL: u, ETag: page.ETag, LastModified: page.LastModified, LastPolled: now, NextPoll: now.Add(s.opts.FeedInterval)}
	if !prev.NextPoll.IsZero() && prev.NextPoll.Before(st.NextPoll) && prev.Failures == 0 {
		st.NextPoll = prev.NextPoll
	}
	if err := s.store.SetFeedState(ctx, st); err != nil {
		return fmt.Errorf("save feed state %s: %w", u, err)
	}
	s.log.Info("feed added", "guild_id", guildID, "channel_id", channelID, "feed_url", u, "items", len(items))
	return nil
}

// RemoveFeed stops following a feed in the channel's digest.
func (s *Service) RemoveFeed(ctx context.Context, guildID, channelID, feedURL string) error {
	u := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(feedURL), "<"), ">")
	if c, err := checkFeedURL(u); err == nil {
		u = c
	}
	ok, err := s.store.RemoveFeed(ctx, guildID, channelID, u)
	if err != nil {
		return fmt.Errorf("remove feed %s: %w", u, err)
	}
	if !ok {
		return userErrorf(nil, "This channel's digest doesn't follow that feed. `/digest feeds list` shows the ones it does.")
	}
	return nil
}

// Feeds lists the feed URLs the channel's digest follows.
func (s *Service) Feeds(ctx context.Context, guildID, channelID string) ([]string, error) {
	feeds, err := s.store.Feeds(ctx, guildID, channelID)
	if err != nil {
		return nil, fmt.Errorf("feeds of channel %s: %w", channelID, err)
	}
	out := make([]string, 0, len(feeds))
	for _, f := range feeds {
		out = append(out, f.URL)
	}
	return out, nil
}

// schedule returns the channel's schedule, if any.
func (s *Service) schedule(ctx context.Context, guildID, channelID string) (store.DigestSchedule, bool, error) {
	scheds, err := s.store.GuildDigestSchedules(ctx, guildID)
	if err != nil {
		return store.DigestSchedule{}, false, fmt.Errorf("digest schedules of guild %s: %w", guildID, err)
	}
	for _, d := range scheds {
		if d.ChannelID == channelID {
			return d, true, nil
		}
	}
	return store.DigestSchedule{}, false, nil
}

// Preview composes the channel's digest as it would look now, without
// posting or recording anything. A channel without a schedule previews
// with the defaults (both sources, UTC). A quiet preview is a one-line
// message, never nothing.
func (s *Service) Preview(ctx context.Context, guildID, channelID string) (*Digest, error) {
	sched, ok, err := s.schedule(ctx, guildID, channelID)
	if err != nil {
		return nil, err
	}
	if !ok {
		sched = store.DigestSchedule{GuildID: guildID, ChannelID: channelID, Time: "09:00", Timezone: "UTC", Sources: SourcesBoth}
	}
	sched.QuietDay = true
	loc, err := loadZone(sched.Timezone)
	if err != nil {
		loc = time.UTC
	}
	now := s.clock.Now()
	last, lastOK, err := s.store.LastDigestRun(ctx, channelID)
	if err != nil {
		return nil, fmt.Errorf("last digest run of channel %s: %w", channelID, err)
	}
	comp, err := s.compose(ctx, sched, loc, s.windowStart(last, lastOK, now), now)
	if err != nil {
		return nil, err
	}
	return comp.digest(channelID), nil
}

// Status describes the guild's digests in markdown: schedule, next run in
// the schedule's local time, the last run, what it included and why items
// were left out, and feeds that are failing.
//
// canSee, when set, says whether the person asking can see a digest's
// channel; the titles a digest included are listed only for those. nil
// lists them all.
func (s *Service) Status(ctx context.Context, guildID string, canSee func(channelID string) bool) (string, error) {
	scheds, err := s.store.GuildDigestSchedules(ctx, guildID)
	if err != nil {
		return "", fmt.Errorf("digest schedules of guild %s: %w", guildID, err)
	}
	if len(scheds) == 0 {
		return "No digest is scheduled in this server. Use `/digest set` in a channel to start one.", nil
	}
	sort.Slice(scheds, func(i, j int) bool { return scheds[i].ChannelID < scheds[j].ChannelID })
	now := s.clock.Now()
	var b strings.Builder
	for i, d := range scheds {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "**<#%s>**: daily at %s %s, sources: %s\n", d.ChannelID, d.Time, d.Timezone, d.Sources)
		p, err := newPlan(d)
		if err != nil {
			fmt.Fprintf(&b, "- schedule is invalid (%s); set it again with `/digest set`\n", safeText(err.Error()))
			continue
		}
		last, lastOK, err := s.store.LastDigestRun(ctx, d.ChannelID)
		if err != nil {
			return "", fmt.Errorf("last digest run of channel %s: %w", d.ChannelID, err)
		}
		done := ranFor(last, lastOK, p.localDate(now))
		next := p.next(now, done)
		fmt.Fprintf(&b, "- next: %s (<t:%d:R>)\n", next.In(p.loc).Format("Mon 2 Jan 15:04 MST"), next.Unix())
		if lastOK {
			writeLastRun(&b, last, p.loc, p.localDate(now), canSee == nil || canSee(d.ChannelID))
		} else {
			b.WriteString("- last: never run\n")
		}
		if err := s.writeFeeds(ctx, &b, d); err != nil {
			return "", err
		}
	}
	return discordtext.Truncate(strings.TrimSpace(b.String()), discordtext.MaxContent), nil
}

func writeLastRun(b *strings.Builder, last store.DigestRun, loc *time.Location, today string, titles bool) {
	switch {
	case last.Status == store.RunRetry && last.LocalDate == today:
		fmt.Fprintf(b, "- last: %s, not posted yet: %s (%s); next try %s\n", last.LocalDate, safeText(last.LastError),
			plural(last.Attempts, "failed attempt", "failed attempts"), last.NextAttempt.In(loc).Format("15:04 MST"))
		return
	case last.Status == store.RunRetry:
		fmt.Fprintf(b, "- last: %s, not posted: %s (%s, the day ended)\n", last.LocalDate, safeText(last.LastError),
			plural(last.Attempts, "failed attempt", "failed attempts"))
		return
	case last.Status != store.RunDone:
		fmt.Fprintf(b, "- last: %s, running since %s", last.LocalDate, last.ClaimedAt.In(loc).Format("15:04 MST"))
		if last.Attempts > 0 {
			fmt.Fprintf(b, " (after %s: %s)", plural(last.Attempts, "failed attempt", "failed attempts"), safeText(last.LastError))
		}
		b.WriteString("\n")
		return
	}
	var rep Report
	if err := json.Unmarshal([]byte(last.Report), &rep); err != nil {
		fmt.Fprintf(b, "- last: %s, posted %s\n", last.LocalDate, last.FinishedAt.In(loc).Format("15:04 MST"))
		return
	}
	fmt.Fprintf(b, "- last: %s, posted %s: ", last.LocalDate, last.FinishedAt.In(loc).Format("15:04 MST"))
	switch {
	case rep.Error != "":
		fmt.Fprintf(b, "failed (%s)\n", safeText(rep.Error))
	case rep.Quiet:
		fmt.Fprintf(b, "quiet day, nothing new (%s, %s)\n", plural(rep.SharedLinks, "link", "links"), plural(rep.FeedItems, "feed item", "feed items"))
	default:
		fmt.Fprintf(b, "%s from %s and %s\n", plural(len(rep.Included), "story", "stories"), plural(rep.SharedLinks, "shared link", "shared links"), plural(rep.FeedItems, "feed item", "feed items"))
	}
	for i, e := range rep.Included {
		if !titles {
			b.WriteString("  - (what it included is shown to those who can see the channel)\n")
			break
		}
		if i == 5 {
			fmt.Fprintf(b, "  - … and %d more\n", len(rep.Included)-i)
			break
		}
		fmt.Fprintf(b, "  - %s (%s, %s)\n", discordtext.Truncate(safeText(e.Title), 90), plural(e.Sources, "source", "sources"), plural(e.Shares, "share", "shares"))
	}
	if len(rep.LeftOut) > 0 {
		counts := make(map[string]int)
		var reasons []string
		for _, l := range rep.LeftOut {
			if counts[l.Reason] == 0 {
				reasons = append(reasons, l.Reason)
			}
			counts[l.Reason]++
		}
		parts := make([]string, 0, len(reasons))
		for _, r := range reasons {
			parts = append(parts, fmt.Sprintf("%d %s", counts[r], r))
		}
		if rep.LeftOutMore > 0 {
			parts = append(parts, fmt.Sprintf("%d more", rep.LeftOutMore))
		}
		fmt.Fprintf(b, "- left out: %s\n", strings.Join(parts, "; "))
	}
}

func (s *Service) writeFeeds(ctx context.Context, b *strings.Builder, d store.DigestSchedule) error {
	if d.Sources == SourcesShared {
		return nil
	}
	feeds, err := s.store.Feeds(ctx, d.GuildID, d.ChannelID)
	if err != nil {
		return fmt.Errorf("feeds of channel %s: %w", d.ChannelID, err)
	}
	if len(feeds) == 0 {
		b.WriteString("- feeds: none (add one with `/digest feeds add`)\n")
		return nil
	}
	var failing []string
	for _, f := range feeds {
		st, ok, err := s.store.FeedState(ctx, f.URL)
		if err != nil {
			return fmt.Errorf("feed state %s: %w", f.URL, err)
		}
		if ok && st.Failures > 0 {
			failing = append(failing, fmt.Sprintf("<%s> (%d failures: %s)", f.URL, st.Failures, discordtext.Truncate(safeText(st.LastError), 120)))
		}
	}
	fmt.Fprintf(b, "- feeds: %d followed", len(feeds))
	if len(failing) > 0 {
		fmt.Fprintf(b, ", %d failing:\n  - %s\n", len(failing), strings.Join(failing, "\n  - "))
	} else {
		b.WriteString("\n")
	}
	return nil
}

// IsUserError reports whether err carries a message meant for users.
func IsUserError(err error) bool {
	var ue *UserError
	return errors.As(err, &ue)
}

// plural is "1 story" or "3 stories".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
