package summarize

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// go-openai returns errors without the response headers, so the transport
// is wrapped to note Retry-After for the request that is in flight. The note
// travels in the request's context.
type retryNoteKey struct{}

type retryNote struct {
	mu    sync.Mutex
	after time.Duration
}

func (n *retryNote) set(d time.Duration) {
	n.mu.Lock()
	n.after = d
	n.mu.Unlock()
}

func (n *retryNote) get() time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.after
}

// noteDoer records Retry-After (or retry-after-ms) of every answer.
type noteDoer struct {
	inner openai.HTTPDoer
	now   func() time.Time
}

func (d noteDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.inner.Do(req)
	if resp != nil {
		if n, ok := req.Context().Value(retryNoteKey{}).(*retryNote); ok {
			n.set(parseRetryAfter(resp.Header, d.now()))
		}
	}
	return resp, err
}

// parseRetryAfter reads retry-after-ms (OpenAI) or Retry-After in seconds or
// as an HTTP date. Zero when absent or unreadable.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// statusOf returns the HTTP status of a go-openai error, or 0.
func statusOf(err error) int {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode
	}
	return 0
}

// errorText is the server's message, lower case, for pattern checks.
func errorText(err error) string {
	var b strings.Builder
	b.WriteString(err.Error())
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) && apiErr.Param != nil {
		b.WriteString(" " + *apiErr.Param)
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		b.Write(reqErr.Body)
	}
	return strings.ToLower(b.String())
}

// tokenParamRejected reports whether the server refused the token limit
// parameter we sent: go-openai's own check for reasoning models, or a
// 400/422 that names the parameter as unsupported.
func tokenParamRejected(err error, sentCompletion bool) bool {
	if err == nil {
		return false
	}
	if !sentCompletion && errors.Is(err, openai.ErrReasoningModelMaxTokensDeprecated) {
		return true
	}
	if st := statusOf(err); st != http.StatusBadRequest && st != http.StatusUnprocessableEntity {
		return false
	}
	t := errorText(err)
	param := "max_tokens"
	if sentCompletion {
		param = "max_completion_tokens"
	}
	for _, p := range []string{
		"unsupported parameter: '" + param + "'", `unsupported parameter: "` + param + `"`, "unsupported parameter: " + param,
		"'" + param + "' is not supported", `"` + param + `" is not supported`, param + " is not supported",
		`unknown field "` + param + `"`, "unknown parameter: " + param, "unrecognized request argument supplied: " + param,
	} {
		if strings.Contains(t, p) {
			return true
		}
	}
	return false
}

// isOpenAIHost reports whether baseURL is OpenAI's own API (or Azure's),
// which want max_completion_tokens.
func isOpenAIHost(baseURL string) bool {
	u, err := url.Parse(baseURL)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	return h == "api.openai.com" || strings.HasSuffix(h, ".openai.azure.com")
}

// formatRejected reports whether the server refused the response_format we
// asked for (400/422 naming response_format, json_schema or json_object).
func formatRejected(err error) bool {
	st := statusOf(err)
	if st != http.StatusBadRequest && st != http.StatusUnprocessableEntity && st != http.StatusNotImplemented {
		return false
	}
	t := errorText(err)
	for _, k := range []string{"response_format", "json_schema", "json_object", "response format", "structured output", "schema"} {
		if strings.Contains(t, k) {
			return true
		}
	}
	return false
}

// retryable reports whether another attempt may succeed: rate limits,
// server errors, timeouts and connection failures. parent is the caller's
// context: once it is done, nothing is retried.
func retryable(parent context.Context, err error) bool {
	if parent.Err() != nil {
		return false
	}
	if errors.Is(err, errBadOutput) {
		return true
	}
	switch st := statusOf(err); {
	case st == http.StatusTooManyRequests, st == http.StatusRequestTimeout, st == http.StatusConflict, st >= 500:
		return true
	case st != 0:
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true // the per-call timeout, since parent is still alive
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	// Connection refused or reset, EOF mid-answer, a malformed body: the
	// server may come back.
	return !errors.Is(err, context.Canceled)
}

// backoff is the wait before attempt n (1-based retry count): exponential
// from base, capped, with jitter in [d/2, d], and never shorter than what the
// server asked for.
func backoff(n int, base, maxWait time.Duration, jitter float64, retryAfter time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	d = d/2 + time.Duration(float64(d/2)*jitter)
	return max(d, retryAfter)
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
