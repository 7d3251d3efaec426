package digest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// memStore is an in-memory Store. Its claim is atomic under one mutex, like
// the database's single statement.
type memStore struct {
	mu        sync.Mutex
	summaries map[string][]byte
	links     []store.SharedLink
	scheds    map[string]store.DigestSchedule // by channel
	feeds     []store.Feed
	states    map[string]store.FeedState
	items     map[string][]store.FeedItem // by feed URL
	runs      map[string]*store.DigestRun // channel|date
	claims    int
}

func newMemStore() *memStore {
	return &memStore{
		summaries: make(map[string][]byte),
		scheds:    make(map[string]store.DigestSchedule),
		states:    make(map[string]store.FeedState),
		items:     make(map[string][]store.FeedItem),
		runs:      make(map[string]*store.DigestRun),
	}
}

// cachedSummary is the summary seeded for url, standing in for the core's
// cache.
func (m *memStore) cachedSummary(url string) (*summarize.Summary, bool) {
	norm, err := article.NormalizeURL(url)
	if err != nil {
		return nil, false
	}
	m.mu.Lock()
	b, ok := m.summaries[norm]
	m.mu.Unlock()
	var s summarize.Summary
	if !ok || json.Unmarshal(b, &s) != nil {
		return nil, false
	}
	return &s, true
}

// storeCache is a Summarizer that only answers from the memStore's seeded
// summaries, like the core with a cold model.
type storeCache struct{ st *memStore }

func (c storeCache) Cached(_ context.Context, _, url string) (*summarize.Summary, bool) {
	return c.st.cachedSummary(url)
}

func (c storeCache) Summarize(context.Context, string, string) (*summarize.Summary, error) {
	return nil, errors.New("offline in this test")
}

func (m *memStore) LinksSince(_ context.Context, guildID string, since time.Time) ([]store.SharedLink, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.SharedLink
	for _, l := range m.links {
		if l.GuildID == guildID && !l.SharedAt.Before(since) {
			out = append(out, l)
		}
	}
	return out, nil
}

func (m *memStore) SetDigestSchedule(_ context.Context, d store.DigestSchedule) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.scheds[d.ChannelID] = d
	return nil
}

func (m *memStore) DeleteDigestSchedule(_ context.Context, guildID, channelID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for ch, d := range m.scheds {
		if d.GuildID == guildID && (channelID == "" || ch == channelID) {
			delete(m.scheds, ch)
		}
	}
	return nil
}

func (m *memStore) DigestSchedules(_ context.Context) ([]store.DigestSchedule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.DigestSchedule
	for _, d := range m.scheds {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ChannelID < out[j].ChannelID })
	return out, nil
}

func (m *memStore) GuildDigestSchedules(ctx context.Context, guildID string) ([]store.DigestSchedule, error) {
	all, _ := m.DigestSchedules(ctx)
	var out []store.DigestSchedule
	for _, d := range all {
		if d.GuildID == guildID {
			out = append(out, d)
		}
	}
	return out, nil
}

func (m *memStore) AddFeed(_ context.Context, f store.Feed) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, g := range m.feeds {
		if g.GuildID == f.GuildID && g.ChannelID == f.ChannelID && g.URL == f.URL {
			return nil
		}
	}
	m.feeds = append(m.feeds, f)
	return nil
}

func (m *memStore) RemoveFeed(_ context.Context, guildID, channelID, url string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, g := range m.feeds {
		if g.GuildID == guildID && g.ChannelID == channelID && g.URL == url {
			m.feeds = slices.Delete(m.feeds, i, i+1)
			return true, nil
		}
	}
	return false, nil
}

func (m *memStore) Feeds(_ context.Context, guildID, channelID string) ([]store.Feed, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Feed
	for _, g := range m.feeds {
		if g.GuildID == guildID && g.ChannelID == channelID {
			out = append(out, g)
		}
	}
	return out, nil
}

func (m *memStore) AllFeedURLs(_ context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, g := range m.feeds {
		if !slices.Contains(out, g.URL) {
			out = append(out, g.URL)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (m *memStore) FeedState(_ context.Context, url string) (store.FeedState, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.states[url]
	return st, ok, nil
}

func (m *memStore) SetFeedState(_ context.Context, st store.FeedState) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.states[st.URL] = st
	return nil
}

func (m *memStore) AddFeedItems(_ context.Context, items []store.FeedItem) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range items {
		dup := false
		for _, old := range m.items[it.FeedURL] {
			if old.GUID == it.GUID {
				dup = true
				break
			}
		}
		if !dup {
			m.items[it.FeedURL] = append(m.items[it.FeedURL], it)
		}
	}
	return nil
}

func (m *memStore) FeedItemsSince(_ context.Context, feedURL string, since time.Time) ([]store.FeedItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.FeedItem
	for _, it := range m.items[feedURL] {
		at := it.Published
		if at.IsZero() {
			at = it.SeenAt
		}
		if !at.Before(since) {
			out = append(out, it)
		}
	}
	return out, nil
}

func (m *memStore) ClaimDigestRun(_ context.Context, channelID, localDate, owner string, now time.Time, lease time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.claims++
	key := channelID + "|" + localDate
	r, ok := m.runs[key]
	switch {
	case !ok:
		m.runs[key] = &store.DigestRun{ChannelID: channelID, LocalDate: localDate, Owner: owner, Status: store.RunClaimed, ClaimedAt: now, LeaseUntil: now.Add(lease)}
		return true, nil
	case r.Status == store.RunClaimed && r.LeaseUntil.Before(now), r.Status == store.RunRetry && !now.Before(r.NextAttempt):
		r.Owner, r.Status, r.ClaimedAt, r.LeaseUntil, r.Report, r.FinishedAt = owner, store.RunClaimed, now, now.Add(lease), "", time.Time{}
		return true, nil
	}
	return false, nil
}

// held returns the run if owner holds its claim.
func (m *memStore) held(channelID, localDate, owner string) (*store.DigestRun, bool) {
	r, ok := m.runs[channelID+"|"+localDate]
	return r, ok && r.Owner == owner && r.Status == store.RunClaimed
}

func (m *memStore) RenewDigestRun(_ context.Context, channelID, localDate, owner string, now time.Time, lease time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.held(channelID, localDate, owner)
	if ok {
		r.LeaseUntil = now.Add(lease)
	}
	return ok, nil
}

func (m *memStore) AddDigestMessage(_ context.Context, channelID, localDate, owner, messageID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.held(channelID, localDate, owner)
	if !ok {
		return fmt.Errorf("add message %s: not the claimer: %w", messageID, store.ErrNotFound)
	}
	if !slices.Contains(r.Messages, messageID) {
		r.Messages = append(r.Messages, messageID)
	}
	return nil
}

func (m *memStore) RetryDigestRun(_ context.Context, channelID, localDate, owner string, now, next time.Time, errText string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.held(channelID, localDate, owner)
	if !ok {
		return fmt.Errorf("retry %s %s by %s: not the claimer: %w", channelID, localDate, owner, store.ErrNotFound)
	}
	r.Status, r.Attempts, r.NextAttempt, r.LastError, r.LeaseUntil = store.RunRetry, r.Attempts+1, next, errText, now
	return nil
}

func (m *memStore) FinishDigestRun(_ context.Context, channelID, localDate, owner string, now time.Time, report string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.held(channelID, localDate, owner)
	if !ok {
		return fmt.Errorf("finish %s %s by %s: not the claimer: %w", channelID, localDate, owner, store.ErrNotFound)
	}
	r.Status, r.Report, r.FinishedAt, r.LeaseUntil = store.RunDone, report, now, now
	return nil
}

func (m *memStore) DigestRunFor(_ context.Context, channelID, localDate string) (store.DigestRun, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[channelID+"|"+localDate]
	if !ok {
		return store.DigestRun{}, false, nil
	}
	out := *r
	out.Messages = slices.Clone(r.Messages)
	return out, true, nil
}

func (m *memStore) LastDigestRun(_ context.Context, channelID string) (store.DigestRun, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var best *store.DigestRun
	for _, r := range m.runs {
		if r.ChannelID != channelID {
			continue
		}
		if best == nil || r.LocalDate > best.LocalDate || r.LocalDate == best.LocalDate && r.ClaimedAt.After(best.ClaimedAt) {
			best = r
		}
	}
	if best == nil {
		return store.DigestRun{}, false, nil
	}
	out := *best
	out.Messages = slices.Clone(best.Messages)
	return out, true, nil
}

// fakeClock is a manual clock. After registers a waiter that fires when
// Advance moves the time past it; waiters lets tests wait, without
// sleeping, until a goroutine is blocked on the clock.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []fakeTimer
	blocked chan struct{} // receives one value per After call
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(t time.Time) *fakeClock {
	return &fakeClock{now: t, blocked: make(chan struct{}, 1024)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
	} else {
		c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	}
	c.blocked <- struct{}{}
	return ch
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	kept := c.timers[:0]
	for _, tm := range c.timers {
		if !tm.at.After(t) {
			tm.ch <- t
		} else {
			kept = append(kept, tm)
		}
	}
	c.timers = kept
}

func (c *fakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// sent is one message the fake poster received.
type sent struct {
	channelID string
	d         *Digest
	at        time.Time
}

// fakePoster records each posted digest as one message; notify (optional)
// gets each one. fail fails every post; failures fails that many posts
// with err first, as Discord's 5xx would. found is what PostedDigest finds
// in the channel.
type fakePoster struct {
	mu       sync.Mutex
	clock    Clock
	msgs     []sent
	fail     error
	failures int
	err      error
	attempts int
	found    []string
	notify   chan sent
}

func (p *fakePoster) PostDigest(_ context.Context, d *Digest, hooks PostHooks) error {
	if d.Quiet && !d.QuietNote {
		return nil // renders to no message
	}
	if hooks.Before != nil {
		if err := hooks.Before(0); err != nil {
			return err
		}
	}
	p.mu.Lock()
	p.attempts++
	if p.fail != nil {
		p.mu.Unlock()
		return &PostError{Index: 0, Total: 1, Err: p.fail}
	}
	if p.failures > 0 {
		p.failures--
		p.mu.Unlock()
		return &PostError{Index: 0, Total: 1, Err: p.err}
	}
	s := sent{channelID: d.ChannelID, d: d}
	if p.clock != nil {
		s.at = p.clock.Now()
	}
	p.msgs = append(p.msgs, s)
	id := fmt.Sprintf("m%d", len(p.msgs))
	p.mu.Unlock()
	if hooks.Posted != nil {
		hooks.Posted(0, id)
	}
	if p.notify != nil {
		p.notify <- s
	}
	return nil
}

func (p *fakePoster) PostedDigest(context.Context, *Digest) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.found, nil
}

func (p *fakePoster) sent() []sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.msgs)
}

// httpFetcher is a plain net/http Fetcher for loopback test servers,
// standing in for the hardened article.Fetcher.
type httpFetcher struct {
	client *http.Client
	mu     sync.Mutex
	calls  []string
}

func (f *httpFetcher) Get(ctx context.Context, rawURL string, opts article.GetOptions) (*article.Page, error) {
	f.mu.Lock()
	f.calls = append(f.calls, rawURL)
	f.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", article.ErrBadURL, err)
	}
	if opts.ETag != "" {
		req.Header.Set("If-None-Match", opts.ETag)
	}
	if opts.LastModified != "" {
		req.Header.Set("If-Modified-Since", opts.LastModified)
	}
	client := f.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	page := &article.Page{URL: rawURL, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if resp.StatusCode == http.StatusNotModified {
		page.NotModified = true
		return page, nil
	}
	if resp.StatusCode/100 != 2 {
		return nil, &article.HTTPError{StatusCode: resp.StatusCode, Status: resp.Status}
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	accept := opts.Accept
	if accept == nil {
		accept = []string{"text/html", "application/xhtml+xml", "text/plain"}
	}
	if !slices.Contains(accept, mt) {
		return nil, fmt.Errorf("%w: %s", article.ErrUnsupportedType, mt)
	}
	page.ContentType = mt
	page.Body, err = io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rawURL, err)
	}
	return page, nil
}

// fakeSummarizer returns a canned summary per URL and counts calls.
type fakeSummarizer struct {
	cache *memStore
	mu    sync.Mutex
	calls int
}

func (f *fakeSummarizer) Cached(_ context.Context, _, url string) (*summarize.Summary, bool) {
	if f.cache == nil {
		return nil, false
	}
	return f.cache.cachedSummary(url)
}

func (f *fakeSummarizer) Summarize(_ context.Context, _, url string) (*summarize.Summary, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	return &summarize.Summary{
		URL: url, Title: "Summarized " + hostOf(url), Headline: "Neutral headline for " + hostOf(url),
		Summary: "Officials said the event happened; the report attributes the claims to named sources.",
		Model:   "fake",
	}, nil
}

// fakeNamer names channels from a map.
type fakeNamer map[string]string

func (f fakeNamer) ChannelName(_ context.Context, _, channelID string) (string, error) {
	if n, ok := f[channelID]; ok {
		return n, nil
	}
	return "", fmt.Errorf("unknown channel %s", channelID)
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newTestService wires a Service with fakes.
func newTestService(t testing.TB, st Store, clock *fakeClock, poster *fakePoster, id string) *Service {
	t.Helper()
	if poster.clock == nil {
		poster.clock = clock
	}
	deps := Deps{Store: st, Fetcher: &httpFetcher{}, Poster: poster, Clock: clock, Logger: discardLogger()}
	if m, ok := st.(*memStore); ok {
		deps.Summarizer = storeCache{m}
	}
	return New(deps, Options{InstanceID: id})
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func contentOf(ds ...*Digest) string {
	var b strings.Builder
	for _, d := range ds {
		if d.Quiet {
			b.WriteString("quiet day\n")
			continue
		}
		if len(d.Stories) == 1 {
			b.WriteString(": 1 story\n")
		} else {
			fmt.Fprintf(&b, ": %d stories\n", len(d.Stories))
		}
		for _, st := range d.Stories {
			b.WriteString(st.Title + "\n" + st.Summary + "\n")
			for _, src := range st.Sources {
				fmt.Fprintf(&b, "[%s](%s)", src.Site, src.URL)
				for _, sh := range src.Shares {
					label := "<#" + sh.ChannelID + ">"
					if sh.ChannelName != "" {
						label = "#" + sh.ChannelName
					}
					fmt.Fprintf(&b, " [shared in %s](https://discord.com/channels/%s/%s/%s)", label, d.GuildID, sh.ChannelID, sh.MessageID)
				}
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

func (m *memStore) DueFeedURLs(_ context.Context, now time.Time) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, g := range m.feeds {
		st, ok := m.states[g.URL]
		if (!ok || !now.Before(st.NextPoll)) && !slices.Contains(out, g.URL) {
			out = append(out, g.URL)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (m *memStore) GuildFeedCount(_ context.Context, guildID string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, g := range m.feeds {
		if g.GuildID == guildID {
			n++
		}
	}
	return n, nil
}
