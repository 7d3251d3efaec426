package screenshots

import (
	"fmt"
	"html"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// pageHTML lays messages out as Discord's dark theme shows a bot's
// messages: avatar, name, APP tag, then content, embeds and link buttons.
func pageHTML(title string, msgs []*discordgo.MessageSend) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title><style>%s</style></head><body>\n",
		html.EscapeString(title), pageCSS)
	for i, m := range msgs {
		b.WriteString(`<div class="msg">`)
		if i == 0 {
			b.WriteString(`<div class="avatar">P</div><div class="head"><span class="name">Precis</span><span class="app">APP</span><span class="time">Today at 08:00</span></div>`)
		}
		b.WriteString(`<div class="body">`)
		if m.Content != "" {
			b.WriteString(`<div class="content">` + blocks(m.Content) + `</div>`)
		}
		for _, e := range m.Embeds {
			b.WriteString(embedHTML(e))
		}
		for _, row := range m.Components {
			r, ok := row.(discordgo.ActionsRow)
			if !ok {
				continue
			}
			b.WriteString(`<div class="buttons">`)
			for _, c := range r.Components {
				if btn, ok := c.(discordgo.Button); ok && btn.URL != "" {
					fmt.Fprintf(&b, `<span class="button">%s <span class="ext">↗</span></span>`, html.EscapeString(btn.Label))
				}
			}
			b.WriteString(`</div>`)
		}
		b.WriteString("</div></div>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

func embedHTML(e *discordgo.MessageEmbed) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="embed" style="border-left-color:#%06x">`, e.Color)
	if e.Thumbnail != nil && e.Thumbnail.URL != "" {
		fmt.Fprintf(&b, `<img class="thumb" src="%s" alt="">`, html.EscapeString(e.Thumbnail.URL))
	}
	if e.Author != nil && e.Author.Name != "" {
		b.WriteString(`<div class="author">` + html.EscapeString(e.Author.Name) + `</div>`)
	}
	if e.Title != "" {
		cls := "title"
		if e.URL != "" {
			cls += " link"
		}
		b.WriteString(`<div class="` + cls + `">` + inline(e.Title) + `</div>`)
	}
	if e.Description != "" {
		b.WriteString(`<div class="desc">` + blocks(e.Description) + `</div>`)
	}
	for _, f := range e.Fields {
		b.WriteString(`<div class="field"><div class="fname">` + inline(f.Name) + `</div><div class="fvalue">` + blocks(f.Value) + `</div></div>`)
	}
	if e.Footer != nil && e.Footer.Text != "" {
		b.WriteString(`<div class="footer">` + html.EscapeString(e.Footer.Text) + `</div>`)
	}
	b.WriteString(`</div>`)
	return b.String()
}

// blocks renders the Markdown Discord shows in messages and embed texts:
// block quotes ("> "), subtext ("-# "), line breaks and blank lines.
func blocks(s string) string {
	var b strings.Builder
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		switch {
		case strings.HasPrefix(line, "> "):
			var q []string
			for ; i < len(lines) && strings.HasPrefix(lines[i], "> "); i++ {
				q = append(q, inline(strings.TrimPrefix(lines[i], "> ")))
			}
			i--
			b.WriteString(`<blockquote>` + strings.Join(q, "<br>") + `</blockquote>`)
		case strings.HasPrefix(line, "-# "):
			b.WriteString(`<div class="sub">` + inline(strings.TrimPrefix(line, "-# ")) + `</div>`)
		case strings.TrimSpace(line) == "":
			b.WriteString(`<div class="gap"></div>`)
		default:
			b.WriteString(`<div>` + inline(line) + `</div>`)
		}
	}
	return b.String()
}

// inline renders backslash escapes, **bold**, *italics*, masked links
// [text](url) or [text](<url>), and channel mentions <#id>, and escapes
// the rest for HTML.
func inline(s string) string {
	var b strings.Builder
	bold, italic := false, false
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+1 < len(s) && isPunct(s[i+1]):
			b.WriteString(html.EscapeString(s[i+1 : i+2]))
			i += 2
		case strings.HasPrefix(s[i:], "**"):
			b.WriteString(map[bool]string{false: "<strong>", true: "</strong>"}[bold])
			bold = !bold
			i += 2
		case s[i] == '*' && (italic || i+1 < len(s) && s[i+1] != ' '):
			b.WriteString(map[bool]string{false: "<em>", true: "</em>"}[italic])
			italic = !italic
			i++
		case s[i] == '[':
			if text, _, n, ok := maskedLink(s[i:]); ok {
				b.WriteString(`<span class="a">` + inline(text) + `</span>`)
				i += n
				continue
			}
			b.WriteString("[")
			i++
		case strings.HasPrefix(s[i:], "<#"):
			if end := strings.IndexByte(s[i:], '>'); end > 2 {
				b.WriteString(`<span class="mention"># channel</span>`)
				i += end + 1
				continue
			}
			b.WriteString("&lt;")
			i++
		default:
			j := i + 1
			for j < len(s) && !strings.ContainsRune(`\*[<`, rune(s[j])) {
				j++
			}
			b.WriteString(html.EscapeString(s[i:j]))
			i = j
		}
	}
	if italic {
		b.WriteString("</em>")
	}
	if bold {
		b.WriteString("</strong>")
	}
	return b.String()
}

// maskedLink parses "[text](url)" or "[text](<url>)" at the start of s and
// says how many bytes it took.
func maskedLink(s string) (text, url string, n int, ok bool) {
	mid := strings.Index(s, "](")
	if mid < 0 {
		return "", "", 0, false
	}
	end := strings.IndexByte(s[mid:], ')')
	if end < 0 {
		return "", "", 0, false
	}
	url = strings.TrimSuffix(strings.TrimPrefix(s[mid+2:mid+end], "<"), ">")
	return s[1:mid], url, mid + end + 1, true
}

func isPunct(c byte) bool {
	return c < 0x80 && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

// pageCSS approximates Discord's dark theme.
const pageCSS = `
body { margin: 0; padding: 16px 16px 20px 0; background: #313338; width: 680px;
  font-family: "gg sans", "Noto Sans", "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 15px;
  line-height: 1.375; color: #dbdee1; }
.msg { position: relative; padding-left: 72px; margin-top: 2px; }
.avatar { position: absolute; left: 16px; top: 2px; width: 40px; height: 40px; border-radius: 50%;
  background: #3b7ea1; color: #fff; font-weight: 700; font-size: 20px; text-align: center; line-height: 40px; }
.head { margin-bottom: 2px; }
.name { color: #f2f3f5; font-weight: 600; }
.app { background: #5865f2; color: #fff; font-size: 10px; font-weight: 600; border-radius: 3px;
  padding: 1px 4px; margin-left: 5px; vertical-align: 2px; }
.time { color: #949ba4; font-size: 12px; margin-left: 6px; }
.content { margin-bottom: 4px; }
.embed { background: #2b2d31; border-left: 4px solid; border-radius: 4px; max-width: 516px;
  padding: 8px 16px 16px 12px; margin: 4px 0; font-size: 14px; overflow: hidden; }
.thumb { float: right; width: 80px; height: 80px; object-fit: cover; border-radius: 4px; margin: 8px 0 8px 16px; }
.author { color: #f2f3f5; font-size: 14px; font-weight: 600; margin-top: 8px; }
.title { color: #f2f3f5; font-size: 16px; font-weight: 600; margin-top: 8px; }
.title.link, .a { color: #00a8fc; }
.desc { margin-top: 8px; color: #dbdee1; }
.field { margin-top: 8px; }
.fname { color: #f2f3f5; font-weight: 600; margin-bottom: 2px; }
.fvalue { color: #dbdee1; }
.footer { color: #b5bac1; font-size: 12px; margin-top: 8px; }
blockquote { margin: 0; padding: 0 8px 0 12px; border-left: 4px solid #4e5058; }
.gap { height: 8px; }
.sub { color: #949ba4; font-size: 13px; }
.mention { background: rgba(88,101,242,.3); color: #c9cdfb; border-radius: 3px; padding: 0 2px; }
.buttons { margin: 4px 0 8px; }
.button { display: inline-block; background: #4e5058; color: #fff; border-radius: 3px; padding: 2px 16px;
  height: 32px; line-height: 32px; font-size: 14px; font-weight: 500; }
.ext { font-size: 12px; }
strong { color: inherit; font-weight: 700; }
`
