package article

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/precisbot/precis/internal/lazyre"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// utf8BOM is the byte order mark some editors put in front of UTF-8 text.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// toUTF8 converts a text body to UTF-8. The encoding comes, in order of
// precedence, from a byte order mark, the Content-Type charset parameter,
// and (for HTML) a <meta charset> or <meta http-equiv> declaration, as
// browsers do. Without any of these, valid UTF-8 is taken as UTF-8 and
// anything else as windows-1252. The result carries no BOM, and in HTML
// the meta declarations are rewritten to say utf-8, so that a parser that
// looks for them does not decode the text a second time.
func toUTF8(body []byte, contentType string, isHTML bool) ([]byte, string, error) {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if !certain && !isHTML {
		// A <meta> in plain text is just text.
		enc, name = guessUnlabelled(body)
	} else if !certain && name == "windows-1252" && utf8.Valid(body) {
		// DetermineEncoding looks at the first 1024 bytes only; a long
		// ASCII <head> followed by UTF-8 text is still UTF-8.
		enc, name = encoding.Nop, "utf-8"
	}
	if enc == encoding.Nop || name == "utf-8" {
		body = bytes.TrimPrefix(body, utf8BOM)
		if !utf8.Valid(body) {
			body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
		}
		return body, "utf-8", nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, name, fmt.Errorf("decode %s text: %w", name, err)
	}
	out = bytes.TrimPrefix(out, utf8BOM) // a UTF-16 BOM decodes to U+FEFF
	if isHTML {
		out = rewriteMetaCharset(out)
	}
	return out, name, nil
}

// guessUnlabelled picks the encoding of text with no BOM and no declared
// charset.
func guessUnlabelled(body []byte) (encoding.Encoding, string) {
	if utf8.Valid(body) {
		return encoding.Nop, "utf-8"
	}
	e, name := charset.Lookup("windows-1252")
	return e, name
}

var (
	metaTag      = lazyre.New(`(?i)<meta\b[^>]*>`)
	charsetParam = lazyre.New(`(?i)(charset\s*=\s*["']?)[^"'\s/>;]+`)
)

// metaRewriteWindow bounds how far into a document meta declarations are
// rewritten: they belong in the <head>, and the HTML standard's own scan
// stops after 1024 bytes.
const metaRewriteWindow = 8192

// rewriteMetaCharset makes every charset declared in <meta> tags near the
// top of a document say utf-8.
func rewriteMetaCharset(doc []byte) []byte {
	window := min(len(doc), metaRewriteWindow)
	head := metaTag().ReplaceAllFunc(doc[:window], func(tag []byte) []byte {
		return charsetParam().ReplaceAll(tag, []byte("${1}utf-8"))
	})
	if len(head) == window && bytes.Equal(head, doc[:window]) {
		return doc
	}
	out := make([]byte, 0, len(head)+len(doc)-window)
	out = append(out, head...)
	return append(out, doc[window:]...)
}
