package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/render"
	"github.com/precisbot/precis/summarize"
)

func runSummarize(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parseOneShot("summarize", args, stderr, getenv, false)
	if err != nil {
		return err
	}
	logger := newLogger(o.cfg, stderr, true, getenv)
	// Every model request goes through health, so a fallback can say why.
	health := pipeline.NewModelHealth(pipeline.ModelHealthOptions{
		BaseURL: o.cfg.LLMBaseURL, APIKey: o.cfg.LLMAPIKey, Model: o.cfg.LLMModel,
	})
	lc := llmConfig(o.cfg, logger)
	lc.HTTPClient = health.HTTPClient()
	// One retry: a person is waiting, and a broken setup is better
	// reported in a second than after the backoff a server gets.
	lc.MaxRetries = 1
	summarizer, err := summarize.New(lc)
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
	s.Image = a.Image
	if s.Note == summarize.FallbackNote {
		cause, detail, fix := modelFailure(health)
		if detail != "" {
			detail = ": " + detail
		}
		fmt.Fprintf(stderr, "precis summarize: the model at %s failed: %s%s (%s); printing the offline summary instead\n",
			health.Host(), cause, detail, fix)
		s.Note = "The AI model failed (" + cause + "), so this is an offline summary."
	}
	if o.jsonOut {
		return json.NewEncoder(stdout).Encode(s)
	}
	// The same render as the Discord message, printed as Markdown.
	_, err = io.WriteString(stdout, render.Text(render.Summary(s, render.Options{Length: o.length})))
	return err
}

// modelFailure is why the model failed, in Precis's words and the
// server's, and the fix: what its server last said, or, when every answer
// arrived but none could be used, that.
func modelFailure(h *pipeline.ModelHealth) (cause, detail, fix string) {
	if e := h.LastFailure(); e != nil {
		fix = e.Fix
		if fix == "" {
			fix = "check the server's logs"
		}
		return e.Cause, e.Detail, fix
	}
	return "its answers could not be used", "", "LOG_LEVEL=info shows them; try another LLM_MODEL"
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
