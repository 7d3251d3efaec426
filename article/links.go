package article

import (
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/precisbot/precis/internal/lazyre"
)

// DefaultMaxLinks is how many links FindLinks returns when asked for max <= 0.
const DefaultMaxLinks = 3

// skippedHosts serve media or Discord itself, never articles. A link to a
// sub-domain of one of these is skipped too.
var skippedHosts = []string{
	"tenor.com", "giphy.com", "gfycat.com",
	"media.discordapp.net", "cdn.discordapp.com",
	"discord.com", "discord.gg", "discordapp.com", "discordapp.net", "discord.media",
}

// mediaExtensions mark links to images, video, audio and archives.
var mediaExtensions = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true,
	".avif": true, ".bmp": true, ".svg": true, ".ico": true, ".tif": true,
	".tiff": true, ".heic": true, ".heif": true, ".apng": true,
	".mp4": true, ".m4v": true, ".webm": true, ".mov": true, ".mkv": true,
	".avi": true, ".wmv": true, ".flv": true, ".gifv": true, ".m3u8": true,
	".mp3": true, ".m4a": true, ".ogg": true, ".oga": true, ".opus": true,
	".wav": true, ".flac": true, ".aac": true,
	".zip": true, ".rar": true, ".7z": true, ".gz": true, ".exe": true,
	".dmg": true, ".apk": true, ".iso": true,
}

// maskedLinkText matches the bracketed text of a Markdown masked link
// "[text](https://...)": the text is blanked before scanning so that a URL
// shown as the text is not mistaken for the link's target.
var maskedLinkText = lazyre.New(`\[[^\[\]\n]*\]\(\s*<?[hH][tT][tT][pP][sS]?://`)

// FindLinks returns the article links in a Discord message, normalised with
// NormalizeURL, de-duplicated, in order of appearance, at most max of them
// (DefaultMaxLinks when max <= 0). It understands bare links, <links> whose
// embed is suppressed, Markdown [text](link) and ||spoilers||, trims
// trailing punctuation (a closing bracket only when it is unbalanced), and
// skips links inside `code` and ```code blocks```, links to images, video
// and other media files, GIF and Discord hosts, and anything not http(s).
func FindLinks(text string, max int) []string {
	if max <= 0 {
		max = DefaultMaxLinks
	}
	text = blankCode(text)
	text = blankMaskedLinkText(text)

	var out []string
	seen := make(map[string]bool)
	for rest := text; len(out) < max; {
		start := indexScheme(rest)
		if start < 0 {
			break
		}
		end := start + urlEnd(rest[start:])
		candidate := trimURL(rest[start:end])
		rest = rest[end:]

		norm, err := NormalizeURL(candidate)
		if err != nil || seen[norm] || skipLink(norm) {
			continue
		}
		seen[norm] = true
		out = append(out, norm)
	}
	return out
}

// indexScheme finds the next "http://" or "https://" (any case) that starts
// a word, so "xhttp://" is not a link.
func indexScheme(s string) int {
	offset := 0
	for {
		i := indexFold(s[offset:], "http")
		if i < 0 {
			return -1
		}
		i += offset
		after := s[i+4:]
		isLink := strings.HasPrefix(after, "://") ||
			(len(after) > 0 && (after[0] == 's' || after[0] == 'S') && strings.HasPrefix(after[1:], "://"))
		if isLink && (i == 0 || !isWordRuneBefore(s[:i])) {
			return i
		}
		offset = i + 4
	}
}

// indexFold is strings.Index for an ASCII lower-case needle, ignoring case.
func indexFold(s, lowerNeedle string) int {
	n := len(lowerNeedle)
	for i := 0; i+n <= len(s); i++ {
		if s[i]|0x20 == lowerNeedle[0] && strings.EqualFold(s[i:i+n], lowerNeedle) {
			return i
		}
	}
	return -1
}

func isWordRuneBefore(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// urlEnd returns the length of the link starting at s[0]: it stops at white
// space, angle brackets, quotes, backticks and spoiler bars.
func urlEnd(s string) int {
	for i, r := range s {
		if unicode.IsSpace(r) {
			return i
		}
		switch r {
		case '<', '>', '"', '`', '|', '\u00a0', utf8.RuneError:
			return i
		}
	}
	return len(s)
}

// openerOf pairs each closing bracket with its opening one.
var openerOf = map[rune]string{')': "(", ']': "[", '}': "{"}

// trimURL removes punctuation that ends a sentence rather than the link,
// and a closing bracket that has no opening partner inside the link (so
// "(see https://en.wikipedia.org/wiki/Go_(language))" keeps the inner one).
func trimURL(s string) string {
	for s != "" {
		r, size := utf8.DecodeLastRuneInString(s)
		switch r {
		case '.', ',', ';', ':', '!', '?', '\'', '*', '_', '~',
			'…', '。', '、', '，', '！', '？', '”', '’', '»', '」', '』', '】', '》':
			s = s[:len(s)-size]
			continue
		case ')', ']', '}':
			if strings.Count(s, string(r)) > strings.Count(s, openerOf[r]) {
				s = s[:len(s)-size]
				continue
			}
		}
		return s
	}
	return s
}

// skipLink reports whether a normalised link points at something that is
// not an article: media files, GIF services, Discord itself.
func skipLink(norm string) bool {
	u, err := url.Parse(norm)
	if err != nil {
		return true
	}
	host := u.Hostname()
	for _, h := range skippedHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return mediaExtensions[strings.ToLower(path.Ext(u.Path))]
}

// blankCode replaces inline code and code blocks with spaces of the same
// length, so links inside them are not found while offsets stay put. A
// run of n backticks opens code that the next run of exactly n backticks
// closes; an unclosed run is literal text, as in Discord.
func blankCode(s string) string {
	if !strings.Contains(s, "`") {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(b) && b[i+n] == '`' {
			n++
		}
		closeAt := findBacktickRun(b, i+n, n)
		if closeAt < 0 {
			i += n
			continue
		}
		end := closeAt + n
		for j := i; j < end; j++ {
			if b[j] != '\n' {
				b[j] = ' '
			}
		}
		i = end
	}
	return string(b)
}

// findBacktickRun returns the index of the first run of exactly n
// backticks in b at or after from, or -1.
func findBacktickRun(b []byte, from, n int) int {
	for i := from; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		m := 0
		for i+m < len(b) && b[i+m] == '`' {
			m++
		}
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// blankMaskedLinkText blanks the visible text of Markdown masked links.
func blankMaskedLinkText(s string) string {
	locs := maskedLinkText().FindAllStringIndex(s, -1)
	if locs == nil {
		return s
	}
	b := []byte(s)
	for _, loc := range locs {
		closeBracket := strings.Index(s[loc[0]:loc[1]], "](") + loc[0]
		for j := loc[0] + 1; j < closeBracket; j++ {
			b[j] = ' '
		}
	}
	return string(b)
}
