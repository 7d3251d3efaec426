package fakediscord_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/internal/fakediscord"
)

// TestPermissionsThreadsAndLifecycleEvents: roles, permission overwrites,
// NSFW and threads reach a real discordgo state through GUILD_CREATE and
// the REST API; channel, message and guild changes arrive as the events
// Discord sends and change what REST answers; bad changes are refused.
func TestPermissionsThreadsAndLifecycleEvents(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	const (
		guild   = fakediscord.DefaultGuildID
		general = "1300000000000000011"
		staff   = "1300000000000000012"
		adult   = "1300000000000000013"
		thread  = "1300000000000000014"
		private = "1300000000000000015"
		old     = "1300000000000000016"
		role    = "1500000000000000001"
	)
	fake := fakediscord.New(t, fakediscord.Options{Guilds: []fakediscord.Guild{{
		ID:    guild,
		Roles: []fakediscord.Role{{ID: role, Name: "staff", Permissions: discordgo.PermissionViewChannel}},
		Channels: []fakediscord.Channel{
			{ID: general, Name: "general"},
			{ID: staff, Name: "staff-only", Overwrites: fakediscord.PrivateTo(guild, role)},
			{ID: adult, Name: "after-dark", NSFW: true},
			{ID: thread, Name: "a thread", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: general},
			{ID: private, Name: "a private thread", Type: discordgo.ChannelTypeGuildPrivateThread, ParentID: staff},
			{ID: old, Name: "an archived thread", Type: discordgo.ChannelTypeGuildPublicThread, ParentID: general, Archived: true},
		},
	}}})
	events := make(chan any, 16)
	created := make(chan struct{})
	s := openSession(t, fake, func(s *discordgo.Session) {
		s.AddHandlerOnce(func(*discordgo.Session, *discordgo.GuildCreate) { close(created) })
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.ChannelUpdate) { events <- e })
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.ChannelDelete) { events <- e })
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.ThreadDelete) { events <- e })
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageDelete) { events <- e })
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageDeleteBulk) { events <- e })
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageUpdate) { events <- e })
		s.AddHandler(func(_ *discordgo.Session, e *discordgo.GuildDelete) { events <- e })
	})
	select { // the state holds the guild once GUILD_CREATE's handlers run
	case <-created:
	case <-ctx.Done():
		t.Fatal("no GUILD_CREATE")
	}
	next := func() any {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-ctx.Done():
			t.Fatal("no event")
			return nil
		}
	}

	// GUILD_CREATE: roles, overwrites, NSFW, active threads with parents.
	g, err := s.State.Guild(guild)
	if err != nil {
		t.Fatal(err)
	}
	var roleSeen bool
	for _, r := range g.Roles {
		roleSeen = roleSeen || (r.ID == role && r.Permissions == discordgo.PermissionViewChannel)
	}
	if !roleSeen {
		t.Errorf("staff role missing from state: %+v", g.Roles)
	}
	if ch, err := s.State.Channel(staff); err != nil || len(ch.PermissionOverwrites) != 2 ||
		ch.PermissionOverwrites[0].ID != guild || ch.PermissionOverwrites[0].Deny != discordgo.PermissionViewChannel ||
		ch.PermissionOverwrites[1].ID != role || ch.PermissionOverwrites[1].Allow != discordgo.PermissionViewChannel {
		t.Errorf("staff channel in state = %+v, %v", ch, err)
	}
	if ch, err := s.State.Channel(adult); err != nil || !ch.NSFW {
		t.Errorf("NSFW channel in state = %+v, %v", ch, err)
	}
	if ch, err := s.State.Channel(private); err != nil || ch.ParentID != staff || ch.Type != discordgo.ChannelTypeGuildPrivateThread {
		t.Errorf("private thread in state = %+v, %v", ch, err)
	}
	if len(g.Channels) != 3 || len(g.Threads) != 2 {
		t.Errorf("state has %d channels and %d threads, want 3 and 2 (archived threads are not sent)", len(g.Channels), len(g.Threads))
	}
	if _, err := s.State.Channel(old); err == nil {
		t.Error("archived thread sent in GUILD_CREATE")
	}
	if ch, err := s.Channel(old); err != nil || ch.ParentID != general || ch.ThreadMetadata == nil || !ch.ThreadMetadata.Archived {
		t.Errorf("GET archived thread = %+v, %v", ch, err)
	}

	// A channel made private later.
	if err := fake.UpdateChannel(fakediscord.Channel{ID: general, Overwrites: fakediscord.PrivateTo(guild, role)}); err != nil {
		t.Fatal(err)
	}
	if e, ok := next().(*discordgo.ChannelUpdate); !ok || e.ID != general || e.Name != "general" || len(e.PermissionOverwrites) != 2 {
		t.Errorf("CHANNEL_UPDATE = %#v", e)
	}
	if ch, _ := s.State.Channel(general); len(ch.PermissionOverwrites) != 2 {
		t.Errorf("state after CHANNEL_UPDATE: %+v", ch.PermissionOverwrites)
	}
	if ch, err := s.Channel(general); err != nil || len(ch.PermissionOverwrites) != 2 {
		t.Errorf("GET after CHANNEL_UPDATE = %+v, %v", ch, err)
	}

	// Messages: edited, deleted, deleted in bulk.
	var ids []string
	for _, text := range []string{"one https://a.example/1", "two", "three"} {
		m, err := fake.SendMessage(fakediscord.Message{ChannelID: general, Content: text})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m["id"].(string))
	}
	if _, err := fake.EditMessage(general, ids[0], "one, link removed"); err != nil {
		t.Fatal(err)
	}
	if e, ok := next().(*discordgo.MessageUpdate); !ok || e.ID != ids[0] || e.Content != "one, link removed" || e.EditedTimestamp == nil || e.GuildID != guild {
		t.Errorf("MESSAGE_UPDATE = %#v", e)
	}
	if err := fake.DeleteMessage(general, ids[0]); err != nil {
		t.Fatal(err)
	}
	if e, ok := next().(*discordgo.MessageDelete); !ok || e.ID != ids[0] || e.ChannelID != general || e.GuildID != guild {
		t.Errorf("MESSAGE_DELETE = %#v", e)
	}
	if _, err := s.ChannelMessage(general, ids[0]); !isStatus(err, http.StatusNotFound) {
		t.Errorf("GET deleted message: %v", err)
	}
	if err := fake.DeleteMessages(general, ids[1:]); err != nil {
		t.Fatal(err)
	}
	if e, ok := next().(*discordgo.MessageDeleteBulk); !ok || len(e.Messages) != 2 || e.ChannelID != general || e.GuildID != guild {
		t.Errorf("MESSAGE_DELETE_BULK = %#v", e)
	}

	// Channels and threads deleted.
	if err := fake.DeleteChannel(private); err != nil {
		t.Fatal(err)
	}
	if e, ok := next().(*discordgo.ThreadDelete); !ok || e.ID != private || e.ParentID != staff || e.GuildID != guild {
		t.Errorf("THREAD_DELETE = %#v", e)
	}
	if err := fake.DeleteChannel(general); err != nil {
		t.Fatal(err)
	}
	if e, ok := next().(*discordgo.ChannelDelete); !ok || e.ID != general || e.GuildID != guild {
		t.Errorf("CHANNEL_DELETE = %#v", e)
	}
	for _, id := range []string{general, thread, old} { // its threads went with it
		if _, err := s.Channel(id); !isStatus(err, http.StatusNotFound) {
			t.Errorf("GET channel %s after deleting #general: %v", id, err)
		}
	}

	// Bad changes are refused, and dispatch nothing.
	for name, err := range map[string]error{
		"update unknown":     fake.UpdateChannel(fakediscord.Channel{ID: "1"}),
		"change type":        fake.UpdateChannel(fakediscord.Channel{ID: staff, Type: discordgo.ChannelTypeGuildVoice}),
		"delete unknown":     fake.DeleteChannel(general),
		"delete gone msg":    fake.DeleteMessage(general, ids[0]),
		"delete other chan":  fake.DeleteMessage(staff, ids[1]),
		"bulk of one":        fake.DeleteMessages(staff, []string{"1"}),
		"remove unknown":     fake.RemoveGuild("1"),
		"outage unknown":     fake.GuildOutage("1"),
		"edit unknown":       func() error { _, err := fake.EditMessage(staff, "1", "x"); return err }(),
		"bulk with repeated": fake.DeleteMessages(staff, []string{"1", "1"}),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	// An outage keeps the guild; leaving it removes it.
	if err := fake.GuildOutage(guild); err != nil {
		t.Fatal(err)
	}
	if e, ok := next().(*discordgo.GuildDelete); !ok || e.ID != guild || !e.Unavailable {
		t.Errorf("GUILD_DELETE (outage) = %#v", e)
	}
	if _, err := s.Guild(guild); err != nil {
		t.Errorf("GET guild during an outage: %v", err)
	}
	if err := fake.RemoveGuild(guild); err != nil {
		t.Fatal(err)
	}
	if e, ok := next().(*discordgo.GuildDelete); !ok || e.ID != guild || e.Unavailable {
		t.Errorf("GUILD_DELETE = %#v", e)
	}
	if _, err := s.Guild(guild); !isStatus(err, http.StatusNotFound) {
		t.Errorf("GET guild after leaving it: %v", err)
	}
	if _, err := s.GuildRoles(guild, discordgo.WithContext(context.Background())); !isStatus(err, http.StatusNotFound) {
		t.Errorf("GET roles after leaving the guild: %v", err)
	}
	select {
	case e := <-events:
		t.Errorf("unexpected event %#v", e)
	default:
	}
}

func isStatus(err error, code int) bool {
	var rest *discordgo.RESTError
	return errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == code
}
