package compare

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// DefaultWindow is how far before and after an article's date other
// coverage is looked for.
const DefaultWindow = 3 * 24 * time.Hour

// MaxCoverage is how many other outlets the "Also covered by" line lists
// and a comparison reads with the article: five articles in all.
const MaxCoverage = MaxArticles - 1

// Candidate is an article that may cover the same story.
type Candidate struct {
	URL, NormURL string
	// Title and Text are what clustering reads: a stored summary's title
	// and summary, a feed item's title and description, or a link's slug.
	Title, Text string
	// Site is the outlet's name when Precis has read the page (its
	// og:site_name), else "".
	Site string
	// At is when the item was published or shared.
	At time.Time
}

// Outlet is the candidate's outlet name: its site, else the link's host.
func (c Candidate) Outlet() string {
	if s := oneLine(c.Site); s != "" {
		return s
	}
	return HostOf(c.URL)
}

// Query asks a Source for the candidates of one server around a time, as
// the members of one channel may see them.
type Query struct {
	GuildID string
	// ChannelID is where the coverage will be shown.
	ChannelID string
	// From and To bound the candidates' times.
	From, To time.Time
}

// Source finds candidates. *StoreSource finds them in the server's feeds
// and shared links; an outside search service would be another Source.
type Source interface {
	Candidates(ctx context.Context, q Query) ([]Candidate, error)
}

// Visibility decides whether something from one channel (a link shared
// there, a feed followed there) may be shown to the people who see another:
// everyone who can see viewerChannelID must be able to see
// sharedChannelID. It is the digest's rule; *bot.Client's Covers
// implements it.
type Visibility interface {
	Covers(ctx context.Context, guildID, sharedChannelID, viewerChannelID string) (bool, error)
}

// Store is what StoreSource reads; *store.Store implements it.
type Store interface {
	Feeds(ctx context.Context, guildID, channelID string) ([]store.Feed, error)
	FeedItemsSince(ctx context.Context, feedURL string, since time.Time) ([]store.FeedItem, error)
	LinksSince(ctx context.Context, guildID string, since time.Time) ([]store.SharedLink, error)
	SummaryStore
}

// StoreSource finds candidates among the items of the feeds the server
// follows and the links shared in it. Only what comes from a channel that
// everyone who sees the viewing channel can see is used: the viewing
// channel itself, and, when Visibility is set, the channels it covers.
// Without a Visibility nothing from other channels is used.
type StoreSource struct {
	Store      Store
	Visibility Visibility
	// MaxLinks bounds the shared links read per query, newest first
	// (default 200).
	MaxLinks int
	Logger   *slog.Logger
}

// Candidates implements Source.
func (s *StoreSource) Candidates(ctx context.Context, q Query) ([]Candidate, error) {
	visible := s.visibility(q)
	var out []Candidate
	feeds, err := s.Store.Feeds(ctx, q.GuildID, "")
	if err != nil {
		return nil, fmt.Errorf("feeds of guild %s: %w", q.GuildID, err)
	}
	polled := map[string]bool{}
	for _, f := range feeds {
		if polled[f.URL] || !visible(ctx, f.ChannelID) {
			continue
		}
		polled[f.URL] = true
		items, err := s.Store.FeedItemsSince(ctx, f.URL, q.From)
		if err != nil {
			return nil, fmt.Errorf("items of feed %s: %w", f.URL, err)
		}
		for _, it := range items {
			at := it.Published
			if at.IsZero() {
				at = it.SeenAt
			}
			if at.After(q.To) {
				continue
			}
			norm, err := article.NormalizeURL(it.URL)
			if err != nil {
				continue
			}
			out = append(out, Candidate{URL: it.URL, NormURL: norm, Title: it.Title, Text: digest.PlainText(it.Summary), At: at})
		}
	}
	links, err := s.Store.LinksSince(ctx, q.GuildID, q.From)
	if err != nil {
		return nil, fmt.Errorf("links shared in guild %s: %w", q.GuildID, err)
	}
	sort.SliceStable(links, func(i, j int) bool { return links[i].SharedAt.After(links[j].SharedAt) })
	maxLinks := s.MaxLinks
	if maxLinks <= 0 {
		maxLinks = 200
	}
	seen := map[string]bool{}
	for _, l := range links {
		if len(seen) >= maxLinks {
			break
		}
		if l.SharedAt.After(q.To) || seen[l.NormURL] || !visible(ctx, l.ChannelID) {
			continue
		}
		norm := l.NormURL
		if norm == "" {
			if norm, err = article.NormalizeURL(l.URL); err != nil {
				continue
			}
		}
		seen[norm] = true
		c := Candidate{URL: l.URL, NormURL: norm, Title: digest.SlugText(l.URL), At: l.SharedAt}
		s.fill(ctx, &c)
		out = append(out, c)
	}
	return out, nil
}

// fill takes a shared link's title, summary and site from its stored
// summary, when Precis summarised it.
func (s *StoreSource) fill(ctx context.Context, c *Candidate) {
	sum, err := storedSummary(ctx, s.Store, c.NormURL)
	if err != nil && s.Logger != nil {
		s.Logger.DebugContext(ctx, "stored summary", "url", c.NormURL, "err", err)
	}
	if sum == nil {
		return
	}
	if t := oneLine(sum.Title); t != "" {
		c.Title = t
	}
	c.Text = strings.TrimSpace(sum.Headline + " " + sum.Summary)
	c.Site = sum.Site
}

// visibility returns whether things from a channel may be shown in the
// query's channel, asking Visibility once per channel.
func (s *StoreSource) visibility(q Query) func(ctx context.Context, channelID string) bool {
	known := map[string]bool{}
	return func(ctx context.Context, channelID string) bool {
		if channelID == q.ChannelID {
			return true
		}
		if s.Visibility == nil || channelID == "" {
			return false
		}
		if ok, found := known[channelID]; found {
			return ok
		}
		ok, err := s.Visibility.Covers(ctx, q.GuildID, channelID, q.ChannelID)
		if err != nil {
			ok = false
			if s.Logger != nil {
				s.Logger.Debug("visibility", "guild_id", q.GuildID, "channel_id", channelID, "err", err)
			}
		}
		known[channelID] = ok
		return ok
	}
}

// Target is the article whose story's other coverage is looked for.
type Target struct {
	GuildID, ChannelID string
	URL, NormURL       string
	// Title, Headline, Summary and Site are the summary's (or the
	// article's title and lead).
	Title, Headline, Summary, Site string
	// Published is the article's date; zero means now.
	Published time.Time
}

// FinderOptions tune a Finder; zero values take the defaults.
type FinderOptions struct {
	// Window is how far before and after the article's date candidates
	// are taken from (DefaultWindow).
	Window time.Duration
	// Threshold is the clustering similarity (the digest's default).
	Threshold float64
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Finder finds other coverage of a story: candidates from its Source,
// clustered with the digest's story clustering, one per outlet other than
// the article's own. *Finder implements pipeline.Coverage.
type Finder struct {
	src  Source
	opts FinderOptions
	log  *slog.Logger
}

// NewFinder returns a Finder over src.
func NewFinder(src Source, opts FinderOptions) *Finder {
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Finder{src: src, opts: opts, log: opts.Logger.With("component", "compare")}
}

// Find returns up to MaxCoverage candidates on t's story from outlets
// other than t's, newest first.
func (f *Finder) Find(ctx context.Context, t Target) ([]Candidate, error) {
	at := t.Published
	if at.IsZero() {
		at = f.opts.Now()
	}
	cands, err := f.src.Candidates(ctx, Query{GuildID: t.GuildID, ChannelID: t.ChannelID, From: at.Add(-f.opts.Window), To: at.Add(f.opts.Window)})
	if err != nil {
		return nil, err
	}
	norm := t.NormURL
	if norm == "" {
		norm, _ = article.NormalizeURL(t.URL)
	}
	own := map[string]bool{"host:" + hostKey(t.URL): true}
	if t.Site != "" {
		own["site:"+normName(t.Site)] = true
	}
	var others []Candidate
	seen := map[string]bool{norm: true}
	for _, c := range cands {
		if c.NormURL == "" {
			if c.NormURL, err = article.NormalizeURL(c.URL); err != nil {
				continue
			}
		}
		if seen[c.NormURL] {
			continue
		}
		seen[c.NormURL] = true
		others = append(others, c)
	}
	if len(others) == 0 {
		return nil, nil
	}
	texts := make([]digest.StoryText, len(others))
	for i, c := range others {
		texts[i] = digest.StoryText{Title: c.Title, Body: c.Text}
	}
	idx, err := digest.SameStory(ctx, digest.StoryText{Title: strings.TrimSpace(t.Title + " " + t.Headline), Body: t.Summary}, texts, f.opts.Threshold)
	if err != nil {
		return nil, err
	}
	var out []Candidate
	for _, i := range idx {
		out = append(out, others[i])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	var kept []Candidate
	outlets := map[string]bool{}
	for _, c := range out {
		host := "host:" + hostKey(c.URL)
		name := host
		if c.Site != "" {
			name = "site:" + normName(c.Site)
		}
		if own[name] || own[host] || outlets[name] || outlets[host] {
			continue
		}
		outlets[name], outlets[host] = true, true
		kept = append(kept, c)
		if len(kept) == MaxCoverage {
			break
		}
	}
	return kept, nil
}

// hostKey tells outlets apart by address: the host with its port (two
// sites on one machine are two outlets), without "www.".
func hostKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Host), "www.")
}

// AlsoCovered implements pipeline.Coverage: the "Also covered by" line of
// a summary.
func (f *Finder) AlsoCovered(ctx context.Context, q pipeline.CoverageQuery) ([]summarize.Coverage, error) {
	found, err := f.Find(ctx, Target{
		GuildID: q.GuildID, ChannelID: q.ChannelID, URL: q.URL, NormURL: q.NormURL,
		Title: q.Title, Headline: q.Headline, Summary: q.Summary, Site: q.Site, Published: q.Published,
	})
	if err != nil {
		return nil, err
	}
	out := make([]summarize.Coverage, 0, len(found))
	for _, c := range found {
		out = append(out, summarize.Coverage{URL: c.URL, Title: oneLine(c.Title), Site: c.Outlet()})
	}
	return out, nil
}
