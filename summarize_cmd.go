package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/precisbot/precis/config"
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
	s, err := summarizer.Summarize(ctx, a, summarize.Options{Language: o.cfg.SummaryLanguage})
	if err != nil {
		return fmt.Errorf("summarize: %w", err)
	}
	if o.jsonOut {
		return json.NewEncoder(stdout).Encode(s)
	}
	_, err = io.WriteString(stdout, renderText(s))
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

// renderText is the summary as the Discord message reads, in Markdown.
func renderText(s *summarize.Summary) string {
	var b strings.Builder
	title := s.Title
	if title == "" {
		title = s.Headline
	}
	if s.URL != "" {
		linkText := strings.NewReplacer("[", `\[`, "]", `\]`).Replace(title)
		fmt.Fprintf(&b, "## [%s](<%s>)\n", linkText, s.URL)
	} else {
		fmt.Fprintf(&b, "## %s\n", title)
	}
	source := s.Site
	if s.Byline != "" && !strings.EqualFold(s.Byline, s.Site) {
		source = strings.TrimPrefix(source+" · "+s.Byline, " · ")
	}
	if source != "" {
		fmt.Fprintf(&b, "*%s*\n", source)
	}
	if s.Headline != "" && s.Headline != title {
		fmt.Fprintf(&b, "\n**%s**\n", s.Headline)
	}
	if s.Summary != "" {
		fmt.Fprintf(&b, "\n%s\n", s.Summary)
	}
	if len(s.KeyPoints) > 0 {
		b.WriteString("\n**Key points**\n")
		for _, p := range s.KeyPoints {
			fmt.Fprintf(&b, "- %s\n", p)
		}
	}
	if len(s.Quotes) > 0 {
		b.WriteString("\n**Key quotes**\n")
		for _, q := range s.Quotes {
			fmt.Fprintf(&b, "> “%s”\n", q.Text)
			if q.Speaker != "" {
				fmt.Fprintf(&b, "> — %s\n", q.Speaker)
			}
		}
	}
	if len(s.Perspectives) > 0 {
		b.WriteString("\n**Perspectives**\n")
		for _, p := range s.Perspectives {
			fmt.Fprintf(&b, "- **%s**: %s\n", p.Party, p.Position)
		}
	}
	if s.Note != "" {
		fmt.Fprintf(&b, "\n_%s_\n", s.Note)
	}
	model := s.Model
	if model == summarize.ExtractiveModel {
		model = "offline extractive summary (no LLM key set)"
	}
	minutes := max(1, (s.Words+229)/230)
	fmt.Fprintf(&b, "\n-# %s · %d words · %d min read · quotes checked against the article\n", model, s.Words, minutes)
	return b.String()
}
