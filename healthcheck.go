package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/precisbot/precis/config"
)

// runHealthcheck asks a running `precis serve` on HTTP_ADDR for /healthz
// and exits 0 only when it is healthy, or when HTTP_ADDR is off and there
// is nothing to ask. Distroless images have no curl, so this is what the
// Dockerfile's HEALTHCHECK runs.
func runHealthcheck(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) > 0 {
		return usageError{"healthcheck takes no arguments; it reads HTTP_ADDR"}
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if cfg.HTTPAddr == "" {
		// Nothing to ask. Failing here would mark a container that runs
		// without the health endpoint unhealthy for ever.
		fmt.Fprintln(stdout, "HTTP_ADDR is off: no health endpoint to ask, reporting healthy")
		return nil
	}
	host, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR %q: %w", cfg.HTTPAddr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	u := "http://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health check %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy (HTTP %d): %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	fmt.Fprintln(stdout, strings.TrimSpace(string(body)))
	return nil
}
