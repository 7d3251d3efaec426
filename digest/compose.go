package digest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// Ranking weights: how often and how widely an item was shared. A human
// share counts more than a feed carrying the item.
const (
	weightShare   = 1.0 // each share
	weightChannel = 1.5 // each distinct channel it was shared in
	weightUser    = 1.0 // each distinct person who shared it
	weightFeed    = 0.5 // each subscribed feed that carried it
	weightOutlet  = 1.0 // each extra outlet covering the story
)

// Per-entry word cap, so one story cannot take the whole budget.
const maxEntryWords = 90

// Report is what one digest run considered, included and left out, and why.
// It is stored as JSON with the run and shown by Status.
type Report struct {
	LocalDate   string        `json:"local_date"`
	Sources     string        `json:"sources"`
	WindowStart time.Time     `json:"window_start"`
	WindowEnd   time.Time     `json:"window_end"`
	SharedLinks int           `json:"shared_links"`
	FeedItems   int           `json:"feed_items"`
	Items       int           `json:"items"`   // distinct URLs
	Stories     int           `json:"stories"` // after clustering
	Included    []ReportEntry `json:"included"`
	LeftOut     []LeftOut     `json:"left_out"`
	// LeftOutMore counts left-out items past the ones listed.
	LeftOutMore int      `json:"left_out_more,omitempty"`
	Messages    []string `json:"messages"`
	Quiet       bool     `json:"quiet,omitempty"`
	Error       string   `json:"error,omitempty"`
}

// ReportEntry is one story the digest included.
type ReportEntry struct {
	Title   string  `json:"title"`
	URL     string  `json:"url"`
	Sources int     `json:"sources"`
	Shares  int     `json:"shares"`
	Score   float64 `json:"score"`
	Summary string  `json:"summary_from"` // "cache", "summarizer", "feed" or "none"
}

// LeftOut is an item or story the digest did not show, and why.
type LeftOut struct {
	Title  string `json:"title,omitempty"`
	URL    string `json:"url"`
	Reason string `json:"reason"`
}

// Reasons recorded in Report.LeftOut.
const (
	ReasonTopN         = "not among the top stories"
	ReasonWordBudget   = "digest word budget used up"
	ReasonBeforeWindow = "published before this digest's window"
	ReasonBadURL       = "link could not be normalised"
)

const maxLeftOutListed = 60

func (r *Report) leaveOut(title, url, reason string) {
	if len(r.LeftOut) >= maxLeftOutListed {
		r.LeftOutMore++
		return
	}
	r.LeftOut = append(r.LeftOut, LeftOut{Title: title, URL: url, Reason: reason})
}

// item is one distinct article (by normalised URL) in the window.
type item struct {
	url       string // as first seen
	normURL   string
	shares    []store.SharedLink
	feeds     []string // feed URLs that carried it
	feedTitle string
	feedText  string
	cached    *summarize.Summary
	latest    time.Time
	score     float64
}

func (it *item) title() string {
	switch {
	case it.cached != nil && it.cached.Headline != "":
		return it.cached.Headline
	case it.cached != nil && it.cached.Title != "":
		return it.cached.Title
	case it.feedTitle != "":
		return it.feedTitle
	}
	if s := slugText(it.url); s != "" {
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return hostOf(it.url)
}

func (it *item) site() string {
	if it.cached != nil && it.cached.Site != "" {
		return it.cached.Site
	}
	return hostOf(it.url)
}

func (it *item) clusterText() clusterText {
	var t, b []string
	if it.cached != nil {
		t = append(t, it.cached.Title)
		if it.cached.Headline != it.cached.Title {
			t = append(t, it.cached.Headline)
		}
		b = append(b, it.cached.Summary)
	}
	if it.cached == nil || it.feedTitle != it.cached.Title {
		t = append(t, it.feedTitle)
	}
	b = append(b, it.feedText)
	if it.cached == nil && it.feedTitle == "" {
		t = append(t, slugText(it.url))
	}
	return clusterText{title: strings.Join(t, " "), body: strings.Join(b, " ")}
}

// entry is one story in the digest: one or more items.
type entry struct {
	title     string
	url       string
	summary   string
	from      string // where the summary came from, for the report
	items     []*item
	score     float64
	shares    int
	channels  int
	mentioned []string // distinct share channels, in order of first share
}

// composition is a composed digest, ready to render.
type composition struct {
	guildID  string
	date     time.Time // local run time, for the header
	entries  []*entry
	quiet    bool // nothing to report
	quietDay bool // post a line when quiet
	report   Report
	names    map[string]string // channel ID -> name
}

// compose collects the window's items for the schedule's channel, clusters,
// ranks and summarizes them within the word budget. Its work grows about
// linearly with the number of items (see cluster), and it stops soon after
// ctx ends, with an error wrapping ctx's: the run's deadline bounds it.
// Fresh summaries are asked for only until three quarters of the time to
// ctx's deadline have passed, so a slow LLM costs the digest some
// summaries rather than the whole run.
func (s *Service) compose(ctx context.Context, sched store.DigestSchedule, loc *time.Location, since, until time.Time) (*composition, error) {
	c := &composition{
		guildID:  sched.GuildID,
		date:     until.In(loc),
		quietDay: sched.QuietDay,
		report: Report{
			LocalDate:   until.In(loc).Format(dateLayout),
			Sources:     sched.Sources,
			WindowStart: since.UTC(),
			WindowEnd:   until.UTC(),
		},
	}
	items, err := s.collect(ctx, sched, since, until, &c.report)
	if err != nil {
		return nil, err
	}
	c.report.Items = len(items)
	if len(items) == 0 {
		c.quiet = true
		c.report.Quiet = true
		return c, nil
	}

	// Rank items, then cluster them in rank order so each story is seeded by
	// its most important item.
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if !a.latest.Equal(b.latest) {
			return a.latest.After(b.latest)
		}
		return a.normURL < b.normURL
	})
	texts := make([]clusterText, len(items))
	order := make([]int, len(items))
	for i, it := range items {
		texts[i] = it.clusterText()
		order[i] = i
	}
	corp, err := newCorpus(ctx, texts)
	if err != nil {
		return nil, err
	}
	groups, err := cluster(ctx, corp, order, s.opts.ClusterThreshold)
	if err != nil {
		return nil, err
	}
	c.report.Stories = len(groups)

	stories := make([]*entry, 0, len(groups))
	for _, g := range groups {
		e := &entry{}
		sites := make(map[string]bool)
		chans := make(map[string]bool)
		for _, i := range g {
			it := items[i]
			e.items = append(e.items, it)
			e.score += it.score
			sites[it.site()] = true
			for _, sh := range it.shares {
				e.shares++
				if !chans[sh.ChannelID] {
					chans[sh.ChannelID] = true
					e.mentioned = append(e.mentioned, sh.ChannelID)
				}
			}
		}
		e.channels = len(chans)
		e.score += weightOutlet * float64(len(sites)-1)
		stories = append(stories, e)
	}
	sort.SliceStable(stories, func(i, j int) bool { return stories[i].score > stories[j].score })

	sumCtx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		sumCtx, cancel = context.WithDeadline(ctx, time.Now().Add(time.Until(dl)*3/4))
		defer cancel()
	}
	budget := s.opts.WordBudget
	summarized := 0
	for rank, e := range stories {
		if rank%checkEvery == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("compose: %w", ctx.Err())
		}
		rep := e.items[0]
		for _, it := range e.items {
			if it.cached != nil {
				rep = it
				break
			}
		}
		e.title = rep.title()
		e.url = rep.url
		if rank >= s.opts.MaxEntries {
			c.report.leaveOut(e.title, e.url, ReasonTopN)
			continue
		}
		titleWords := wordCount(e.title)
		if budget < titleWords+10 {
			c.report.leaveOut(e.title, e.url, ReasonWordBudget)
			continue
		}
		text, from := s.entryText(sumCtx, sched.GuildID, e, rep, &summarized)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("compose: %w", err)
		}
		titleWords = wordCount(e.title) // a fresh summary may bring a headline
		e.summary = firstWords(text, max(0, min(maxEntryWords, budget-titleWords)))
		e.from = from
		budget -= titleWords + wordCount(e.summary)
		c.entries = append(c.entries, e)
		c.report.Included = append(c.report.Included, ReportEntry{
			Title: e.title, URL: e.url, Sources: len(e.items), Shares: e.shares,
			Score: float64(int(e.score*100+0.5)) / 100, Summary: from,
		})
	}
	c.quiet = len(c.entries) == 0
	c.report.Quiet = c.quiet

	c.names = make(map[string]string)
	if s.channels != nil {
		for _, e := range c.entries {
			for _, ch := range e.mentioned {
				if _, ok := c.names[ch]; ok {
					continue
				}
				if err := ctx.Err(); err != nil {
					return nil, fmt.Errorf("compose: %w", err)
				}
				name, err := s.channels.ChannelName(ctx, sched.GuildID, ch)
				if err != nil {
					s.log.Debug("channel name", "channel_id", ch, "err", err)
				}
				c.names[ch] = name
			}
		}
	}
	return c, nil
}

// entryText picks the entry's summary: a cached summary of any of its
// items, else (for the first MaxSummarize such entries) a fresh one from the
// Summarizer, else the feed's description.
func (s *Service) entryText(ctx context.Context, guildID string, e *entry, rep *item, summarized *int) (string, string) {
	if rep.cached != nil && rep.cached.Summary != "" {
		return rep.cached.Summary, "cache"
	}
	if s.summarizer != nil && *summarized < s.opts.MaxSummarize && ctx.Err() == nil {
		*summarized++
		sum, err := s.summarizer.Summarize(ctx, guildID, rep.url)
		if err != nil {
			s.log.Warn("summarize digest entry", "url", rep.url, "err", err)
		} else if sum != nil && sum.Summary != "" {
			rep.cached = sum
			if t := rep.title(); t != "" {
				e.title = t
			}
			return sum.Summary, "summarizer"
		}
	}
	for _, it := range e.items {
		if it.feedText != "" {
			return it.feedText, "feed"
		}
	}
	return "", "none"
}

// collect gathers the window's shared links and feed items, deduplicated by
// normalised URL, with cached summaries and scores.
func (s *Service) collect(ctx context.Context, sched store.DigestSchedule, since, until time.Time, rep *Report) ([]*item, error) {
	byURL := make(map[string]*item)
	var list []*item
	get := func(raw, norm string) *item {
		it, ok := byURL[norm]
		if !ok {
			it = &item{url: raw, normURL: norm}
			byURL[norm] = it
			list = append(list, it)
		}
		return it
	}
	norm := func(raw string) (string, bool) {
		n, err := article.NormalizeURL(raw)
		if err != nil || n == "" {
			return "", false
		}
		return n, true
	}

	if sched.Sources != SourcesFeeds {
		links, err := s.store.LinksSince(ctx, sched.GuildID, since)
		if err != nil {
			return nil, fmt.Errorf("shared links since %s: %w", since.Format(time.RFC3339), err)
		}
		vis := s.newAudience(sched)
		for k, l := range links {
			if k%checkEvery == 0 && ctx.Err() != nil {
				return nil, fmt.Errorf("collect: %w", ctx.Err())
			}
			if l.SharedAt.Before(since) || !l.SharedAt.Before(until) {
				continue
			}
			if !vis.allows(ctx, l.ChannelID, rep) {
				continue
			}
			n := l.NormURL
			if n == "" {
				var ok bool
				if n, ok = norm(l.URL); !ok {
					rep.leaveOut("", l.URL, ReasonBadURL)
					continue
				}
			}
			rep.SharedLinks++
			it := get(l.URL, n)
			it.shares = append(it.shares, l)
			if l.SharedAt.After(it.latest) {
				it.latest = l.SharedAt
			}
		}
	}

	if sched.Sources != SourcesShared {
		feeds, err := s.store.Feeds(ctx, sched.GuildID, sched.ChannelID)
		if err != nil {
			return nil, fmt.Errorf("feeds of channel %s: %w", sched.ChannelID, err)
		}
		for _, f := range feeds {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("collect: %w", ctx.Err())
			}
			fitems, err := s.store.FeedItemsSince(ctx, f.URL, since)
			if err != nil {
				return nil, fmt.Errorf("items of feed %s: %w", f.URL, err)
			}
			for _, fi := range fitems {
				when := fi.Published
				if when.IsZero() {
					when = fi.SeenAt
				}
				if !fi.SeenAt.IsZero() && !fi.SeenAt.Before(until) {
					continue // arrived after this run started
				}
				if when.Before(since) {
					rep.leaveOut(fi.Title, fi.URL, ReasonBeforeWindow)
					continue
				}
				n, ok := norm(fi.URL)
				if !ok {
					rep.leaveOut(fi.Title, fi.URL, ReasonBadURL)
					continue
				}
				rep.FeedItems++
				it := get(fi.URL, n)
				if !slices.Contains(it.feeds, f.URL) {
					it.feeds = append(it.feeds, f.URL)
				}
				if it.feedTitle == "" {
					it.feedTitle = fi.Title
				}
				if len(fi.Summary) > len(it.feedText) {
					it.feedText = fi.Summary
				}
				if when.After(it.latest) && !when.After(until) {
					it.latest = when
				}
			}
		}
	}

	for k, it := range list {
		if k%checkEvery == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("collect: %w", ctx.Err())
		}
		if s.summarizer != nil {
			if sum, ok := s.summarizer.Cached(ctx, sched.GuildID, it.url); ok {
				it.cached = sum
			}
		}
		it.score = score(it)
	}
	return list, nil
}

func score(it *item) float64 {
	chans := make(map[string]bool)
	users := make(map[string]bool)
	for _, sh := range it.shares {
		chans[sh.ChannelID] = true
		if sh.AuthorID != "" {
			users[sh.AuthorID] = true
		}
	}
	return weightShare*float64(len(it.shares)) +
		weightChannel*float64(len(chans)) +
		weightUser*float64(len(users)) +
		weightFeed*float64(len(it.feeds))
}
