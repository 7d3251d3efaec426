package compare

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Facts are an admin's facts about one outlet (owner, country, funding, a
// third-party rating and who rated it), shown as given with their source.
// Precis never lets the model judge outlets; this is the only place a
// rating can come from.
type Facts struct {
	// Outlet is the outlet's name as pages give it (og:site_name).
	Outlet string `json:"outlet"`
	// Hosts are the outlet's web hosts, e.g. ["reuters.com"].
	Hosts        []string `json:"hosts,omitempty"`
	Owner        string   `json:"owner,omitempty"`
	Country      string   `json:"country,omitempty"`
	Funding      string   `json:"funding,omitempty"`
	Rating       string   `json:"rating,omitempty"`
	RatingSource string   `json:"rating_source,omitempty"`
	// Source is where these facts come from.
	Source string `json:"source,omitempty"`
}

// FactBook finds an outlet's facts by host or name.
type FactBook struct {
	byHost, byName map[string]*Facts
}

// LoadFacts reads an outlet facts file: a JSON array of Facts. Each entry
// needs an outlet name or a host.
func LoadFacts(path string) (*FactBook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("outlet facts: %w", err)
	}
	var list []Facts
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("outlet facts %s: not a JSON array of outlets: %w", path, err)
	}
	fb := &FactBook{byHost: map[string]*Facts{}, byName: map[string]*Facts{}}
	for i := range list {
		f := &list[i]
		if strings.TrimSpace(f.Outlet) == "" && len(f.Hosts) == 0 {
			return nil, fmt.Errorf("outlet facts %s: entry %d names no outlet and no host", path, i+1)
		}
		if n := strings.ToLower(strings.TrimSpace(f.Outlet)); n != "" {
			fb.byName[n] = f
		}
		for _, h := range f.Hosts {
			fb.byHost[strings.TrimPrefix(strings.ToLower(strings.TrimSpace(h)), "www.")] = f
		}
	}
	return fb, nil
}

// For returns the facts of the outlet at rawURL named site, or nil.
func (fb *FactBook) For(site, rawURL string) *Facts {
	if fb == nil {
		return nil
	}
	if u, err := url.Parse(rawURL); err == nil {
		host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		for h := host; h != ""; {
			if f := fb.byHost[h]; f != nil {
				return f
			}
			_, rest, ok := strings.Cut(h, ".")
			if !ok || !strings.Contains(rest, ".") {
				break
			}
			h = rest
		}
	}
	return fb.byName[strings.ToLower(strings.TrimSpace(site))]
}

// attach gives each compared outlet its facts.
func (fb *FactBook) attach(c *Comparison) {
	if fb == nil || c == nil {
		return
	}
	for i := range c.Articles {
		c.Articles[i].Facts = fb.For(c.Articles[i].Site, c.Articles[i].URL)
	}
}
