// Package config owns Precis's settings: their names, defaults and
// validation, read from the environment (optionally mirrored by a file), with
// *_FILE variants for secrets and a redacted form for logs.
package config

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Config holds every setting. The zero value is not useful; use Load.
type Config struct {
	DiscordToken     string
	DiscordAPIURL    string
	DiscordGuildID   string
	ShardID          int
	ShardCount       int
	LLMBaseURL       string
	LLMAPIKey        string
	LLMModel         string
	LLMTimeout       time.Duration
	LLMMaxTokens     int
	LLMContextTokens int
	SummaryLanguage  string

	DatabaseURL string

	FetchAllowPrivate bool
	FetchTimeout      time.Duration
	FetchMaxBytes     int64

	// ArchiveFallback: look for archived copies of walled or blocked
	// pages. An empty ArchiveWaybackURL or ArchiveTodayURL (set to "off")
	// leaves that service out.
	ArchiveFallback   bool
	ArchiveWaybackURL string
	ArchiveTodayURL   string

	// OutletFactsFile is an admin's JSON file of facts about outlets
	// (owner, country, funding, a third-party rating), shown in comparisons.
	OutletFactsFile string

	PDFMaxBytes int64
	PDFMaxPages int

	HTTPAddr string

	QuotaUserPerHour        int
	QuotaServerPerHour      int
	QuotaServerTokensPerDay int
	MaxLinksPerMessage      int
	Workers                 int
	LLMConcurrency          int
	CacheMaxAge             time.Duration
	DigestLease             time.Duration

	LogLevel  string
	LogFormat string
}

// Defaults.
const (
	DefaultDiscordAPIURL        = "https://discord.com/api/v9"
	DefaultLLMBaseURL           = "https://api.openai.com/v1"
	DefaultLLMModel             = "gpt-4.1-mini"
	DefaultDatabaseURL          = "sqlite:precis.db"
	DefaultHTTPAddr             = ":8080"
	DefaultFetchTimeout         = 15 * time.Second
	DefaultFetchMaxBytes        = 5 << 20
	DefaultLLMTimeout           = 60 * time.Second
	DefaultLLMMaxTokens         = 1200
	DefaultLLMContextTokens     = 32000
	DefaultQuotaUserPerHour     = 20
	DefaultQuotaServerPerHour   = 120
	DefaultQuotaServerTokensDay = 300000
	DefaultMaxLinksPerMessage   = 3
	DefaultCacheMaxAge          = 24 * time.Hour
	DefaultDigestLease          = 10 * time.Minute
	// DefaultLLMConcurrencyHosted suits hosted APIs (OpenAI, OpenRouter),
	// which serve many requests at once; DefaultLLMConcurrencyLocal suits a
	// model on the same machine or network (Ollama, llama.cpp, vLLM).
	DefaultLLMConcurrencyHosted = 64
	DefaultLLMConcurrencyLocal  = 2

	// Sizes and deadlines that are not settings.
	DefaultQueueSize     = 256
	DefaultJobTimeout    = 2 * time.Minute
	DefaultShutdownGrace = 5 * time.Second
	DefaultRetryBase     = time.Second
	// DefaultMinWords is the article quality gate's minimum.
	DefaultMinWords = 80

	DefaultArchiveWaybackURL = "https://archive.org"
	DefaultArchiveTodayURL   = "https://archive.ph"
	DefaultPDFMaxBytes       = 20 << 20
	DefaultPDFMaxPages       = 100
)

// DefaultWorkers is how many jobs fetch and extract at once: twice the
// CPU cores (fetching waits on the network, extracting uses a core), at
// least 4.
func DefaultWorkers() int { return max(4, 2*runtime.NumCPU()) }

// DefaultLLMConcurrency is the default for LLM_CONCURRENCY: few requests at
// once to a model on this machine or the local network, many to a hosted
// API.
func DefaultLLMConcurrency(baseURL string) int {
	u, err := url.Parse(baseURL)
	if err != nil {
		return DefaultLLMConcurrencyHosted
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") || u.Port() == "11434" {
		return DefaultLLMConcurrencyLocal
	}
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()) {
		return DefaultLLMConcurrencyLocal
	}
	if !strings.Contains(host, ".") { // a bare container or host name
		return DefaultLLMConcurrencyLocal
	}
	return DefaultLLMConcurrencyHosted
}

// Setting documents one environment variable; Settings is the list the
// README's table and `precis config` are made from.
type Setting struct {
	Name    string
	Default string
	Help    string
	Secret  bool
}

// Settings lists every variable Precis reads.
var Settings = []Setting{
	{"DISCORD_TOKEN", "", "bot token (required for serve); DISCORD_TOKEN_FILE reads it from a file", true},
	{"DISCORD_API_URL", DefaultDiscordAPIURL, "Discord REST base; every Discord request and the gateway lookup go here", false},
	{"DISCORD_GUILD_ID", "", "register commands in this guild only (instant, for development)", false},
	{"DISCORD_SHARD_ID", "0", "this process's shard id", false},
	{"DISCORD_SHARD_COUNT", "1", "total number of shards", false},
	{"LLM_BASE_URL", DefaultLLMBaseURL, "any OpenAI-compatible server (OpenAI, Ollama, vLLM, OpenRouter...)", false},
	{"LLM_API_KEY", "", "API key (or OPENAI_API_KEY, or LLM_API_KEY_FILE); empty = offline extractive summarizer", true},
	{"LLM_MODEL", DefaultLLMModel, "model name", false},
	{"LLM_TIMEOUT", DefaultLLMTimeout.String(), "time limit for one LLM call", false},
	{"LLM_MAX_TOKENS", strconv.Itoa(DefaultLLMMaxTokens), "completion tokens per LLM call", false},
	{"LLM_CONTEXT_TOKENS", strconv.Itoa(DefaultLLMContextTokens), "the model's input budget; longer articles are summarised in chunks", false},
	{"SUMMARY_LANGUAGE", "", "language of summaries (e.g. en, de); empty = the article's own", false},
	{"DATABASE_URL", DefaultDatabaseURL, "storage: sqlite:PATH (relative or absolute) or postgres://USER:PASSWORD@HOST/DBNAME", false},
	{"FETCH_ALLOW_PRIVATE", "false", "allow fetching loopback/private addresses (tests, intranet wikis)", false},
	{"FETCH_TIMEOUT", DefaultFetchTimeout.String(), "time limit for a whole page fetch", false},
	{"FETCH_MAX_BYTES", "5MiB", "largest page body accepted (after decompression)", false},
	{"ARCHIVE_FALLBACK", "true", "for walled or blocked pages, read an existing archived copy (sends the link to the archive services below)", false},
	{"ARCHIVE_WAYBACK_URL", DefaultArchiveWaybackURL, "Wayback Machine base (availability API and snapshots); off leaves it out", false},
	{"ARCHIVE_TODAY_URL", DefaultArchiveTodayURL, "archive.today base (newest copy; the search link offered when none is found); off leaves it out", false},
	{"PDF_MAX_BYTES", "20MiB", "largest PDF accepted", false},
	{"OUTLET_FACTS_FILE", "", "JSON file of facts about outlets (owner, country, funding, a rating and its source), shown as given in comparisons; the model never rates outlets", false},
	{"PDF_MAX_PAGES", strconv.Itoa(DefaultPDFMaxPages), "PDF pages read; later pages are left out", false},
	{"HTTP_ADDR", DefaultHTTPAddr, "address for /healthz and /metrics; off disables", false},
	{"QUOTA_USER_PER_HOUR", strconv.Itoa(DefaultQuotaUserPerHour), "summaries one user may ask for per hour; 0 = no limit", false},
	{"QUOTA_SERVER_PER_HOUR", strconv.Itoa(DefaultQuotaServerPerHour), "summaries per server per hour (auto and asked); 0 = no limit", false},
	{"QUOTA_SERVER_TOKENS_PER_DAY", strconv.Itoa(DefaultQuotaServerTokensDay), "LLM tokens per server per day; past it, the offline summarizer; 0 = no limit", false},
	{"MAX_LINKS_PER_MESSAGE", strconv.Itoa(DefaultMaxLinksPerMessage), "article links summarised from one message", false},
	{"WORKERS", "2 × CPU cores, at least 4", "links fetched and extracted at once (waiting for the model does not hold one)", false},
	{"LLM_CONCURRENCY", "64 (2 for a local LLM_BASE_URL)", "requests in flight to the model at once; local means loopback, private, .local or port 11434", false},
	{"CACHE_MAX_AGE", DefaultCacheMaxAge.String(), "how long a link's summary is reused before the page is read again", false},
	{"DIGEST_LEASE", DefaultDigestLease.String(), "how long one instance holds a digest run before another may take it over", false},
	{"LOG_LEVEL", "info", "debug, info, warn or error", false},
	{"LOG_FORMAT", "text", "text or json (json for production)", false},
	{"PRECIS_CONFIG", "", "optional file of KEY=VALUE lines mirroring these variables; the environment wins", false},
}

// Load reads the configuration through getenv (os.Getenv in production).
// When PRECIS_CONFIG names a file, its KEY=VALUE lines fill in what the
// environment leaves unset. Every bad value is reported, one per line.
func Load(getenv func(string) string) (*Config, error) {
	if path := getenv("PRECIS_CONFIG"); path != "" {
		file, err := readEnvFile(path)
		if err != nil {
			return nil, err
		}
		if err := checkKeys(path, file); err != nil {
			return nil, err
		}
		env := getenv
		getenv = func(k string) string {
			if v := env(k); v != "" {
				return v
			}
			return file[k]
		}
	}
	p := parser{getenv: getenv}
	c := &Config{
		DiscordToken:     strings.TrimSpace(p.secret("DISCORD_TOKEN")),
		DiscordAPIURL:    strings.TrimRight(p.str("DISCORD_API_URL", DefaultDiscordAPIURL), "/"),
		DiscordGuildID:   p.str("DISCORD_GUILD_ID", ""),
		ShardID:          p.int("DISCORD_SHARD_ID", 0),
		ShardCount:       p.int("DISCORD_SHARD_COUNT", 1),
		LLMBaseURL:       strings.TrimRight(p.str("LLM_BASE_URL", DefaultLLMBaseURL), "/"),
		LLMAPIKey:        strings.TrimSpace(p.secret("LLM_API_KEY")),
		LLMModel:         p.str("LLM_MODEL", DefaultLLMModel),
		LLMTimeout:       p.duration("LLM_TIMEOUT", DefaultLLMTimeout),
		LLMMaxTokens:     p.int("LLM_MAX_TOKENS", DefaultLLMMaxTokens),
		LLMContextTokens: p.int("LLM_CONTEXT_TOKENS", DefaultLLMContextTokens),
		SummaryLanguage:  p.str("SUMMARY_LANGUAGE", ""),

		DatabaseURL: p.str("DATABASE_URL", DefaultDatabaseURL),

		FetchAllowPrivate: p.bool("FETCH_ALLOW_PRIVATE", false),
		FetchTimeout:      p.duration("FETCH_TIMEOUT", DefaultFetchTimeout),
		FetchMaxBytes:     p.bytes("FETCH_MAX_BYTES", DefaultFetchMaxBytes),

		ArchiveFallback:   p.bool("ARCHIVE_FALLBACK", true),
		ArchiveWaybackURL: offURL(p.str("ARCHIVE_WAYBACK_URL", DefaultArchiveWaybackURL)),
		ArchiveTodayURL:   offURL(p.str("ARCHIVE_TODAY_URL", DefaultArchiveTodayURL)),

		PDFMaxBytes:     p.bytes("PDF_MAX_BYTES", DefaultPDFMaxBytes),
		OutletFactsFile: p.str("OUTLET_FACTS_FILE", ""),
		PDFMaxPages:     p.int("PDF_MAX_PAGES", DefaultPDFMaxPages),

		HTTPAddr: p.str("HTTP_ADDR", DefaultHTTPAddr),

		QuotaUserPerHour:        p.int("QUOTA_USER_PER_HOUR", DefaultQuotaUserPerHour),
		QuotaServerPerHour:      p.int("QUOTA_SERVER_PER_HOUR", DefaultQuotaServerPerHour),
		QuotaServerTokensPerDay: p.int("QUOTA_SERVER_TOKENS_PER_DAY", DefaultQuotaServerTokensDay),
		MaxLinksPerMessage:      p.int("MAX_LINKS_PER_MESSAGE", DefaultMaxLinksPerMessage),
		Workers:                 p.int("WORKERS", DefaultWorkers()),
		CacheMaxAge:             p.duration("CACHE_MAX_AGE", DefaultCacheMaxAge),
		DigestLease:             p.duration("DIGEST_LEASE", DefaultDigestLease),

		LogLevel:  strings.ToLower(p.str("LOG_LEVEL", "info")),
		LogFormat: strings.ToLower(p.str("LOG_FORMAT", "text")),
	}
	if c.LLMAPIKey == "" {
		c.LLMAPIKey = strings.TrimSpace(p.secret("OPENAI_API_KEY"))
	}
	c.LLMConcurrency = p.int("LLM_CONCURRENCY", DefaultLLMConcurrency(c.LLMBaseURL))
	if strings.EqualFold(c.HTTPAddr, "off") {
		c.HTTPAddr = ""
	}
	p.errs = append(p.errs, c.validate()...)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return c, nil
}

// ValidateServe reports what `precis serve` needs beyond Load's checks: a
// DISCORD_TOKEN shaped like a bot token, so an obviously wrong value (a
// client secret, the application ID or public key, text with spaces) is
// refused before connecting, with the way to the right one.
func (c *Config) ValidateServe() error {
	if c.DiscordToken == "" {
		return errors.New("DISCORD_TOKEN is required for serve (create a bot in the Discord developer portal; see README)")
	}
	if why := notBotToken(c.DiscordToken); why != "" {
		return fmt.Errorf("DISCORD_TOKEN: %s; %s", why, resetTokenHint)
	}
	return nil
}

// resetTokenHint says where the bot token is.
const resetTokenHint = "copy the bot token from the Discord developer portal (https://discord.com/developers/applications): your application, Bot page, Reset Token"

var (
	hexRE       = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	digitsRE    = regexp.MustCompile(`^[0-9]+$`)
	tokenRE     = regexp.MustCompile(`^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$`)
	base64urlRE = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)
)

// notBotToken says why token cannot be a bot token, or "" when it may be
// one. A bot token (with or without the "Bot " prefix) is three base64
// parts joined by dots, some 59 to 80 characters.
func notBotToken(token string) string {
	t := token
	if len(t) > 4 && strings.EqualFold(t[:4], "bot ") {
		t = t[4:]
	}
	switch {
	case strings.IndexFunc(t, unicode.IsSpace) >= 0:
		return "it contains spaces or line breaks, so it is not a bot token (copy only the token)"
	case digitsRE.MatchString(t):
		return "it looks like the application ID, not the bot token"
	case len(t) == 64 && hexRE.MatchString(t):
		return "it looks like the application's public key, not the bot token"
	case len(t) == 32 && base64urlRE.MatchString(t):
		return "it looks like the OAuth2 client secret, not the bot token"
	case !tokenRE.MatchString(t):
		return "it is not shaped like a bot token (three parts joined by dots)"
	case len(t) < 50:
		return fmt.Sprintf("it is too short for a bot token (%d characters)", len(t))
	}
	return ""
}

func (c *Config) validate() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	urls := map[string]string{"DISCORD_API_URL": c.DiscordAPIURL, "LLM_BASE_URL": c.LLMBaseURL}
	if c.ArchiveWaybackURL != "" {
		urls["ARCHIVE_WAYBACK_URL"] = c.ArchiveWaybackURL
	}
	if c.ArchiveTodayURL != "" {
		urls["ARCHIVE_TODAY_URL"] = c.ArchiveTodayURL
	}
	for name, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("%s: %q is not an http(s) URL", name, raw)
		}
	}
	if c.ShardCount < 1 {
		bad("DISCORD_SHARD_COUNT: must be at least 1, got %d", c.ShardCount)
	}
	if c.ShardID < 0 || c.ShardID >= max(c.ShardCount, 1) {
		bad("DISCORD_SHARD_ID: must be between 0 and DISCORD_SHARD_COUNT-1, got %d", c.ShardID)
	}
	if c.LLMModel == "" {
		bad("LLM_MODEL: must not be empty")
	}
	positive := []struct {
		name string
		v    int64
	}{
		{"LLM_TIMEOUT", int64(c.LLMTimeout)}, {"LLM_MAX_TOKENS", int64(c.LLMMaxTokens)},
		{"LLM_CONTEXT_TOKENS", int64(c.LLMContextTokens)}, {"FETCH_TIMEOUT", int64(c.FetchTimeout)},
		{"FETCH_MAX_BYTES", c.FetchMaxBytes}, {"MAX_LINKS_PER_MESSAGE", int64(c.MaxLinksPerMessage)},
		{"WORKERS", int64(c.Workers)}, {"LLM_CONCURRENCY", int64(c.LLMConcurrency)},
		{"CACHE_MAX_AGE", int64(c.CacheMaxAge)}, {"DIGEST_LEASE", int64(c.DigestLease)},
		{"PDF_MAX_BYTES", c.PDFMaxBytes}, {"PDF_MAX_PAGES", int64(c.PDFMaxPages)},
	}
	for _, p := range positive {
		if p.v <= 0 {
			bad("%s: must be greater than zero", p.name)
		}
	}
	for name, v := range map[string]int{"QUOTA_USER_PER_HOUR": c.QuotaUserPerHour, "QUOTA_SERVER_PER_HOUR": c.QuotaServerPerHour, "QUOTA_SERVER_TOKENS_PER_DAY": c.QuotaServerTokensPerDay} {
		if v < 0 {
			bad("%s: must be 0 (no limit) or more, got %d", name, v)
		}
	}
	if c.LLMContextTokens > 0 && c.LLMMaxTokens >= c.LLMContextTokens {
		bad("LLM_MAX_TOKENS (%d) must be smaller than LLM_CONTEXT_TOKENS (%d)", c.LLMMaxTokens, c.LLMContextTokens)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "warning", "error":
	default:
		bad("LOG_LEVEL: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("LOG_FORMAT: %q is not text or json", c.LogFormat)
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "file:") &&
		!strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") &&
		strings.Contains(c.DatabaseURL, "://") {
		bad("DATABASE_URL: %q is not a supported database: use sqlite:PATH (the default, e.g. sqlite:precis.db) or postgres://USER:PASSWORD@HOST:5432/DBNAME", RedactURL(c.DatabaseURL))
	}
	return errs
}

// String prints the configuration with secrets redacted, one setting a line.
func (c *Config) String() string {
	var b strings.Builder
	row := func(k string, v any) { fmt.Fprintf(&b, "%s=%v\n", k, v) }
	row("DISCORD_TOKEN", redact(c.DiscordToken))
	row("DISCORD_API_URL", RedactURL(c.DiscordAPIURL))
	row("DISCORD_GUILD_ID", c.DiscordGuildID)
	row("DISCORD_SHARD_ID", c.ShardID)
	row("DISCORD_SHARD_COUNT", c.ShardCount)
	row("LLM_BASE_URL", RedactURL(c.LLMBaseURL))
	row("LLM_API_KEY", redact(c.LLMAPIKey))
	row("LLM_MODEL", c.LLMModel)
	row("LLM_TIMEOUT", c.LLMTimeout)
	row("LLM_MAX_TOKENS", c.LLMMaxTokens)
	row("LLM_CONTEXT_TOKENS", c.LLMContextTokens)
	row("SUMMARY_LANGUAGE", c.SummaryLanguage)
	row("DATABASE_URL", RedactURL(c.DatabaseURL))
	row("FETCH_ALLOW_PRIVATE", c.FetchAllowPrivate)
	row("FETCH_TIMEOUT", c.FetchTimeout)
	row("FETCH_MAX_BYTES", c.FetchMaxBytes)
	row("ARCHIVE_FALLBACK", c.ArchiveFallback)
	row("ARCHIVE_WAYBACK_URL", orOff(c.ArchiveWaybackURL))
	row("ARCHIVE_TODAY_URL", orOff(c.ArchiveTodayURL))
	row("PDF_MAX_BYTES", c.PDFMaxBytes)
	row("PDF_MAX_PAGES", c.PDFMaxPages)
	row("OUTLET_FACTS_FILE", c.OutletFactsFile)
	row("HTTP_ADDR", orOff(c.HTTPAddr))
	row("QUOTA_USER_PER_HOUR", c.QuotaUserPerHour)
	row("QUOTA_SERVER_PER_HOUR", c.QuotaServerPerHour)
	row("QUOTA_SERVER_TOKENS_PER_DAY", c.QuotaServerTokensPerDay)
	row("MAX_LINKS_PER_MESSAGE", c.MaxLinksPerMessage)
	row("WORKERS", c.Workers)
	row("LLM_CONCURRENCY", c.LLMConcurrency)
	row("CACHE_MAX_AGE", c.CacheMaxAge)
	row("DIGEST_LEASE", c.DigestLease)
	row("LOG_LEVEL", c.LogLevel)
	row("LOG_FORMAT", c.LogFormat)
	return b.String()
}

// offURL reads an archive base URL: "off" (or "none") leaves the service
// out, as an empty value does; a trailing slash is dropped.
func offURL(v string) string {
	if strings.EqualFold(v, "off") || strings.EqualFold(v, "none") {
		return ""
	}
	return strings.TrimRight(v, "/")
}

func orOff(s string) string {
	if s == "" {
		return "off"
	}
	return s
}

func redact(s string) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// Redacted is what RedactURL and String print in place of a secret.
const Redacted = "[redacted]"

// secretParamWords mark a query parameter as a secret when its name
// contains one of them, ignoring case: password, pwd, token, access_token,
// key, api_key, secret, client_secret, sig, signature, auth, credential.
var secretParamWords = []string{"pass", "pwd", "token", "key", "secret", "sig", "auth", "credential", "session"}

func secretParam(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretParamWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// dsnSecretRE finds secrets in text that is not a URL: key=value
// connection strings ("host=h password=x") and userinfo in a URL that does
// not parse.
var (
	dsnSecretRE  = regexp.MustCompile(`(?i)\b([a-z_\-]*(?:pass|pwd|token|key|secret|sig|auth|credential|session)[a-z_\-]*)=('[^']*'|[^&\s#]*)`)
	userinfoRE   = regexp.MustCompile(`(://)[^/?#@\s]+@`)
	redactedInfo = "${1}" + Redacted + "@"
)

// RedactURL returns s with the secrets a URL can carry replaced by
// [redacted]: the userinfo (the password, or a lone user name, which is often
// a token) and the values of query and fragment parameters whose names
// suggest a secret (password, token, key, secret, sig, api_key,
// access_token, auth..., any case). Text that is not a URL (a key=value
// connection string) gets its password=, token=... values redacted. Use it
// for every URL that reaches a log line or `precis config`.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		s = userinfoRE.ReplaceAllString(s, redactedInfo)
		return dsnSecretRE.ReplaceAllString(s, "${1}="+Redacted)
	}
	userinfo := ""
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			userinfo = url.PathEscape(u.User.Username()) + ":" + Redacted + "@"
		} else {
			userinfo = Redacted + "@"
		}
		u.User = nil
	}
	u.RawQuery = redactParams(u.RawQuery)
	frag := ""
	if u.Fragment != "" {
		frag = "#" + redactParams(u.EscapedFragment())
		u.Fragment, u.RawFragment = "", ""
	}
	out := u.String() + frag
	if userinfo != "" {
		if i := strings.Index(out, "://"); i >= 0 {
			out = out[:i+3] + userinfo + out[i+3:]
		}
	}
	return out
}

// redactParams redacts the secret values of a raw a=b&c=d string, keeping
// the order and encoding of everything else.
func redactParams(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if ok && secretParam(name) {
			parts[i] = k + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

// parser reads typed values and collects one error per bad value.
type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret reads NAME, or the file NAME_FILE names (Docker and Kubernetes
// secrets); setting both is an error because one would silently win.
func (p *parser) secret(name string) string {
	v, file := p.getenv(name), strings.TrimSpace(p.getenv(name+"_FILE"))
	if file == "" {
		return v
	}
	if v != "" {
		p.errs = append(p.errs, fmt.Errorf("%s and %s_FILE are both set; use one", name, name))
		return v
	}
	b, err := os.ReadFile(file)
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s_FILE: %w", name, err))
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (p *parser) int(name string, def int) int {
	raw := strings.TrimSpace(p.getenv(name))
	if raw == "" {
		return def
	}
	v, err := strconv.Atoi(raw)
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %q is not a whole number", name, raw))
		return def
	}
	return v
}

func (p *parser) bool(name string, def bool) bool {
	raw := strings.TrimSpace(p.getenv(name))
	if raw == "" {
		return def
	}
	switch strings.ToLower(raw) {
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	p.errs = append(p.errs, fmt.Errorf("%s: %q is not true or false", name, raw))
	return def
}

func (p *parser) duration(name string, def time.Duration) time.Duration {
	raw := strings.TrimSpace(p.getenv(name))
	if raw == "" {
		return def
	}
	if n, err := strconv.Atoi(raw); err == nil {
		return time.Duration(n) * time.Second // a bare number means seconds
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %q is not a duration like 15s or 2m", name, raw))
		return def
	}
	return d
}

// bytes parses sizes like 5242880, 5MiB, 5MB, 512KiB, 1GiB.
func (p *parser) bytes(name string, def int64) int64 {
	raw := strings.TrimSpace(p.getenv(name))
	if raw == "" {
		return def
	}
	n, err := ParseBytes(raw)
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return n
}

// ParseBytes parses a byte size: a whole number with an optional unit
// (B, KB, KiB, MB, MiB, GB, GiB; case-insensitive).
func ParseBytes(raw string) (int64, error) {
	s := strings.ToLower(strings.TrimSpace(raw))
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.TrimSpace(s[i:])
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" {
		return 0, fmt.Errorf("%q is not a size like 5MiB", raw)
	}
	mult := map[string]float64{
		"": 1, "b": 1,
		"k": 1000, "kb": 1000, "kib": 1 << 10,
		"m": 1000 * 1000, "mb": 1000 * 1000, "mib": 1 << 20,
		"g": 1e9, "gb": 1e9, "gib": 1 << 30,
	}[unit]
	if mult == 0 {
		return 0, fmt.Errorf("%q has an unknown unit %q (use B, KiB, MiB, GiB)", raw, unit)
	}
	return int64(f * mult), nil
}

// knownKeys are the names a config file may set: every setting, and the
// _FILE form of every secret.
func knownKeys() map[string]bool {
	keys := map[string]bool{"OPENAI_API_KEY": true, "OPENAI_API_KEY_FILE": true}
	for _, s := range Settings {
		keys[s.Name] = true
		if s.Secret {
			keys[s.Name+"_FILE"] = true
		}
	}
	return keys
}

// checkKeys reports every key of a config file that names no setting, with
// the setting it was likely meant to be.
func checkKeys(path string, file map[string]string) error {
	known := knownKeys()
	var unknown []string
	for k := range file {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	var errs []error
	for _, k := range unknown {
		if guess := closestKey(k, known); guess != "" {
			errs = append(errs, fmt.Errorf("PRECIS_CONFIG %s: unknown setting %s (did you mean %s?)", path, k, guess))
		} else {
			errs = append(errs, fmt.Errorf("PRECIS_CONFIG %s: unknown setting %s (see precis config or the README for the list)", path, k))
		}
	}
	return errors.Join(errs...)
}

// closestKey is the known key nearest to k (ignoring case), when near
// enough to be a typo: an edit distance of at most a third of its length.
func closestKey(k string, known map[string]bool) string {
	best, bestD := "", 0
	up := strings.ToUpper(k)
	for name := range known {
		d := editDistance(up, name)
		if best == "" || d < bestD || d == bestD && name < best {
			best, bestD = name, d
		}
	}
	if best == "" || bestD > max(2, len(best)/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes; the
// names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// readEnvFile reads KEY=VALUE lines; blank lines and # comments are
// skipped, and values may be quoted.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("PRECIS_CONFIG: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("PRECIS_CONFIG %s:%d: expected KEY=VALUE", path, n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		out[strings.TrimSpace(k)] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("PRECIS_CONFIG %s: %w", path, err)
	}
	return out, nil
}
