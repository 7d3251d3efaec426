package bot

import (
	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/commands"
	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// The concrete types main wires in satisfy the interfaces declared here.
var (
	_ Store                  = (*store.Store)(nil)
	_ ArticleReader          = (*article.Reader)(nil)
	_ commands.DigestService = (*digest.Service)(nil)
	_ digest.Poster          = (*Bot)(nil)
	_ summarize.Summarizer   = (*summarize.Extractive)(nil)
	_ summarize.Summarizer   = (*summarize.Cached)(nil)
)
