package article

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

const testHTML = "<!doctype html><html><head><title>T</title></head><body><p>Hello, world.</p></body></html>"

// newServer starts an httptest server on 127.0.0.1 and counts requests.
func newServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// loopbackFetcher admits the test servers on loopback (FETCH_ALLOW_PRIVATE).
func loopbackFetcher(opts FetchOptions) *Fetcher {
	opts.AllowPrivate = true
	return NewFetcher(opts)
}

func htmlHandler(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}
}

func TestFetchOK(t *testing.T) {
	t.Parallel()
	var got http.Header
	var mu sync.Mutex
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		htmlHandler(testHTML)(w, r)
	})
	page, err := loopbackFetcher(FetchOptions{}).Fetch(context.Background(), srv.URL+"/story")
	if err != nil {
		t.Fatal(err)
	}
	if page.URL != srv.URL+"/story" || page.ContentType != "text/html" || string(page.Body) != testHTML ||
		page.ETag != `"v1"` || page.LastModified != "Mon, 02 Jan 2006 15:04:05 GMT" || page.NotModified {
		t.Errorf("page = %+v", page)
	}
	mu.Lock()
	defer mu.Unlock()
	if ua := got.Get("User-Agent"); !strings.HasPrefix(ua, "Mozilla/5.0") {
		t.Errorf("User-Agent = %q", ua)
	}
	if al := got.Get("Accept-Language"); al == "" {
		t.Error("no Accept-Language")
	}
	if a := got.Get("Accept"); !strings.HasPrefix(a, "text/html,") {
		t.Errorf("Accept = %q", a)
	}
	if got.Get("If-None-Match") != "" || got.Get("If-Modified-Since") != "" {
		t.Error("unconditional fetch sent conditional headers")
	}
}

func TestFetchNoEnvironmentProxy(t *testing.T) {
	t.Parallel()
	tr, ok := NewFetcher(FetchOptions{}).client.Transport.(*http.Transport)
	if !ok || tr.Proxy != nil || tr == http.DefaultTransport {
		t.Fatalf("transport must be our own, without proxy: %#v", tr)
	}
}

// TestFetchRefusedAddresses goes through the real Fetch with the default
// policy. Where a listening server is needed it is on 127.0.0.1, and it
// must never see a request.
func TestFetchRefusedAddresses(t *testing.T) {
	t.Parallel()
	srv, hits := newServer(t, htmlHandler(testHTML))
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	hosts := []string{
		"127.0.0.1", "localhost", "LocalHost.", "news.localhost", "127.1", "127.0.1", "0x7f000001", "0x7f.0.0.1",
		"2130706433", "0177.0.0.1", "127.0.0.1.", "127.000.000.001", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::1]",
		"0.0.0.0", "0", "[::]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]",
		"10.0.0.1", "172.16.5.4", "192.168.0.1", "[fc00::1]", "169.254.10.10", "[fe80::1]",
		"169.254.169.254", "[fd00:ec2::254]", "100.100.100.200", "100.64.0.1",
		"224.0.0.1", "255.255.255.255", "198.18.0.1", "240.0.0.1",
	}
	f := NewFetcher(FetchOptions{Timeout: 5 * time.Second})
	for _, h := range hosts {
		t.Run(h, func(t *testing.T) {
			t.Parallel()
			u := fmt.Sprintf("http://%s:%d/", h, port)
			page, err := f.Fetch(context.Background(), u)
			if !errors.Is(err, ErrRefusedAddress) {
				t.Fatalf("Fetch(%s) = %+v, %v; want ErrRefusedAddress", u, page, err)
			}
			if !strings.Contains(err.Error(), "refused") {
				t.Errorf("message does not name the cause: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		if n := hits.Load(); n != 0 {
			t.Errorf("the loopback server received %d requests", n)
		}
	})
}

func TestFetchBadURLs(t *testing.T) {
	t.Parallel()
	f := NewFetcher(FetchOptions{})
	for _, u := range []string{"", "ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)", "example.com", "http://0x08080808/", "http://999.1.1.1/"} {
		if _, err := f.Fetch(context.Background(), u); !errors.Is(err, ErrBadURL) {
			t.Errorf("Fetch(%q) = %v, want ErrBadURL", u, err)
		}
	}
}

func TestFetchAllowPrivateStillRefusesMetadata(t *testing.T) {
	t.Parallel()
	f := loopbackFetcher(FetchOptions{Timeout: 5 * time.Second})
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://100.100.100.200/"} {
		if _, err := f.Fetch(context.Background(), u); !errors.Is(err, ErrRefusedAddress) {
			t.Errorf("Fetch(%s) with AllowPrivate = %v, want ErrRefusedAddress", u, err)
		}
	}
}

// TestFetchRedirectIntoRefusedAddress admits the first hop (the test server
// on 127.0.0.1) with an injected policy; the redirect's target must be
// judged again when it is dialled, and refused.
func TestFetchRedirectIntoRefusedAddress(t *testing.T) {
	t.Parallel()
	targets := []string{
		"http://169.254.169.254/latest/meta-data/iam/",
		"http://10.0.0.7:8080/admin",
		"http://[::ffff:10.0.0.7]/",
		"http://0x0a000007/",
		"http://localhost/",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target, http.StatusFound)
			})
			var mu sync.Mutex
			var judged []netip.Addr
			first := netip.MustParseAddr("127.0.0.1")
			policy := func(a netip.Addr) error {
				mu.Lock()
				judged = append(judged, a)
				mu.Unlock()
				if a == first && len(judged) == 1 {
					return nil // only the very first connection
				}
				return DefaultAddressPolicy(a)
			}
			f := NewFetcher(FetchOptions{AddressPolicy: policy, Timeout: 5 * time.Second})
			_, err := f.Fetch(context.Background(), srv.URL+"/start")
			if !errors.Is(err, ErrRefusedAddress) {
				t.Fatalf("redirect to %s: %v, want ErrRefusedAddress", target, err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(judged) < 2 {
				t.Errorf("policy judged %v; the redirect target was not checked", judged)
			}
		})
	}
}

func TestFetchRedirects(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/b", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/a", http.StatusFound) })
	mux.HandleFunc("/self", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/self", http.StatusFound) })
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n == 0 {
			htmlHandler(testHTML)(w, r)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/x", http.StatusFound)
	})
	srv, _ := newServer(t, mux.ServeHTTP)
	f := loopbackFetcher(FetchOptions{})

	page, err := f.Fetch(context.Background(), srv.URL+"/chain/5")
	if err != nil {
		t.Fatalf("5 redirects must be followed: %v", err)
	}
	if page.URL != srv.URL+"/chain/0" {
		t.Errorf("final URL = %q", page.URL)
	}
	if _, err := f.Fetch(context.Background(), srv.URL+"/chain/6"); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("6 redirects: %v, want ErrTooManyRedirects", err)
	}
	for _, p := range []string{"/loop/a", "/self"} {
		_, err := f.Fetch(context.Background(), srv.URL+p)
		if !errors.Is(err, ErrTooManyRedirects) || !strings.Contains(err.Error(), "loop") {
			t.Errorf("%s: %v, want a redirect loop error", p, err)
		}
	}
	if _, err := f.Fetch(context.Background(), srv.URL+"/to-ftp"); !errors.Is(err, ErrBadURL) {
		t.Errorf("redirect to ftp: %v, want ErrBadURL", err)
	}
	// MaxRedirects is configurable.
	if _, err := loopbackFetcher(FetchOptions{MaxRedirects: 2}).Fetch(context.Background(), srv.URL+"/chain/3"); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("MaxRedirects 2, 3 redirects: %v", err)
	}
}

func TestFetchSize(t *testing.T) {
	t.Parallel()
	const limit = 1024
	body := func(n int) string { return "<p>" + strings.Repeat("a", n-7) + "</p>" }
	mux := http.NewServeMux()
	mux.HandleFunc("/exact", htmlHandler(body(limit)))
	mux.HandleFunc("/over-with-length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", fmt.Sprint(limit+1))
		fmt.Fprint(w, body(limit+1))
	})
	mux.HandleFunc("/over-chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < 8; i++ {
			fmt.Fprint(w, strings.Repeat("b", 200))
			w.(http.Flusher).Flush() // no Content-Length
		}
	})
	mux.HandleFunc("/over-gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, body(limit+1))
		zw.Close()
	})
	srv, _ := newServer(t, mux.ServeHTTP)
	f := loopbackFetcher(FetchOptions{MaxBytes: limit})

	page, err := f.Fetch(context.Background(), srv.URL+"/exact")
	if err != nil || len(page.Body) != limit {
		t.Fatalf("body of exactly the limit: %v", err)
	}
	for _, p := range []string{"/over-with-length", "/over-chunked", "/over-gzip"} {
		page, err := f.Fetch(context.Background(), srv.URL+p)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: %+v, %v; want ErrTooLarge", p, page, err)
		}
	}
}

// TestFetchGzipBomb serves 1 GiB of zeros as gzip (1024 identical gzip
// members of 1 MiB each; readers decode concatenated members as one
// stream). The fetch must stop at the cap with ErrTooLarge, having
// allocated memory in proportion to the cap, not to the bomb. It does not
// run in parallel so the allocation figure is its own.
func TestFetchGzipBomb(t *testing.T) {
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		for i := 0; i < 1024; i++ {
			if _, err := w.Write(member.Bytes()); err != nil {
				return // the client hung up, as it should
			}
		}
	})
	const limit = 2 << 20
	f := loopbackFetcher(FetchOptions{MaxBytes: limit, Timeout: 20 * time.Second})

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := f.Fetch(context.Background(), srv.URL+"/bomb")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("gzip bomb: %v, want ErrTooLarge", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("gzip bomb allocated %d MiB for a %d MiB cap", alloc>>20, limit>>20)
	}
}

func TestFetchContentEncodings(t *testing.T) {
	t.Parallel()
	encode := map[string]func(*bytes.Buffer){
		"gzip":         func(b *bytes.Buffer) { w := gzip.NewWriter(b); fmt.Fprint(w, testHTML); w.Close() },
		"deflate-zlib": func(b *bytes.Buffer) { w := zlib.NewWriter(b); fmt.Fprint(w, testHTML); w.Close() },
		"deflate-raw": func(b *bytes.Buffer) {
			w, _ := flate.NewWriter(b, flate.DefaultCompression)
			fmt.Fprint(w, testHTML)
			w.Close()
		},
	}
	for name, enc := range encode {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			enc(&b)
			srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Encoding", strings.Split(name, "-")[0])
				w.Write(b.Bytes())
			})
			page, err := loopbackFetcher(FetchOptions{}).Fetch(context.Background(), srv.URL)
			if err != nil || string(page.Body) != testHTML {
				t.Fatalf("%s: %v, page %+v", name, err, page)
			}
		})
	}
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "br")
		w.Write([]byte{1, 2, 3})
	})
	if _, err := loopbackFetcher(FetchOptions{}).Fetch(context.Background(), srv.URL); !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("brotli (never offered): %v, want ErrUnsupportedType", err)
	}
}

// TestFetchTimeouts are outcome assertions: a server that drips one byte
// per 100ms, or never answers, must fail with ErrTimeout under a 300ms
// total timeout.
func TestFetchTimeouts(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; i < 600; i++ {
			w.Write([]byte("a"))
			w.(http.Flusher).Flush()
			select {
			case <-tick.C:
			case <-r.Context().Done():
				return
			}
		}
	})
	mux.HandleFunc("/silent", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	srv, _ := newServer(t, mux.ServeHTTP)
	f := loopbackFetcher(FetchOptions{Timeout: 300 * time.Millisecond})
	for _, p := range []string{"/drip", "/silent"} {
		_, err := f.Fetch(context.Background(), srv.URL+p)
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("%s: %v, want ErrTimeout", p, err)
		}
	}

	// The caller's own cancellation is not a timeout.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Fetch(ctx, srv.URL+"/silent"); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("cancelled context: %v, want context.Canceled", err)
	}
}

func TestFetchContentTypes(t *testing.T) {
	t.Parallel()
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	tests := []struct {
		name, ctype string
		body        []byte
		accept      []string
		wantType    string
		wantErr     error
	}{
		{"png", "image/png", png, nil, "", ErrUnsupportedType},
		{"pdf", "application/pdf", []byte("%PDF-1.7\n"), nil, "", ErrUnsupportedType},
		{"octet-stream", "application/octet-stream", []byte("<html>x</html>"), nil, "", ErrUnsupportedType},
		{"json by default", "application/json", []byte(`{"a":1}`), nil, "", ErrUnsupportedType},
		{"xhtml", "application/xhtml+xml; charset=utf-8", []byte(testHTML), nil, "application/xhtml+xml", nil},
		{"plain", "text/plain", []byte("just text"), nil, "text/plain", nil},
		{"upper case type", "Text/HTML; Charset=UTF-8", []byte(testHTML), nil, "text/html", nil},
		{"sniffed html", "", []byte(testHTML), nil, "text/html", nil},
		{"sniffed png", "", png, nil, "", ErrUnsupportedType},
		{"bad header sniffed", "text/html; charset", []byte(testHTML), nil, "text/html", nil},
		{"feed accepted", "application/rss+xml", []byte(`<?xml version="1.0"?><rss></rss>`),
			[]string{"application/rss+xml", "application/atom+xml"}, "application/rss+xml", nil},
		{"html refused for feeds", "text/html", []byte(testHTML), []string{"application/rss+xml"}, "", ErrUnsupportedType},
		{"wildcard accept", "application/feed+json", []byte(`{"version":"x"}`), []string{"application/*"}, "application/feed+json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.ctype == "" {
					w.Header()["Content-Type"] = nil // stop net/http from sniffing for us
				} else {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.Write(tt.body)
			})
			page, err := loopbackFetcher(FetchOptions{}).Get(context.Background(), srv.URL, GetOptions{Accept: tt.accept})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if tt.ctype != "" && !strings.Contains(err.Error(), strings.Split(tt.ctype, ";")[0]) {
					t.Errorf("message %q does not name the type", err)
				}
				// The person who pasted the link is told which type it was.
				var ut *UnsupportedTypeError
				if !errors.As(err, &ut) || ut.MediaType == "" || !strings.Contains(Explain(err), "unsupported content type "+ut.MediaType) {
					t.Errorf("Explain(%v) = %q, want the media type named", err, Explain(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if page.ContentType != tt.wantType || !bytes.Equal(page.Body, tt.body) {
				t.Errorf("page = %q %q", page.ContentType, page.Body)
			}
		})
	}
}

func TestFetchCharsets(t *testing.T) {
	t.Parallel()
	cp1251, _ := charmap.Windows1251.NewEncoder().String(`<html><head><meta charset="windows-1251"><title>Новости</title></head><body><p>Привет, мир</p></body></html>`)
	sjis, _ := japanese.ShiftJIS.NewEncoder().String(`<html><body><p>こんにちは世界</p></body></html>`)
	tests := []struct {
		name, ctype, body string
		want              []string
		notWant           []string
	}{
		{"cp1251 via meta only", "text/html", cp1251, []string{"Привет, мир", "Новости", `<meta charset="utf-8">`}, []string{"windows-1251"}},
		{"shift_jis via header only", "text/html; charset=Shift_JIS", sjis, []string{"こんにちは世界"}, nil},
		{"utf-8 bom", "text/html", "\xEF\xBB\xBF<p>Grüße aus Köln</p>", []string{"<p>Grüße aus Köln</p>"}, []string{"\uFEFF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				fmt.Fprint(w, tt.body)
			})
			page, err := loopbackFetcher(FetchOptions{}).Fetch(context.Background(), srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(page.Body), w) {
					t.Errorf("body %q lacks %q", page.Body, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(string(page.Body), w) {
					t.Errorf("body %q still has %q", page.Body, w)
				}
			}
		})
	}
}

func TestFetchHTTPErrors(t *testing.T) {
	t.Parallel()
	for _, code := range []int{404, 410, 451, 500, 503} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			t.Parallel()
			srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "nope", code)
			})
			_, err := loopbackFetcher(FetchOptions{}).Fetch(context.Background(), srv.URL)
			var herr *HTTPError
			if !errors.As(err, &herr) || herr.StatusCode != code {
				t.Fatalf("err = %v, want *HTTPError %d", err, code)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(code)) || !strings.Contains(err.Error(), "127.0.0.1") {
				t.Errorf("message %q lacks the status or host", err)
			}
		})
	}
}

func TestFetchEmptyPage(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
	})
	if _, err := loopbackFetcher(FetchOptions{}).Fetch(context.Background(), srv.URL); !errors.Is(err, ErrEmptyPage) {
		t.Errorf("empty gzip body: %v, want ErrEmptyPage", err)
	}
	for name, body := range map[string]string{"empty": "", "blank": " \n\t "} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, _ := newServer(t, htmlHandler(body))
			if _, err := loopbackFetcher(FetchOptions{}).Fetch(context.Background(), srv.URL); !errors.Is(err, ErrEmptyPage) {
				t.Errorf("err = %v, want ErrEmptyPage", err)
			}
		})
	}
}

func TestFetchConditional(t *testing.T) {
	t.Parallel()
	const etag, lastMod = `"abc"`, "Tue, 03 Jan 2006 10:00:00 GMT"
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		htmlHandler(testHTML)(w, r)
	})
	f := loopbackFetcher(FetchOptions{})
	first, err := f.Fetch(context.Background(), srv.URL)
	if err != nil || first.NotModified || first.ETag != etag {
		t.Fatalf("first fetch: %+v, %v", first, err)
	}
	for name, opts := range map[string]GetOptions{
		"etag":          {ETag: first.ETag},
		"last-modified": {LastModified: first.LastModified},
	} {
		page, err := f.Get(context.Background(), srv.URL, opts)
		if err != nil || !page.NotModified || len(page.Body) != 0 {
			t.Errorf("%s: %+v, %v; want NotModified", name, page, err)
		}
		if page != nil && (page.ETag != opts.ETag || page.LastModified != opts.LastModified) {
			t.Errorf("%s: validators not carried over: %+v", name, page)
		}
	}
	changed, err := f.Get(context.Background(), srv.URL, GetOptions{ETag: `"old"`})
	if err != nil || changed.NotModified || string(changed.Body) != testHTML {
		t.Errorf("changed resource: %+v, %v", changed, err)
	}
}

// TestFetchCapPerType: a media type may have its own cap, and the error
// names the cap that applied.
func TestFetchCapPerType(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("x", 3000)
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", r.URL.Query().Get("type"))
		if r.URL.Query().Get("chunked") != "" {
			w.(http.Flusher).Flush() // no Content-Length: the cap applies while reading
		}
		fmt.Fprint(w, body)
	})
	f := loopbackFetcher(FetchOptions{MaxBytes: 1000})
	opts := GetOptions{Accept: []string{"text/plain", "application/pdf"}, MaxBytes: map[string]int64{"application/pdf": 5000}}
	tests := []struct {
		query     string
		wantLimit int64 // 0: fetched
	}{
		{"type=application/pdf", 0},
		{"type=application/pdf&chunked=1", 0},
		{"type=text/plain", 1000},
		{"type=text/plain&chunked=1", 1000},
	}
	for _, tt := range tests {
		_, err := f.Get(context.Background(), srv.URL+"/?"+tt.query, opts)
		var tl *TooLargeError
		switch {
		case tt.wantLimit == 0 && err != nil:
			t.Errorf("%s: %v", tt.query, err)
		case tt.wantLimit != 0 && (!errors.As(err, &tl) || tl.Limit != tt.wantLimit || !errors.Is(err, ErrTooLarge)):
			t.Errorf("%s: %v, want a TooLargeError with limit %d", tt.query, err, tt.wantLimit)
		}
	}
	small := GetOptions{Accept: opts.Accept, MaxBytes: map[string]int64{"application/pdf": 2000}}
	for _, q := range []string{"type=application/pdf", "type=application/pdf&chunked=1"} {
		_, err := f.Get(context.Background(), srv.URL+"/?"+q, small)
		var tl *TooLargeError
		if !errors.As(err, &tl) || tl.Limit != 2000 || tl.MediaType != "application/pdf" {
			t.Errorf("%s over the PDF cap: %v", q, err)
		}
	}
}
