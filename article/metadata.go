package article

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/RadhiFadlillah/whatlanggo"
	"github.com/precisbot/precis/internal/lazyre"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// metadata is what the page says about itself, gathered from <meta> tags
// (OpenGraph, Twitter cards, Dublin Core, article:*), JSON-LD, and a few
// elements (<html lang>, <title>, the first <h1>, <time datetime>,
// rel=author links).
type metadata struct {
	meta     map[string]string // lower-cased property/name/itemprop/http-equiv -> first content
	lang     string            // <html lang>
	title    string            // <title>
	h1       string            // first <h1>
	timeAttr string            // first <time datetime>, preferring pubdate/itemprop
	relAuth  []string          // text of rel=author links
	ld       ldInfo
}

// ldInfo is the article-level JSON-LD we use.
type ldInfo struct {
	headline, author, publisher, published, image, language string
	body                                                    string // articleBody
}

// collectMetadata walks the document once. It runs before any cleaning, so
// JSON-LD scripts and <head> are still there.
func collectMetadata(doc *html.Node) *metadata {
	m := &metadata{meta: make(map[string]string)}
	var walk func(*html.Node, bool)
	walk = func(n *html.Node, inBody bool) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				m.lang = attr(n, "lang")
				if m.lang == "" {
					m.lang = attr(n, "xml:lang")
				}
			case atom.Body:
				inBody = true
			case atom.Title:
				if m.title == "" && !inBody {
					m.title = cleanSpace(textOf(n))
				}
				return
			case atom.Meta:
				content := strings.TrimSpace(attr(n, "content"))
				if content == "" {
					content = strings.TrimSpace(attr(n, "value"))
				}
				if content == "" {
					return
				}
				for _, k := range []string{"property", "name", "itemprop", "http-equiv"} {
					for _, key := range strings.Fields(strings.ToLower(attr(n, k))) {
						if _, ok := m.meta[key]; !ok {
							m.meta[key] = content
						}
					}
				}
				return
			case atom.Script:
				if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") {
					m.ld.merge(parseLD(textOf(n)))
				}
				return
			case atom.Style, atom.Noscript, atom.Template:
				return
			case atom.H1:
				if m.h1 == "" {
					m.h1 = cleanSpace(textOf(n))
				}
			case atom.Time:
				dt := attr(n, "datetime")
				if dt != "" {
					if _, pub := attrOK(n, "pubdate"); pub || strings.Contains(attr(n, "itemprop"), "datePublished") || m.timeAttr == "" {
						if m.timeAttr == "" || pub {
							m.timeAttr = dt
						}
					}
				}
			case atom.A, atom.Link:
				if hasToken(attr(n, "rel"), "author") {
					if t := cleanSpace(textOf(n)); t != "" && len(t) < 80 {
						m.relAuth = append(m.relAuth, t)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inBody)
		}
	}
	walk(doc, false)
	return m
}

// first returns the first non-empty meta value among keys.
func (m *metadata) first(keys ...string) string {
	for _, k := range keys {
		if v := m.meta[k]; v != "" {
			return v
		}
	}
	return ""
}

// applyMetadata fills a's metadata fields. fallback holds what the
// extraction library found, used when the page says nothing itself.
func applyMetadata(a *Article, m *metadata, base *url.URL, fb Article) {
	a.Site = cleanSpace(firstNonEmpty(m.first("og:site_name", "application-name", "twitter:site:name"), m.ld.publisher, fb.Site))
	if a.Site == "" && base != nil {
		a.Site = strings.TrimPrefix(base.Hostname(), "www.")
	}
	a.Title = pickTitle(m, a.Site, fb.Title)
	a.Byline = pickByline(m, fb.Byline)
	a.Published = pickPublished(m, fb.Published)
	a.Language = normalizeLang(firstNonEmpty(m.lang, m.first("og:locale", "content-language", "language", "dc.language", "inlanguage"), m.ld.language))
	img := firstNonEmpty(m.first("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"), m.ld.image, fb.Image)
	a.Image = resolveURL(base, img)
}

// detectLanguage guesses the language of text when the page did not say;
// only a reliable guess is returned.
func detectLanguage(text string) string {
	if len(text) > 3000 {
		text = text[:3000]
	}
	info := whatlanggo.Detect(text)
	if !info.IsReliable() {
		return ""
	}
	return info.Lang.Iso6391()
}

// titleSep splits "Story headline | Site name" and its variants.
var titleSep = lazyre.New(`\s+[|\-–—·•»:/]\s+|\s*\|\s*|\s+::\s+`)

func pickTitle(m *metadata, site, fallback string) string {
	clean := func(s string) string { return cleanSpace(html.UnescapeString(s)) }
	h1 := clean(m.h1)
	if sameSite(h1, site) || CountWords(h1) > 40 {
		h1 = "" // a logo or a wrapper, not the headline
	}
	if og := clean(m.first("og:title", "twitter:title")); og != "" {
		return stripSiteFromTitle(og, site, h1)
	}
	// JSON-LD headlines and <h1>s are sometimes a description or a section
	// name, so they win over <title> only when the two agree.
	title := clean(m.title)
	for _, c := range []string{clean(m.ld.headline), h1} {
		if c != "" && (title == "" || agrees(c, title)) {
			return stripSiteFromTitle(c, site, h1)
		}
	}
	if title == "" {
		return clean(fallback)
	}
	return stripTitleSuffix(stripSiteFromTitle(title, site, h1))
}

// agrees reports whether one text contains the other, ignoring case,
// spacing and punctuation.
func agrees(a, b string) bool {
	a, b = alnum(a), alnum(b)
	return a != "" && b != "" && (strings.Contains(a, b) || strings.Contains(b, a))
}

// titleSuffix is a trailing " | Name" part of a <title>.
var titleSuffix = lazyre.New(`^(.+?)\s+[|–—·•»-]\s+([^|–—·•»]+)$`)

// stripTitleSuffix drops a short trailing part (up to three words, such as
// a site or section name) from a <title> whose remaining headline is longer.
func stripTitleSuffix(t string) string {
	sm := titleSuffix().FindStringSubmatch(t)
	if sm == nil {
		return t
	}
	head, tail := strings.TrimSpace(sm[1]), strings.TrimSpace(sm[2])
	if tw, hw := CountWords(tail), CountWords(head); tw <= 3 && hw >= 3 && hw > tw {
		return head
	}
	return t
}

// stripSiteFromTitle removes a leading or trailing site name from a title:
// a part equal to the site name (or its host form), or, when the page's
// <h1> is one of the parts, everything but the <h1>.
func stripSiteFromTitle(t, site, h1 string) string {
	locs := titleSep().FindAllStringIndex(t, -1)
	if len(locs) == 0 {
		return t
	}
	head := strings.TrimSpace(t[:locs[0][0]])
	tail := strings.TrimSpace(t[locs[len(locs)-1][1]:])
	restTail := strings.TrimSpace(t[:locs[len(locs)-1][0]])
	restHead := strings.TrimSpace(t[locs[0][1]:])
	if h1 != "" && (sameText(restTail, h1) || sameText(head, h1)) {
		return cleanSpace(h1)
	}
	if site != "" {
		switch {
		case sameSite(tail, site) && CountWords(restTail) > 0:
			return restTail
		case sameSite(head, site) && CountWords(restHead) > 0:
			return restHead
		}
	}
	return t
}

func sameText(a, b string) bool {
	return strings.EqualFold(cleanSpace(a), cleanSpace(b))
}

// sameSite reports whether a title part names the site: equal ignoring case,
// spaces and punctuation ("BBC News" ~ "bbc-news" ~ "bbcnews.com").
func sameSite(part, site string) bool {
	p, s := alnum(part), alnum(site)
	if p == "" || s == "" {
		return false
	}
	return p == s || strings.TrimSuffix(p, "com") == s || strings.HasPrefix(s, p) && len(p) >= 4 || strings.HasPrefix(p, s) && len(s) >= 4
}

func alnum(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var bylinePrefix = lazyre.New(`(?i)^(?:by|von|par|por|di|door|autor(?:in)?|author|written by|text|texto)\s*[:.]?\s+`)

func pickByline(m *metadata, fallback string) string {
	cands := []string{
		m.ld.author,
		m.first("author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl", "og:article:author"),
		strings.Join(dedupe(m.relAuth), ", "),
		fallback,
	}
	for _, c := range cands {
		c = cleanSpace(html.UnescapeString(c))
		if c == "" || strings.Contains(c, "://") || strings.HasPrefix(c, "@") {
			continue
		}
		c = strings.TrimSpace(bylinePrefix().ReplaceAllString(c, ""))
		if c != "" && CountWords(c) <= 20 {
			return c
		}
	}
	return ""
}

func pickPublished(m *metadata, fallback *time.Time) *time.Time {
	for _, v := range []string{
		m.first("article:published_time", "og:published_time", "datepublished"),
		m.ld.published,
		m.first("publishdate", "publish-date", "pubdate", "date", "dc.date.issued", "dc.date", "dcterms.date",
			"sailthru.date", "parsely-pub-date", "article.published", "publication_date", "dc.date.created"),
		m.timeAttr,
	} {
		if t, ok := parseTime(v); ok {
			return &t
		}
	}
	return fallback
}

var timeLayouts = []string{
	time.RFC3339Nano, time.RFC3339,
	"2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02", "2006/01/02 15:04:05", "2006/01/02",
	"20060102", time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC, "Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST", "January 2, 2006", "January 2, 2006 3:04 PM", "Jan 2, 2006",
	"2 January 2006", "02.01.2006", "02.01.2006 15:04",
}

// parseTime parses the date forms pages use in metadata; times without a
// zone are taken as UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1990 || t.Year() > 2200 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// normalizeLang turns "en-US", "en_GB", "EN" into "en"; anything that is not
// a 2- or 3-letter primary tag gives "".
func normalizeLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_ ,;"); i >= 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return s
}

func resolveURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "data:") {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}

// ldArticleTypes are the schema.org types whose fields describe the story.
var ldArticleTypes = map[string]bool{
	"article": true, "newsarticle": true, "reportagenewsarticle": true, "analysisnewsarticle": true,
	"opinionnewsarticle": true, "reviewnewsarticle": true, "backgroundnewsarticle": true,
	"blogposting": true, "liveblogposting": true, "socialmediaposting": true, "techarticle": true,
	"scholarlyarticle": true, "report": true, "webpage": true, "itempage": true, "posting": true,
}

// parseLD reads one JSON-LD script, returning the fields of its most
// article-like object (an article type beats a generic WebPage).
func parseLD(src string) ldInfo {
	src = strings.TrimSpace(src)
	src = strings.TrimSuffix(strings.TrimPrefix(src, "<![CDATA["), "]]>")
	var v any
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		return ldInfo{}
	}
	var best map[string]any
	bestRank := 0
	var visit func(any, int)
	visit = func(v any, depth int) {
		if depth > 6 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				visit(e, depth+1)
			}
		case map[string]any:
			rank := 0
			for _, t := range ldTypes(x["@type"]) {
				switch {
				case t == "webpage" || t == "itempage":
					rank = max(rank, 1)
				case ldArticleTypes[t]:
					rank = max(rank, 2)
				}
			}
			if rank > bestRank {
				best, bestRank = x, rank
			}
			if g, ok := x["@graph"]; ok {
				visit(g, depth+1)
			}
			if me, ok := x["mainEntity"]; ok {
				visit(me, depth+1)
			}
		}
	}
	visit(v, 0)
	if best == nil {
		return ldInfo{}
	}
	info := ldInfo{
		headline:  ldString(best["headline"]),
		author:    ldNames(best["author"]),
		publisher: ldNames(best["publisher"]),
		published: ldString(best["datePublished"]),
		image:     ldURL(best["image"]),
		language:  ldString(best["inLanguage"]),
		body:      ldString(best["articleBody"]),
	}
	if info.headline == "" && bestRank == 2 {
		info.headline = ldString(best["name"])
	}
	if info.image == "" {
		info.image = ldURL(best["thumbnailUrl"])
	}
	return info
}

// merge keeps the first value seen for each field.
func (l *ldInfo) merge(o ldInfo) {
	l.headline = firstNonEmpty(l.headline, o.headline)
	l.author = firstNonEmpty(l.author, o.author)
	l.publisher = firstNonEmpty(l.publisher, o.publisher)
	l.published = firstNonEmpty(l.published, o.published)
	l.image = firstNonEmpty(l.image, o.image)
	l.language = firstNonEmpty(l.language, o.language)
	l.body = firstNonEmpty(l.body, o.body)
}

func ldTypes(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{strings.ToLower(x)}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, strings.ToLower(s))
			}
		}
		return out
	}
	return nil
}

func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	case map[string]any:
		return ldString(x["@value"])
	}
	return ""
}

// ldNames returns the names of a person/organisation value: a string, an
// object with "name", or a list of either, joined with ", ".
func ldNames(v any) string {
	var names []string
	var visit func(any)
	visit = func(v any) {
		switch x := v.(type) {
		case string:
			names = append(names, x)
		case []any:
			for _, e := range x {
				visit(e)
			}
		case map[string]any:
			if n := ldString(x["name"]); n != "" {
				names = append(names, n)
			}
		}
	}
	visit(v)
	return strings.Join(dedupe(names), ", ")
}

func ldURL(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		if len(x) > 0 {
			return ldURL(x[0])
		}
	case map[string]any:
		if u := ldString(x["url"]); u != "" {
			return u
		}
		return ldString(x["contentUrl"])
	}
	return ""
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func cleanSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func dedupe(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		s = cleanSpace(s)
		if s != "" && !seen[strings.ToLower(s)] {
			seen[strings.ToLower(s)] = true
			out = append(out, s)
		}
	}
	return out
}
