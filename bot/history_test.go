package bot

import (
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

func TestRecapMessage(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	alice := &discordgo.User{ID: "11", Username: "alice_w", GlobalName: "Alice"}
	bob := &discordgo.User{ID: "12", Username: "bobby"}
	tests := []struct {
		name                 string
		in                   *discordgo.Message
		content, displayName string
		bot, system          bool
		replyTo              string
	}{
		{"mentions become names", &discordgo.Message{ID: "1", Timestamp: at, Author: alice, Content: "<@12> and <@!11>, see <#5>", Mentions: []*discordgo.User{bob, alice}},
			"@bobby and @Alice, see <#5>", "Alice", false, false, ""},
		{"nickname", &discordgo.Message{ID: "2", Timestamp: at, Author: bob, Member: &discordgo.Member{Nick: "Bob B."}, Content: "hi"},
			"hi", "Bob B.", false, false, ""},
		{"reply", &discordgo.Message{ID: "3", Timestamp: at, Author: bob, Type: discordgo.MessageTypeReply, Content: "yes",
			MessageReference: &discordgo.MessageReference{MessageID: "1"}}, "yes", "bobby", false, false, "1"},
		{"webhook", &discordgo.Message{ID: "4", Timestamp: at, Author: bob, WebhookID: "99", Content: "feed item"},
			"feed item", "bobby", true, false, ""},
		{"bot", &discordgo.Message{ID: "5", Timestamp: at, Author: &discordgo.User{ID: "7", Username: "Precis", Bot: true}, Content: "summary"},
			"summary", "Precis", true, false, ""},
		{"pin notice", &discordgo.Message{ID: "6", Timestamp: at, Author: alice, Type: discordgo.MessageTypeChannelPinnedMessage},
			"", "Alice", false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := recapMessage(tt.in)
			if m.Content != tt.content || m.Author.DisplayName() != tt.displayName || m.Author.Bot != tt.bot || m.System != tt.system || m.ReplyTo != tt.replyTo || !m.Time.Equal(at) {
				t.Errorf("got %+v", m)
			}
		})
	}
}
