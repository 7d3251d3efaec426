package article

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// maxURLLength bounds what ParseURL accepts. Real article links are far
// shorter; anything longer is junk or an attempt to blow up cache keys.
const maxURLLength = 8192

// idnaProfile maps internationalised host names to their ASCII (punycode)
// form. It is the lookup profile minus the STD3 rules, because real hosts
// use underscores; ASCII label characters are checked afterwards instead.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.StrictDomainName(false),
)

// ParseURL parses raw as an absolute http or https URL with a host. The
// scheme and host are lower-cased. Anything else wraps ErrBadURL.
func ParseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("parse url: empty: %w", ErrBadURL)
	}
	if len(raw) > maxURLLength {
		return nil, fmt.Errorf("parse url: longer than %d bytes: %w", maxURLLength, ErrBadURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the raw URL; quoteURL does that shorter
		}
		return nil, fmt.Errorf("parse url %s: %v: %w", quoteURL(raw), err, ErrBadURL)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("parse url %s: scheme %q is not http or https: %w", quoteURL(raw), u.Scheme, ErrBadURL)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, fmt.Errorf("parse url %s: no host: %w", quoteURL(raw), ErrBadURL)
	}
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// quoteURL quotes a URL for an error message, shortened so that a hostile
// multi-kilobyte link cannot flood logs.
func quoteURL(raw string) string {
	const limit = 200
	if len(raw) > limit {
		raw = raw[:limit] + "..."
	}
	return strconv.Quote(raw)
}

// NormalizeURL returns the canonical form of an http(s) link, used as the
// key for caches and for de-duplicating links: scheme and host lower-cased,
// internationalised host names in punycode, default ports, user info,
// fragment and tracking parameters dropped, remaining query parameters
// sorted by name (values of a repeated name keep their order), an empty
// path written as "/". Path case and percent-encoding are kept: servers
// treat paths case-sensitively.
//
// The "www." prefix is deliberately kept: www.example.com and example.com
// are different hosts that may serve different things (or only one of
// them may exist), and guessing wrong would make the fetcher ask for a
// page the user never linked.
//
// NormalizeURL is idempotent: NormalizeURL(NormalizeURL(x)) == NormalizeURL(x).
func NormalizeURL(raw string) (string, error) {
	u, err := ParseURL(raw)
	if err != nil {
		return "", err
	}
	host, err := normalizeHost(u.Hostname())
	if err != nil {
		return "", fmt.Errorf("normalize %s: %w", quoteURL(raw), err)
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n <= 0 || n > 65535 {
			return "", fmt.Errorf("normalize %s: bad port %q: %w", quoteURL(raw), port, ErrBadURL)
		}
		if (u.Scheme == "http" && n == 80) || (u.Scheme == "https" && n == 443) {
			port = ""
		} else {
			port = strconv.Itoa(n) // drops leading zeros
		}
	}

	var b strings.Builder
	b.Grow(len(raw))
	b.WriteString(u.Scheme)
	b.WriteString("://")
	b.WriteString(host)
	if port != "" {
		b.WriteByte(':')
		b.WriteString(port)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	if q := normalizeQuery(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	return b.String(), nil
}

// normalizeHost lower-cases host, converts an internationalised name to
// punycode, drops one trailing dot and checks the result is a plausible
// DNS name or IP literal. IPv6 literals come back in brackets.
func normalizeHost(host string) (string, error) {
	if host == "" {
		return "", fmt.Errorf("empty host: %w", ErrBadURL)
	}
	if strings.Contains(host, ":") {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() {
			return "", fmt.Errorf("bad IPv6 host %q: %w", host, ErrBadURL)
		}
		if a.Zone() != "" {
			// A zone names an interface of the reader's own machine: never
			// part of a link worth sharing.
			return "", fmt.Errorf("IPv6 host %q has a zone: %w", host, ErrBadURL)
		}
		return "[" + a.String() + "]", nil
	}
	host = strings.TrimSuffix(host, ".")
	ascii, err := idnaProfile.ToASCII(host)
	if err != nil {
		return "", fmt.Errorf("bad host name %q: %v: %w", host, err, ErrBadURL)
	}
	ascii = strings.ToLower(ascii)
	if ascii == "" || len(ascii) > 253 {
		return "", fmt.Errorf("bad host name %q: %w", host, ErrBadURL)
	}
	for label := range strings.SplitSeq(ascii, ".") {
		if label == "" || len(label) > 63 {
			return "", fmt.Errorf("bad host name %q: %w", host, ErrBadURL)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", fmt.Errorf("bad character %q in host %q: %w", c, host, ErrBadURL)
			}
		}
	}
	return ascii, nil
}

// trackingParams are query parameters that identify a campaign, a click or
// a sharer rather than the page. Names are matched case-insensitively;
// every "utm_" parameter is tracking too.
var trackingParams = map[string]bool{
	// Ad click identifiers.
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true,
	"wbraid": true, "msclkid": true, "yclid": true, "twclid": true, "ttclid": true,
	"li_fat_id": true, "rb_clickid": true, "s_cid": true, "epik": true,
	// Mail campaigns (Mailchimp, HubSpot, Marketo, Vero, Oracle, WickedReports).
	"mc_eid": true, "mc_cid": true, "_hsenc": true, "_hsmi": true, "__hstc": true,
	"__hssc": true, "__hsfp": true, "hsctatracking": true, "mkt_tok": true,
	"vero_id": true, "vero_conv": true, "oly_anon_id": true, "oly_enc_id": true,
	"wickedid": true,
	// Analytics cross-domain linkers and sharing tags.
	"_ga": true, "_gl": true, "igshid": true, "igsh": true, "ref_src": true,
	"ref_url": true, "ref": true, "cmpid": true, "ocid": true, "ncid": true,
	"sr_share": true, "smid": true, "smtyp": true, "guccounter": true,
	"guce_referrer": true, "guce_referrer_sig": true, "spm": true,
	"at_medium": true, "at_campaign": true, "at_custom1": true, "at_custom2": true,
	"at_custom3": true, "at_custom4": true,
}

// isTrackingParam reports whether the (still escaped) query name is a
// tracking parameter.
func isTrackingParam(rawName string) bool {
	name, err := url.QueryUnescape(rawName)
	if err != nil {
		name = rawName
	}
	name = strings.ToLower(name)
	return strings.HasPrefix(name, "utm_") || trackingParams[name]
}

// normalizeQuery drops empty and tracking parameters and sorts the rest by
// name, keeping each parameter's original encoding except that bytes not
// allowed in a query are percent-encoded (so "ü" and "%C3%BC" give the same
// key). Semicolons are not treated as separators: Go servers no longer do.
func normalizeQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	type param struct{ name, full string }
	var params []param
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		part = escapeQueryPart(part)
		name, _, _ := strings.Cut(part, "=")
		if isTrackingParam(name) {
			continue
		}
		params = append(params, param{name: name, full: part})
	}
	slices.SortStableFunc(params, func(a, b param) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.full)
	}
	return b.String()
}

// escapeQueryPart percent-encodes the bytes RFC 3986 does not allow in a
// query (non-ASCII, space, controls and a few delimiters). Existing escapes
// are left alone, even malformed ones, so the operation is idempotent.
func escapeQueryPart(s string) string {
	const hex = "0123456789ABCDEF"
	needs := false
	for i := 0; i < len(s); i++ {
		if !queryByteOK(s[i]) {
			needs = true
			break
		}
	}
	if !needs {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if queryByteOK(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func queryByteOK(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '"', '<', '>', '\\', '^', '`', '{', '|', '}', '#':
		return false
	}
	return true
}
