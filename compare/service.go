package compare

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/precisbot/precis/article"
	"github.com/precisbot/precis/pipeline"
	"github.com/precisbot/precis/summarize"
)

// Core runs a comparison under a summary's guards; *pipeline.Pipeline
// implements it.
type Core interface {
	RunJob(ctx context.Context, req pipeline.JobRequest, work func(ctx context.Context, j *pipeline.Job) error) error
}

// SummaryStore finds the stored summary of a link, whose text finds the
// story's other coverage the way the summary's "Also covered by" line did;
// *store.Store implements it.
type SummaryStore interface {
	LatestSummaryByURL(ctx context.Context, normURL string) ([]byte, bool, error)
}

// Request asks for a comparison in a server.
type Request struct {
	// URL is the article asked about.
	URL string
	// Others are the links to compare it with; empty means its other
	// coverage in the server (Finder).
	Others []string
	// GuildID, ChannelID and UserID are where and by whom it was asked:
	// the quotas, the budget, and what coverage the channel may see.
	GuildID, ChannelID, UserID string
	// Progress, when set, receives short status lines.
	Progress func(status string)
}

// ErrNoCoverage means no other coverage of the story was found.
var ErrNoCoverage error = &UserError{"I found no other coverage of this story in this server's feeds or shared links yet. Try /compare with other links."}

// ServiceDeps are the Service's collaborators. Finder and Summaries may be
// nil: then only comparisons with explicit other links work.
type ServiceDeps struct {
	Core      Core
	Comparer  *Comparer
	Finder    *Finder
	Summaries SummaryStore
	Logger    *slog.Logger
}

// Service makes comparisons asked for in a server: it finds the other
// coverage (or takes the links given), reads the articles through the
// core, asks the model when the server's budget can spare the worst case
// (otherwise the offline comparison answers) and counts the comparison
// against the member's and the server's hourly allowances.
type Service struct {
	deps ServiceDeps
	log  *slog.Logger
}

// NewService returns a Service.
func NewService(deps ServiceDeps) *Service {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{deps: deps, log: deps.Logger.With("component", "compare")}
}

// Compare compares the article at req.URL with req.Others, or with its
// other coverage in the server. A used-up allowance is a
// *pipeline.QuotaError; no coverage is ErrNoCoverage; pipeline.Explain
// words both.
func (s *Service) Compare(ctx context.Context, req Request) (*Comparison, error) {
	norm, err := article.NormalizeURL(req.URL)
	if err != nil {
		return nil, fmt.Errorf("normalize %q: %w", req.URL, err)
	}
	if len(req.Others)+1 > MaxArticles {
		return nil, ErrCount
	}
	others := req.Others
	if len(others) == 0 {
		// The stored summary finds the coverage without reading anything:
		// no allowance is spent when there is none.
		if t, ok := s.storedTarget(ctx, req, norm); ok {
			found, err := s.find(ctx, t)
			if err != nil {
				return nil, err
			}
			if len(found) == 0 {
				return nil, ErrNoCoverage
			}
			others = found
		}
	}
	progress := func(string) {}
	if req.Progress != nil {
		progress = req.Progress
	}
	var out *Comparison
	err = s.deps.Core.RunJob(ctx, pipeline.JobRequest{Name: "compare", GuildID: req.GuildID, ChannelID: req.ChannelID, UserID: req.UserID},
		func(ctx context.Context, j *pipeline.Job) error {
			target, err := j.Article(ctx, req.URL)
			if err != nil {
				return err
			}
			if len(others) == 0 {
				found, err := s.find(ctx, articleTarget(req, norm, target))
				if err != nil {
					return err
				}
				if len(found) == 0 {
					return ErrNoCoverage
				}
				others = found
			}
			progress(fmt.Sprintf("Reading %d articles…", len(others)+1))
			arts := append([]*article.Article{target}, s.read(ctx, j, others)...)
			if len(arts) < MinArticles {
				return ErrUnreadable
			}
			progress(fmt.Sprintf("Comparing %d outlets…", len(arts)))
			out, err = s.compare(ctx, j, arts)
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ErrUnreadable means none of the other coverage could be read.
var ErrUnreadable error = &UserError{"I couldn't read any of the other articles on this story."}

// compare asks the model when the budget can spare the worst case.
func (s *Service) compare(ctx context.Context, j *pipeline.Job, arts []*article.Article) (*Comparison, error) {
	c := s.deps.Comparer
	if !c.HasModel() {
		return c.Compare(ctx, arts)
	}
	release, ok, err := j.Model(ctx, c.Estimate(arts))
	if err != nil {
		return nil, err
	}
	if !ok {
		return c.Offline(ctx, arts, NoteBudget)
	}
	out, err := c.Compare(ctx, arts)
	if err != nil {
		// What the call spent is unknown: RunJob bills the reservation.
		return nil, err
	}
	release(out.Usage)
	if out.Offline {
		j.FallBack()
	}
	return out, nil
}

// read reads the other articles at once; one that cannot be read is left
// out (and logged).
func (s *Service) read(ctx context.Context, j *pipeline.Job, urls []string) []*article.Article {
	arts := make([]*article.Article, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() {
			a, err := j.Article(ctx, u)
			if err != nil {
				s.log.Info("other coverage unreadable", "url", u, "err", err)
				return
			}
			arts[i] = a
		})
	}
	wg.Wait()
	var out []*article.Article
	for _, a := range arts {
		if a != nil {
			out = append(out, a)
		}
	}
	return out
}

// find is the links of the target's other coverage.
func (s *Service) find(ctx context.Context, t Target) ([]string, error) {
	if s.deps.Finder == nil {
		return nil, nil
	}
	found, err := s.deps.Finder.Find(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("find other coverage: %w", err)
	}
	out := make([]string, len(found))
	for i, c := range found {
		out[i] = c.URL
	}
	return out, nil
}

// storedTarget is the target as its stored summary describes it. A store
// that cannot be read is logged: the article is then read instead.
func (s *Service) storedTarget(ctx context.Context, req Request, norm string) (Target, bool) {
	if s.deps.Summaries == nil {
		return Target{}, false
	}
	sum, err := storedSummary(ctx, s.deps.Summaries, norm)
	if err != nil {
		s.log.WarnContext(ctx, "stored summary", "url", norm, "err", err)
	}
	if sum == nil {
		return Target{}, false
	}
	return Target{
		GuildID: req.GuildID, ChannelID: req.ChannelID, URL: req.URL, NormURL: norm,
		Title: sum.Title, Headline: sum.Headline, Summary: sum.Summary, Site: sum.Site,
	}, true
}

// storedSummary is the summary Precis last stored for the link at norm,
// or nil when there is none (or it cannot be decoded).
func storedSummary(ctx context.Context, st SummaryStore, norm string) (*summarize.Summary, error) {
	data, ok, err := st.LatestSummaryByURL(ctx, norm)
	if err != nil || !ok {
		return nil, err
	}
	// The pipeline's cache entry: {"made_at", "summary"}.
	var e struct {
		Summary *summarize.Summary `json:"summary"`
	}
	if json.Unmarshal(data, &e) != nil {
		return nil, nil
	}
	return e.Summary, nil
}

// articleTarget is the target as its article describes it: the title and
// the first sentences.
func articleTarget(req Request, norm string, a *article.Article) Target {
	lead := splitSentences(a.Text)
	if len(lead) > 3 {
		lead = lead[:3]
	}
	t := Target{
		GuildID: req.GuildID, ChannelID: req.ChannelID, URL: req.URL, NormURL: norm,
		Title: a.Title, Summary: strings.Join(lead, " "), Site: a.Site,
	}
	if a.Published != nil {
		t.Published = *a.Published
	}
	return t
}
