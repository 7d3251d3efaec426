package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/render"
	"github.com/precisbot/precis/summarize"
)

func runSummarize(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parseOneShot("summarize", args, stderr, getenv, false)
	if err != nil {
		return err
	}
	logger := newLogger(o.cfg, stderr, true, getenv)
	summarizer, err := summarize.New(llmConfig(o.cfg, logger))
	if err != nil {
		return err
	}
	a, err := o.read(ctx, o.inputs[0], stdin)
	if err != nil {
		return err
	}
	lang := o.language
	if lang == "" {
		lang = o.cfg.SummaryLanguage
	}
	s, err := summarizer.Summarize(ctx, a, summarize.Options{Length: o.length, Language: lang})
	if err != nil {
		return fmt.Errorf("summarize: %w", err)
	}
	if o.jsonOut {
		return json.NewEncoder(stdout).Encode(s)
	}
	// The same render as the Discord message, printed as Markdown.
	_, err = io.WriteString(stdout, render.Text(render.Summary(s, render.Options{Length: o.length})))
	return err
}

// llmConfig maps settings onto the summarizer's configuration.
func llmConfig(cfg *config.Config, logger *slog.Logger) summarize.Config {
	return summarize.Config{
		BaseURL:       cfg.LLMBaseURL,
		APIKey:        cfg.LLMAPIKey,
		Model:         cfg.LLMModel,
		Timeout:       cfg.LLMTimeout,
		Deadline:      3 * cfg.LLMTimeout,
		MaxTokens:     cfg.LLMMaxTokens,
		ContextTokens: cfg.LLMContextTokens,
		Language:      cfg.SummaryLanguage,
		Logger:        logger,
	}
}
