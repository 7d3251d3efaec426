package article

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// storyPage is a full article page as an archive holds it.
func storyPage(title string) string {
	return "<!doctype html><html><head><title>" + title + "</title></head><body><article><h1>" + title + "</h1><p>" +
		strings.ReplaceAll(story, "\n\n", "</p><p>") + "</p></article></body></html>"
}

// archives are httptest servers standing in for the site, the Wayback
// Machine and archive.today.
type archives struct {
	site, wayback, today string
	mu                   sync.Mutex
	asked                []string // requests to the archives, in order
}

func (a *archives) note(s string) {
	a.mu.Lock()
	a.asked = append(a.asked, s)
	a.mu.Unlock()
}

func (a *archives) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.asked...)
}

// newArchives starts the three servers. waybackHas and todayHas are the
// site paths each archive holds a copy of.
func newArchives(t *testing.T, waybackHas, todayHas []string) *archives {
	t.Helper()
	teaser, err := os.ReadFile("testdata/metered-teaser.html")
	if err != nil {
		t.Fatal(err)
	}
	a := &archives{}
	site, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/blocked"):
			http.Error(w, "Access denied", http.StatusForbidden)
		case strings.HasPrefix(r.URL.Path, "/wall"):
			w.Header().Set("Content-Type", "text/html")
			w.Write(teaser)
		case r.URL.Path == "/gone":
			http.NotFound(w, r)
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, storyPage("Open story"))
		}
	})
	a.site = site.URL
	const stamp = "20240102030405"
	wb, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		a.note("wayback " + r.URL.RequestURI())
		if r.URL.Path == "/wayback/available" {
			target := r.URL.Query().Get("url")
			var ans any = map[string]any{"url": target, "archived_snapshots": map[string]any{}}
			for _, p := range waybackHas {
				if target == a.site+p {
					ans = map[string]any{"url": target, "archived_snapshots": map[string]any{"closest": map[string]any{
						"available": true, "status": "200", "timestamp": stamp, "url": a.wayback + "/web/" + stamp + "/" + target}}}
				}
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(ans)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/web/"+stamp+"id_/") {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, storyPage("Wayback copy"))
			return
		}
		// The toolbar page must not be what is read.
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><p>Wayback Machine toolbar</p></body></html>")
	})
	a.wayback = wb.URL
	today, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		a.note("today " + r.URL.RequestURI())
		if target, ok := strings.CutPrefix(r.URL.RequestURI(), "/newest/"); ok {
			for _, p := range todayHas {
				if target == a.site+p {
					http.Redirect(w, r, "/Xy12z", http.StatusFound)
					return
				}
			}
			http.NotFound(w, r)
			return
		}
		if r.URL.Path == "/Xy12z" {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Memento-Datetime", "Sat, 01 Mar 2025 10:20:30 GMT")
			fmt.Fprint(w, storyPage("Archive.today copy"))
			return
		}
		http.NotFound(w, r)
	})
	a.today = today.URL
	return a
}

func TestArchiveReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		path               string
		waybackHas, todays []string
		noLookup           bool
		wantService        string
		wantTitle          string
		wantSnapshot       time.Time
		wantReason         string // an UnreadableError with this reason
		wantAsked          int    // requests to the archives
	}{
		{name: "open page needs no archive", path: "/open", wantTitle: "Open story"},
		{name: "403 page with a Wayback copy", path: "/blocked/a", waybackHas: []string{"/blocked/a"}, todays: []string{"/blocked/a"},
			wantService: ServiceWayback, wantTitle: "Wayback copy", wantSnapshot: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), wantAsked: 2},
		{name: "wall page with a copy on archive.today only", path: "/wall/b", todays: []string{"/wall/b"},
			wantService: ServiceArchiveToday, wantTitle: "Archive.today copy", wantSnapshot: time.Date(2025, 3, 1, 10, 20, 30, 0, time.UTC), wantAsked: 3},
		{name: "no copy anywhere", path: "/blocked/c", wantReason: ReasonBlocked, wantAsked: 2},
		{name: "wall, no copy", path: "/wall/d", wantReason: ReasonWall, wantAsked: 2},
		{name: "lookups off", path: "/blocked/e", waybackHas: []string{"/blocked/e"}, noLookup: true, wantReason: ReasonBlocked},
		{name: "404 is not sent to the archives", path: "/gone", waybackHas: []string{"/gone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			arch := newArchives(t, tt.waybackHas, tt.todays)
			ar := NewArchiveReader(NewReader(loopbackFetcher(FetchOptions{}), 0),
				ArchiveOptions{WaybackURL: arch.wayback, TodayURL: arch.today + "/", NoLookup: tt.noLookup})
			link := arch.site + tt.path
			a, err := ar.Read(context.Background(), link)
			if got := len(arch.requests()); got != tt.wantAsked {
				t.Errorf("%d requests to the archives, want %d: %q", got, tt.wantAsked, arch.requests())
			}
			if tt.wantReason != "" {
				var ue *UnreadableError
				if !errors.As(err, &ue) {
					t.Fatalf("Read = %v, %v; want an UnreadableError", a, err)
				}
				if ue.Reason != tt.wantReason || ue.URL != link || ue.Looked == tt.noLookup {
					t.Errorf("UnreadableError = %+v", ue)
				}
				if want := arch.today + "/" + link; ue.SearchURL != want {
					t.Errorf("SearchURL = %q, want %q", ue.SearchURL, want)
				}
				if !IsPipelineError(err) || Explain(err) == "" {
					t.Errorf("the refusal is not explained: %v", err)
				}
				return
			}
			if tt.wantTitle == "" {
				if a != nil || err == nil {
					t.Fatalf("Read = %v, %v; want the page's own error", a, err)
				}
				var ue *UnreadableError
				if errors.As(err, &ue) {
					t.Errorf("Read = %v; a 404 is not a reason to look for copies", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Read = %v", err)
			}
			if a.Title != tt.wantTitle || a.URL != link {
				t.Errorf("title %q url %q; want %q from %s", a.Title, a.URL, tt.wantTitle, link)
			}
			if tt.wantService == "" {
				if a.Archive != nil {
					t.Errorf("Archive = %+v, want none", a.Archive)
				}
				return
			}
			if a.Archive == nil || a.Archive.Service != tt.wantService || a.Archive.OriginalURL != link ||
				a.Archive.Snapshot == nil || !a.Archive.Snapshot.Equal(tt.wantSnapshot) {
				t.Fatalf("Archive = %+v, want %s at %v", a.Archive, tt.wantService, tt.wantSnapshot)
			}
			if !strings.HasPrefix(a.Archive.URL, arch.wayback+"/web/20240102030405/") && !strings.HasPrefix(a.Archive.URL, arch.today+"/Xy12z") {
				t.Errorf("Archive.URL = %q is not the copy's address", a.Archive.URL)
			}
			if !strings.Contains(a.Text, "The vote passed by 27 to 14") {
				t.Errorf("text is not the copy's: %.200q", a.Text)
			}
		})
	}
}

func TestArchiveAsksForTheLink(t *testing.T) {
	t.Parallel()
	arch := newArchives(t, nil, nil)
	ar := NewArchiveReader(NewReader(loopbackFetcher(FetchOptions{}), 0), ArchiveOptions{WaybackURL: arch.wayback, TodayURL: arch.today})
	link := arch.site + "/blocked/x?id=7&lang=en"
	if _, err := ar.Read(context.Background(), link); err == nil {
		t.Fatal("Read succeeded, want a refusal")
	}
	want := []string{"wayback /wayback/available?url=" + url.QueryEscape(link), "today /newest/" + link}
	if got := arch.requests(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("archive requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestArchiveAddressPolicy(t *testing.T) {
	t.Parallel()
	// Archive addresses are ordinary fetches under the fetcher's address
	// policy: here it admits only 127.0.0.1, where the site is, so an
	// archive on 127.0.0.2 is refused before any connection.
	arch := newArchives(t, []string{"/blocked/a"}, nil)
	only := netip.MustParseAddr("127.0.0.1")
	f := NewFetcher(FetchOptions{AddressPolicy: func(a netip.Addr) error {
		if a.Unmap() != only {
			return refuse(a, "not the test site")
		}
		return nil
	}})
	var logs bytes.Buffer
	elsewhere := strings.Replace(arch.wayback, "127.0.0.1", "127.0.0.2", 1)
	ar := NewArchiveReader(NewReader(f, 0), ArchiveOptions{WaybackURL: elsewhere, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	_, err := ar.Read(context.Background(), arch.site+"/blocked/a")
	var ue *UnreadableError
	if !errors.As(err, &ue) || !ue.Looked {
		t.Fatalf("Read = %v, want an UnreadableError after a lookup", err)
	}
	if !strings.Contains(logs.String(), "not the test site") {
		t.Errorf("the archive was not refused by the address policy; log: %s", logs.String())
	}
	if len(arch.requests()) != 0 {
		t.Errorf("the archive was reached: %q", arch.requests())
	}

	// A link refused itself is never sent to the archives.
	strict := NewArchiveReader(NewReader(NewFetcher(FetchOptions{}), 0), ArchiveOptions{WaybackURL: arch.wayback})
	if _, err := strict.Read(context.Background(), arch.site+"/blocked/a"); !errors.Is(err, ErrRefusedAddress) || errors.As(err, &ue) {
		t.Fatalf("Read = %v, want the link itself refused", err)
	}
	if len(arch.requests()) != 0 {
		t.Errorf("a refused link was sent to the archives: %q", arch.requests())
	}
}

func TestRawSnapshotURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, stamp, want string }{
		{"http://web.archive.org/web/20130919044612/http://example.com/", "20130919044612", "http://web.archive.org/web/20130919044612id_/http://example.com/"},
		{"https://web.archive.org/web/20130919044612im_/http://example.com/a", "20130919044612", "https://web.archive.org/web/20130919044612id_/http://example.com/a"},
		{"https://web.archive.org/web/20130919044612/http://example.com/2020/01/02/x", "", "https://web.archive.org/web/20130919044612id_/http://example.com/2020/01/02/x"},
		{"https://archive.example/no-stamp", "1", "https://archive.example/no-stamp"},
	}
	for _, tt := range tests {
		if got := rawSnapshotURL(tt.in, tt.stamp); got != tt.want {
			t.Errorf("rawSnapshotURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
