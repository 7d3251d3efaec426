package render

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/discordtext"
)

func TestFitEmbedsTotal(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 2000)
	var embeds []*discordgo.MessageEmbed
	for i := 0; i < 12; i++ {
		e := &discordgo.MessageEmbed{Title: long, Description: long, Footer: &discordgo.MessageEmbedFooter{Text: long}}
		for j := 0; j < 30; j++ {
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: long, Value: long})
		}
		embeds = append(embeds, e)
	}
	embeds = fitEmbeds(embeds)
	if len(embeds) > discordtext.MaxEmbeds {
		t.Fatalf("%d embeds", len(embeds))
	}
	total := 0
	for _, e := range embeds {
		total += embedLength(e)
		if discordtext.Len(e.Title) > discordtext.MaxEmbedTitle || discordtext.Len(e.Description) > discordtext.MaxEmbedDescription || len(e.Fields) > discordtext.MaxFields {
			t.Fatalf("embed over its limits")
		}
		for _, f := range e.Fields {
			if discordtext.Len(f.Value) > discordtext.MaxFieldValue || f.Value == "" {
				t.Fatalf("field value %d", discordtext.Len(f.Value))
			}
		}
	}
	if total > discordtext.MaxEmbedTotal {
		t.Fatalf("total %d > %d", total, discordtext.MaxEmbedTotal)
	}
	if embeds[0].Title == "" {
		t.Fatalf("head of the message was lost")
	}
}

func TestNoMentionsMarshalsEmptyList(t *testing.T) {
	t.Parallel()
	if noMentions().Parse == nil {
		t.Fatal("parse must be an empty list, not null")
	}
}
