package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// healthStatus is the /healthz JSON body.
type healthStatus struct {
	OK       bool   `json:"ok"`
	Gateway  bool   `json:"gateway"`
	Database string `json:"database"`
}

// healthHandler serves /healthz (200 when check says OK, else 503, with a
// small JSON body) and /metrics (Prometheus text format).
func healthHandler(check func(context.Context) healthStatus, m *Metrics) http.Handler {
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

func startHealthServer(addr string, check func(context.Context) healthStatus, m *Metrics, log *slog.Logger) (*healthServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("bot: listen on HTTP_ADDR %s: %w", addr, err)
	}
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
	return h, nil
}

func (h *healthServer) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil {
		h.log.Warn("health server shutdown", "err", err)
	}
	h.done.Wait()
}
