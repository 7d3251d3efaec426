package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/recap"
	"github.com/precisbot/precis/render"
	"github.com/precisbot/precis/summarize"
)

// runRecap is `precis recap [--json] FILE`: a checked recap of a
// DiscordChatExporter JSON export (FILE, or - for standard input), printed
// as the Discord message would show it, or with --json as the Recap JSON.
func runRecap(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("recap", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	jsonOut := fs.Bool("json", false, "print the recap as JSON")
	var inputs []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return errHelp
			}
			return usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		inputs = append(inputs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(inputs) != 1 {
		return usageError{"give one DiscordChatExporter JSON export: a FILE or - for standard input"}
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr, true, getenv)

	in := stdin
	if inputs[0] != "-" {
		f, err := os.Open(inputs[0])
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("%s: no such file", inputs[0])
			}
			return err
		}
		defer f.Close()
		in = f
	}
	conv, err := recap.ReadExport(in)
	if err != nil {
		return fmt.Errorf("%s: %w", inputs[0], err)
	}

	var model recap.Model
	if cfg.LLMAPIKey != "" {
		l, err := summarize.NewLLM(llmConfig(cfg, logger))
		if err != nil {
			return err
		}
		model = l
	}
	rc, err := recap.New(model, recap.Options{Language: cfg.SummaryLanguage}, logger).Recap(ctx, conv)
	if err != nil {
		return fmt.Errorf("recap %s: %w", inputs[0], err)
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(rc)
	}
	// The same render as the Discord message, printed as Markdown.
	_, err = io.WriteString(stdout, render.Text(render.Recap(rc)))
	return err
}

// newRecaps builds the recap service `serve` hands to the command
// handlers: the model serve summarizes with (offline when llm is nil,
// without LLM_API_KEY), under the same hourly allowances and daily token
// budget.
func newRecaps(cfg *config.Config, llm *summarize.LLM, core recap.Core, logger *slog.Logger) *recap.Service {
	var model recap.Model
	if llm != nil {
		model = llm
	}
	return recap.NewService(recap.ServiceDeps{
		Recapper: recap.New(model, recap.Options{Language: cfg.SummaryLanguage}, logger), Core: core, Logger: logger,
	})
}
