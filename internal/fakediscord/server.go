// Package fakediscord owns a fake Discord for tests: a REST API and a
// gateway websocket on loopback that the real discordgo client talks to.
//
// The fake records every REST request and gateway frame, answers like
// Discord does (snowflake ids, message objects, 204s, 404 JSON errors, 429
// rate limits on demand), validates every outgoing payload against Discord's
// own OpenAPI schema plus the rules the schema lacks and Precis's own
// allowed_mentions rule, and fails the test at cleanup if anything was
// wrong. Tests wait for things through channels, never sleeps:
//
//	fake := fakediscord.New(t, fakediscord.Options{Token: "tok"})
//	s, _ := discordgo.New("Bot tok")
//	s.Client = fake.Client()
//	_ = s.Open()
//	fake.WaitReady(ctx, 1)
//	in, _ := fake.SendSlashCommand(fakediscord.SlashCommand{Name: "summarize", Options: ...})
//	req, _ := fake.WaitRequest(ctx, fakediscord.Match("POST", "/interactions/"+in.ID+"/*/callback"))
package fakediscord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Defaults used when Options leave them empty.
const (
	DefaultToken         = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.GfAkE0.fake-bot-token-for-tests_0123456789abcd" // shaped like a real bot token (config.ValidateServe checks the shape)
	DefaultBotUserID     = "1100000000000000001"
	DefaultBotUsername   = "Precis"
	DefaultGuildID       = "1200000000000000001"
	DefaultChannelID     = "1300000000000000001"
	DefaultUserID        = "1400000000000000001"
	DefaultUsername      = "reader"
	DefaultGuildName     = "Fake Guild"
	DefaultChannelName   = "general"
	defaultHeartbeat     = 41250 * time.Millisecond
	defaultAckTimeout    = 3 * time.Second
	discordEpochMillis   = 1420070400000
	defaultUserPerms     = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionReadMessageHistory | discordgo.PermissionUseApplicationCommands | discordgo.PermissionAddReactions | discordgo.PermissionEmbedLinks
	everyonePermissions  = defaultUserPerms
	botRolePermissions   = defaultUserPerms | discordgo.PermissionAttachFiles
	defaultRetryAfterMin = time.Millisecond
)

// ErrNoConnection is returned by dispatch helpers when no gateway connection
// has finished its handshake.
var ErrNoConnection = errors.New("fakediscord: no ready gateway connection")

// Guild configures one guild the bot is in: it is listed (unavailable) in
// READY and then sent in full as GUILD_CREATE.
type Guild struct {
	ID   string
	Name string
	// Channels of the guild; empty means one text channel named "general"
	// (DefaultChannelID for the first guild, a fresh id for others).
	Channels []Channel
	// BotPermissions are the permissions of the bot's own role; zero means
	// view, send, embed links, attach files, add reactions, read history.
	BotPermissions int64
	// EveryonePermissions are the @everyone role's; zero means the default
	// user's (view, send, read history, use commands). Use -1 for none.
	EveryonePermissions int64
	// Roles are the guild's roles besides @everyone (whose ID is the
	// guild's) and the bot's own.
	Roles []Role
}

// Role is a guild role.
type Role struct {
	ID, Name    string
	Permissions int64
}

// Channel is a guild channel or thread.
type Channel struct {
	ID   string
	Name string
	// Type is the Discord channel type; zero is a guild text channel.
	// Threads (public, private, announcement) are sent in GUILD_CREATE's
	// threads, not its channels.
	Type discordgo.ChannelType
	// Overwrites are the channel's permission overwrites; the @everyone
	// role's ID is the guild's.
	Overwrites []discordgo.PermissionOverwrite
	// NSFW marks an age-restricted channel.
	NSFW bool
	// ParentID is a thread's channel (or a channel's category).
	ParentID string
	// Archived marks an archived thread: GUILD_CREATE leaves it out, as
	// Discord does, but GET /channels/{id} finds it.
	Archived bool
}

// Options configures a Server. Every field has a working default.
type Options struct {
	// Token is the bot token without the "Bot " prefix. REST requests must
	// carry "Authorization: Bot <Token>" and IDENTIFY must carry the token,
	// otherwise the fake answers like Discord (401, close 4004) and records
	// a violation. Empty means DefaultToken.
	Token string
	// BotUser is the bot's own user; nil means a bot named DefaultBotUsername
	// with id DefaultBotUserID.
	BotUser *discordgo.User
	// ApplicationID defaults to the bot user's id, as for real bots.
	ApplicationID string
	// Guilds the bot is in; nil means one guild (DefaultGuildID) with one
	// channel (DefaultChannelID). Use an empty non-nil slice for none.
	Guilds []Guild
	// HeartbeatInterval is sent in HELLO; zero means Discord's 41.25 s.
	HeartbeatInterval time.Duration
	// Latency delays every REST answer.
	Latency time.Duration
	// InteractionAckTimeout is how long after dispatch an interaction
	// callback is accepted (Discord: 3 s); later ones get 404 Unknown
	// interaction and a violation. Zero means 3 s, negative disables.
	InteractionAckTimeout time.Duration
	// AllowViolations stops the cleanup hook from failing the test; use it
	// in tests that provoke violations on purpose and check Violations.
	AllowViolations bool
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock for snowflakes and timestamps; nil means time.Now.
	Now func() time.Time
}

// Server is a running fake Discord. Create it with New or Start.
type Server struct {
	opts    Options
	token   string
	botUser *discordgo.User
	appID   string
	log     *slog.Logger
	now     func() time.Time

	http    *httptest.Server
	baseURL *url.URL
	wsURL   string

	idCounter atomic.Int64
	connIDs   atomic.Int64
	dropAcks  atomic.Bool

	requests   journal[Request]
	frames     journal[Frame]
	violations journal[string]
	handshakes journal[int] // connection ids, one per READY + GUILD_CREATEs

	// guildsMu guards guilds, which is replaced, never changed in place,
	// when a test changes or removes a channel or guild: readers keep a
	// consistent snapshot (guildList).
	guildsMu sync.Mutex
	guilds   []Guild

	mu           sync.Mutex
	conns        map[int]*gwConn
	sessions     map[string]*gwSession
	rateLimits   []*rateLimitRule
	messages     map[string]*storedMessage     // by message id
	nonces       map[string]string             // channel|author|nonce -> message id (enforce_nonce)
	interactions map[string]*storedInteraction // by interaction token
	commands     map[string][]map[string]any   // by "" (global) or guild id
	closed       bool

	validator *Validator
}

// New starts a fake Discord for a test and registers a cleanup that closes
// it and fails the test if any violation was recorded (unless
// Options.AllowViolations).
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("fakediscord: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		if opts.AllowViolations {
			return
		}
		for _, v := range s.Violations() {
			t.Errorf("fakediscord violation: %s", v)
		}
	})
	return s
}

// Start starts a fake Discord outside a test (for example in a manual
// harness); call Close when done.
func Start(opts Options) (*Server, error) {
	v, err := DefaultValidator()
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:         opts,
		token:        opts.Token,
		botUser:      opts.BotUser,
		appID:        opts.ApplicationID,
		guilds:       opts.Guilds,
		log:          opts.Logger,
		now:          opts.Now,
		conns:        map[int]*gwConn{},
		sessions:     map[string]*gwSession{},
		messages:     map[string]*storedMessage{},
		nonces:       map[string]string{},
		interactions: map[string]*storedInteraction{},
		commands:     map[string][]map[string]any{},
		validator:    v,
	}
	if s.token == "" {
		s.token = DefaultToken
	}
	if s.botUser == nil {
		s.botUser = &discordgo.User{ID: DefaultBotUserID, Username: DefaultBotUsername, Discriminator: "0", Bot: true}
	}
	if s.appID == "" {
		s.appID = s.botUser.ID
	}
	if s.guilds == nil {
		s.guilds = []Guild{{ID: DefaultGuildID}}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	for i := range s.guilds {
		g := &s.guilds[i]
		if g.ID == "" {
			g.ID = s.NewID()
		}
		if g.Name == "" {
			g.Name = DefaultGuildName
		}
		if g.BotPermissions == 0 {
			g.BotPermissions = botRolePermissions
		}
		if len(g.Channels) == 0 {
			id := DefaultChannelID
			if i > 0 {
				id = s.NewID()
			}
			g.Channels = []Channel{{ID: id, Name: DefaultChannelName}}
		}
		for j := range g.Channels {
			if g.Channels[j].ID == "" {
				g.Channels[j].ID = s.NewID()
			}
			if g.Channels[j].Name == "" {
				g.Channels[j].Name = fmt.Sprintf("channel-%d", j)
			}
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway-ws", s.serveGateway)
	mux.HandleFunc("/gateway-ws/", s.serveGateway)
	mux.HandleFunc("/", s.serveREST)
	s.http = httptest.NewServer(mux)
	u, err := url.Parse(s.http.URL)
	if err != nil {
		s.http.Close()
		return nil, fmt.Errorf("parse fake url: %w", err)
	}
	s.baseURL = u
	s.wsURL = "ws://" + u.Host + "/gateway-ws"
	return s, nil
}

// Close closes every gateway connection and the HTTP server. It is safe to
// call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := make([]*gwConn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close(1001, "fake server closing")
	}
	s.http.Close()
}

// URL is the fake's base URL, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.http.URL }

// APIURL is the REST base a bot can use as DISCORD_API_URL: URL()+"/api/v9".
func (s *Server) APIURL() string { return s.http.URL + "/api/v" + discordgo.APIVersion }

// GatewayURL is the fake's websocket address, as answered by GET /gateway.
func (s *Server) GatewayURL() string { return s.wsURL }

// Token is the bot token the fake expects (without "Bot ").
func (s *Server) Token() string { return s.token }

// BotUser is the bot's own user as sent in READY.
func (s *Server) BotUser() discordgo.User { return *s.botUser }

// ApplicationID is the bot's application id.
func (s *Server) ApplicationID() string { return s.appID }

// Guilds returns the configured guilds with defaults filled in.
func (s *Server) Guilds() []Guild { return append([]Guild(nil), s.guildList()...) }

// guildList is the current guilds; callers must not change them.
func (s *Server) guildList() []Guild {
	s.guildsMu.Lock()
	defer s.guildsMu.Unlock()
	return s.guilds
}

// Client returns an HTTP client whose transport sends every request, to any
// host, to the fake (scheme and host rewritten, path kept), so that
// `session.Client = fake.Client()` points discordgo's frozen
// https://discord.com/api/v9 endpoints at the fake.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.Transport(), Timeout: 20 * time.Second}
}

// Transport is the rewriting round tripper behind Client.
func (s *Server) Transport() http.RoundTripper {
	return &rewriteTransport{base: s.baseURL, next: s.http.Client().Transport}
}

type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

func (t *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.URL.Scheme = t.base.Scheme
	r2.URL.Host = t.base.Host
	r2.Host = t.base.Host
	return t.next.RoundTrip(r2)
}

// NewID returns a fresh snowflake whose timestamp is the fake's clock.
func (s *Server) NewID() string {
	ms := s.now().UnixMilli() - discordEpochMillis
	if ms < 0 {
		ms = 0
	}
	n := s.idCounter.Add(1)
	return fmt.Sprint(ms<<22 | (n & 0x3fffff))
}

// Violations returns every problem recorded so far: invalid payloads,
// unknown routes, bad tokens, misused interactions.
func (s *Server) Violations() []string { return s.violations.all() }

// TakeViolations returns the violations recorded so far and forgets them,
// for tests that provoke violations on purpose.
func (s *Server) TakeViolations() []string { return s.violations.take() }

// WaitViolation waits until at least n violations have been recorded.
func (s *Server) WaitViolation(ctx context.Context, n int) ([]string, error) {
	if _, err := s.violations.waitN(ctx, n); err != nil {
		return nil, fmt.Errorf("wait for violation %d: %w", n, err)
	}
	return s.violations.all(), nil
}

func (s *Server) violate(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.log.Debug("violation", "violation", msg)
	s.violations.add(msg)
}

// journal is an append-only log that waiters can block on without polling.
type journal[T any] struct {
	mu      sync.Mutex
	items   []T
	changed chan struct{}
}

func (j *journal[T]) add(v T) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.items = append(j.items, v)
	if j.changed != nil {
		close(j.changed)
		j.changed = nil
	}
	return len(j.items)
}

func (j *journal[T]) all() []T {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]T(nil), j.items...)
}

func (j *journal[T]) take() []T {
	j.mu.Lock()
	defer j.mu.Unlock()
	items := j.items
	j.items = nil
	return items
}

// wait returns the first item that matches pred, waiting for new items
// until ctx is done.
func (j *journal[T]) wait(ctx context.Context, pred func(T) bool) (T, error) {
	next := 0
	for {
		j.mu.Lock()
		for ; next < len(j.items); next++ {
			if pred(j.items[next]) {
				v := j.items[next]
				j.mu.Unlock()
				return v, nil
			}
		}
		if err := j.awaitChangeLocked(ctx); err != nil {
			var zero T
			return zero, err
		}
	}
}

// waitN waits until the journal holds at least n items and returns the nth.
func (j *journal[T]) waitN(ctx context.Context, n int) (T, error) {
	var zero T
	if n <= 0 {
		return zero, fmt.Errorf("wait for item %d: n must be at least 1", n)
	}
	for {
		j.mu.Lock()
		if len(j.items) >= n {
			v := j.items[n-1]
			j.mu.Unlock()
			return v, nil
		}
		if err := j.awaitChangeLocked(ctx); err != nil {
			return zero, err
		}
	}
}

// awaitChangeLocked releases j.mu (held by the caller) and waits until an
// item is added or ctx ends.
func (j *journal[T]) awaitChangeLocked(ctx context.Context) error {
	if j.changed == nil {
		j.changed = make(chan struct{})
	}
	ch := j.changed
	j.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func stripBot(tok string) string {
	return strings.TrimPrefix(tok, "Bot ")
}
