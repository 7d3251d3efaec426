package main

import (
	"log/slog"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/config"
)

// readers builds what reads articles, the same for serve and the one-shot
// commands: the hardened fetcher, the reader (pages and PDFs, the quality
// gate) and, over it, the archive reader that turns to an archived copy
// when a page is walled, blocked or not an article.
func readers(cfg *config.Config, logger *slog.Logger) (*article.Fetcher, *article.Reader, *article.ArchiveReader) {
	fetcher := article.NewFetcher(article.FetchOptions{
		Timeout:      cfg.FetchTimeout,
		MaxBytes:     cfg.FetchMaxBytes,
		AllowPrivate: cfg.FetchAllowPrivate,
	})
	reader := article.NewReaderWith(fetcher, article.ReaderOptions{
		MinWords: config.DefaultMinWords,
		PDF:      article.PDFOptions{MaxBytes: cfg.PDFMaxBytes, MaxPages: cfg.PDFMaxPages},
	})
	archive := article.NewArchiveReader(reader, article.ArchiveOptions{
		WaybackURL: cfg.ArchiveWaybackURL, TodayURL: cfg.ArchiveTodayURL,
		NoLookup: !cfg.ArchiveFallback, Logger: logger,
	})
	return fetcher, reader, archive
}
