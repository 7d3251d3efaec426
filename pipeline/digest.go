package pipeline

import (
	"context"

	"github.com/precisbot/precis/summarize"
)

// DigestSummaries gives the digest its entries' summaries through the
// core, so the cache, the server's token budget, usage accounting and the
// worker limits apply to them as to everything else. Entries are short
// summaries in the default language.
type DigestSummaries struct{ Pipeline *Pipeline }

func digestRequest(guildID, url string) Request {
	return Request{URL: url, GuildID: guildID, Length: summarize.LengthShort, Source: SourceDigest, Asked: true}
}

// Cached returns the stored summary of url, without fetching.
func (d DigestSummaries) Cached(ctx context.Context, guildID, url string) (*summarize.Summary, bool) {
	return d.Pipeline.Cached(ctx, digestRequest(guildID, url))
}

// Summarize makes the summary of url, charged to the server.
func (d DigestSummaries) Summarize(ctx context.Context, guildID, url string) (*summarize.Summary, error) {
	return d.Pipeline.Summarize(ctx, digestRequest(guildID, url))
}
