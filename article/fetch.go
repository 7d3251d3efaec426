package article

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Fetch defaults; FETCH_TIMEOUT and FETCH_MAX_BYTES override the first two.
const (
	DefaultFetchTimeout = 15 * time.Second
	DefaultMaxBytes     = 5 << 20
	DefaultMaxRedirects = 5
	// DefaultUserAgent is a current desktop browser's: many news sites
	// answer unknown agents with a bot wall instead of the article.
	DefaultUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36"
)

// Phase limits inside the total timeout.
const (
	connectTimeout        = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 15 * time.Second
	maxHeaderBytes        = 1 << 20
)

// defaultAccept are the media types an article fetch admits.
var defaultAccept = []string{"text/html", "application/xhtml+xml", "text/plain"}

// FetchOptions configures a Fetcher. The zero value is usable: every zero
// field takes its default.
type FetchOptions struct {
	Timeout      time.Duration // bounds the whole fetch, body included (default 15s)
	MaxBytes     int64         // cap on the decoded body (default 5 MiB)
	AllowPrivate bool          // FETCH_ALLOW_PRIVATE: admit loopback and private addresses (never metadata endpoints)
	MaxRedirects int           // default 5
	UserAgent    string        // default DefaultUserAgent
	// AddressPolicy judges every address before a connection is made to
	// it. nil means DefaultAddressPolicy, or with AllowPrivate a policy
	// that only refuses cloud metadata endpoints.
	AddressPolicy func(netip.Addr) error
}

// GetOptions are per-request options of Fetcher.Get.
type GetOptions struct {
	// ETag and LastModified, from an earlier Page, make the request
	// conditional; an unchanged resource comes back with NotModified set.
	ETag, LastModified string
	// Accept lists the admitted media types (lower case, "type/*" allowed).
	// nil admits HTML, XHTML and plain text.
	Accept []string
	// MaxBytes sets the cap on the decoded body for particular media
	// types (e.g. "application/pdf"), in place of the Fetcher's.
	MaxBytes map[string]int64
}

// Page is a fetched resource.
type Page struct {
	URL         string // final URL after redirects
	ContentType string // media type, lower case, no parameters
	// Body is the decoded body: converted to UTF-8 for HTML, XHTML and
	// plain text, raw otherwise (XML and JSON carry their own encoding).
	Body               []byte
	ETag, LastModified string
	NotModified        bool        // 304 answer to a conditional GET
	Header             http.Header // the response's header
}

// Fetcher fetches web pages safely on behalf of untrusted users: only
// http and https, no connection to private or reserved addresses (checked
// after DNS, on every redirect hop), bounded time, size and redirects, and
// an allowlist of content types. It is safe for concurrent use.
type Fetcher struct {
	client       *http.Client
	policy       func(netip.Addr) error // nil: admit all (never with the defaults)
	timeout      time.Duration
	maxBytes     int64
	maxRedirects int
	userAgent    string
}

// NewFetcher builds a Fetcher and its one HTTP client.
func NewFetcher(opts FetchOptions) *Fetcher {
	f := &Fetcher{
		timeout:      opts.Timeout,
		maxBytes:     opts.MaxBytes,
		maxRedirects: opts.MaxRedirects,
		userAgent:    opts.UserAgent,
		policy:       opts.AddressPolicy,
	}
	if f.timeout <= 0 {
		f.timeout = DefaultFetchTimeout
	}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxBytes
	}
	if f.maxRedirects <= 0 {
		f.maxRedirects = DefaultMaxRedirects
	}
	if f.userAgent == "" {
		f.userAgent = DefaultUserAgent
	}
	if f.policy == nil {
		f.policy = DefaultAddressPolicy
		if opts.AllowPrivate {
			f.policy = metadataOnlyPolicy
		}
	}

	dialer := &net.Dialer{
		Timeout:   min(connectTimeout, f.timeout),
		KeepAlive: 30 * time.Second,
		Control:   dialControl(f.policy),
	}
	transport := &http.Transport{
		Proxy:                  nil, // an environment proxy would connect for us, past the address check
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    min(tlsHandshakeTimeout, f.timeout),
		ResponseHeaderTimeout:  min(responseHeaderTimeout, f.timeout),
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
		// Bodies are decompressed here, not by the transport, so that the
		// size cap applies to the decoded bytes as they stream.
		DisableCompression: true,
	}
	f.client = &http.Client{
		Transport:     transport,
		CheckRedirect: f.checkRedirect,
	}
	return f
}

// checkRedirect bounds and polices redirects. Addresses are judged again
// when the next hop is dialled.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.maxRedirects {
		return fmt.Errorf("more than %d redirects: %w", f.maxRedirects, ErrTooManyRedirects)
	}
	next := req.URL.String()
	for _, v := range via {
		if v.URL.String() == next {
			return fmt.Errorf("redirect loop back to %s: %w", quoteURL(next), ErrTooManyRedirects)
		}
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to %s: scheme %q is not http or https: %w", quoteURL(next), req.URL.Scheme, ErrBadURL)
	}
	if err := checkHost(req.URL.Hostname(), f.policy); err != nil {
		return fmt.Errorf("redirect: %w", err)
	}
	return nil
}

// Fetch gets an article page: Get with zero GetOptions.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (*Page, error) {
	return f.Get(ctx, rawURL, GetOptions{})
}

// Get fetches rawURL. Errors wrap the sentinels of this package
// (ErrBadURL, ErrRefusedAddress, ErrTimeout, ErrTooLarge,
// ErrTooManyRedirects, ErrUnsupportedType, ErrEmptyPage) or are an
// *HTTPError for a non-2xx answer, always with the host for context.
func (f *Fetcher) Get(ctx context.Context, rawURL string, opts GetOptions) (*Page, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	host := u.Hostname()
	if err := checkHost(host, f.policy); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", host, err)
	}
	accept := opts.Accept
	if accept == nil {
		accept = defaultAccept
	}

	ctx, cancel := context.WithTimeoutCause(ctx, f.timeout, ErrTimeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %v: %w", host, err, ErrBadURL)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", acceptHeader(accept))
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	conditional := opts.ETag != "" || opts.LastModified != ""
	if opts.ETag != "" {
		req.Header.Set("If-None-Match", opts.ETag)
	}
	if opts.LastModified != "" {
		req.Header.Set("If-Modified-Since", opts.LastModified)
	}

	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.wrapErr(ctx, host, err)
	}
	defer resp.Body.Close()

	page := &Page{
		URL:          resp.Request.URL.String(),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		Header:       resp.Header,
	}
	if resp.StatusCode == http.StatusNotModified && conditional {
		page.NotModified = true
		if page.ETag == "" {
			page.ETag = opts.ETag
		}
		if page.LastModified == "" {
			page.LastModified = opts.LastModified
		}
		return page, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("fetch %s: %w", host, &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status})
	}

	encoding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	identity := encoding == "" || encoding == "identity"
	largest := f.maxBytes
	for _, n := range opts.MaxBytes {
		largest = max(largest, n)
	}
	if identity && resp.ContentLength > largest {
		// Over every cap: name the one for the declared type.
		declared, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		declared = strings.ToLower(declared)
		limit := f.maxBytes
		if n, ok := opts.MaxBytes[declared]; ok && n > 0 {
			limit = n
		}
		return nil, fmt.Errorf("fetch %s: %w", host, &TooLargeError{Limit: limit, Size: resp.ContentLength, MediaType: declared})
	}
	decoded, err := decodeContent(resp.Body, encoding)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", host, err)
	}
	body := bufio.NewReaderSize(io.LimitReader(decoded, largest+1), 4096)

	header := resp.Header.Get("Content-Type")
	mediaType, _, perr := mime.ParseMediaType(header)
	if header == "" || perr != nil {
		header = "" // a sniffed type says nothing about the charset
		// No usable type: judge by the first bytes, as browsers do.
		sniff, err := body.Peek(512)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, f.wrapErr(ctx, host, err)
		}
		mediaType, _, _ = mime.ParseMediaType(http.DetectContentType(sniff))
	}
	mediaType = strings.ToLower(mediaType)
	if !acceptable(mediaType, accept) {
		return nil, fmt.Errorf("fetch %s: %w", host, &UnsupportedTypeError{MediaType: mediaType})
	}
	page.ContentType = mediaType
	limit := f.maxBytes
	if n, ok := opts.MaxBytes[mediaType]; ok && n > 0 {
		limit = n
	}
	if identity && resp.ContentLength > limit {
		return nil, fmt.Errorf("fetch %s: %w", host, &TooLargeError{Limit: limit, Size: resp.ContentLength, MediaType: mediaType})
	}

	var buf bytes.Buffer
	if resp.ContentLength > 0 && resp.ContentLength <= limit {
		buf.Grow(int(resp.ContentLength))
	}
	if _, err := buf.ReadFrom(io.LimitReader(body, limit+1)); err != nil {
		return nil, f.wrapErr(ctx, host, err)
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("fetch %s: %w", host, &TooLargeError{Limit: limit, MediaType: mediaType})
	}
	raw := buf.Bytes()
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("fetch %s: %w", host, ErrEmptyPage)
	}
	if isText(mediaType) {
		text, _, err := toUTF8(raw, header, mediaType != "text/plain")
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", host, err)
		}
		raw = text
		if len(bytes.TrimSpace(raw)) == 0 {
			return nil, fmt.Errorf("fetch %s: %w", host, ErrEmptyPage)
		}
	}
	page.Body = raw
	return page, nil
}

// wrapErr turns a transport or body-read error into one that wraps the
// sentinel a user should hear about.
func (f *Fetcher) wrapErr(ctx context.Context, host string, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // url.Error repeats the whole URL
	}
	var aerr *addressError
	switch {
	case errors.As(err, &aerr):
		return fmt.Errorf("fetch %s: %w", host, aerr)
	case errors.Is(context.Cause(ctx), ErrTimeout):
		return fmt.Errorf("fetch %s: no complete answer within %s: %w", host, f.timeout, ErrTimeout)
	case ctx.Err() != nil:
		// The caller's context ended (shutdown, its own deadline).
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("fetch %s: %w: %w", host, ErrTimeout, ctx.Err())
		}
		return fmt.Errorf("fetch %s: %w", host, ctx.Err())
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return fmt.Errorf("fetch %s: %w: %w", host, ErrNoSuchHost, err)
	}
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return fmt.Errorf("fetch %s: %w: %w", host, ErrTimeout, err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return fmt.Errorf("fetch %s: %w: %w", host, ErrUnreachable, err)
	}
	return fmt.Errorf("fetch %s: %w", host, err)
}

// decodeContent undoes a Content-Encoding. Only what the request offered
// is accepted.
func decodeContent(body io.Reader, encoding string) (io.Reader, error) {
	switch encoding {
	case "", "identity":
		return body, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if errors.Is(err, io.EOF) {
			return nil, ErrEmptyPage // not even a gzip header
		}
		if err != nil {
			return nil, fmt.Errorf("bad gzip body: %w", err)
		}
		return zr, nil
	case "deflate":
		// "deflate" should be zlib-wrapped, but some servers send raw
		// deflate; the zlib header tells them apart.
		br := bufio.NewReader(body)
		head, err := br.Peek(2)
		if err == nil && head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("bad deflate body: %w", err)
			}
			return zr, nil
		}
		return flate.NewReader(br), nil
	default:
		return nil, fmt.Errorf("content encoding %q: %w", encoding, ErrUnsupportedType)
	}
}

// acceptHeader builds the Accept request header from the admitted types.
func acceptHeader(types []string) string {
	var b strings.Builder
	for i, t := range types {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(t)
		if i > 0 {
			b.WriteString(";q=0.9")
		}
	}
	b.WriteString(",*/*;q=0.1")
	return b.String()
}

// acceptable reports whether mediaType is one of the admitted types.
func acceptable(mediaType string, accept []string) bool {
	for _, a := range accept {
		a = strings.ToLower(a)
		if a == mediaType || a == "*/*" {
			return true
		}
		if prefix, ok := strings.CutSuffix(a, "/*"); ok && strings.HasPrefix(mediaType, prefix+"/") {
			return true
		}
	}
	return false
}

// isText reports whether a body of this type is converted to UTF-8.
func isText(mediaType string) bool {
	switch mediaType {
	case "text/html", "application/xhtml+xml", "text/plain":
		return true
	}
	return false
}
