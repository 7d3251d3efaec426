package fakediscord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway opcodes the fake speaks.
const (
	OpDispatch       = 0
	OpHeartbeat      = 1
	OpIdentify       = 2
	OpPresenceUpdate = 3
	OpVoiceState     = 4
	OpResume         = 6
	OpReconnect      = 7
	OpRequestMembers = 8
	OpInvalidSession = 9
	OpHello          = 10
	OpHeartbeatACK   = 11
)

// Direction of a gateway frame.
const (
	Received = "recv" // client -> fake
	Sent     = "sent" // fake -> client
)

// Frame is one gateway frame as the fake saw it.
type Frame struct {
	Conn int             // connection number, from 1
	Dir  string          // Received or Sent
	Op   int             // opcode
	Seq  int64           // sequence number of a dispatch (0 otherwise)
	Type string          // event name of a dispatch
	Data json.RawMessage // the "d" field
	Time time.Time
}

// Identify is what the client sent in an IDENTIFY (op 2).
type Identify struct {
	Conn     int
	Token    string
	Intents  int
	Shard    *[2]int
	Compress bool
	Raw      json.RawMessage
}

// Resume is what the client sent in a RESUME (op 6).
type Resume struct {
	Conn      int
	Token     string
	SessionID string
	Seq       int64
	// Accepted is whether the fake resumed the session (RESUMED) or refused
	// it (INVALID_SESSION).
	Accepted bool
}

type gwSession struct {
	id    string
	seq   atomic.Int64
	shard *[2]int
}

type gwConn struct {
	id  int
	srv *Server
	ws  *websocket.Conn

	// heartbeat is closed at the connection's first heartbeat, done when
	// its read loop ends.
	heartbeat     chan struct{}
	heartbeatOnce sync.Once
	done          chan struct{}

	writeMu sync.Mutex
	sess    *gwSession // set after IDENTIFY/RESUME; guarded by writeMu
	ready   bool       // handshake done; guarded by writeMu
	closed  bool       // guarded by writeMu
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// Frames returns every gateway frame so far, both directions.
func (s *Server) Frames() []Frame { return s.frames.all() }

// WaitFrame waits for a gateway frame (past or future) matching pred.
func (s *Server) WaitFrame(ctx context.Context, pred func(Frame) bool) (Frame, error) {
	f, err := s.frames.wait(ctx, pred)
	if err != nil {
		return f, fmt.Errorf("wait for gateway frame: %w", err)
	}
	return f, nil
}

// WaitIdentify waits for the nth IDENTIFY (1-based) and returns it.
func (s *Server) WaitIdentify(ctx context.Context, n int) (Identify, error) {
	f, err := s.nthFrame(ctx, n, func(f Frame) bool { return f.Dir == Received && f.Op == OpIdentify })
	if err != nil {
		return Identify{}, fmt.Errorf("wait for identify %d: %w", n, err)
	}
	return parseIdentify(f), nil
}

// Identifies returns every IDENTIFY so far.
func (s *Server) Identifies() []Identify {
	var out []Identify
	for _, f := range s.frames.all() {
		if f.Dir == Received && f.Op == OpIdentify {
			out = append(out, parseIdentify(f))
		}
	}
	return out
}

// WaitResume waits for the nth RESUME (1-based) and returns it.
func (s *Server) WaitResume(ctx context.Context, n int) (Resume, error) {
	f, err := s.nthFrame(ctx, n, func(f Frame) bool { return f.Dir == Received && f.Op == OpResume })
	if err != nil {
		return Resume{}, fmt.Errorf("wait for resume %d: %w", n, err)
	}
	r := parseResume(f)
	// Whether it was accepted shows in the answer sent on that connection
	// after the RESUME frame (frames are scanned in order).
	seenResume := false
	next, err := s.frames.wait(ctx, func(g Frame) bool {
		if g.Conn != f.Conn {
			return false
		}
		if g.Dir == Received && g.Op == OpResume {
			seenResume = true
			return false
		}
		return seenResume && g.Dir == Sent && (g.Type == "RESUMED" || g.Op == OpInvalidSession)
	})
	if err != nil {
		return r, fmt.Errorf("wait for resume %d answer: %w", n, err)
	}
	r.Accepted = next.Type == "RESUMED"
	return r, nil
}

// WaitReady waits until the fake has sent READY (and the GUILD_CREATEs
// after it) n times in all, i.e. the nth session is established.
func (s *Server) WaitReady(ctx context.Context, n int) error {
	if _, err := s.nthFrame(ctx, n, func(f Frame) bool { return f.Dir == Sent && f.Type == "READY" }); err != nil {
		return fmt.Errorf("wait for READY %d: %w", n, err)
	}
	return s.waitGuildsAfterReady(ctx, n)
}

func (s *Server) waitGuildsAfterReady(ctx context.Context, n int) error {
	// A handshake is recorded after the last GUILD_CREATE is written.
	if _, err := s.handshakes.waitN(ctx, n); err != nil {
		return fmt.Errorf("wait for guilds after READY %d: %w", n, err)
	}
	return nil
}

// WaitResumed waits until the fake has sent RESUMED n times in all.
func (s *Server) WaitResumed(ctx context.Context, n int) error {
	if _, err := s.nthFrame(ctx, n, func(f Frame) bool { return f.Dir == Sent && f.Type == "RESUMED" }); err != nil {
		return fmt.Errorf("wait for RESUMED %d: %w", n, err)
	}
	return nil
}

// WaitHeartbeat waits for the nth heartbeat from clients and the fake's
// ACK of it (unless ACKs are being dropped).
func (s *Server) WaitHeartbeat(ctx context.Context, n int) error {
	if _, err := s.nthFrame(ctx, n, func(f Frame) bool { return f.Dir == Received && f.Op == OpHeartbeat }); err != nil {
		return fmt.Errorf("wait for heartbeat %d: %w", n, err)
	}
	if s.dropAcks.Load() {
		return nil
	}
	if _, err := s.nthFrame(ctx, n, func(f Frame) bool { return f.Dir == Sent && f.Op == OpHeartbeatACK }); err != nil {
		return fmt.Errorf("wait for heartbeat ack %d: %w", n, err)
	}
	return nil
}

// WaitDispatch waits until the nth dispatch of the given event name has been
// written to a client and returns its frame.
func (s *Server) WaitDispatch(ctx context.Context, event string, n int) (Frame, error) {
	f, err := s.nthFrame(ctx, n, func(f Frame) bool { return f.Dir == Sent && f.Op == OpDispatch && f.Type == event })
	if err != nil {
		return f, fmt.Errorf("wait for %s %d: %w", event, n, err)
	}
	return f, nil
}

// DropHeartbeatACKs makes the fake stop (or resume) answering heartbeats, to
// test zombie-connection handling.
func (s *Server) DropHeartbeatACKs(drop bool) { s.dropAcks.Store(drop) }

func (s *Server) nthFrame(ctx context.Context, n int, pred func(Frame) bool) (Frame, error) {
	seen := 0
	return s.frames.wait(ctx, func(f Frame) bool {
		if pred(f) {
			seen++
			return seen >= n
		}
		return false
	})
}

// Connections is the number of open gateway connections.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// ReadyConnections is the ids of connections that finished their handshake.
func (s *Server) ReadyConnections() []int {
	var ids []int
	for _, c := range s.connList() {
		c.writeMu.Lock()
		if c.ready && !c.closed {
			ids = append(ids, c.id)
		}
		c.writeMu.Unlock()
	}
	return ids
}

func (s *Server) connList() []*gwConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*gwConn, 0, len(s.conns))
	for _, c := range s.conns {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// Dispatch sends an event (op 0) with the next sequence number to every
// connection that has finished its handshake. It fails with ErrNoConnection
// when there is none.
func (s *Server) Dispatch(event string, data any) error {
	return s.dispatch(0, event, data)
}

// DispatchTo sends an event to one connection (see ReadyConnections).
func (s *Server) DispatchTo(conn int, event string, data any) error {
	return s.dispatch(conn, event, data)
}

func (s *Server) dispatch(conn int, event string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("marshal %s: %w", event, err)
	}
	// As on Discord, a guild's events go only to the shard that owns it.
	var about struct {
		GuildID string `json:"guild_id"`
	}
	_ = json.Unmarshal(raw, &about)
	sent := 0
	for _, c := range s.connList() {
		if conn != 0 && c.id != conn {
			continue
		}
		c.writeMu.Lock()
		ok := c.ready && !c.closed && (about.GuildID == "" || c.sess == nil || c.sess.owns(about.GuildID))
		if ok {
			err = c.writeDispatchLocked(event, json.RawMessage(raw))
		}
		c.writeMu.Unlock()
		if ok && err == nil {
			sent++
		}
	}
	if sent == 0 {
		return fmt.Errorf("dispatch %s: %w", event, ErrNoConnection)
	}
	return nil
}

// Reconnect sends RECONNECT (op 7) to every connection; a client should
// close and RESUME on a new connection.
//
// It first waits (up to firstHeartbeatWait) for each connection's first
// heartbeat: discordgo's heartbeat goroutine, started at the handshake,
// otherwise races discordgo's own reconnect and closes the new connection.
// For the same reason keep the default heartbeat interval in reconnect
// tests: a short one lets a tick race the close.
func (s *Server) Reconnect() error {
	s.awaitFirstHeartbeats()
	return s.sendOp(OpReconnect, nil, nil)
}

// firstHeartbeatWait bounds how long Reconnect and Disconnect wait for a
// connection's first heartbeat; discordgo sends it right after READY.
const firstHeartbeatWait = 10 * time.Second

func (s *Server) awaitFirstHeartbeats() {
	timeout := time.NewTimer(firstHeartbeatWait)
	defer timeout.Stop()
	for _, c := range s.connList() {
		select {
		case <-c.heartbeat:
		case <-c.done:
		case <-timeout.C:
			return
		}
	}
}

// InvalidSession sends INVALID_SESSION (op 9) to every connection. When not
// resumable the sessions are forgotten, so a RESUME is refused and only a
// fresh IDENTIFY works.
func (s *Server) InvalidSession(resumable bool) error {
	return s.sendOp(OpInvalidSession, resumable, func(c *gwConn) {
		c.ready = false
		if !resumable && c.sess != nil {
			s.mu.Lock()
			delete(s.sessions, c.sess.id)
			s.mu.Unlock()
			c.sess = nil
		}
	})
}

// RequestHeartbeat sends op 1 to every connection; clients must answer with
// a heartbeat at once.
func (s *Server) RequestHeartbeat() error { return s.sendOp(OpHeartbeat, nil, nil) }

// Disconnect closes every gateway connection with a close code (4000
// "unknown error" lets a client resume; 4004 or 4014 must not reconnect).
func (s *Server) Disconnect(code int, reason string) {
	s.awaitFirstHeartbeats()
	for _, c := range s.connList() {
		c.close(code, reason)
	}
}

func (s *Server) sendOp(op int, d any, after func(*gwConn)) error {
	sent := 0
	for _, c := range s.connList() {
		c.writeMu.Lock()
		if !c.closed {
			if err := c.writeOpLocked(op, d); err == nil {
				sent++
			}
			if after != nil {
				after(c)
			}
		}
		c.writeMu.Unlock()
	}
	if sent == 0 {
		return fmt.Errorf("send op %d: %w", op, ErrNoConnection)
	}
	return nil
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.violate("gateway upgrade: %v", err)
		return
	}
	q := r.URL.Query()
	if v := q.Get("v"); v != "9" && v != "10" {
		s.violate("gateway connected with version %q, want 9 or 10", v)
	}
	if e := q.Get("encoding"); e != "" && e != "json" {
		s.violate("gateway connected with encoding %q, only json is supported", e)
	}
	c := &gwConn{id: int(s.connIDs.Add(1)), srv: s, ws: ws, heartbeat: make(chan struct{}), done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.conns[c.id] = c
	s.mu.Unlock()
	defer func() {
		close(c.done)
		s.mu.Lock()
		delete(s.conns, c.id)
		s.mu.Unlock()
		c.writeMu.Lock()
		c.closed = true
		c.writeMu.Unlock()
		ws.Close()
	}()

	interval := s.opts.HeartbeatInterval
	if interval <= 0 {
		interval = defaultHeartbeat
	}
	c.writeMu.Lock()
	err = c.writeOpLocked(OpHello, map[string]any{"heartbeat_interval": interval.Milliseconds()})
	c.writeMu.Unlock()
	if err != nil {
		return
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(msg, &p); err != nil {
			s.violate("gateway conn %d: undecodable frame %q: %v", c.id, truncateForLog(msg), err)
			c.close(4002, "Error while decoding payload.")
			return
		}
		s.frames.add(Frame{Conn: c.id, Dir: Received, Op: p.Op, Data: p.D, Time: s.now()})
		switch p.Op {
		case OpHeartbeat:
			c.heartbeatOnce.Do(func() { close(c.heartbeat) })
			if !s.dropAcks.Load() {
				c.writeMu.Lock()
				_ = c.writeOpLocked(OpHeartbeatACK, nil)
				c.writeMu.Unlock()
			}
		case OpIdentify:
			if !c.handleIdentify(p.D) {
				return
			}
		case OpResume:
			if !c.handleResume(p.D) {
				return
			}
		case OpPresenceUpdate, OpVoiceState, OpRequestMembers:
			// Recorded above; nothing to answer.
		default:
			s.violate("gateway conn %d: unknown opcode %d", c.id, p.Op)
			c.close(4001, "Unknown opcode.")
			return
		}
	}
}

func (c *gwConn) handleIdentify(raw json.RawMessage) bool {
	s := c.srv
	id := parseIdentify(Frame{Conn: c.id, Data: raw})
	if stripBot(id.Token) != s.token {
		s.violate("gateway conn %d: IDENTIFY with wrong token", c.id)
		c.close(4004, "Authentication failed.")
		return false
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.ready {
		s.violate("gateway conn %d: IDENTIFY on an authenticated connection", c.id)
		c.closeLocked(4005, "Already authenticated.")
		return false
	}
	sess := &gwSession{id: fmt.Sprintf("fake-session-%d-%s", c.id, s.NewID()), shard: id.Shard}
	s.mu.Lock()
	s.sessions[sess.id] = sess
	s.mu.Unlock()
	c.sess = sess
	if err := c.writeDispatchLocked("READY", s.readyPayload(sess)); err != nil {
		return false
	}
	for _, g := range s.guildList() {
		if !sess.owns(g.ID) {
			continue
		}
		if err := c.writeDispatchLocked("GUILD_CREATE", s.guildPayload(g)); err != nil {
			return false
		}
	}
	c.ready = true
	s.handshakes.add(c.id)
	return true
}

// owns reports whether a guild's events go to this session: always without
// sharding, else when (guild_id >> 22) % shard_count is the session's
// shard, Discord's rule.
func (sess *gwSession) owns(guildID string) bool {
	if sess == nil || sess.shard == nil || sess.shard[1] <= 1 {
		return true
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return true
	}
	return int((id>>22)%uint64(sess.shard[1])) == sess.shard[0]
}

func (c *gwConn) handleResume(raw json.RawMessage) bool {
	s := c.srv
	r := parseResume(Frame{Conn: c.id, Data: raw})
	if stripBot(r.Token) != s.token {
		s.violate("gateway conn %d: RESUME with wrong token", c.id)
		c.close(4004, "Authentication failed.")
		return false
	}
	s.mu.Lock()
	sess := s.sessions[r.SessionID]
	s.mu.Unlock()
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if sess == nil || r.Seq > sess.seq.Load() {
		// Discord answers an unknown session with INVALID_SESSION false.
		return c.writeOpLocked(OpInvalidSession, false) == nil
	}
	c.sess = sess
	if err := c.writeDispatchLocked("RESUMED", map[string]any{}); err != nil {
		return false
	}
	c.ready = true
	return true
}

func (c *gwConn) writeOpLocked(op int, d any) error {
	if c.closed {
		return ErrNoConnection
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("marshal op %d: %w", op, err)
	}
	frame := map[string]any{"op": op, "d": json.RawMessage(raw), "s": nil, "t": nil}
	if err := c.ws.WriteJSON(frame); err != nil {
		return fmt.Errorf("write op %d: %w", op, err)
	}
	c.srv.frames.add(Frame{Conn: c.id, Dir: Sent, Op: op, Data: raw, Time: c.srv.now()})
	return nil
}

func (c *gwConn) writeDispatchLocked(event string, data any) error {
	if c.closed {
		return ErrNoConnection
	}
	if c.sess == nil {
		return fmt.Errorf("dispatch %s before handshake: %w", event, ErrNoConnection)
	}
	raw, ok := data.(json.RawMessage)
	if !ok {
		var err error
		raw, err = json.Marshal(data)
		if err != nil {
			return fmt.Errorf("marshal %s: %w", event, err)
		}
	}
	seq := c.sess.seq.Add(1)
	frame := map[string]any{"op": OpDispatch, "d": raw, "s": seq, "t": event}
	if err := c.ws.WriteJSON(frame); err != nil {
		return fmt.Errorf("write %s: %w", event, err)
	}
	c.srv.frames.add(Frame{Conn: c.id, Dir: Sent, Op: OpDispatch, Seq: seq, Type: event, Data: raw, Time: c.srv.now()})
	return nil
}

func (c *gwConn) close(code int, reason string) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.closeLocked(code, reason)
}

func (c *gwConn) closeLocked(code int, reason string) {
	if c.closed {
		return
	}
	c.closed = true
	c.ready = false
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	_ = c.ws.Close()
}

func parseIdentify(f Frame) Identify {
	var d struct {
		Token    string  `json:"token"`
		Intents  int     `json:"intents"`
		Shard    *[2]int `json:"shard"`
		Compress bool    `json:"compress"`
	}
	_ = json.Unmarshal(f.Data, &d)
	return Identify{Conn: f.Conn, Token: d.Token, Intents: d.Intents, Shard: d.Shard, Compress: d.Compress, Raw: f.Data}
}

func parseResume(f Frame) Resume {
	var d struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	_ = json.Unmarshal(f.Data, &d)
	return Resume{Conn: f.Conn, Token: d.Token, SessionID: d.SessionID, Seq: d.Seq}
}

func truncateForLog(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}
