package article

import (
	"context"
	"errors"
	"net/http"
	"os"
	"testing"
)

// TestReaderShortItemAndTeaser: a short wire brief is an article (a short
// item), a metered-paywall teaser of about the same length is a wall, and
// Inspect shows both with the gate's verdict.
func TestReaderShortItemAndTeaser(t *testing.T) {
	t.Parallel()
	brief, err := os.ReadFile("testdata/short-brief.html")
	if err != nil {
		t.Fatal(err)
	}
	teaser, err := os.ReadFile("testdata/metered-teaser.html")
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/brief":
			w.Write(brief)
		case "/teaser":
			w.Write(teaser)
		}
	})
	r := NewReader(loopbackFetcher(FetchOptions{}), 0)
	ctx := context.Background()

	a, err := r.Read(ctx, srv.URL+"/brief")
	if err != nil {
		t.Fatalf("Read(brief) = %v, want a short item", err)
	}
	if !a.Quality.Short() || a.Quality.OK || a.Words < 40 || a.Words > 80 {
		t.Errorf("brief: quality %+v, %d words; want a short item of 40-80 words", a.Quality, a.Words)
	}
	if a.Title != "German industrial output rises more than expected in March" {
		t.Errorf("brief title = %q", a.Title)
	}

	_, err = r.Read(ctx, srv.URL+"/teaser")
	if !errors.Is(err, ErrWalled) || !errors.Is(err, ErrNoArticle) {
		t.Fatalf("Read(teaser) = %v, want ErrWalled", err)
	}
	a, err = r.Inspect(ctx, srv.URL+"/teaser")
	if err != nil {
		t.Fatalf("Inspect(teaser) = %v, want the teaser with its verdict", err)
	}
	if a.Quality == nil || a.Quality.Reason != ReasonWall || a.Quality.Readable() {
		t.Errorf("teaser quality = %+v, want wall", a.Quality)
	}

	// Files are judged the same way.
	if a, err := r.InspectBytes(teaser, "https://courier.example/tunnel", ""); err != nil || a.Quality.Reason != ReasonWall {
		t.Errorf("InspectBytes(teaser) = %+v, %v; want a wall verdict", a, err)
	}
	if a, err := r.ReadBytes(brief, "https://wire.example/brief", ""); err != nil || !a.Quality.Short() {
		t.Errorf("ReadBytes(brief) = %v; want a short item", err)
	}
}
