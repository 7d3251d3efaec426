package article

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestNormalizeURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"lowercase scheme and host", "HTTPS://Example.COM/Path/To", "https://example.com/Path/To"},
		{"keep path case", "https://example.com/News/Story-ABC", "https://example.com/News/Story-ABC"},
		{"empty path", "https://example.com", "https://example.com/"},
		{"default https port", "https://example.com:443/a", "https://example.com/a"},
		{"default http port", "http://example.com:80/a", "http://example.com/a"},
		{"other port kept", "https://example.com:8443/a", "https://example.com:8443/a"},
		{"port leading zeros", "http://example.com:0080/a", "http://example.com/a"},
		{"empty port", "http://example.com:/a", "http://example.com/a"},
		{"fragment dropped", "https://example.com/a#section-2", "https://example.com/a"},
		{"utm dropped", "https://example.com/a?utm_source=x&utm_medium=y&UTM_Campaign=z", "https://example.com/a"},
		{"trackers dropped, rest sorted", "https://example.com/a?z=1&fbclid=abc&b=2&gclid=q&a=3", "https://example.com/a?a=3&b=2&z=1"},
		{"repeated keys keep order", "https://example.com/a?k=2&a=1&k=1", "https://example.com/a?a=1&k=2&k=1"},
		{"empty question mark", "https://example.com/a?", "https://example.com/a"},
		{"empty params", "https://example.com/a?&&x=1&", "https://example.com/a?x=1"},
		{"mail and share trackers", "https://example.com/a?mc_cid=1&mc_eid=2&igshid=3&ref_src=twsrc&_hsenc=4&_hsmi=5&msclkid=6&dclid=7&yclid=8&cmpid=9&ref=tw", "https://example.com/a"},
		{"escaped tracker name", "https://example.com/a?utm%5Fsource=x&id=5", "https://example.com/a?id=5"},
		{"user info dropped", "https://user:pw@example.com/a", "https://example.com/a"},
		{"idn to punycode", "https://Bücher.example/buch", "https://xn--bcher-kva.example/buch"},
		{"cyrillic idn", "http://пример.рф/", "http://xn--e1afmkfd.xn--p1ai/"},
		{"trailing dot", "https://example.com./a", "https://example.com/a"},
		{"www kept", "https://www.Example.com/a", "https://www.example.com/a"},
		{"ipv6 literal", "http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"},
		{"non-ascii query escaped", "https://example.com/s?q=ü x", "https://example.com/s?q=%C3%BC%20x"},
		{"non-ascii path escaped", "https://ru.wikipedia.org/wiki/Москва", "https://ru.wikipedia.org/wiki/%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0"},
		{"escaped path kept", "https://example.com/a%2Fb/c%20d", "https://example.com/a%2Fb/c%20d"},
		{"surrounding space", "  https://example.com/a \n", "https://example.com/a"},
		{"underscore host", "https://my_host.example.com/", "https://my_host.example.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeURL(tt.in)
			if err != nil {
				t.Fatalf("NormalizeURL(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			again, err := NormalizeURL(got)
			if err != nil || again != got {
				t.Errorf("not idempotent: NormalizeURL(%q) = %q, %v", got, again, err)
			}
		})
	}
}

func TestNormalizeURLRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "   ", "example.com/a", "//example.com/a", "ftp://example.com/a", "javascript:alert(1)",
		"file:///etc/passwd", "mailto:a@example.com", "http://", "https://:443/", "http:example.com",
		"http://exa mple.com/", "http://example.com:99999/", "http://ex<ample.com/", "http://[::1/", "http://[fe80::1%25eth0]/",
		"http://a..b/", "https://" + strings.Repeat("a", 64) + ".com/",
		"https://example.com/" + strings.Repeat("a", maxURLLength),
	} {
		if got, err := NormalizeURL(in); !errors.Is(err, ErrBadURL) {
			t.Errorf("NormalizeURL(%q) = %q, %v; want ErrBadURL", in, got, err)
		}
	}
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	u, err := ParseURL(" HTTPS://Example.com/A?b=1#c ")
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "https" || u.Host != "example.com" || u.Path != "/A" || u.RawQuery != "b=1" {
		t.Errorf("ParseURL = %#v", u)
	}
	for _, in := range []string{"gopher://x/", "http:///path", "data:text/html,hi", "http://%zz/", "not a url"} {
		if _, err := ParseURL(in); !errors.Is(err, ErrBadURL) {
			t.Errorf("ParseURL(%q) err = %v, want ErrBadURL", in, err)
		}
	}
	_, err = ParseURL("https://example.com/" + strings.Repeat("x", 2*maxURLLength))
	if err == nil || len(err.Error()) > 400 {
		t.Errorf("long URL error should be short, got %d bytes", len(err.Error()))
	}
}

func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/a?utm_source=x&b=2&a=1#frag",
		"HTTP://Bücher.example:80/%7Euser/?q=ü",
		"http://[::ffff:127.0.0.1]:8080/",
		"https://example.com:0443/a/../b?&&",
		"http://user@host/?a=%zz&b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		norm, err := NormalizeURL(raw)
		if err != nil {
			if !errors.Is(err, ErrBadURL) {
				t.Fatalf("NormalizeURL(%q) error %v does not wrap ErrBadURL", raw, err)
			}
			return
		}
		u, err := url.Parse(norm)
		if err != nil {
			t.Fatalf("NormalizeURL(%q) = %q which does not parse: %v", raw, norm, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("NormalizeURL(%q) = %q: scheme %q", raw, norm, u.Scheme)
		}
		again, err := NormalizeURL(norm)
		if err != nil {
			t.Fatalf("NormalizeURL(%q) = %q, which then fails: %v", raw, norm, err)
		}
		if again != norm {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, norm, again)
		}
	})
}
