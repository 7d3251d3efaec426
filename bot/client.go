package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/internal/metrics"
	"github.com/precisbot/precis/render"
)

// DefaultAPIURL is Discord's REST base as discordgo builds its endpoints.
var DefaultAPIURL = "https://discord.com/api/v" + discordgo.APIVersion

// ClientOptions configure the Discord connection; main fills them from
// config.
type ClientOptions struct {
	// Token is DISCORD_TOKEN, with or without its "Bot " prefix.
	Token string
	// APIURL is DISCORD_API_URL; every Discord request goes to its host.
	APIURL string
	// ShardID and ShardCount enable sharding when ShardCount > 1.
	ShardID, ShardCount int
	// RetryBase is the first wait before a post that met a Discord server
	// error is tried again.
	RetryBase time.Duration
}

// Client is Precis's connection to Discord: the discordgo session (REST,
// gateway and its state cache). It is built before the digest service,
// which posts through it, and handed to New, which adds the event
// handlers; nothing else touches discordgo.
type Client struct {
	session *discordgo.Session
	opts    ClientOptions
	metrics *metrics.Metrics
	log     *slog.Logger
}

// NewClient builds the session without connecting. m and logger may be nil.
func NewClient(opts ClientOptions, m *metrics.Metrics, logger *slog.Logger) (*Client, error) {
	if strings.TrimSpace(opts.Token) == "" {
		return nil, errors.New("bot: DISCORD_TOKEN is empty")
	}
	if opts.APIURL == "" {
		return nil, errors.New("bot: DISCORD_API_URL is empty")
	}
	if opts.RetryBase <= 0 {
		return nil, errors.New("bot: RetryBase must be positive")
	}
	if opts.ShardCount > 1 && (opts.ShardID < 0 || opts.ShardID >= opts.ShardCount) {
		return nil, fmt.Errorf("bot: shard id %d out of range for %d shards", opts.ShardID, opts.ShardCount)
	}
	if m == nil {
		m = metrics.New()
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	transport, err := NewRewriteTransport(opts.APIURL, nil)
	if err != nil {
		return nil, err
	}
	s, err := discordgo.New(botToken(opts.Token))
	if err != nil {
		return nil, fmt.Errorf("bot: new session: %w", err)
	}
	s.Client = &http.Client{Transport: transport, Timeout: 20 * time.Second}
	s.UserAgent = "DiscordBot (https://github.com/precisbot/precis, 1)"
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages |
		discordgo.IntentsGuildMessageReactions | discordgo.IntentMessageContent
	s.ShouldReconnectOnError = true
	s.ShouldRetryOnRateLimit = true
	s.MaxRestRetries = 3
	s.StateEnabled = true
	if opts.ShardCount > 1 {
		s.ShardID, s.ShardCount = opts.ShardID, opts.ShardCount
	}
	return &Client{session: s, opts: opts, metrics: m, log: logger.With("component", "discord")}, nil
}

// PostDigest renders d and posts its messages in order; it implements
// digest.Poster. Each message carries a nonce made from the channel, the
// local date and the message's place, with enforce_nonce, so a send that is
// retried after a timeout or a 5xx cannot post the same message twice.
func (c *Client) PostDigest(ctx context.Context, d *digest.Digest, hooks digest.PostHooks) error {
	msgs := render.Digest(d)
	for i, m := range msgs {
		if hooks.Before != nil {
			if err := hooks.Before(i); err != nil {
				return err
			}
		}
		id, err := c.sendOnce(ctx, d.ChannelID, m, nonce("digest", d.ChannelID, d.LocalDate, strconv.Itoa(i)))
		if err != nil {
			return &digest.PostError{Index: i, Total: len(msgs), Err: err}
		}
		if hooks.Posted != nil {
			hooks.Posted(i, id)
		}
	}
	return nil
}

// nonce is a message's nonce for enforce_nonce: at most 25 characters,
// the same for the same parts (what the message is, where, which one).
func nonce(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "|")))
	return hex.EncodeToString(sum[:])[:25]
}

// noncedMessage is a message with Discord's nonce fields, which
// discordgo's MessageSend lacks.
type noncedMessage struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce"`
	EnforceNonce bool   `json:"enforce_nonce"`
}

// sendOnce posts a message with a nonce Discord enforces, retrying server
// errors: a retry of a message Discord already accepted returns that
// message instead of posting it again.
func (c *Client) sendOnce(ctx context.Context, channelID string, msg *discordgo.MessageSend, nonce string) (string, error) {
	start := time.Now()
	endpoint := discordgo.EndpointChannelMessages(channelID)
	var posted discordgo.Message
	err := retryPost(ctx, c.opts.RetryBase, func() error {
		body, err := c.session.RequestWithBucketID("POST", endpoint, noncedMessage{msg, nonce, true}, endpoint, discordgo.WithContext(ctx))
		if err != nil {
			return err
		}
		return json.Unmarshal(body, &posted)
	})
	c.metrics.ObserveStage("post", time.Since(start))
	if err != nil {
		return "", fmt.Errorf("post to channel %s: %w", channelID, err)
	}
	return posted.ID, nil
}

// PostedDigest returns the IDs of the bot's recent messages in d's channel
// that begin d's digest; it implements digest.Poster.
func (c *Client) PostedDigest(ctx context.Context, d *digest.Digest) ([]string, error) {
	self, err := c.selfID(ctx)
	if err != nil {
		return nil, err
	}
	msgs, err := c.session.ChannelMessages(d.ChannelID, 50, "", "", "", discordgo.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("recent messages of channel %s: %w", d.ChannelID, err)
	}
	header := render.DigestHeader(d)
	var ids []string
	for _, m := range msgs {
		if m.Author != nil && m.Author.ID == self && strings.HasPrefix(m.Content, header) {
			ids = append(ids, m.ID)
		}
	}
	return ids, nil
}

// selfID is the bot's own user ID, from the gateway's state or the API.
func (c *Client) selfID(ctx context.Context) (string, error) {
	if st := c.session.State; st != nil {
		st.RLock()
		u := st.User
		st.RUnlock()
		if u != nil && u.ID != "" {
			return u.ID, nil
		}
	}
	u, err := c.session.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("who am I: %w", err)
	}
	return u.ID, nil
}

// ChannelName names a channel from the gateway's state, asking the API
// only for channels the state does not hold; it implements
// digest.ChannelNamer.
func (c *Client) ChannelName(ctx context.Context, _, channelID string) (string, error) {
	if ch, err := c.session.State.Channel(channelID); err == nil {
		return ch.Name, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ch, err := c.session.Channel(channelID, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	return ch.Name, nil
}

// botToken adds the "Bot " prefix when the token lacks it.
func botToken(tok string) string {
	tok = strings.TrimSpace(tok)
	if strings.HasPrefix(tok, "Bot ") {
		return tok
	}
	return "Bot " + tok
}

// RewriteTransport sends every request to one API base: scheme and host
// are replaced, and discordgo's /api/v9 path prefix becomes the base's
// path. discordgo's endpoints are frozen at init, so this is how
// DISCORD_API_URL (proxies, tests) takes effect.
type RewriteTransport struct {
	scheme, host, prefix string
	next                 http.RoundTripper
}

// NewRewriteTransport returns a RewriteTransport to apiURL over next (nil
// means a clone of http.DefaultTransport).
func NewRewriteTransport(apiURL string, next http.RoundTripper) (*RewriteTransport, error) {
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bot: DISCORD_API_URL %q is not an http(s) URL", apiURL)
	}
	if next == nil {
		next = http.DefaultTransport.(*http.Transport).Clone()
	}
	return &RewriteTransport{scheme: u.Scheme, host: u.Host, prefix: strings.TrimSuffix(u.Path, "/"), next: next}, nil
}

// RoundTrip implements http.RoundTripper.
func (t *RewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.URL.Scheme, r2.URL.Host, r2.Host = t.scheme, t.host, ""
	std := "/api/v" + discordgo.APIVersion
	// A base without a path (http://host:port) keeps discordgo's own
	// /api/v9 paths; a base with one (http://proxy/discord/api/v10) has it
	// replace them.
	if p := r2.URL.Path; (p == std || strings.HasPrefix(p, std+"/")) && t.prefix != "" && t.prefix != std {
		r2.URL.Path = t.prefix + strings.TrimPrefix(p, std)
		r2.URL.RawPath = ""
	}
	return t.next.RoundTrip(r2)
}

// CloseIdleConnections closes the wrapped transport's idle keep-alive
// connections, so http.Client.CloseIdleConnections reaches them.
func (t *RewriteTransport) CloseIdleConnections() {
	if ci, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
