// Command precis is a self-hosted Discord bot that reads the news links people
// share and posts neutral summaries with verified key quotes.
//
// Usage:
//
//	precis serve
//	precis summarize [--json] [--length short|normal|detailed] [--language CODE] [--url URL] <URL | FILE | ->
//	precis ask [--json] [--url URL] <URL | FILE | -> QUESTION...
//	precis extract [--json] [--url URL] <URL | FILE | -> [FILE...]
//	precis recap [--json] <FILE | ->
//	precis compare [--json] <URL | FILE | -> <URL | FILE>...
//	precis config
//	precis healthcheck
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/precisbot/precis/config"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

const usage = `precis: neutral summaries of the news links shared on Discord

Usage:
  precis serve                                   run the bot
  precis summarize [--json] [--length short|normal|detailed] [--language CODE]
                   [--url URL] <URL | FILE | ->  summarise one article and print it
  precis ask [--json] [--url URL] <URL | FILE | -> QUESTION...
                                                 answer a question from the article alone
  precis extract [--json] [--url URL] <URL | FILE | -> [FILE...]
                                                 print an article's clean text
  precis recap [--json] <FILE | ->               recap a DiscordChatExporter JSON export of a discussion
  precis compare [--json] <URL | FILE | -> <URL | FILE>...
                                                 compare how 2 to 5 articles report one story
  precis config                                  print the settings in effect (secrets redacted)
  precis healthcheck                             exit 0 when the bot on HTTP_ADDR is healthy
  precis version                                 print the version

Settings come from environment variables; see README.md or 'precis config'.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// usageError is a mistake in the command line; it exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is the whole program, so tests can drive it without a process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, rest, stderr, getenv)
	case "summarize", "summarise":
		err = runSummarize(ctx, rest, stdin, stdout, stderr, getenv)
	case "ask":
		err = runAsk(ctx, rest, stdin, stdout, stderr, getenv)
	case "extract":
		err = runExtract(ctx, rest, stdin, stdout, stderr, getenv)
	case "recap":
		err = runRecap(ctx, rest, stdin, stdout, stderr, getenv)
	case "compare":
		err = runCompare(ctx, rest, stdin, stdout, stderr, getenv)
	case "config":
		err = runConfig(rest, stdout, getenv)
	case "healthcheck":
		err = runHealthcheck(ctx, rest, stdout, getenv)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "precis", version())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usageError{fmt.Sprintf("unknown command %q (try 'precis help')", cmd)}
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "precis %s: %s\n", cmd, ue.msg)
		return exitUsage
	}
	fmt.Fprintf(stderr, "precis %s: %s\n", cmd, userMessage(err))
	return exitError
}

func runConfig(args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) > 0 {
		return usageError{"config takes no arguments"}
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, cfg)
	return nil
}

// newLogger builds the logger from LOG_LEVEL and LOG_FORMAT. The one-shot
// commands stay silent unless LOG_LEVEL is set, so their stderr carries
// only the one error line.
func newLogger(cfg *config.Config, w io.Writer, quietByDefault bool, getenv func(string) string) *slog.Logger {
	if quietByDefault && getenv("LOG_LEVEL") == "" {
		return slog.New(slog.DiscardHandler)
	}
	var level slog.Level
	switch cfg.LogLevel {
	case "debug":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
