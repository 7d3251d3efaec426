package article

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/precisbot/precis/internal/lazyre"
)

// Archive services, as Archived.Service.
const (
	ServiceWayback      = "wayback"
	ServiceArchiveToday = "archive.today"
)

// Default archive addresses (ARCHIVE_WAYBACK_URL, ARCHIVE_TODAY_URL).
const (
	DefaultWaybackURL      = "https://archive.org"
	DefaultArchiveTodayURL = "https://archive.ph"
)

// ReasonBlocked: the site refused the request (HTTP 401, 402, 403, 429 or
// 451). It is an UnreadableError's Reason, beside ReasonWall and
// ReasonNotArticle.
const ReasonBlocked = "blocked"

// ArchiveOptions configures an ArchiveReader.
type ArchiveOptions struct {
	// WaybackURL is the base of the Wayback Machine
	// ({WaybackURL}/wayback/available?url=...); "" leaves it out.
	WaybackURL string
	// TodayURL is the base of archive.today ({TodayURL}/newest/URL);
	// "" leaves it out, and refusals then carry no search link.
	TodayURL string
	// NoLookup (ARCHIVE_FALLBACK=false) sends no link to the archives;
	// refusals still carry the search link for people to follow.
	NoLookup bool
	// Logger receives a line per lookup; nil discards them.
	Logger *slog.Logger
}

// ArchiveReader reads a link through a Reader and, when the page is walled,
// blocked or not an article, reads an existing archived copy of it
// instead: the Wayback Machine's closest snapshot, then archive.today's
// newest copy. Both are fetched with the Reader's fetcher, under the same
// address policy, size and time limits, and held to the same quality gate.
// It is safe for concurrent use.
type ArchiveReader struct {
	r              *Reader
	wayback, today string
	lookup         bool
	log            *slog.Logger
}

// waybackAPITypes are the media types the Wayback availability API answers in.
var waybackAPITypes = []string{"application/json", "text/javascript", "text/plain"}

// NewArchiveReader returns an ArchiveReader over r.
func NewArchiveReader(r *Reader, opts ArchiveOptions) *ArchiveReader {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &ArchiveReader{
		r:       r,
		wayback: strings.TrimRight(strings.TrimSpace(opts.WaybackURL), "/"),
		today:   strings.TrimRight(strings.TrimSpace(opts.TodayURL), "/"),
		lookup:  !opts.NoLookup,
		log:     log.With("component", "archive"),
	}
}

// UnreadableError is the answer for a link that could not be read, when no
// archived copy could be read either. It wraps the page's own error.
type UnreadableError struct {
	URL string // the link
	// Reason is ReasonWall, ReasonBlocked or ReasonNotArticle.
	Reason string
	// SearchURL lists archive.today's copies of URL, for a person to
	// look at or to ask for one; "" when archive.today is left out.
	SearchURL string
	// Looked reports whether the archives were asked for a copy.
	Looked bool
	Err    error // why the page itself could not be read
}

func (e *UnreadableError) Error() string {
	if e.Looked {
		return fmt.Sprintf("%s (%s), and no archived copy was found: %v", e.URL, e.Reason, e.Err)
	}
	return fmt.Sprintf("%s (%s): %v", e.URL, e.Reason, e.Err)
}

func (e *UnreadableError) Unwrap() error { return e.Err }

// SearchURL is archive.today's page listing its copies of rawURL, under
// base (DefaultArchiveTodayURL by default); "" when base is empty.
func SearchURL(base, rawURL string) string {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if base == "" {
		return ""
	}
	return base + "/" + rawURL
}

// unreadableReason says whether err is one an archived copy may get
// around, and which: "" when it is not.
func unreadableReason(err error) string {
	var he *HTTPError
	switch {
	case errors.As(err, &he):
		switch he.StatusCode {
		case http.StatusUnauthorized, http.StatusPaymentRequired, http.StatusForbidden,
			http.StatusTooManyRequests, http.StatusUnavailableForLegalReasons:
			return ReasonBlocked
		}
	case errors.Is(err, ErrWalled):
		return ReasonWall
	case errors.Is(err, ErrNoArticle), errors.Is(err, ErrEmptyPage):
		return ReasonNotArticle
	}
	return ""
}

// Read reads rawURL like Reader.Read. When the page is walled, blocked or
// not an article, it returns an archived copy (Article.Archive says which)
// or else an *UnreadableError; other errors are returned as they are.
func (ar *ArchiveReader) Read(ctx context.Context, rawURL string) (*Article, error) {
	a, err := ar.r.Read(ctx, rawURL)
	if err == nil {
		return a, nil
	}
	reason := unreadableReason(err)
	if reason == "" {
		return nil, err
	}
	target := rawURL
	if u, perr := ParseURL(rawURL); perr == nil {
		target = u.String()
	}
	unreadable := &UnreadableError{URL: target, Reason: reason, SearchURL: SearchURL(ar.today, target), Err: err}
	if !ar.lookup || (ar.wayback == "" && ar.today == "") {
		return nil, unreadable
	}
	unreadable.Looked = true
	for _, try := range []struct {
		service string
		base    string
		read    func(context.Context, string) (*Article, error)
	}{
		{ServiceWayback, ar.wayback, ar.readWayback},
		{ServiceArchiveToday, ar.today, ar.readToday},
	} {
		if try.base == "" {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		a, cerr := try.read(ctx, target)
		if cerr == nil {
			ar.log.Info("archived copy", "url", target, "reason", reason, "service", try.service, "copy", a.Archive.URL)
			return a, nil
		}
		ar.log.Info("no archived copy", "url", target, "reason", reason, "service", try.service, "err", cerr)
	}
	return nil, unreadable
}

// errNoCopy: the archive holds no copy of the link.
var errNoCopy = errors.New("no archived copy")

// waybackAnswer is the availability API's answer.
type waybackAnswer struct {
	ArchivedSnapshots struct {
		Closest *struct {
			Available bool   `json:"available"`
			URL       string `json:"url"`
			Timestamp string `json:"timestamp"`
			Status    string `json:"status"`
		} `json:"closest"`
	} `json:"archived_snapshots"`
}

// readWayback asks the Wayback Machine for its closest snapshot of target
// and reads the page as it was captured (the id_ form, without the
// archive's toolbar and rewritten links).
func (ar *ArchiveReader) readWayback(ctx context.Context, target string) (*Article, error) {
	api := ar.wayback + "/wayback/available?url=" + url.QueryEscape(target)
	page, err := ar.r.fetcher.Get(ctx, api, GetOptions{Accept: waybackAPITypes})
	if err != nil {
		return nil, fmt.Errorf("wayback availability: %w", err)
	}
	var ans waybackAnswer
	if err := json.Unmarshal(page.Body, &ans); err != nil {
		return nil, fmt.Errorf("wayback availability: bad answer: %w", err)
	}
	c := ans.ArchivedSnapshots.Closest
	if c == nil || !c.Available || c.URL == "" {
		return nil, errNoCopy
	}
	if c.Status != "" && !strings.HasPrefix(c.Status, "2") && !strings.HasPrefix(c.Status, "3") {
		return nil, fmt.Errorf("%w: the closest snapshot is an HTTP %s answer", errNoCopy, c.Status)
	}
	copyPage, err := ar.r.fetch(ctx, rawSnapshotURL(c.URL, c.Timestamp))
	if err != nil {
		return nil, fmt.Errorf("wayback snapshot: %w", err)
	}
	a, err := ar.r.fromPage(ctx, copyPage, target, false, true)
	if err != nil {
		return nil, fmt.Errorf("wayback snapshot: %w", err)
	}
	a.Archive = &Archived{Service: ServiceWayback, URL: c.URL, OriginalURL: target, Snapshot: parseWaybackTime(c.Timestamp)}
	return a, nil
}

// snapshotStamp is a Wayback address's timestamp, with any mode suffix.
var snapshotStamp = lazyre.New(`/(\d{4,14})(?:[a-z]{2}_)?/`)

// rawSnapshotURL turns a Wayback snapshot address into its raw form,
// "/web/20240102030405id_/https://...": the page as captured.
func rawSnapshotURL(snapshot, timestamp string) string {
	loc := snapshotStamp().FindStringSubmatchIndex(snapshot)
	if loc == nil {
		return snapshot
	}
	stamp := snapshot[loc[2]:loc[3]]
	if timestamp != "" && stamp != timestamp {
		return snapshot
	}
	return snapshot[:loc[0]] + "/" + stamp + "id_/" + snapshot[loc[1]:]
}

func parseWaybackTime(ts string) *time.Time {
	if len(ts) < 8 || len(ts) > 14 {
		return nil
	}
	t, err := time.Parse("20060102150405"[:len(ts)], ts)
	if err != nil {
		return nil
	}
	return &t
}

// readToday reads archive.today's newest copy of target: its /newest/
// address redirects to the copy, and answers 404 when there is none.
func (ar *ArchiveReader) readToday(ctx context.Context, target string) (*Article, error) {
	page, err := ar.r.fetch(ctx, ar.today+"/newest/"+target)
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) && he.StatusCode == http.StatusNotFound {
			return nil, errNoCopy
		}
		return nil, fmt.Errorf("archive.today: %w", err)
	}
	a, err := ar.r.fromPage(ctx, page, target, false, true)
	if err != nil {
		return nil, fmt.Errorf("archive.today copy: %w", err)
	}
	var snap *time.Time
	if t, err := http.ParseTime(page.Header.Get("Memento-Datetime")); err == nil {
		snap = &t
	}
	a.Archive = &Archived{Service: ServiceArchiveToday, URL: page.URL, OriginalURL: target, Snapshot: snap}
	return a, nil
}
