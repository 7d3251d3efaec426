package digest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/internal/discordtext"
	"github.com/precisbot/precis/store"
)

// feedTypes are the media types accepted when fetching a feed. Many servers
// send feeds as generic XML or even text/plain, so those are allowed too;
// the parser decides.
var feedTypes = []string{
	"application/rss+xml", "application/atom+xml", "application/rdf+xml",
	"application/feed+json", "application/json", "application/xml", "text/xml",
	"text/plain", "application/x-rss+xml",
}

const (
	maxItemsPerPoll  = 100
	maxFeedTextWords = 120
)

// parseFeed parses an RSS, Atom or JSON feed into store items.
func parseFeed(body []byte, feedURL string, now time.Time) ([]store.FeedItem, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse feed %s: %w", feedURL, err)
	}
	// Relative links are relative to the site's own address where the feed
	// gives one, else to the feed's.
	base, _ := url.Parse(feedURL)
	if l, err := url.Parse(feed.Link); err == nil && (l.Scheme == "http" || l.Scheme == "https") && l.Host != "" {
		base = l
	}
	var items []store.FeedItem
	for _, fi := range feed.Items {
		if len(items) == maxItemsPerPoll {
			break
		}
		if fi == nil {
			continue
		}
		link := fi.Link
		if link == "" && len(fi.Links) > 0 {
			link = fi.Links[0]
		}
		if link == "" {
			continue
		}
		if u, err := url.Parse(link); err == nil && base != nil {
			link = base.ResolveReference(u).String()
		}
		guid := fi.GUID
		if guid == "" {
			guid = link
		}
		text := fi.Description
		if text == "" {
			text = fi.Content
		}
		it := store.FeedItem{
			FeedURL: feedURL,
			GUID:    guid,
			URL:     link,
			Title:   discordtext.Truncate(stripHTML(fi.Title), 300),
			Summary: firstWords(stripHTML(text), maxFeedTextWords),
			SeenAt:  now,
		}
		switch {
		case fi.PublishedParsed != nil:
			it.Published = fi.PublishedParsed.UTC()
		case fi.UpdatedParsed != nil:
			it.Published = fi.UpdatedParsed.UTC()
		}
		if it.Published.After(now) {
			// A date in the future (a wrong time zone, or a feed gaming
			// the digest) would put the item in every digest until then.
			it.Published = now
		}
		items = append(items, it)
	}
	return items, nil
}

// fetchFeed fetches and parses a feed. With a previous state it asks
// conditionally; a 304 answer returns notModified and no items.
func (s *Service) fetchFeed(ctx context.Context, feedURL string, prev store.FeedState) (items []store.FeedItem, page *article.Page, err error) {
	page, err = s.fetcher.Get(ctx, feedURL, article.GetOptions{
		ETag:         prev.ETag,
		LastModified: prev.LastModified,
		Accept:       feedTypes,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("fetch feed %s: %w", feedURL, err)
	}
	if page.NotModified {
		return nil, page, nil
	}
	items, err = parseFeed(page.Body, feedURL, s.clock.Now())
	if err != nil {
		return nil, page, err
	}
	return items, page, nil
}

// backoff is the wait after the n-th consecutive failure: the poll interval
// doubled per failure, capped.
func (s *Service) backoff(failures int) time.Duration {
	d := s.opts.FeedInterval
	for i := 0; i < failures && d < s.opts.MaxFeedBackoff; i++ {
		d *= 2
	}
	return min(d, s.opts.MaxFeedBackoff)
}

// pollFeed polls one feed if it is due (or always, with force), stores new
// items and the feed's state, and returns how many items it stored.
func (s *Service) pollFeed(ctx context.Context, feedURL string, force bool) (int, error) {
	if !s.startPoll(feedURL) {
		return 0, nil // another goroutine of this process is polling it
	}
	defer s.endPoll(feedURL)

	st, ok, err := s.store.FeedState(ctx, feedURL)
	if err != nil {
		return 0, fmt.Errorf("feed state %s: %w", feedURL, err)
	}
	now := s.clock.Now()
	if ok && !force && now.Before(st.NextPoll) {
		return 0, nil
	}
	if !ok {
		st = store.FeedState{URL: feedURL}
	}
	items, page, ferr := s.fetchFeed(ctx, feedURL, st)
	if ctx.Err() != nil {
		return 0, ctx.Err() // shutting down: not the feed's fault
	}
	st.LastPolled = now
	if ferr != nil {
		st.Failures++
		st.LastError = discordtext.Truncate(ferr.Error(), 300)
		st.NextPoll = now.Add(s.backoff(st.Failures))
		s.log.Info("feed poll failed", "feed_url", feedURL, "failures", st.Failures, "next_poll", st.NextPoll, "err", ferr)
		if err := s.store.SetFeedState(ctx, st); err != nil {
			return 0, fmt.Errorf("save feed state %s: %w", feedURL, err)
		}
		return 0, ferr
	}
	if len(items) > 0 {
		if err := s.store.AddFeedItems(ctx, items); err != nil {
			return 0, fmt.Errorf("save items of feed %s: %w", feedURL, err)
		}
	}
	st.Failures = 0
	st.LastError = ""
	st.NextPoll = now.Add(s.opts.FeedInterval)
	if page.ETag != "" || !page.NotModified {
		st.ETag = page.ETag
	}
	if page.LastModified != "" || !page.NotModified {
		st.LastModified = page.LastModified
	}
	if err := s.store.SetFeedState(ctx, st); err != nil {
		return 0, fmt.Errorf("save feed state %s: %w", feedURL, err)
	}
	s.log.Debug("feed polled", "feed_url", feedURL, "items", len(items), "not_modified", page.NotModified)
	return len(items), nil
}

// pollDueFeeds polls every subscribed feed whose next poll time has come.
func (s *Service) pollDueFeeds(ctx context.Context) {
	urls, err := s.store.AllFeedURLs(ctx)
	if err != nil {
		s.log.Error("list feeds", "err", err)
		return
	}
	for _, u := range urls {
		if ctx.Err() != nil {
			return
		}
		if _, err := s.pollFeed(ctx, u, false); err != nil && ctx.Err() == nil {
			s.log.Debug("poll feed", "feed_url", u, "err", err)
		}
	}
}

func (s *Service) startPoll(u string) bool {
	s.pollMu.Lock()
	defer s.pollMu.Unlock()
	if s.polling[u] {
		return false
	}
	s.polling[u] = true
	return true
}

func (s *Service) endPoll(u string) {
	s.pollMu.Lock()
	defer s.pollMu.Unlock()
	delete(s.polling, u)
}

// fetchErrorText says in a few words why a feed could not be fetched.
func fetchErrorText(err error) string {
	var he *article.HTTPError
	switch {
	case errors.As(err, &he):
		return fmt.Sprintf("the server answered HTTP %d", he.StatusCode)
	case errors.Is(err, article.ErrRefusedAddress):
		return "that address is private or reserved"
	case errors.Is(err, article.ErrBadURL):
		return "that is not a valid http or https link"
	case errors.Is(err, article.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return "the server took too long to answer"
	case errors.Is(err, article.ErrTooLarge):
		return "the feed is too large"
	case errors.Is(err, article.ErrUnsupportedType):
		return "the address does not serve a feed"
	case errors.Is(err, article.ErrTooManyRedirects):
		return "the address redirects too many times"
	}
	return "the server could not be reached"
}
