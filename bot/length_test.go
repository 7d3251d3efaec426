package bot

import (
	"strings"
	"testing"

	"github.com/precisbot/precis/internal/fakediscord"
	"github.com/precisbot/precis/store"
	"github.com/precisbot/precis/summarize"
)

// TestPastedLinkUsesChannelLength: a channel's length setting reaches the
// core with pasted links. The core finds the short summary stored for the
// link, which it would not for another length.
func TestPastedLinkUsesChannelLength(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	g, c := fakediscord.DefaultGuildID, fakediscord.DefaultChannelID
	if err := h.store.SetChannelSettings(h.ctx, store.ChannelSettings{GuildID: g, ChannelID: c, Mode: "auto", Length: "short"}); err != nil {
		t.Fatal(err)
	}
	const norm = "https://news.example/short"
	h.putSummary(norm, summarize.LengthShort, &summarize.Summary{
		URL: norm, Title: "Short one", Headline: "The short summary of the link", Summary: "Briefly.", Model: h.llm.Model(),
	})
	if _, err := h.fake.SendMessage(fakediscord.Message{Content: "read " + norm}); err != nil {
		t.Fatal(err)
	}
	r := h.wait(fakediscord.Match("POST", "/channels/*/messages"))
	if !strings.Contains(string(r.Body), "The short summary of the link") {
		t.Errorf("reply is not the channel's short summary: %s", r.Body)
	}
	if n := h.reader.Calls(norm); n != 0 {
		t.Errorf("the link was fetched %d times: the core was not asked for the short summary", n)
	}
}
