package bot

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/precisbot/precis/digest"
	"github.com/precisbot/precis/internal/fakediscord"
)

func testDigest() *digest.Digest {
	return &digest.Digest{
		GuildID: fakediscord.DefaultGuildID, ChannelID: fakediscord.DefaultChannelID, LocalDate: "2026-03-29",
		Date: time.Date(2026, 3, 29, 8, 0, 0, 0, time.UTC),
		Stories: []digest.Story{{Title: "Council approves plan", URL: "https://news.example/a", Summary: "The council said the plan would go ahead.",
			Sources: []digest.Source{{URL: "https://news.example/a", Site: "News"}}}},
	}
}

// Discord accepted the message but answered 500: the retry carries the
// same nonce with enforce_nonce, so the channel holds the digest once.
func TestPostDigestIsIdempotent(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(t, fakediscord.Options{})
	c, err := NewClient(ClientOptions{Token: fake.Token(), APIURL: fake.APIURL(), RetryBase: time.Millisecond}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fake.FailAfter(http.MethodPost, "/channels/", http.StatusInternalServerError)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var ids []string
	d := testDigest()
	if err := c.PostDigest(ctx, d, digest.PostHooks{Posted: func(_ int, id string) { ids = append(ids, id) }}); err != nil {
		t.Fatal(err)
	}
	posts := count(fake.Requests(), fakediscord.Match("POST", "/channels/*/messages"))
	found, err := c.PostedDigest(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if posts != 2 || len(ids) != 1 || len(found) != 1 || found[0] != ids[0] {
		t.Errorf("%d posts (want 2: the retry), ids %v, in the channel %v (want the one message)", posts, ids, found)
	}
	// Another day's digest is not taken for this one.
	other := testDigest()
	other.Date = other.Date.Add(24 * time.Hour)
	if found, _ := c.PostedDigest(ctx, other); len(found) != 0 {
		t.Errorf("found %v for another day", found)
	}
}

// A pasted link's reply that Discord accepted but answered with a 500 is
// retried with the same nonce: one reply in the channel.
func TestReplyIsIdempotent(t *testing.T) {
	t.Parallel()
	h := startBot(t, func(c *harnessConfig) { c.client.RetryBase = time.Millisecond })
	h.fake.FailAfter(http.MethodPost, "/channels/"+fakediscord.DefaultChannelID+"/messages", http.StatusInternalServerError)
	msg, err := h.fake.SendMessage(fakediscord.Message{Content: "https://news.example/once"})
	if err != nil {
		t.Fatal(err)
	}
	h.waitN(2, fakediscord.Match("POST", "/channels/*/messages"))
	if !h.bot.Idle(h.ctx) {
		t.Fatal("busy")
	}
	msgs, err := h.bot.client.session.ChannelMessages(fakediscord.DefaultChannelID, 50, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	replies := 0
	for _, m := range msgs {
		if m.MessageReference != nil && m.MessageReference.MessageID == msg["id"] {
			replies++
		}
	}
	if replies != 1 {
		t.Errorf("%d replies in the channel after a retried post, want 1", replies)
	}
}
