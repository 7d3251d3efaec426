// Package digest owns the daily digest: per-channel schedules in the
// channel's own time zone, collecting items (links shared in the server and
// subscribed RSS/Atom/JSON feeds), clustering items about the same story,
// ranking and composing them into Discord messages within Discord's limits,
// and running each channel's digest exactly once per local day, even with
// several instances sharing one database.
package digest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"

	// Zone data compiled in: schedules work in scratch and distroless images
	// that ship no /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Store is the subset of *store.Store the digest uses.
type Store interface {
	LinksSince(ctx context.Context, guildID string, since time.Time) ([]store.SharedLink, error)

	SetDigestSchedule(ctx context.Context, d store.DigestSchedule) error
	DeleteDigestSchedule(ctx context.Context, guildID, channelID string) error
	DigestSchedules(ctx context.Context) ([]store.DigestSchedule, error)
	GuildDigestSchedules(ctx context.Context, guildID string) ([]store.DigestSchedule, error)

	AddFeed(ctx context.Context, f store.Feed) error
	RemoveFeed(ctx context.Context, guildID, channelID, url string) (bool, error)
	Feeds(ctx context.Context, guildID, channelID string) ([]store.Feed, error)
	AllFeedURLs(ctx context.Context) ([]string, error)
	DueFeedURLs(ctx context.Context, now time.Time) ([]string, error)
	GuildFeedCount(ctx context.Context, guildID string) (int, error)
	FeedState(ctx context.Context, url string) (store.FeedState, bool, error)
	SetFeedState(ctx context.Context, st store.FeedState) error
	AddFeedItems(ctx context.Context, items []store.FeedItem) error
	FeedItemsSince(ctx context.Context, feedURL string, since time.Time) ([]store.FeedItem, error)

	ClaimDigestRun(ctx context.Context, channelID, localDate, owner string, now time.Time, lease time.Duration) (bool, error)
	RenewDigestRun(ctx context.Context, channelID, localDate, owner string, now time.Time, lease time.Duration) (bool, error)
	AddDigestMessage(ctx context.Context, channelID, localDate, owner, messageID string) error
	RetryDigestRun(ctx context.Context, channelID, localDate, owner string, now, next time.Time, errText string) error
	FinishDigestRun(ctx context.Context, channelID, localDate, owner string, now time.Time, report string) error
	DigestRunFor(ctx context.Context, channelID, localDate string) (store.DigestRun, bool, error)
	LastDigestRun(ctx context.Context, channelID string) (store.DigestRun, bool, error)
}

// Fetcher fetches feeds through the hardened article fetcher
// (*article.Fetcher), with conditional GET support.
type Fetcher interface {
	Get(ctx context.Context, rawURL string, opts article.GetOptions) (*article.Page, error)
}

// Poster posts digests to their channels; the Discord adapter implements
// it, rendering each digest into one or more messages.
type Poster interface {
	// PostDigest sends d's messages in order, each idempotently (a retried
	// send cannot post it twice). hooks.Before runs before each message and
	// stops posting with its error; hooks.Posted runs after each with its
	// ID. The error for a failed message is a *PostError; the messages
	// posted before it stay posted.
	PostDigest(ctx context.Context, d *Digest, hooks PostHooks) error
	// PostedDigest returns the IDs of the messages of d's date the bot
	// already posted in d's channel (among its recent messages), for a run
	// taken over from an instance that died before recording them.
	PostedDigest(ctx context.Context, d *Digest) ([]string, error)
}

// PostHooks let a run follow and stop the posting of its messages.
type PostHooks struct {
	// Before, when set, runs before message i; an error stops posting.
	Before func(i int) error
	// Posted, when set, runs after message i was accepted.
	Posted func(i int, messageID string)
}

// PostError says which message of a digest could not be posted.
type PostError struct {
	Index, Total int
	Err          error
}

func (e *PostError) Error() string {
	return fmt.Sprintf("digest message %d of %d: %v", e.Index+1, e.Total, e.Err)
}

// Unwrap returns the cause.
func (e *PostError) Unwrap() error { return e.Err }

// Summarizer gives the digest its entries' summaries, made the way the
// digest shows them (short, in the server's language) and charged to the
// server's token budget. Cached answers without fetching; Summarize is
// called only for the top entries that have no cached summary.
type Summarizer interface {
	Cached(ctx context.Context, guildID, url string) (*summarize.Summary, bool)
	Summarize(ctx context.Context, guildID, url string) (*summarize.Summary, error)
}

// ChannelNamer looks up a channel's name (without the '#') for "shared in
// #name" links. An error or empty name falls back to a <#id> channel
// mention, which Discord renders as the name and which never pings.
type ChannelNamer interface {
	ChannelName(ctx context.Context, guildID, channelID string) (string, error)
}

// Visibility decides whether a link shared in one channel may be shown in
// a digest posted in another: only if everyone who can see the digest's
// channel can also see the channel it was shared in. The Discord adapter
// implements it from the server's roles and permission overwrites. An
// error means it could not tell; the link is then left out.
type Visibility interface {
	Covers(ctx context.Context, guildID, sharedChannelID, digestChannelID string) (bool, error)
}

// Clock is the time source. After is used for every wait, so tests drive the
// scheduler with a fake clock instead of sleeping.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Deps are the Service's collaborators. Store, Fetcher and Poster are
// required; the rest are optional.
type Deps struct {
	Store   Store
	Fetcher Fetcher
	Poster  Poster
	// Summarizer summarizes top entries that have no cached summary; nil
	// means entries without one use the feed item's text or the bare title.
	Summarizer Summarizer
	// Channels names channels for "shared in #name"; nil uses <#id>.
	Channels ChannelNamer
	// Visibility, when set, keeps out links shared where not everyone who
	// sees the digest could see them; nil shows every shared link.
	Visibility Visibility
	// Clock defaults to the system clock.
	Clock Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// OnPanic, when set, counts a panic recovered while parsing a feed
	// (where is "feed"); main passes the metrics registry's.
	OnPanic func(where string)
}

// Options tune the Service. Zero values take the defaults in parentheses.
type Options struct {
	// InstanceID names this process in run claims (host-pid-random).
	InstanceID string
	// Lease is how long a run claim holds before another instance may take
	// it over (10m; DIGEST_LEASE). The claim is renewed every Lease/3 while
	// the run works, composing may take Lease/2, and a run that cannot
	// renew its claim before it runs out stops posting.
	Lease time.Duration
	// FeedInterval is how often each feed is polled (30m; at least 10m).
	FeedInterval time.Duration
	// MaxFeedBackoff caps the exponential backoff of a failing feed (24h).
	MaxFeedBackoff time.Duration
	// MaxEntries is the most stories in one digest (10).
	MaxEntries int
	// WordBudget is the most words of entry text in one digest (700).
	WordBudget int
	// MaxSummarize is how many top entries without a cached summary may be
	// sent to the Summarizer per digest (5).
	MaxSummarize int
	// MaxFeedsPerChannel limits /digest feed add (20).
	MaxFeedsPerChannel int
	// MaxFeedsPerServer limits /digest feed add across a server's channels
	// (50).
	MaxFeedsPerServer int
	// FeedWorkers is how many feeds are fetched at once (8).
	FeedWorkers int
	// FeedsPerHost is how many of those may go to one host (2).
	FeedsPerHost int
	// DefaultWindow is how far back the first digest looks (24h).
	DefaultWindow time.Duration
	// ClusterThreshold is the cosine similarity at which two items are
	// taken to be about the same story (0.3).
	ClusterThreshold float64
}

// Minimum feed poll interval: be polite to publishers.
const minFeedInterval = 10 * time.Minute

func (o Options) withDefaults() Options {
	if o.InstanceID == "" {
		host, _ := os.Hostname()
		var b [4]byte
		_, _ = rand.Read(b[:])
		o.InstanceID = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	if o.Lease <= 0 {
		o.Lease = 10 * time.Minute
	}
	if o.FeedInterval <= 0 {
		o.FeedInterval = 30 * time.Minute
	}
	o.FeedInterval = max(o.FeedInterval, minFeedInterval)
	if o.MaxFeedBackoff <= 0 {
		o.MaxFeedBackoff = 24 * time.Hour
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = 10
	}
	if o.WordBudget <= 0 {
		o.WordBudget = 700
	}
	if o.MaxSummarize < 0 {
		o.MaxSummarize = 0
	} else if o.MaxSummarize == 0 {
		o.MaxSummarize = 5
	}
	if o.MaxFeedsPerChannel <= 0 {
		o.MaxFeedsPerChannel = 20
	}
	if o.MaxFeedsPerServer <= 0 {
		o.MaxFeedsPerServer = 50
	}
	if o.FeedWorkers <= 0 {
		o.FeedWorkers = 8
	}
	if o.FeedsPerHost <= 0 {
		o.FeedsPerHost = 2
	}
	if o.DefaultWindow <= 0 {
		o.DefaultWindow = 24 * time.Hour
	}
	if o.ClusterThreshold <= 0 {
		o.ClusterThreshold = defaultClusterThreshold
	}
	return o
}

// Service runs digests: the /digest commands call its methods, and Run
// schedules digests and polls feeds until its context ends. It keeps no
// state of its own beyond its dependencies, so several Services (in one
// process or many) may share one database.
type Service struct {
	store      Store
	fetcher    Fetcher
	poster     Poster
	summarizer Summarizer
	channels   ChannelNamer
	visibility Visibility
	clock      Clock
	log        *slog.Logger
	onPanic    func(string)
	opts       Options

	pollMu  sync.Mutex
	polling map[string]bool // feeds being polled by this process
	feeds   *feedPool
	// finishWait is the first wait between attempts to record a run as
	// done (doubling); tests shorten it.
	finishWait time.Duration
}

// New returns a Service. Store, Fetcher and Poster in deps are required.
func New(deps Deps, opts Options) *Service {
	opts = opts.withDefaults()
	s := &Service{
		store:      deps.Store,
		fetcher:    deps.Fetcher,
		poster:     deps.Poster,
		summarizer: deps.Summarizer,
		channels:   deps.Channels,
		visibility: deps.Visibility,
		clock:      deps.Clock,
		log:        deps.Logger,
		onPanic:    deps.OnPanic,
		opts:       opts,
		polling:    make(map[string]bool),
		feeds:      newFeedPool(opts.FeedWorkers, opts.FeedsPerHost),
		finishWait: 100 * time.Millisecond,
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "digest")
	return s
}

// UserError is an error whose text is meant for the person who ran the
// command: short, friendly and free of internals.
type UserError struct {
	Msg string
	Err error // cause, for logs; may be nil
}

func (e *UserError) Error() string { return e.Msg }

// UserMessage is the text for the person who ran the command.
func (e *UserError) UserMessage() string { return e.Msg }

// Unwrap returns the cause.
func (e *UserError) Unwrap() error { return e.Err }

func userErrorf(cause error, format string, args ...any) error {
	return &UserError{Msg: fmt.Sprintf(format, args...), Err: cause}
}
