package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/precisbot/precis/compare"
	"github.com/precisbot/precis/internal/fakellm"
	"github.com/precisbot/precis/render"
)

// The comparison fixtures: three outlets on one council vote.
const (
	heraldFile  = "compare/testdata/herald.html"
	coastalFile = "compare/testdata/coastal.html"
	courierFile = "compare/testdata/courier.html"
)

// decodeComparison decodes stdout as exactly one JSON object with exactly
// the keys the issue names.
func decodeComparison(t *testing.T, stdout string) *compare.Comparison {
	t.Helper()
	var keys map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&keys); err != nil || dec.More() {
		t.Fatalf("stdout is not exactly one JSON object: %v\n%s", err, stdout)
	}
	want := []string{"articles", "common", "differences", "framing", "quotes", "model", "usage", "note"}
	if len(keys) != len(want) {
		t.Errorf("JSON has %d keys, want %v: %s", len(keys), want, stdout)
	}
	for _, k := range want {
		if _, ok := keys[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		} else if string(keys[k]) == "null" {
			t.Errorf("%s is null", k)
		}
	}
	var items struct {
		Articles    []map[string]any `json:"articles"`
		Common      []string         `json:"common"`
		Differences []map[string]any `json:"differences"`
		Framing     []map[string]any `json:"framing"`
		Quotes      []map[string]any `json:"quotes"`
	}
	if err := json.Unmarshal([]byte(stdout), &items); err != nil {
		t.Fatalf("sections are not in the issue's shape: %v", err)
	}
	shape := func(name string, list []map[string]any, keys ...string) {
		for _, it := range list {
			if len(it) != len(keys) {
				t.Errorf("%s item %v, want the keys %v", name, it, keys)
			}
			for _, k := range keys {
				if _, ok := it[k]; !ok {
					t.Errorf("%s item lacks %q: %v", name, k, it)
				}
			}
		}
	}
	shape("articles", items.Articles, "url", "title", "site")
	shape("differences", items.Differences, "point", "outlets")
	shape("framing", items.Framing, "outlet", "note")
	shape("quotes", items.Quotes, "outlet", "url", "text", "speaker")
	var c compare.Comparison
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func TestCompareCommandOffline(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := cli(t, nil, "", "compare", "--json", heraldFile, coastalFile, courierFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	c := decodeComparison(t, stdout)
	if c.Model != compare.ExtractiveModel || c.Note != compare.NoteOffline || len(c.Articles) != 3 || len(c.Common) == 0 || len(c.Differences) == 0 {
		t.Errorf("offline comparison %+v", c)
	}
	var sites []string
	for _, a := range c.Articles {
		sites = append(sites, a.Site)
	}
	if strings.Join(sites, "|") != "Northport Herald|Coastal Times|baycourier.example" {
		t.Errorf("outlets %v: og:site_name, else the canonical address's host", sites)
	}
	// The text output is the Discord message's own render; one input may
	// come on standard input.
	page, err := os.ReadFile(coastalFile)
	if err != nil {
		t.Fatal(err)
	}
	code, text, stderr := cli(t, nil, string(page), "compare", heraldFile, "-", courierFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(text, "## How 3 outlets cover: Council approves £48 million sea wall for Northport") ||
		!strings.Contains(text, "**What only some report**\n• Only baycourier.example gives the figure “4 percent”") {
		t.Errorf("text output:\n%s", text)
	}
}

func TestCompareCommandLLM(t *testing.T) {
	t.Parallel()
	llm := fakellm.New(t)
	llm.SetResponder(fakellm.ModifyCompare(func(p *fakellm.ComparePayload, _ []fakellm.CompareArticle) {
		p.Quotes = append(p.Quotes,
			fakellm.CompareQuote{Outlet: "Coastal Times", Text: "The borrowing is affordable, but it is not free", Speaker: "Priya Nandakumar"},
			fakellm.CompareQuote{Outlet: "Northport Herald", Text: "Northport will never flood again", Speaker: "Ellen Varga"})
	}))
	// The articles come from a web server, as links.
	mux := http.NewServeMux()
	for path, file := range map[string]string{"/herald": heraldFile, "/coastal": coastalFile, "/courier": courierFile} {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(body)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	env := map[string]string{"LLM_BASE_URL": llm.BaseURL(), "LLM_API_KEY": "sk-test", "LLM_MODEL": "fake-model", "FETCH_ALLOW_PRIVATE": "true"}
	code, stdout, stderr := cli(t, env, "", "compare", "--json", srv.URL+"/herald", srv.URL+"/coastal", srv.URL+"/courier")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	c := decodeComparison(t, stdout)
	if c.Model != "fake-model" || c.Note != "" || c.Usage.Calls != 1 || llm.Calls() != 1 {
		t.Errorf("model %q note %q usage %+v calls %d", c.Model, c.Note, c.Usage, llm.Calls())
	}
	// Fetched, the Courier (no og:site_name) is named by the host it was
	// read from.
	courier := c.Articles[2].Site
	if courier != "127.0.0.1" {
		t.Errorf("the Courier is named %q", courier)
	}
	var moved, fabricated bool
	for _, q := range c.Quotes {
		if strings.Contains(q.Text, "affordable") {
			moved = q.Outlet == courier
		}
		fabricated = fabricated || strings.Contains(q.Text, "never flood")
	}
	if !moved || fabricated {
		t.Errorf("quotes %+v: want the finance director's moved to the Courier and the invented one dropped", c.Quotes)
	}
	// The text output renders the same comparison, each point over the
	// outlets' words (which the JSON leaves out).
	code, text, _ := cli(t, env, "", "compare", srv.URL+"/herald", srv.URL+"/coastal", srv.URL+"/courier")
	if code != 0 || !strings.HasPrefix(text, strings.SplitN(render.Text(render.Comparison(c)), "\n", 2)[0]) {
		t.Errorf("text output (exit %d):\n%s", code, text)
	}
	for _, p := range c.Common {
		if !strings.Contains(text, "• "+p.Text+"\n> ") {
			t.Errorf("text lacks the common point %q with its evidence:\n%s", p.Text, text)
		}
	}
	for _, d := range c.Differences {
		if !strings.Contains(text, d.Point) {
			t.Errorf("text lacks the difference %q", d.Point)
		}
	}
}

func TestCompareCommandArguments(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"compare", heraldFile}, exitUsage, "give 2 to 5 articles"},
		{[]string{"compare", heraldFile, heraldFile, heraldFile, heraldFile, heraldFile, heraldFile}, exitUsage, "give 2 to 5 articles"},
		{[]string{"compare", "-", "-"}, exitUsage, "standard input (-) can be read once"},
		{[]string{"compare", heraldFile, heraldFile}, exitError, "Two of those links are the same article."},
		{[]string{"compare", heraldFile, "compare/testdata/missing.html"}, exitError, "no such file"},
		{[]string{"compare", "--bogus", heraldFile, coastalFile}, exitUsage, "flag provided but not defined"},
	} {
		code, _, stderr := cli(t, nil, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line with %q", tt.args[1:], code, stderr, tt.code, tt.want)
		}
	}
}

// An admin's outlet facts are shown beside each outlet, as given, with
// their source; the model never rates outlets.
func TestCompareCommandOutletFacts(t *testing.T) {
	t.Parallel()
	facts := filepath.Join(t.TempDir(), "outlets.json")
	if err := os.WriteFile(facts, []byte(`[{"outlet": "Coastal Times", "owner": "Coastal Media Group", "country": "Freedonia",
		"rating": "high factual reporting", "rating_source": "Example Checker", "source": "our admins"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli(t, map[string]string{"OUTLET_FACTS_FILE": facts}, "", "compare", heraldFile, coastalFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Owner: Coastal Media Group", "Rating: high factual reporting (rated by Example Checker)", "source: our admins"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text lacks %q:\n%s", want, stdout)
		}
	}
	if code, _, stderr := cli(t, map[string]string{"OUTLET_FACTS_FILE": filepath.Join(t.TempDir(), "missing.json")}, "", "compare", heraldFile, coastalFile); code != 1 || !strings.Contains(stderr, "outlet facts") {
		t.Errorf("a missing facts file: exit %d, %q", code, stderr)
	}
}
