package digest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

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

// feedText makes text from a feed safe to keep and show: invalid UTF-8
// and control characters other than tab and line breaks (NUL above all)
// are removed. Feeds are untrusted, and PostgreSQL refuses NUL bytes and
// invalid UTF-8 in text outright.
func feedText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return r
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// cleanBody prepares a feed body for parsing. NUL bytes are dropped: XML
// forbids them (one stray NUL would fail the whole feed) and JSON feeds
// could only carry them escaped. Invalid UTF-8 is dropped from a body that
// is UTF-8 (a JSON feed, or XML declaring no other encoding), as Go's XML
// parser would refuse the whole feed over one bad byte; a body in another
// declared encoding is left to the parser's charset conversion, and a
// UTF-16 body (byte order mark) is left alone entirely.
func cleanBody(body []byte) []byte {
	if bytes.HasPrefix(body, []byte{0xfe, 0xff}) || bytes.HasPrefix(body, []byte{0xff, 0xfe}) {
		return body
	}
	if bytes.IndexByte(body, 0) >= 0 {
		body = bytes.ReplaceAll(body, []byte{0}, nil)
	}
	if utf8.Valid(body) {
		return body
	}
	head := body[:min(len(body), 200)]
	if bytes.HasPrefix(bytes.TrimSpace(head), []byte("<?xml")) {
		if m := xmlEncoding.FindSubmatch(head); m != nil && !strings.EqualFold(string(m[1]), "utf-8") && !strings.EqualFold(string(m[1]), "utf8") {
			return body
		}
	}
	return bytes.ToValidUTF8(body, nil)
}

// PanicError is a panic recovered while parsing a feed.
type PanicError struct {
	Value any
	Stack string
}

func (e *PanicError) Error() string { return fmt.Sprintf("feed parser panicked: %v", e.Value) }

// xmlEncoding finds the encoding an XML declaration names.
var xmlEncoding = regexp.MustCompile(`^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']`)

// parseFeed parses an RSS, Atom or JSON feed into store items. Every text
// field is cleaned where it enters (feedText).
func parseFeed(body []byte, feedURL string, now time.Time) (items []store.FeedItem, err error) {
	// A parser crash on a hostile feed is that feed's failure (it backs
	// off like any broken feed), never the bot's.
	defer func() {
		if r := recover(); r != nil {
			items, err = nil, &PanicError{Value: r, Stack: string(debug.Stack())}
		}
	}()
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(cleanBody(body)))
	if err != nil {
		return nil, fmt.Errorf("parse feed %s: %w", feedURL, err)
	}
	// Relative links are relative to the site's own address where the feed
	// gives one, else to the feed's.
	base, _ := url.Parse(feedURL)
	if l, err := url.Parse(feed.Link); err == nil && (l.Scheme == "http" || l.Scheme == "https") && l.Host != "" {
		base = l
	}
	items = nil
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
		link = strings.TrimSpace(feedText(link))
		if link == "" {
			continue
		}
		if u, err := url.Parse(link); err == nil && base != nil {
			link = base.ResolveReference(u).String()
		}
		guid := strings.TrimSpace(feedText(fi.GUID))
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
			Title:   discordtext.Truncate(stripHTML(feedText(fi.Title)), 300),
			Summary: firstWords(stripHTML(feedText(text)), maxFeedTextWords),
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
	var pe *PanicError
	if errors.As(err, &pe) {
		s.log.Error("feed parser panicked", "feed_url", feedURL, "panic", fmt.Sprint(pe.Value), "stack", pe.Stack)
		if s.onPanic != nil {
			s.onPanic("feed")
		}
	}
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

// pollFeed polls one feed (already marked by startPoll) if it is due,
// stores new items and the feed's state, and returns how many items it
// stored.
//
// Every outcome but shutting down moves the feed's next poll on: a fetch,
// parse or store failure counts as a failure and backs off exponentially,
// so a feed that cannot be read (or stored) is not fetched every minute.
// When even its state cannot be saved, this process remembers the backoff
// itself.
func (s *Service) pollFeed(ctx context.Context, feedURL string) (int, error) {
	st, ok, err := s.store.FeedState(ctx, feedURL)
	if err != nil {
		return 0, fmt.Errorf("feed state %s: %w", feedURL, err)
	}
	now := s.clock.Now()
	if ok && now.Before(st.NextPoll) {
		return 0, nil
	}
	if !ok {
		st = store.FeedState{URL: feedURL}
	}
	items, page, ferr := s.fetchFeed(ctx, feedURL, st)
	if ctx.Err() != nil {
		return 0, ctx.Err() // shutting down: not the feed's fault
	}
	if ferr == nil && len(items) > 0 {
		if err := s.store.AddFeedItems(ctx, items); err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			ferr = fmt.Errorf("save items of feed %s: %w", feedURL, err)
		}
	}
	st.LastPolled = now
	if ferr != nil {
		st.Failures++
		st.LastError = discordtext.Truncate(ferr.Error(), 300)
		st.NextPoll = now.Add(s.backoff(st.Failures))
		s.log.Info("feed poll failed", "feed_url", feedURL, "failures", st.Failures, "next_poll", st.NextPoll, "err", ferr)
		if err := s.store.SetFeedState(ctx, st); err != nil {
			s.feeds.holdOff(feedURL, st.NextPoll)
			return 0, errors.Join(ferr, fmt.Errorf("save feed state %s: %w", feedURL, err))
		}
		return 0, ferr
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
		s.feeds.holdOff(feedURL, st.NextPoll)
		return 0, fmt.Errorf("save feed state %s: %w", feedURL, err)
	}
	s.log.Debug("feed polled", "feed_url", feedURL, "items", len(items), "not_modified", page.NotModified)
	return len(items), nil
}

// feedPool bounds feed polling: at most Options.FeedWorkers fetches at
// once, and at most Options.FeedsPerHost of them to one host, so a slow or
// hanging publisher holds up only its own feeds (and at most FeedsPerHost
// workers) while every other feed keeps its schedule.
type feedPool struct {
	workers chan struct{} // one token per fetch in flight
	perHost int

	mu      sync.Mutex
	hosts   map[string]chan struct{} // host -> one token per fetch in flight
	hostUse map[string]int           // host -> polls started and not finished
	heldOff map[string]time.Time     // feed -> not before (its state could not be saved)
	wg      sync.WaitGroup           // every poll started
}

func newFeedPool(workers, perHost int) *feedPool {
	return &feedPool{
		workers: make(chan struct{}, workers), perHost: perHost,
		hosts: make(map[string]chan struct{}), hostUse: make(map[string]int), heldOff: make(map[string]time.Time),
	}
}

// holdOff keeps this process from polling feedURL before next.
func (p *feedPool) holdOff(feedURL string, next time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.heldOff[feedURL] = next
}

// held reports whether feedURL is held off at now.
func (p *feedPool) held(feedURL string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	until, ok := p.heldOff[feedURL]
	if ok && !now.Before(until) {
		delete(p.heldOff, feedURL)
		return false
	}
	return ok
}

// host returns the semaphore of a host, and a release for the pool's
// bookkeeping of it.
func (p *feedPool) host(name string) (chan struct{}, func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sem, ok := p.hosts[name]
	if !ok {
		sem = make(chan struct{}, p.perHost)
		p.hosts[name] = sem
	}
	p.hostUse[name]++
	return sem, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.hostUse[name]--; p.hostUse[name] == 0 {
			delete(p.hostUse, name)
			delete(p.hosts, name)
		}
	}
}

// feedHost is the host a feed URL is fetched from, for the per-host limit.
func feedHost(feedURL string) string {
	u, err := url.Parse(feedURL)
	if err != nil || u.Host == "" {
		return feedURL
	}
	return strings.ToLower(u.Hostname())
}

// startDueFeeds starts polling every subscribed feed whose next poll has
// come and that this process is not polling already, on the feed pool, and
// returns at once; the returned WaitGroup says when these polls are done.
// Each poll first waits for its host's turn and only then for a worker, so
// feeds queued behind a slow host hold no worker.
func (s *Service) startDueFeeds(ctx context.Context) *sync.WaitGroup {
	var batch sync.WaitGroup
	urls, err := s.store.DueFeedURLs(ctx, s.clock.Now())
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("list due feeds", "err", err)
		}
		return &batch
	}
	now := s.clock.Now()
	for _, u := range urls {
		if ctx.Err() != nil {
			break
		}
		if s.feeds.held(u, now) || !s.startPoll(u) {
			continue
		}
		hostSem, release := s.feeds.host(feedHost(u))
		batch.Add(1)
		s.feeds.wg.Add(1)
		go func() {
			defer s.feeds.wg.Done()
			defer batch.Done()
			defer release()
			defer s.endPoll(u)
			select {
			case hostSem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-hostSem }()
			select {
			case s.feeds.workers <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-s.feeds.workers }()
			if _, err := s.pollFeed(ctx, u); err != nil && ctx.Err() == nil {
				s.log.Debug("poll feed", "feed_url", u, "err", err)
			}
		}()
	}
	return &batch
}

// pollDueFeeds polls every due feed on the feed pool and returns when they
// are done. Run does not wait like this: it starts due feeds every minute
// (startDueFeeds), so a slow host never delays the next round for others.
func (s *Service) pollDueFeeds(ctx context.Context) {
	s.startDueFeeds(ctx).Wait()
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
