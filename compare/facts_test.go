package compare

import (
	"os"
	"path/filepath"
	"testing"
)

func TestOutletFacts(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "outlets.json")
	os.WriteFile(path, []byte(`[
		{"outlet": "Daily Example", "hosts": ["example.com"], "owner": "Example Media", "country": "UK",
		 "rating": "mixed factual reporting", "rating_source": "Some Checker", "source": "admin notes"},
		{"outlet": "Wire Service", "funding": "member newspapers"}
	]`), 0o600)
	fb, err := LoadFacts(path)
	if err != nil {
		t.Fatal(err)
	}
	if f := fb.For("", "https://news.example.com/a"); f == nil || f.Owner != "Example Media" {
		t.Errorf("by host: %+v", f)
	}
	if f := fb.For("wire service", "https://other.example/x"); f == nil || f.Funding != "member newspapers" {
		t.Errorf("by name: %+v", f)
	}
	if f := fb.For("Unknown", "https://unknown.example/"); f != nil {
		t.Errorf("unknown outlet: %+v", f)
	}
	c := &Comparison{Articles: []Article{{Site: "Daily Example", URL: "https://example.com/a"}, {Site: "X", URL: "https://x.example/"}}}
	fb.attach(c)
	if c.Articles[0].Facts == nil || c.Articles[1].Facts != nil {
		t.Errorf("attach: %+v", c.Articles)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`[{"owner": "nobody"}]`), 0o600)
	if _, err := LoadFacts(bad); err == nil {
		t.Error("an entry without outlet or host was accepted")
	}
}
