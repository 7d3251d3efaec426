package discordtext

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"hello brave new world", 13, "hello brave…"},
		{"abcdefghij", 5, "abcd…"},
		{"日本語のテキストです", 5, "日本語の…"},
		{"anything", 0, ""},
	}
	for _, tt := range tests {
		got := Truncate(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if Len(got) > tt.max {
			t.Errorf("Truncate(%q, %d) is %d long", tt.in, tt.max, Len(got))
		}
	}
}

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
	embeds = FitEmbeds(embeds)
	if len(embeds) > MaxEmbeds {
		t.Fatalf("%d embeds", len(embeds))
	}
	total := 0
	for _, e := range embeds {
		total += EmbedLength(e)
		if Len(e.Title) > MaxEmbedTitle || Len(e.Description) > MaxEmbedDescription || len(e.Fields) > MaxFields {
			t.Fatalf("embed over its limits")
		}
		for _, f := range e.Fields {
			if Len(f.Value) > MaxFieldValue || f.Value == "" {
				t.Fatalf("field value %d", Len(f.Value))
			}
		}
	}
	if total > MaxEmbedTotal {
		t.Fatalf("total %d > %d", total, MaxEmbedTotal)
	}
	if embeds[0].Title == "" {
		t.Fatalf("head of the message was lost")
	}
}

func TestNoMentionsMarshalsEmptyList(t *testing.T) {
	t.Parallel()
	if NoMentions().Parse == nil {
		t.Fatal("parse must be an empty list, not null")
	}
}
