package render

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// Text prints messages as Discord shows them, in Markdown: content, then
// each embed's author line, linked title, description, fields and footer,
// then link buttons. `precis summarize` prints a summary's message through
// it, so the command line is a faithful preview of the bot.
func Text(msgs ...*discordgo.MessageSend) string {
	var b strings.Builder
	for i, m := range msgs {
		if i > 0 {
			b.WriteString("\n---\n\n")
		}
		if m.Content != "" {
			b.WriteString(m.Content + "\n")
		}
		for j, e := range m.Embeds {
			if j > 0 || m.Content != "" {
				b.WriteString("\n")
			}
			embedText(&b, e)
		}
		for _, row := range m.Components {
			r, ok := row.(discordgo.ActionsRow)
			if !ok {
				continue
			}
			for _, c := range r.Components {
				if btn, ok := c.(discordgo.Button); ok && btn.URL != "" {
					fmt.Fprintf(&b, "\n[%s](<%s>)\n", btn.Label, btn.URL)
				}
			}
		}
	}
	return b.String()
}

func embedText(b *strings.Builder, e *discordgo.MessageEmbed) {
	if e.Author != nil && e.Author.Name != "" {
		fmt.Fprintf(b, "*%s*\n", e.Author.Name)
	}
	switch {
	case e.Title != "" && e.URL != "":
		fmt.Fprintf(b, "## [%s](<%s>)\n", e.Title, e.URL)
	case e.Title != "":
		fmt.Fprintf(b, "## %s\n", e.Title)
	}
	if e.Thumbnail != nil && e.Thumbnail.URL != "" {
		fmt.Fprintf(b, "![thumbnail](<%s>)\n", e.Thumbnail.URL)
	}
	if e.Description != "" {
		fmt.Fprintf(b, "\n%s\n", e.Description)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(b, "\n**%s**\n%s\n", f.Name, f.Value)
	}
	if e.Footer != nil && e.Footer.Text != "" {
		fmt.Fprintf(b, "\n-# %s\n", e.Footer.Text)
	}
}
