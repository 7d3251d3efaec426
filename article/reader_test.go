package article

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

func TestReadBytes(t *testing.T) {
	t.Parallel()
	seed, err := os.ReadFile("../testdata/seed/page.html")
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(seed)
	if err != nil {
		t.Fatal(err)
	}
	story := strings.Repeat("The council met on Tuesday and voted on the new budget for the harbour. ", 12)
	tests := []struct {
		name        string
		body        []byte
		pageURL, ct string
		wantErr     error
		wantURL     string
		wantText    string
	}{
		{name: "html, canonical URL", body: seed, wantURL: "https://worldnewstoday.example/2022/01/21/us-and-russia-plan-further-ukraine-talks/", wantText: "Blinken"},
		{name: "given URL wins", body: seed, pageURL: "https://news.example/x", wantURL: "https://news.example/x", wantText: "Blinken"},
		{name: "utf-16 with BOM", body: utf16, wantText: "Lavrov"},
		{name: "plain text", body: []byte("Harbour vote\n\n" + story), wantText: "harbour"},
		{name: "damaged pdf", body: []byte("%PDF-1.4\n" + story), wantErr: ErrBadPDF},
		{name: "gzip", body: []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + story), wantErr: ErrUnsupportedType},
		{name: "binary", body: append([]byte{0, 1, 2, 3, 0xff}, story...), wantErr: ErrUnsupportedType},
		{name: "png", body: []byte("\x89PNG\r\n\x1a\n" + story), wantErr: ErrUnsupportedType},
		{name: "blank", body: []byte(" \n\t "), wantErr: ErrEmptyPage},
		{name: "too short", body: []byte("<html><body><p>Hello.</p></body></html>"), wantErr: ErrNoArticle},
	}
	r := NewReader(NewFetcher(FetchOptions{}), 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := r.ReadBytes(tt.body, tt.pageURL, tt.ct)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantURL != "" && a.URL != tt.wantURL {
				t.Errorf("URL = %q, want %q", a.URL, tt.wantURL)
			}
			if !strings.Contains(a.Text, tt.wantText) || strings.Contains(a.Text, "<p") {
				t.Errorf("text lacks %q or has tags: %.200q", tt.wantText, a.Text)
			}
		})
	}
}
