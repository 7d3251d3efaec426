package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/compare"
	"github.com/precisbot/precis/config"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/render"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// runCompare is `precis compare [--json] URL_OR_FILE URL_OR_FILE...`: a
// checked comparison of how two to five articles (links, files, or - for
// one of them on standard input) report one story, printed as the Discord
// message would show it, or with --json as the Comparison JSON. The first
// article is the one the comparison starts from.
func runCompare(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parseOneShot("compare", args, stderr, getenv, true)
	if err != nil {
		return err
	}
	if n := len(o.inputs); n < compare.MinArticles || n > compare.MaxArticles {
		return usageError{fmt.Sprintf("give %d to %d articles (URLs, FILEs or - once), got %d", compare.MinArticles, compare.MaxArticles, n)}
	}
	stdins := 0
	for _, in := range o.inputs {
		if in == "-" {
			stdins++
		}
	}
	if stdins > 1 {
		return usageError{"standard input (-) can be read once"}
	}
	logger := newLogger(o.cfg, stderr, true, getenv)
	var model compare.Model
	if o.cfg.LLMAPIKey != "" {
		lc := llmConfig(o.cfg, logger)
		lc.MaxRetries = 1 // a person is waiting
		l, err := summarize.NewLLM(lc)
		if err != nil {
			return err
		}
		model = l
	}
	var arts []*article.Article
	for _, in := range o.inputs {
		a, err := o.read(ctx, in, stdin)
		if err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
		arts = append(arts, a)
	}
	facts, err := outletFacts(o.cfg)
	if err != nil {
		return err
	}
	c, err := compare.New(model, compare.Options{Language: o.cfg.SummaryLanguage, Facts: facts}, logger).Compare(ctx, arts)
	if err != nil {
		return err
	}
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(c)
	}
	// The same render as the Discord message, printed as Markdown.
	_, err = io.WriteString(stdout, render.Text(render.Comparison(c)))
	return err
}

// newCompareFinder builds the Finder of other coverage serve hands to the
// core (the "Also covered by" line) and to the comparison Service: the
// server's feeds and shared links, clustered like the digest. vis decides
// which channels' links and feeds a channel's viewers may see; nil keeps
// to the channel's own.
func newCompareFinder(st *store.Store, vis compare.Visibility, now func() time.Time, logger *slog.Logger) *compare.Finder {
	return compare.NewFinder(&compare.StoreSource{Store: st, Visibility: vis, Logger: logger}, compare.FinderOptions{Now: now, Logger: logger})
}

// newCompareService builds the comparison Service over the core, with the
// model serve summarizes with (offline when llm is nil, without
// LLM_API_KEY).
func newCompareService(cfg *config.Config, llm *summarize.LLM, core *pipeline.Pipeline, finder *compare.Finder, st *store.Store, logger *slog.Logger) *compare.Service {
	var model compare.Model
	if llm != nil {
		model = llm
	}
	facts, err := outletFacts(cfg)
	if err != nil {
		// Checked at start by serve; a file gone since is only a warning.
		logger.Warn("outlet facts", "err", err)
	}
	return compare.NewService(compare.ServiceDeps{
		Core: core, Comparer: compare.New(model, compare.Options{Language: cfg.SummaryLanguage, Facts: facts}, logger),
		Finder: finder, Summaries: st, Logger: logger,
	})
}

// outletFacts loads OUTLET_FACTS_FILE, or nothing when it is not set.
func outletFacts(cfg *config.Config) (*compare.FactBook, error) {
	if cfg.OutletFactsFile == "" {
		return nil, nil
	}
	return compare.LoadFacts(cfg.OutletFactsFile)
}
