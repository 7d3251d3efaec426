package fakediscord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Request is one REST request the fake received, with its answer.
type Request struct {
	Seq    int    // 1-based order of arrival
	Method string // GET, POST, ...
	// Path is the path as received, e.g. /api/v9/channels/1/messages.
	Path string
	// Route is Path without the /api/vN prefix: /channels/1/messages.
	Route  string
	Query  url.Values
	Header http.Header
	// Body is the JSON body (the payload_json part of a multipart body);
	// nil when there is none.
	Body json.RawMessage
	// Status and Response are what the fake answered.
	Status   int
	Response json.RawMessage
	Time     time.Time
}

// Decode unmarshals the request body into v.
func (r Request) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("decode %s %s body: %w", r.Method, r.Route, err)
	}
	return nil
}

// String is a short description for test failure messages.
func (r Request) String() string {
	return fmt.Sprintf("%s %s -> %d %s", r.Method, r.Route, r.Status, truncateForLog(r.Body))
}

// Match returns a predicate for WaitRequest matching the method (empty
// matches any) and a route pattern where "*" matches exactly one path
// segment and a trailing "/**" any rest: Match("POST", "/channels/*/messages").
func Match(method, pattern string) func(Request) bool {
	want := strings.Split(strings.Trim(pattern, "/"), "/")
	return func(r Request) bool {
		if method != "" && !strings.EqualFold(method, r.Method) {
			return false
		}
		return matchSegments(want, strings.Split(strings.Trim(r.Route, "/"), "/"))
	}
}

func matchSegments(pattern, got []string) bool {
	for i, p := range pattern {
		if p == "**" {
			return true
		}
		if i >= len(got) {
			return false
		}
		if p != "*" && p != got[i] {
			return false
		}
	}
	return len(pattern) == len(got)
}

// Requests returns every REST request so far.
func (s *Server) Requests() []Request { return s.requests.all() }

// WaitRequest waits for a request (already received or future) matching
// pred and returns the first such. Requests are recorded before they are
// answered, so once a client call returns its request is there.
func (s *Server) WaitRequest(ctx context.Context, pred func(Request) bool) (Request, error) {
	r, err := s.requests.wait(ctx, pred)
	if err != nil {
		return r, fmt.Errorf("wait for request: %w", err)
	}
	return r, nil
}

// WaitRequestN waits for the nth request (1-based) matching pred.
func (s *Server) WaitRequestN(ctx context.Context, n int, pred func(Request) bool) (Request, error) {
	seen := 0
	r, err := s.requests.wait(ctx, func(r Request) bool {
		if pred(r) {
			seen++
			return seen >= n
		}
		return false
	})
	if err != nil {
		return r, fmt.Errorf("wait for request %d: %w", n, err)
	}
	return r, nil
}

type rateLimitRule struct {
	method, prefix string
	retryAfter     time.Duration
	global         bool
	status         int // 0: a 429; else FailNext's server error
	// afterwards: the request is acted on first, then answered with
	// status (FailAfter), as when Discord's edge times out a request its
	// backend completed.
	afterwards bool
}

// RateLimitNext makes the next request with the method (empty: any) whose
// route starts with pathPrefix (e.g. "/channels/") get a 429 answer with
// Discord's body and headers, as a real rate limit would. Clients must wait
// retryAfter and retry.
func (s *Server) RateLimitNext(method, pathPrefix string, retryAfter time.Duration, global bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits = append(s.rateLimits, &rateLimitRule{method: method, prefix: pathPrefix, retryAfter: max(retryAfter, defaultRetryAfterMin), global: global})
}

// FailNext makes the next request with the method (empty: any) whose route
// starts with pathPrefix get an error answer with the given status (500,
// 503, ...), as Discord's servers sometimes give. The request is not acted
// on; a client should retry it.
func (s *Server) FailNext(method, pathPrefix string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits = append(s.rateLimits, &rateLimitRule{method: method, prefix: pathPrefix, status: status})
}

// FailAfter makes the next matching request be acted on and then answered
// with the given server error status, as when Discord accepted a message
// but its edge answered 500 or 504. A client that retries without a nonce
// Discord enforces posts the message twice.
func (s *Server) FailAfter(method, pathPrefix string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits = append(s.rateLimits, &rateLimitRule{method: method, prefix: pathPrefix, status: status, afterwards: true})
}

func (s *Server) takeRateLimit(method, route string) *rateLimitRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, rl := range s.rateLimits {
		if (rl.method == "" || strings.EqualFold(rl.method, method)) && strings.HasPrefix(route, rl.prefix) {
			s.rateLimits = append(s.rateLimits[:i], s.rateLimits[i+1:]...)
			return rl
		}
	}
	return nil
}

var apiPrefix = regexp.MustCompile(`^/api/v(\d+)(/|$)`)

// restCall is one request being answered.
type restCall struct {
	method string
	route  string
	params map[string]string
	query  url.Values
	body   json.RawMessage
}

type handler func(s *Server, c *restCall) (int, any)

type route struct {
	method  string
	pattern []string
	h       handler
}

func r(method, pattern string, h handler) route {
	return route{method: method, pattern: strings.Split(strings.Trim(pattern, "/"), "/"), h: h}
}

func (rt route) match(method string, segs []string) (map[string]string, bool) {
	if rt.method != method || len(rt.pattern) != len(segs) {
		return nil, false
	}
	params := map[string]string{}
	for i, p := range rt.pattern {
		if strings.HasPrefix(p, "{") {
			params[strings.Trim(p, "{}")] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// routes are tried in order; literal routes come before their {param}
// twins so /messages/@original wins over /messages/{message_id}.
var routes = []route{
	r("GET", "/gateway", (*Server).getGateway),
	r("GET", "/gateway/bot", (*Server).getGatewayBot),
	r("GET", "/users/@me", (*Server).getMe),
	r("GET", "/users/{user_id}", (*Server).getUser),
	r("GET", "/applications/@me", (*Server).getApplication),
	r("GET", "/oauth2/applications/@me", (*Server).getApplication),
	r("GET", "/applications/{app}/commands", (*Server).getCommands),
	r("PUT", "/applications/{app}/commands", (*Server).putCommands),
	r("POST", "/applications/{app}/commands", (*Server).postCommand),
	r("DELETE", "/applications/{app}/commands/{command_id}", (*Server).deleteCommand),
	r("GET", "/applications/{app}/guilds/{guild_id}/commands", (*Server).getCommands),
	r("PUT", "/applications/{app}/guilds/{guild_id}/commands", (*Server).putCommands),
	r("POST", "/applications/{app}/guilds/{guild_id}/commands", (*Server).postCommand),
	r("DELETE", "/applications/{app}/guilds/{guild_id}/commands/{command_id}", (*Server).deleteCommand),
	r("POST", "/interactions/{interaction_id}/{token}/callback", (*Server).postCallback),
	r("POST", "/webhooks/{app}/{token}", (*Server).postFollowup),
	r("GET", "/webhooks/{app}/{token}/messages/{message_id}", (*Server).getWebhookMessage),
	r("PATCH", "/webhooks/{app}/{token}/messages/{message_id}", (*Server).patchWebhookMessage),
	r("DELETE", "/webhooks/{app}/{token}/messages/{message_id}", (*Server).deleteWebhookMessage),
	r("GET", "/channels/{channel_id}", (*Server).getChannel),
	r("POST", "/channels/{channel_id}/typing", (*Server).noContent),
	r("GET", "/channels/{channel_id}/messages", (*Server).listMessages),
	r("POST", "/channels/{channel_id}/messages", (*Server).postMessage),
	r("GET", "/channels/{channel_id}/messages/{message_id}", (*Server).getMessage),
	r("PATCH", "/channels/{channel_id}/messages/{message_id}", (*Server).patchMessage),
	r("DELETE", "/channels/{channel_id}/messages/{message_id}", (*Server).deleteMessage),
	r("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", (*Server).reaction),
	r("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", (*Server).reaction),
	r("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}", (*Server).reaction),
	r("GET", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}", (*Server).listReactions),
	r("GET", "/guilds/{guild_id}", (*Server).getGuild),
	r("GET", "/guilds/{guild_id}/channels", (*Server).getGuildChannels),
	r("GET", "/guilds/{guild_id}/roles", (*Server).getGuildRoles),
	r("GET", "/guilds/{guild_id}/members/{user_id}", (*Server).getMember),
}

func discordError(code int, msg string) map[string]any {
	return map[string]any{"message": msg, "code": code}
}

func (s *Server) serveREST(w http.ResponseWriter, hr *http.Request) {
	req := Request{Method: hr.Method, Path: hr.URL.Path, Query: hr.URL.Query(), Header: hr.Header.Clone(), Time: s.now()}
	m := apiPrefix.FindStringSubmatch(hr.URL.Path)
	if m == nil {
		req.Route = hr.URL.Path
	} else {
		req.Route = "/" + strings.TrimPrefix(hr.URL.Path[len(m[0]):], "/")
		if m[1] != "9" && m[1] != "10" {
			s.violate("%s %s: API version v%s, want v9 or v10", hr.Method, hr.URL.Path, m[1])
		}
	}
	body, err := readBody(hr)
	if err != nil {
		s.violate("%s %s: %v", hr.Method, req.Route, err)
	}
	req.Body = body

	status, resp, hdr := s.answer(hr, &req)

	var out []byte
	if resp != nil {
		out, err = json.Marshal(resp)
		if err != nil {
			status, out = http.StatusInternalServerError, []byte(`{"message":"fake marshal error","code":0}`)
		}
	}
	req.Status = status
	req.Response = out
	req.Seq = s.requests.add(req)
	s.log.Debug("rest", "method", req.Method, "route", req.Route, "status", status)

	if s.opts.Latency > 0 {
		t := time.NewTimer(s.opts.Latency)
		select {
		case <-t.C:
		case <-hr.Context().Done():
			t.Stop()
		}
	}
	for k, v := range hdr {
		w.Header()[k] = v
	}
	if out != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	if out != nil && status != http.StatusNoContent {
		_, _ = w.Write(out)
	}
}

// answer decides the response to one request; it never blocks.
func (s *Server) answer(hr *http.Request, req *Request) (int, any, http.Header) {
	hdr := http.Header{}
	hdr.Set("X-RateLimit-Limit", "5")
	hdr.Set("X-RateLimit-Remaining", "4")
	hdr.Set("X-RateLimit-Reset-After", "1.000")
	hdr.Set("X-RateLimit-Bucket", "fake-bucket")

	segs := strings.Split(strings.Trim(req.Route, "/"), "/")
	var h handler
	var params map[string]string
	for _, rt := range routes {
		if p, ok := rt.match(req.Method, segs); ok {
			h, params = rt.h, p
			break
		}
	}
	if h == nil {
		s.violate("%s %s: no such route in the fake (Discord would answer 404 or 405)", req.Method, req.Route)
		return http.StatusNotFound, discordError(0, "404: Not Found"), hdr
	}

	// Webhook-token and interaction routes need no bot token; all others do.
	needsAuth := !strings.HasPrefix(req.Route, "/interactions/") && !strings.HasPrefix(req.Route, "/webhooks/") && req.Route != "/gateway"
	if auth := hr.Header.Get("Authorization"); needsAuth && auth != "Bot "+s.token {
		s.violate("%s %s: Authorization %q, want \"Bot <token>\"", req.Method, req.Route, redact(auth))
		return http.StatusUnauthorized, discordError(0, "401: Unauthorized"), hdr
	}
	if ua := hr.Header.Get("User-Agent"); !strings.HasPrefix(ua, "DiscordBot") {
		s.violate("%s %s: User-Agent %q must start with \"DiscordBot\"", req.Method, req.Route, ua)
	}

	rl := s.takeRateLimit(req.Method, req.Route)
	var failAfter int
	if rl != nil && rl.afterwards {
		failAfter, rl = rl.status, nil
	}
	if rl != nil && rl.status != 0 {
		return rl.status, map[string]any{"message": http.StatusText(rl.status), "code": 0}, hdr
	} else if rl != nil {
		secs := rl.retryAfter.Seconds()
		hdr.Set("X-RateLimit-Remaining", "0")
		hdr.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
		hdr.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(s.now().Add(rl.retryAfter).UnixMilli())/1000, 'f', 3, 64))
		hdr.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
		scope := "user"
		if rl.global {
			hdr.Set("X-RateLimit-Global", "true")
			scope = "global"
		}
		hdr.Set("X-RateLimit-Scope", scope)
		return http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": secs, "global": rl.global}, hdr
	}

	if len(req.Body) > 0 {
		for _, err := range s.validator.Check(req.Method, req.Route, req.Body) {
			s.violate("%s %s: %v", req.Method, req.Route, err)
		}
	}
	if ct := hr.Header.Get("Content-Type"); len(req.Body) > 0 && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "multipart/form-data") {
		s.violate("%s %s: Content-Type %q for a JSON body", req.Method, req.Route, ct)
	}

	c := &restCall{method: req.Method, route: req.Route, params: params, query: req.Query, body: req.Body}
	status, resp := h(s, c)
	if failAfter != 0 {
		return failAfter, map[string]any{"message": http.StatusText(failAfter), "code": 0}, hdr
	}
	return status, resp, hdr
}

func redact(auth string) string {
	if len(auth) > 8 {
		return auth[:8] + "…"
	}
	return auth
}

// readBody returns the JSON payload of a request: the body itself, or the
// payload_json part of a multipart body.
func readBody(hr *http.Request) (json.RawMessage, error) {
	raw, err := io.ReadAll(io.LimitReader(hr.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(raw) == 0 {
		return nil, nil
	}
	mt, params, _ := mime.ParseMediaType(hr.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return nil, fmt.Errorf("multipart body without payload_json: %w", err)
			}
			if p.FormName() == "payload_json" {
				b, err := io.ReadAll(p)
				if err != nil {
					return nil, fmt.Errorf("read payload_json: %w", err)
				}
				return b, nil
			}
		}
	}
	if !json.Valid(raw) {
		return raw, fmt.Errorf("body is not valid JSON: %q", truncateForLog(raw))
	}
	return raw, nil
}

// ---- handlers ----

func (s *Server) noContent(*restCall) (int, any) { return http.StatusNoContent, nil }

func (s *Server) getGateway(*restCall) (int, any) {
	return http.StatusOK, map[string]any{"url": s.wsURL}
}

func (s *Server) getGatewayBot(*restCall) (int, any) {
	return http.StatusOK, map[string]any{
		"url":    s.wsURL,
		"shards": 1,
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1,
		},
	}
}

func (s *Server) getMe(*restCall) (int, any) {
	u := userJSON(s.botUser)
	u["verified"] = true
	u["flags"] = 0
	return http.StatusOK, u
}

func (s *Server) getUser(c *restCall) (int, any) {
	id := c.params["user_id"]
	if id == s.botUser.ID {
		return s.getMe(c)
	}
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return http.StatusNotFound, discordError(10013, "Unknown User")
	}
	return http.StatusOK, userJSON(Invoker{}.user())
}

func (s *Server) getApplication(*restCall) (int, any) {
	return http.StatusOK, map[string]any{
		"id": s.appID, "name": s.botUser.Username, "icon": nil, "description": "",
		"bot_public": true, "bot_require_code_grant": false, "verify_key": "fake",
		"flags": 0, "bot": userJSON(s.botUser),
	}
}

func (s *Server) checkApp(c *restCall) (int, any, bool) {
	if c.params["app"] != s.appID {
		s.violate("%s %s: application id %q, want %q", c.method, c.route, c.params["app"], s.appID)
		return http.StatusNotFound, discordError(10002, "Unknown Application"), false
	}
	return 0, nil, true
}

func (s *Server) getCommands(c *restCall) (int, any) {
	if st, resp, ok := s.checkApp(c); !ok {
		return st, resp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds := s.commands[c.params["guild_id"]]
	if cmds == nil {
		cmds = []map[string]any{}
	}
	return http.StatusOK, cmds
}

func (s *Server) commandObject(c *restCall, in map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range in {
		out[k] = v
	}
	out["id"] = s.NewID()
	out["application_id"] = s.appID
	out["version"] = s.NewID()
	if _, ok := out["type"]; !ok {
		out["type"] = 1
	}
	if g := c.params["guild_id"]; g != "" {
		out["guild_id"] = g
	}
	if _, ok := out["default_member_permissions"]; !ok {
		out["default_member_permissions"] = nil
	}
	return out
}

// Commands returns the registered commands, global ("" key) and per guild,
// as the last bulk overwrite or creation left them.
func (s *Server) Commands(guildID string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.commands[guildID]...)
}

func (s *Server) putCommands(c *restCall) (int, any) {
	if st, resp, ok := s.checkApp(c); !ok {
		return st, resp
	}
	var in []map[string]any
	if err := json.Unmarshal(c.body, &in); err != nil {
		return http.StatusBadRequest, discordError(50109, "The request body contains invalid JSON.")
	}
	names := map[string]bool{}
	out := make([]map[string]any, 0, len(in))
	for _, cmd := range in {
		key := fmt.Sprint(cmd["type"], "/", cmd["name"])
		if names[key] {
			s.violate("%s %s: duplicate command name %v", c.method, c.route, cmd["name"])
			return http.StatusBadRequest, discordError(50035, "Invalid Form Body: application command names must be unique")
		}
		names[key] = true
		out = append(out, s.commandObject(c, cmd))
	}
	s.mu.Lock()
	s.commands[c.params["guild_id"]] = out
	s.mu.Unlock()
	return http.StatusOK, out
}

func (s *Server) postCommand(c *restCall) (int, any) {
	if st, resp, ok := s.checkApp(c); !ok {
		return st, resp
	}
	var in map[string]any
	if err := json.Unmarshal(c.body, &in); err != nil {
		return http.StatusBadRequest, discordError(50109, "The request body contains invalid JSON.")
	}
	cmd := s.commandObject(c, in)
	s.mu.Lock()
	s.commands[c.params["guild_id"]] = append(s.commands[c.params["guild_id"]], cmd)
	s.mu.Unlock()
	return http.StatusCreated, cmd
}

func (s *Server) deleteCommand(c *restCall) (int, any) {
	if st, resp, ok := s.checkApp(c); !ok {
		return st, resp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := c.params["guild_id"]
	for i, cmd := range s.commands[g] {
		if cmd["id"] == c.params["command_id"] {
			s.commands[g] = append(s.commands[g][:i], s.commands[g][i+1:]...)
			return http.StatusNoContent, nil
		}
	}
	return http.StatusNotFound, discordError(10063, "Unknown application command")
}

// messageFlagLoading marks a deferred interaction response ("thinking…").
const messageFlagLoading = 128

// Interaction callback types.
const (
	callbackPong                  = 1
	callbackChannelMessage        = 4
	callbackDeferredChannelMsg    = 5
	callbackDeferredUpdateMessage = 6
	callbackUpdateMessage         = 7
	callbackAutocomplete          = 8
	callbackModal                 = 9
)

func (s *Server) postCallback(c *restCall) (int, any) {
	var body struct {
		Type int            `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		return http.StatusBadRequest, discordError(50109, "The request body contains invalid JSON.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	si := s.interactions[c.params["token"]]
	if si == nil || si.in.ID != c.params["interaction_id"] {
		s.violate("%s %s: unknown interaction", c.method, c.route)
		return http.StatusNotFound, discordError(10062, "Unknown interaction")
	}
	if limit := s.ackTimeout(); limit > 0 {
		if d := s.now().Sub(si.dispatched); d > limit {
			s.violate("%s %s: interaction answered after %v (Discord allows %v)", c.method, c.route, d, limit)
			return http.StatusNotFound, discordError(10062, "Unknown interaction")
		}
	}
	if si.acked {
		s.violate("%s %s: interaction already acknowledged", c.method, c.route)
		return http.StatusBadRequest, discordError(40060, "Interaction has already been acknowledged.")
	}
	si.acked = true
	var msg map[string]any
	switch body.Type {
	case callbackChannelMessage, callbackDeferredChannelMsg:
		m := Message{ChannelID: si.in.ChannelID, GuildID: si.in.GuildID, Author: s.botUser}
		msg = s.messageObject(m)
		msg["webhook_id"] = s.appID
		msg["application_id"] = s.appID
		msg["type"] = 20
		delete(msg, "member")
		if body.Type == callbackDeferredChannelMsg {
			si.loading = true
			msg["flags"] = messageFlagLoading
			if f, ok := body.Data["flags"].(float64); ok {
				msg["flags"] = messageFlagLoading | int(f)
			}
		} else {
			applyMessageEdit(msg, body.Data)
		}
		si.original = msg
		s.messages[msg["id"].(string)] = &storedMessage{obj: msg}
	case callbackUpdateMessage, callbackDeferredUpdateMessage, callbackPong, callbackAutocomplete, callbackModal:
	default:
		s.violate("%s %s: unknown callback type %d", c.method, c.route, body.Type)
		return http.StatusBadRequest, discordError(50035, "Invalid Form Body")
	}
	if c.query.Get("with_response") == "true" {
		resp := map[string]any{
			"interaction": map[string]any{"id": si.in.ID, "type": 2, "activity_instance_id": nil, "response_message_id": nil, "response_message_loading": body.Type == callbackDeferredChannelMsg, "response_message_ephemeral": false},
		}
		if msg != nil {
			resp["resource"] = map[string]any{"type": body.Type, "message": msg}
		} else {
			resp["resource"] = map[string]any{"type": body.Type}
		}
		return http.StatusOK, resp
	}
	return http.StatusNoContent, nil
}

func (s *Server) ackTimeout() time.Duration {
	switch {
	case s.opts.InteractionAckTimeout < 0:
		return 0
	case s.opts.InteractionAckTimeout == 0:
		return defaultAckTimeout
	}
	return s.opts.InteractionAckTimeout
}

// applyMessageEdit copies the message fields of a create/edit payload into
// a stored message object.
func applyMessageEdit(msg map[string]any, data map[string]any) {
	for _, k := range []string{"content", "embeds", "components", "attachments", "poll", "message_reference"} {
		if v, ok := data[k]; ok {
			if v == nil && (k == "embeds" || k == "components" || k == "attachments") {
				v = []any{}
			}
			if v == nil && k == "content" {
				v = ""
			}
			msg[k] = v
		}
	}
	if f, ok := data["flags"].(float64); ok {
		msg["flags"] = int(f)
	}
}

func (s *Server) interactionByToken(c *restCall) (*storedInteraction, int, any) {
	si := s.interactions[c.params["token"]]
	if si == nil || c.params["app"] != s.appID {
		s.violate("%s %s: unknown webhook (application id or interaction token)", c.method, c.route)
		return nil, http.StatusNotFound, discordError(10015, "Unknown Webhook")
	}
	return si, 0, nil
}

func (s *Server) postFollowup(c *restCall) (int, any) {
	var data map[string]any
	if err := json.Unmarshal(c.body, &data); err != nil {
		return http.StatusBadRequest, discordError(50109, "The request body contains invalid JSON.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	si, st, resp := s.interactionByToken(c)
	if si == nil {
		return st, resp
	}
	if !si.acked {
		s.violate("%s %s: follow-up before the interaction was acknowledged", c.method, c.route)
		return http.StatusNotFound, discordError(10015, "Unknown Webhook")
	}
	msg := s.messageObject(Message{ChannelID: si.in.ChannelID, GuildID: si.in.GuildID, Author: s.botUser})
	msg["webhook_id"] = s.appID
	msg["application_id"] = s.appID
	delete(msg, "member")
	if si.original != nil && si.loading {
		// The first follow-up to a deferred response replaces the
		// loading message, as on Discord.
		msg["id"] = si.original["id"]
		si.original = msg
		si.loading = false
	}
	applyMessageEdit(msg, data)
	s.messages[msg["id"].(string)] = &storedMessage{obj: msg}
	if c.query.Get("wait") != "true" {
		return http.StatusNoContent, nil
	}
	return http.StatusOK, msg
}

func (s *Server) webhookMessage(c *restCall) (*storedMessage, int, any) {
	si, st, resp := s.interactionByToken(c)
	if si == nil {
		return nil, st, resp
	}
	id := c.params["message_id"]
	if id == "@original" {
		if si.original == nil {
			return nil, http.StatusNotFound, discordError(10008, "Unknown Message")
		}
		id = si.original["id"].(string)
	}
	sm := s.messages[id]
	if sm == nil || sm.deleted {
		return nil, http.StatusNotFound, discordError(10008, "Unknown Message")
	}
	return sm, 0, nil
}

func (s *Server) getWebhookMessage(c *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, st, resp := s.webhookMessage(c)
	if sm == nil {
		return st, resp
	}
	return http.StatusOK, maps.Clone(sm.obj)
}

func (s *Server) patchWebhookMessage(c *restCall) (int, any) {
	var data map[string]any
	if err := json.Unmarshal(c.body, &data); err != nil {
		return http.StatusBadRequest, discordError(50109, "The request body contains invalid JSON.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, st, resp := s.webhookMessage(c)
	if sm == nil {
		if c.params["message_id"] == "@original" {
			s.violate("%s %s: editing @original before any response", c.method, c.route)
		}
		return st, resp
	}
	applyMessageEdit(sm.obj, data)
	if f, ok := sm.obj["flags"].(int); ok && f&messageFlagLoading != 0 {
		sm.obj["flags"] = f &^ messageFlagLoading
	}
	if c.params["message_id"] == "@original" {
		si := s.interactions[c.params["token"]]
		si.loading = false
	}
	sm.obj["edited_timestamp"] = s.timestamp()
	return http.StatusOK, maps.Clone(sm.obj)
}

func (s *Server) deleteWebhookMessage(c *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, st, resp := s.webhookMessage(c)
	if sm == nil {
		return st, resp
	}
	sm.deleted = true
	if c.params["message_id"] == "@original" || sm.obj["id"] == s.interactions[c.params["token"]].originalID() {
		si := s.interactions[c.params["token"]]
		si.original = nil
		si.loading = false
	}
	return http.StatusNoContent, nil
}

func (si *storedInteraction) originalID() any {
	if si == nil || si.original == nil {
		return nil
	}
	return si.original["id"]
}

func (s *Server) knownChannel(c *restCall) (Guild, Channel, int, any, bool) {
	g, ch, ok := s.channelByID(c.params["channel_id"])
	if !ok {
		return g, ch, http.StatusNotFound, discordError(10003, "Unknown Channel"), false
	}
	return g, ch, 0, nil, true
}

func (s *Server) getChannel(c *restCall) (int, any) {
	g, ch, st, resp, ok := s.knownChannel(c)
	if !ok {
		return st, resp
	}
	pos := 0
	for i, x := range g.Channels {
		if x.ID == ch.ID {
			pos = i
		}
	}
	return http.StatusOK, channelJSON(g.ID, ch, pos)
}

func (s *Server) postMessage(c *restCall) (int, any) {
	g, _, st, resp, ok := s.knownChannel(c)
	if !ok {
		return st, resp
	}
	var data map[string]any
	if err := json.Unmarshal(c.body, &data); err != nil {
		return http.StatusBadRequest, discordError(50109, "The request body contains invalid JSON.")
	}
	// enforce_nonce: a second message with the same nonce from the same
	// author in the same channel returns the first instead.
	nonce, _ := data["nonce"].(string)
	nonceKey := ""
	if enforce, _ := data["enforce_nonce"].(bool); enforce && nonce != "" {
		nonceKey = c.params["channel_id"] + "|" + s.botUser.ID + "|" + nonce
		s.mu.Lock()
		prev, seen := s.nonces[nonceKey]
		var obj map[string]any
		if seen && s.messages[prev] != nil {
			obj = s.messages[prev].obj
		}
		s.mu.Unlock()
		if obj != nil {
			return http.StatusOK, obj
		}
	}
	msg := s.messageObject(Message{ChannelID: c.params["channel_id"], GuildID: g.ID, Author: s.botUser})
	delete(data, "enforce_nonce")
	applyMessageEdit(msg, data)
	if ref, ok := data["message_reference"].(map[string]any); ok && ref != nil {
		msg["type"] = 19 // REPLY
		s.mu.Lock()
		ref0, _ := ref["message_id"].(string)
		target := s.messages[ref0]
		s.mu.Unlock()
		if target == nil {
			fail, _ := ref["fail_if_not_exists"].(bool)
			if fail || ref["fail_if_not_exists"] == nil {
				return http.StatusBadRequest, discordError(50035, "Invalid Form Body: Unknown message")
			}
		} else {
			msg["referenced_message"] = target.obj
		}
	}
	s.storeMessage(msg)
	if nonceKey != "" {
		s.mu.Lock()
		s.nonces[nonceKey] = msg["id"].(string)
		s.mu.Unlock()
	}
	return http.StatusOK, msg
}

func (s *Server) listMessages(c *restCall) (int, any) {
	if _, _, st, resp, ok := s.knownChannel(c); !ok {
		return st, resp
	}
	limit := 50
	if l, err := strconv.Atoi(c.query.Get("limit")); err == nil && l > 0 && l <= 100 {
		limit = l
	}
	before, after := c.query.Get("before"), c.query.Get("after")
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, sm := range s.messages {
		id, _ := sm.obj["id"].(string)
		if sm.deleted || sm.obj["channel_id"] != c.params["channel_id"] ||
			before != "" && !snowflakeLess(id, before) || after != "" && !snowflakeLess(after, id) {
			continue
		}
		out = append(out, maps.Clone(sm.obj))
	}
	// Like Discord: the messages next to the cursor (the latest ones, or
	// those just before "before", or just after "after"), newest first.
	sort.Slice(out, func(i, j int) bool { return snowflakeLess(out[j]["id"].(string), out[i]["id"].(string)) })
	if len(out) > limit {
		if after != "" {
			out = out[len(out)-limit:]
		} else {
			out = out[:limit]
		}
	}
	if out == nil {
		out = []map[string]any{}
	}
	return http.StatusOK, out
}

func snowflakeLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func (s *Server) storedChannelMessage(c *restCall) (*storedMessage, int, any) {
	sm := s.messages[c.params["message_id"]]
	if sm == nil || sm.deleted || sm.obj["channel_id"] != c.params["channel_id"] {
		return nil, http.StatusNotFound, discordError(10008, "Unknown Message")
	}
	return sm, 0, nil
}

func (s *Server) getMessage(c *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, st, resp := s.storedChannelMessage(c)
	if sm == nil {
		return st, resp
	}
	return http.StatusOK, maps.Clone(sm.obj)
}

func (s *Server) patchMessage(c *restCall) (int, any) {
	var data map[string]any
	if err := json.Unmarshal(c.body, &data); err != nil {
		return http.StatusBadRequest, discordError(50109, "The request body contains invalid JSON.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, st, resp := s.storedChannelMessage(c)
	if sm == nil {
		return st, resp
	}
	if a, _ := sm.obj["author"].(map[string]any); a == nil || a["id"] != s.botUser.ID {
		s.violate("%s %s: editing a message the bot did not write", c.method, c.route)
		return http.StatusForbidden, discordError(50005, "Cannot edit a message authored by another user")
	}
	applyMessageEdit(sm.obj, data)
	sm.obj["edited_timestamp"] = s.timestamp()
	return http.StatusOK, maps.Clone(sm.obj)
}

func (s *Server) deleteMessage(c *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, st, resp := s.storedChannelMessage(c)
	if sm == nil {
		return st, resp
	}
	sm.deleted = true
	return http.StatusNoContent, nil
}

func (s *Server) reaction(c *restCall) (int, any) {
	if _, _, st, resp, ok := s.knownChannel(c); !ok {
		return st, resp
	}
	if _, err := url.PathUnescape(c.params["emoji"]); err != nil || c.params["emoji"] == "" {
		return http.StatusBadRequest, discordError(10014, "Unknown Emoji")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sm, st, resp := s.storedChannelMessage(c); sm == nil {
		return st, resp
	}
	return http.StatusNoContent, nil
}

func (s *Server) listReactions(c *restCall) (int, any) {
	if _, _, st, resp, ok := s.knownChannel(c); !ok {
		return st, resp
	}
	return http.StatusOK, []any{}
}

func (s *Server) getGuild(c *restCall) (int, any) {
	g, ok := s.guildByID(c.params["guild_id"])
	if !ok {
		return http.StatusNotFound, discordError(10004, "Unknown Guild")
	}
	p := s.guildPayload(g)
	for _, k := range []string{"channels", "members", "threads", "presences", "voice_states", "joined_at", "large", "member_count", "unavailable"} {
		delete(p, k)
	}
	return http.StatusOK, p
}

func (s *Server) getGuildChannels(c *restCall) (int, any) {
	g, ok := s.guildByID(c.params["guild_id"])
	if !ok {
		return http.StatusNotFound, discordError(10004, "Unknown Guild")
	}
	return http.StatusOK, s.guildPayload(g)["channels"]
}

func (s *Server) getGuildRoles(c *restCall) (int, any) {
	g, ok := s.guildByID(c.params["guild_id"])
	if !ok {
		return http.StatusNotFound, discordError(10004, "Unknown Guild")
	}
	return http.StatusOK, s.guildPayload(g)["roles"]
}

func (s *Server) getMember(c *restCall) (int, any) {
	g, ok := s.guildByID(c.params["guild_id"])
	if !ok {
		return http.StatusNotFound, discordError(10004, "Unknown Guild")
	}
	if c.params["user_id"] == s.botUser.ID {
		return http.StatusOK, s.guildPayload(g)["members"].([]any)[0]
	}
	if c.params["user_id"] == DefaultUserID {
		return http.StatusOK, s.memberJSON(Invoker{}, false)
	}
	return http.StatusNotFound, discordError(10007, "Unknown Member")
}
