package pipeline

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Model states as /healthz reports them; a failing model reads
// "failing: " and the cause.
const (
	ModelOK        = "ok"
	ModelOffline   = "offline"   // no LLM_API_KEY: the offline summarizer only
	ModelUnchecked = "unchecked" // nothing heard from the server yet
)

// ModelHealth is what Precis last heard from its model server. Every LLM
// request goes through its HTTP client, so each answer (or failure)
// updates the state; Check asks the server for its model list, a request
// that costs no tokens, so a broken setup shows at start rather than at
// the first summary. It is safe for concurrent use.
type ModelHealth struct {
	baseURL, apiKey, model string
	host                   string
	client                 *http.Client
	now                    func() time.Time

	mu    sync.Mutex
	state string
	last  *ModelError // the latest failure, kept after the server recovers
	fails int         // failures seen, so Check knows whether its request failed
}

// ModelHealthOptions configure a ModelHealth.
type ModelHealthOptions struct {
	// BaseURL, APIKey and Model are LLM_BASE_URL, LLM_API_KEY and
	// LLM_MODEL. An empty APIKey means no model: the state is "offline".
	BaseURL, APIKey, Model string
	// Transport carries the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// ModelError says why the model server failed and how to fix it.
type ModelError struct {
	// Host is the server's host:port as LLM_BASE_URL names it.
	Host string
	// Cause is short and Precis's own words: "connection refused",
	// "HTTP 401". /healthz and summary notes show it.
	Cause string
	// Detail is the server's own message, if it sent one ("Incorrect API
	// key provided: sk-...****"): for logs and the operator, not for
	// /healthz, which anyone who can reach it may read.
	Detail string
	// Fix names the setting to change, or "" when there is nothing to say.
	Fix string
	// At is when it happened.
	At time.Time
}

func (e *ModelError) Error() string {
	msg := "model server " + e.Host + ": " + e.Cause
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Fix != "" {
		msg += " (" + e.Fix + ")"
	}
	return msg
}

// NewModelHealth returns the tracker for one model server.
func NewModelHealth(o ModelHealthOptions) *ModelHealth {
	h := &ModelHealth{
		baseURL: strings.TrimRight(o.BaseURL, "/"), apiKey: strings.TrimSpace(o.APIKey), model: o.Model,
		now: o.Now, state: ModelUnchecked,
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.apiKey == "" {
		h.state = ModelOffline
	}
	h.host = h.baseURL
	if u, err := url.Parse(h.baseURL); err == nil && u.Host != "" {
		h.host = u.Host
	}
	base := o.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	h.client = &http.Client{Transport: recorder{h: h, base: base}}
	return h
}

// HTTPClient is the client the LLM summarizer must use, so its requests
// update the state. It sets no timeout: the summarizer's contexts bound
// each call.
func (h *ModelHealth) HTTPClient() *http.Client { return h.client }

// Host is the model server's host:port, for messages.
func (h *ModelHealth) Host() string { return h.host }

// State is "ok", "failing: <cause>", "offline" or "unchecked".
func (h *ModelHealth) State() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.state
}

// LastFailure is the latest failure seen, even if the server answered
// since, or nil.
func (h *ModelHealth) LastFailure() *ModelError {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

func (h *ModelHealth) ok() {
	h.mu.Lock()
	if h.state != ModelOffline {
		h.state = ModelOK
	}
	h.mu.Unlock()
}

func (h *ModelHealth) fail(cause, detail, fix string) *ModelError {
	e := &ModelError{Host: h.host, Cause: cause, Detail: detail, Fix: fix, At: h.now()}
	h.mu.Lock()
	h.state = "failing: " + cause + " (" + h.host + ")"
	h.last = e
	h.fails++
	h.mu.Unlock()
	return e
}

// checkTimeout bounds Check when ctx has no earlier deadline.
const checkTimeout = 10 * time.Second

// Check asks the server for its models (GET {LLM_BASE_URL}/models, no
// tokens spent) and reports a *ModelError when it cannot be reached,
// refuses the key, or does not offer LLM_MODEL. With no API key it does
// nothing and returns nil.
func (h *ModelHealth) Check(ctx context.Context) error {
	if h.apiKey == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	oc := openai.DefaultConfig(h.apiKey)
	oc.BaseURL = h.baseURL
	oc.HTTPClient = h.client
	h.mu.Lock()
	before := h.fails
	h.mu.Unlock()
	list, err := openai.NewClientWithConfig(oc).ListModels(ctx)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return ctx.Err()
		}
		h.mu.Lock()
		e, recorded := h.last, h.fails != before
		h.mu.Unlock()
		if recorded {
			return e
		}
		var apiErr *openai.APIError
		var reqErr *openai.RequestError
		switch {
		case errors.As(err, &apiErr):
			return h.fail(fmt.Sprintf("HTTP %d on GET /models", apiErr.HTTPStatusCode), apiErr.Message, "check LLM_BASE_URL")
		case errors.As(err, &reqErr) && reqErr.HTTPStatusCode >= 300:
			return h.fail(fmt.Sprintf("HTTP %d on GET /models", reqErr.HTTPStatusCode), "", "check LLM_BASE_URL")
		}
		// The server answered 200 with something that is not an OpenAI
		// model list: a web page, a proxy's login form.
		return h.fail("its answer to GET /models is not an OpenAI-compatible API", "",
			"check LLM_BASE_URL: it is the API base, usually ending in /v1")
	}
	if len(list.Models) == 0 || h.model == "" {
		return nil
	}
	ids := make([]string, 0, len(list.Models))
	for _, m := range list.Models {
		if modelMatches(m.ID, h.model) {
			return nil
		}
		ids = append(ids, m.ID)
	}
	offered := strings.Join(ids[:min(len(ids), 8)], ", ")
	if len(ids) > 8 {
		offered += fmt.Sprintf(" and %d more", len(ids)-8)
	}
	return h.fail(fmt.Sprintf("model %q is not offered", h.model), "",
		"set LLM_MODEL to one the server lists: "+offered+"; with Ollama, `ollama pull "+h.model+"`")
}

// modelMatches accepts Ollama's implied ":latest" tag.
func modelMatches(id, want string) bool {
	return strings.TrimSuffix(id, ":latest") == strings.TrimSuffix(want, ":latest")
}

// recorder is the RoundTripper that updates the state from every answer.
type recorder struct {
	h    *ModelHealth
	base http.RoundTripper
}

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		if errors.Is(req.Context().Err(), context.Canceled) {
			return nil, err // the caller went away: says nothing of the server
		}
		cause, fix := describeTransportError(err)
		r.h.fail(cause, "", fix)
		return nil, err
	}
	fail := func(fix string) { r.h.fail(fmt.Sprintf("HTTP %d", resp.StatusCode), serverMessage(resp), fix) }
	switch st := resp.StatusCode; {
	case st < 300:
		r.h.ok()
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		fail("check LLM_API_KEY")
	case st == http.StatusNotFound:
		fail("check LLM_BASE_URL (the API base, usually ending in /v1) and LLM_MODEL")
	case st == http.StatusTooManyRequests:
		fail("the server is rate limiting or the account is out of credit")
	case st >= 500:
		fail("")
	default:
		// 400 and 422: the summarizer adapts its request (response format,
		// token limit parameter) and asks again; nothing to report yet.
	}
	return resp, nil
}

// serverMessage is the error text of a failed answer, reading the start
// of the body and putting it back for the caller. It finds OpenAI's
// {"error": {"message": ...}} and Ollama's {"error": "..."}.
func serverMessage(resp *http.Response) string {
	if resp.Body == nil {
		return ""
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(head, &v) != nil || len(v.Error) == 0 {
		return ""
	}
	var msg string
	if json.Unmarshal(v.Error, &msg) != nil {
		var obj struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(v.Error, &obj)
		msg = obj.Message
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// describeTransportError turns a failed connection into a short cause and
// its fix.
func describeTransportError(err error) (cause, fix string) {
	var dnsErr *net.DNSError
	var certErr *x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", "is the model server running? check LLM_BASE_URL"
	case errors.As(err, &dnsErr):
		return "host " + dnsErr.Name + " not found", "check LLM_BASE_URL"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "no answer in time", "the server is down or overloaded; LLM_TIMEOUT sets the limit"
	case errors.As(err, &certErr), errors.As(err, &hostErr):
		return "TLS certificate not trusted", "check LLM_BASE_URL's host and scheme"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the server", "check LLM_BASE_URL's scheme (http or https) and port"
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		msg = msg[i+2:]
	}
	return msg, "check LLM_BASE_URL"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
