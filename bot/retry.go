package bot

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// postAttempts is how often a post or edit is tried when Discord answers
// with a server error. discordgo itself retries 429s (waiting Retry-After)
// and 502s, but not 500, 503 or 504.
const postAttempts = 3

// retryPost runs post until it succeeds, fails for a reason a retry cannot
// fix, or postAttempts are used, waiting base, 2*base, ... in between.
func retryPost(ctx context.Context, base time.Duration, post func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if err = post(); err == nil || attempt == postAttempts || !transientDiscordError(err) {
			return err
		}
		t := time.NewTimer(base << (attempt - 1))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// transientDiscordError reports whether err is a Discord server error or a
// network failure that a later attempt may not meet.
func transientDiscordError(err error) bool {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		switch rest.Response.StatusCode {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	var nerr net.Error
	return errors.As(err, &nerr) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}
