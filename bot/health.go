package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/precisbot/precis/internal/metrics"
)

// healthStatus is the /healthz JSON body.
type healthStatus struct {
	OK       bool   `json:"ok"`
	Gateway  bool   `json:"gateway"`
	Database string `json:"database"`
	// Model is "ok", "failing: <cause> (<server>)", "offline" (no key) or
	// "unchecked"; a failing model leaves OK alone, as summaries go on
	// offline.
	Model string `json:"model,omitempty"`
}

// healthHandler serves /healthz (200 when check says OK, else 503, with a
// small JSON body) and /metrics (Prometheus text format).
func healthHandler(check func(context.Context) healthStatus, m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		st := check(ctx)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if !st.OK {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = m.WriteTo(w)
	})
	return mux
}

type healthServer struct {
	srv  *http.Server
	done sync.WaitGroup
	log  *slog.Logger
}

// serveHealth serves /healthz and /metrics on ln until shutdown.
func serveHealth(ln net.Listener, check func(context.Context) healthStatus, m *metrics.Metrics, log *slog.Logger) *healthServer {
	h := &healthServer{
		srv: &http.Server{
			Handler:           healthHandler(check, m),
			ReadHeaderTimeout: 5 * time.Second,
			WriteTimeout:      10 * time.Second,
		},
		log: log,
	}
	log.Info("health and metrics listening", "addr", ln.Addr().String())
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		if err := h.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("health server", "err", err)
		}
	}()
	return h
}

func (h *healthServer) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil {
		h.log.Warn("health server shutdown", "err", err)
	}
	h.done.Wait()
}

// RouteLogs sends discordgo's own log lines (gateway errors and reconnects)
// through slog, so they share the format and level of Precis's. discordgo
// only offers a package variable for this; main calls RouteLogs once.
func RouteLogs(logger *slog.Logger) {
	log := logger.With("component", "discordgo")
	discordgo.Logger = func(level, _ int, format string, args ...any) {
		l := slog.LevelDebug
		switch level {
		case discordgo.LogError:
			l = slog.LevelError
		case discordgo.LogWarning:
			l = slog.LevelWarn
		case discordgo.LogInformational:
			l = slog.LevelInfo
		}
		log.Log(context.Background(), l, fmt.Sprintf(format, args...))
	}
}

// stack is the current goroutine's stack, for panic logs.
func stack() string { return string(debug.Stack()) }
