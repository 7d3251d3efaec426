package article

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func mustEncode(t *testing.T, e encoding.Encoding, s string) string {
	t.Helper()
	out, err := e.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestToUTF8(t *testing.T) {
	t.Parallel()
	longHead := "<html><head><script>" + strings.Repeat("var a = 1;\n", 200) + "</script></head><body><p>Zürich – naïve café</p></body></html>"
	tests := []struct {
		name, body, contentType string
		html                    bool
		want                    string // substring of the result
		wantCharset             string
		notWant                 string
	}{
		{"http-equiv iso-8859-15", mustEncode(t, charmap.ISO8859_15,
			`<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15"><p>Prix: 5 €</p>`),
			"text/html", true, "Prix: 5 €", "iso-8859-15", "ISO-8859-15"},
		{"gb18030 header", mustEncode(t, simplifiedchinese.GB18030, "<p>你好，世界</p>"),
			"text/html; charset=GB18030", true, "你好，世界", "gb18030", ""},
		{"header beats meta", mustEncode(t, charmap.Windows1251, `<meta charset="iso-8859-1"><p>Привет</p>`),
			"text/html; charset=windows-1251", true, "Привет", "windows-1251", ""},
		{"bom beats header", "\xEF\xBB\xBF<p>Grüße</p>", "text/html; charset=windows-1252", true, "<p>Grüße</p>", "utf-8", "\uFEFF"},
		{"utf-16le bom", mustEncode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "<p>Ελληνικά</p>"),
			"text/html", true, "<p>Ελληνικά</p>", "utf-16le", "\uFEFF"},
		{"long ascii head then utf-8", longHead, "text/html", true, "Zürich – naïve café", "utf-8", ""},
		{"unlabelled latin-1 html", mustEncode(t, charmap.Windows1252, "<p>déjà vu</p>"), "text/html", true, "déjà vu", "windows-1252", ""},
		{"plain text ignores meta", `<meta charset="windows-1251"> naïve`, "text/plain", false, `<meta charset="windows-1251"> naïve`, "utf-8", ""},
		{"plain latin-1", mustEncode(t, charmap.Windows1252, "café"), "text/plain", false, "café", "windows-1252", ""},
		{"invalid utf-8 repaired", "<p>ok \xff\xfe bytes</p>", "text/html; charset=utf-8", true, "ok \uFFFD bytes", "utf-8", "\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, cs, err := toUTF8([]byte(tt.body), tt.contentType, tt.html)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got), tt.want) {
				t.Errorf("toUTF8 = %q, want it to contain %q", got, tt.want)
			}
			if cs != tt.wantCharset {
				t.Errorf("charset = %q, want %q", cs, tt.wantCharset)
			}
			if tt.notWant != "" && strings.Contains(string(got), tt.notWant) {
				t.Errorf("toUTF8 = %q still contains %q", got, tt.notWant)
			}
		})
	}
}

func TestRewriteMetaCharset(t *testing.T) {
	t.Parallel()
	in := `<head><META HTTP-EQUIV="content-type" CONTENT="text/html; Charset=windows-1251"><meta charset='koi8-r' /><p>charset=keep</p>`
	want := `<head><META HTTP-EQUIV="content-type" CONTENT="text/html; Charset=utf-8"><meta charset='utf-8' /><p>charset=keep</p>`
	if got := string(rewriteMetaCharset([]byte(in))); got != want {
		t.Errorf("rewriteMetaCharset:\n got %s\nwant %s", got, want)
	}
}
