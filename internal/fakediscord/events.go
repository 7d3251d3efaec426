package fakediscord

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Permissions a default user has in interactions (view, send, history, use
// application commands, add reactions, embed links).
const DefaultUserPermissions = defaultUserPerms

func (s *Server) timestamp() string { return s.now().UTC().Format("2006-01-02T15:04:05.000000+00:00") }

func userJSON(u *discordgo.User) map[string]any {
	m := map[string]any{
		"id":            u.ID,
		"username":      u.Username,
		"discriminator": nonEmpty(u.Discriminator, "0"),
		"global_name":   nil,
		"avatar":        nil,
		"public_flags":  0,
	}
	if u.GlobalName != "" {
		m["global_name"] = u.GlobalName
	}
	if u.Bot {
		m["bot"] = true
	}
	return m
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (s *Server) readyPayload(sess *gwSession) map[string]any {
	list := s.guildList()
	guilds := make([]map[string]any, 0, len(list))
	for _, g := range list {
		if sess.owns(g.ID) {
			guilds = append(guilds, map[string]any{"id": g.ID, "unavailable": true})
		}
	}
	me := userJSON(s.botUser)
	me["verified"] = true
	me["mfa_enabled"] = false
	me["flags"] = 0
	me["email"] = nil
	p := map[string]any{
		"v":                       10,
		"user":                    me,
		"guilds":                  guilds,
		"session_id":              sess.id,
		"session_type":            "normal",
		"resume_gateway_url":      s.wsURL,
		"private_channels":        []any{},
		"presences":               []any{},
		"relationships":           []any{},
		"user_settings":           map[string]any{},
		"geo_ordered_rtc_regions": []string{"fake"},
		"application":             map[string]any{"id": s.appID, "flags": 0},
	}
	if sess.shard != nil {
		p["shard"] = sess.shard
	}
	return p
}

// botRoleID is the id of the bot's managed role in a guild.
func botRoleID(g Guild) string { return g.ID + "1" }

func (s *Server) guildPayload(g Guild) map[string]any {
	ts := s.timestamp()
	channels := make([]map[string]any, 0, len(g.Channels))
	threads := make([]map[string]any, 0)
	for i, c := range g.Channels {
		switch {
		case !isThread(c.Type):
			channels = append(channels, channelJSON(g.ID, c, i))
		case !c.Archived:
			threads = append(threads, channelJSON(g.ID, c, i))
		}
	}
	roles := []map[string]any{
		roleJSON(g.ID, "@everyone", g.everyone(), 0, false),
		roleJSON(botRoleID(g), s.botUser.Username, g.BotPermissions, 1, true),
	}
	for i, r := range g.Roles {
		roles = append(roles, roleJSON(r.ID, r.Name, r.Permissions, 2+i, false))
	}
	member := map[string]any{
		"user":      userJSON(s.botUser),
		"roles":     []string{botRoleID(g)},
		"joined_at": ts,
		"nick":      nil,
		"deaf":      false,
		"mute":      false,
		"flags":     0,
		"pending":   false,
	}
	return map[string]any{
		"id":                            g.ID,
		"name":                          g.Name,
		"icon":                          nil,
		"owner_id":                      DefaultUserID,
		"unavailable":                   false,
		"large":                         false,
		"member_count":                  2,
		"joined_at":                     ts,
		"roles":                         roles,
		"channels":                      channels,
		"members":                       []any{member},
		"threads":                       threads,
		"presences":                     []any{},
		"voice_states":                  []any{},
		"emojis":                        []any{},
		"stickers":                      []any{},
		"features":                      []string{},
		"preferred_locale":              "en-US",
		"verification_level":            0,
		"default_message_notifications": 0,
		"explicit_content_filter":       0,
		"mfa_level":                     0,
		"nsfw_level":                    0,
		"premium_tier":                  0,
		"system_channel_id":             nil,
		"afk_channel_id":                nil,
		"afk_timeout":                   300,
		"application_id":                nil,
	}
}

func channelJSON(guildID string, c Channel, pos int) map[string]any {
	parent := nonEmptyOrNil(c.ParentID)
	if isThread(c.Type) {
		return threadJSON(guildID, c, parent)
	}
	overwrites := make([]map[string]any, 0, len(c.Overwrites))
	for _, o := range c.Overwrites {
		overwrites = append(overwrites, map[string]any{
			"id": o.ID, "type": int(o.Type),
			"allow": strconv.FormatInt(o.Allow, 10), "deny": strconv.FormatInt(o.Deny, 10),
		})
	}
	return map[string]any{
		"id":                    c.ID,
		"type":                  int(c.Type),
		"guild_id":              guildID,
		"name":                  c.Name,
		"position":              pos,
		"permission_overwrites": overwrites,
		"parent_id":             parent,
		"nsfw":                  c.NSFW,
		"topic":                 nil,
		"last_message_id":       nil,
		"rate_limit_per_user":   0,
		"flags":                 0,
	}
}

// threadJSON is a thread as Discord sends it: no overwrites or position of
// its own, a parent and thread metadata.
func threadJSON(guildID string, c Channel, parent any) map[string]any {
	return map[string]any{
		"id":                  c.ID,
		"type":                int(c.Type),
		"guild_id":            guildID,
		"name":                c.Name,
		"parent_id":           parent,
		"owner_id":            DefaultUserID,
		"last_message_id":     nil,
		"rate_limit_per_user": 0,
		"message_count":       0,
		"member_count":        1,
		"total_message_sent":  0,
		"flags":               0,
		"thread_metadata": map[string]any{
			"archived":              c.Archived,
			"auto_archive_duration": 1440,
			"archive_timestamp":     "2026-01-01T00:00:00.000000+00:00",
			"locked":                false,
		},
	}
}

func isThread(t discordgo.ChannelType) bool {
	return t == discordgo.ChannelTypeGuildPublicThread || t == discordgo.ChannelTypeGuildPrivateThread ||
		t == discordgo.ChannelTypeGuildNewsThread
}

func roleJSON(id, name string, perms int64, pos int, managed bool) map[string]any {
	return map[string]any{
		"id":          id,
		"name":        name,
		"permissions": strconv.FormatInt(perms, 10),
		"position":    pos,
		"color":       0,
		"hoist":       false,
		"managed":     managed,
		"mentionable": false,
		"flags":       0,
	}
}

// channelByID finds a configured channel and its guild.
func (s *Server) channelByID(id string) (Guild, Channel, bool) {
	for _, g := range s.guildList() {
		for _, c := range g.Channels {
			if c.ID == id {
				return g, c, true
			}
		}
	}
	return Guild{}, Channel{}, false
}

func (s *Server) guildByID(id string) (Guild, bool) {
	for _, g := range s.guildList() {
		if g.ID == id {
			return g, true
		}
	}
	return Guild{}, false
}

// Interaction identifies a dispatched interaction, for matching the
// requests the bot makes in answer.
type Interaction struct {
	ID            string
	Token         string
	ApplicationID string
	GuildID       string
	ChannelID     string
	// CallbackPath is the route of the interaction callback,
	// /interactions/{id}/{token}/callback.
	CallbackPath string
	// OriginalPath is the route of the original response,
	// /webhooks/{app}/{token}/messages/@original.
	OriginalPath string
	// FollowupPath is the route for follow-ups, /webhooks/{app}/{token}.
	FollowupPath string
	// Raw is the dispatched INTERACTION_CREATE payload.
	Raw json.RawMessage
}

// Invoker is who runs an interaction or posts a message.
type Invoker struct {
	// User defaults to DefaultUserID / DefaultUsername (not a bot).
	User *discordgo.User
	// Permissions of the member in the channel; zero means
	// DefaultUserPermissions. Use -1 for none.
	Permissions int64
	// Roles of the member.
	Roles []string
}

// SlashCommand describes a CHAT_INPUT interaction to dispatch.
type SlashCommand struct {
	Invoker
	Name      string
	CommandID string // defaults to a fresh id
	Options   []*discordgo.ApplicationCommandInteractionDataOption
	GuildID   string // defaults to the first guild; use DM for a direct message
	ChannelID string // defaults to the guild's first channel
	Locale    string // defaults to en-US
	// DM dispatches the interaction from a direct message (user instead of
	// member, no guild_id).
	DM bool
}

// MessageCommand describes a MESSAGE context-menu interaction to dispatch.
type MessageCommand struct {
	Invoker
	Name      string
	CommandID string
	// Target is the message the command was used on. Empty ID, ChannelID
	// and GuildID are filled in; the message is also stored so GET
	// /channels/{c}/messages/{id} finds it.
	Target    Message
	GuildID   string
	ChannelID string
	Locale    string
}

// Message describes a message to dispatch as MESSAGE_CREATE.
type Message struct {
	ID        string
	ChannelID string // defaults to the first guild's first channel
	GuildID   string // defaults to that channel's guild
	Content   string
	// Author defaults to the default user (for webhook messages: the
	// webhook, a bot); set Bot on it for a bot author.
	Author *discordgo.User
	// WebhookID marks a message posted by a webhook (no member).
	WebhookID string
	Embeds    []*discordgo.MessageEmbed
	// Type is the message type; zero is a default message.
	Type discordgo.MessageType
	// ReplyTo makes the message a reply (type 19) to this message.
	ReplyTo string
	// Timestamp defaults to the server's clock.
	Timestamp time.Time
}

// Reaction describes a MESSAGE_REACTION_ADD to dispatch.
type Reaction struct {
	UserID    string // defaults to DefaultUserID
	MessageID string
	ChannelID string
	GuildID   string
	// Emoji is a unicode emoji, e.g. "📰".
	Emoji string
	// MessageAuthorID is the author of the reacted message.
	MessageAuthorID string
}

func (s *Server) defaultPlace(guildID, channelID string) (string, string) {
	if channelID != "" && guildID == "" {
		if g, _, ok := s.channelByID(channelID); ok {
			guildID = g.ID
		}
	}
	if list := s.guildList(); guildID == "" && len(list) > 0 {
		guildID = list[0].ID
	}
	if channelID == "" {
		if g, ok := s.guildByID(guildID); ok && len(g.Channels) > 0 {
			channelID = g.Channels[0].ID
		} else {
			channelID = DefaultChannelID
		}
	}
	return guildID, channelID
}

func (inv Invoker) user() *discordgo.User {
	if inv.User != nil {
		return inv.User
	}
	return &discordgo.User{ID: DefaultUserID, Username: DefaultUsername, Discriminator: "0"}
}

func (inv Invoker) perms() int64 {
	switch inv.Permissions {
	case 0:
		return DefaultUserPermissions
	case -1:
		return 0
	}
	return inv.Permissions
}

func (s *Server) memberJSON(inv Invoker, withPerms bool) map[string]any {
	roles := inv.Roles
	if roles == nil {
		roles = []string{}
	}
	m := map[string]any{
		"user":      userJSON(inv.user()),
		"roles":     roles,
		"joined_at": s.timestamp(),
		"nick":      nil,
		"avatar":    nil,
		"deaf":      false,
		"mute":      false,
		"flags":     0,
		"pending":   false,
	}
	if withPerms {
		m["permissions"] = strconv.FormatInt(inv.perms(), 10)
	}
	return m
}

func (s *Server) interactionBase(inv Invoker, guildID, channelID, locale string, dm bool) (map[string]any, Interaction) {
	in := Interaction{ID: s.NewID(), Token: "fake-interaction-token-" + s.NewID(), ApplicationID: s.appID}
	if !dm {
		guildID, channelID = s.defaultPlace(guildID, channelID)
		in.GuildID = guildID
	} else if channelID == "" {
		channelID = s.NewID()
	}
	in.ChannelID = channelID
	in.CallbackPath = "/interactions/" + in.ID + "/" + in.Token + "/callback"
	in.FollowupPath = "/webhooks/" + in.ApplicationID + "/" + in.Token
	in.OriginalPath = in.FollowupPath + "/messages/@original"
	p := map[string]any{
		"id":              in.ID,
		"application_id":  s.appID,
		"token":           in.Token,
		"version":         1,
		"channel_id":      channelID,
		"locale":          nonEmpty(locale, "en-US"),
		"entitlements":    []any{},
		"app_permissions": strconv.FormatInt(botRolePermissions, 10),
	}
	if dm {
		p["user"] = userJSON(inv.user())
		p["channel"] = map[string]any{"id": channelID, "type": int(discordgo.ChannelTypeDM)}
		p["context"] = 1
		p["authorizing_integration_owners"] = map[string]any{"1": inv.user().ID}
	} else {
		p["guild_id"] = guildID
		p["guild_locale"] = "en-US"
		p["guild"] = map[string]any{"id": guildID, "locale": "en-US", "features": []string{}}
		p["member"] = s.memberJSON(inv, true)
		name := DefaultChannelName
		typ := discordgo.ChannelTypeGuildText
		if _, c, ok := s.channelByID(channelID); ok {
			name, typ = c.Name, c.Type
		}
		p["channel"] = map[string]any{"id": channelID, "type": int(typ), "guild_id": guildID, "name": name, "permissions": strconv.FormatInt(inv.perms(), 10)}
		p["context"] = 0
		p["authorizing_integration_owners"] = map[string]any{"0": guildID}
	}
	return p, in
}

// SendSlashCommand dispatches INTERACTION_CREATE for a slash command.
func (s *Server) SendSlashCommand(c SlashCommand) (Interaction, error) {
	p, in := s.interactionBase(c.Invoker, c.GuildID, c.ChannelID, c.Locale, c.DM)
	opts := c.Options
	if opts == nil {
		opts = []*discordgo.ApplicationCommandInteractionDataOption{}
	}
	data := map[string]any{
		"id":      nonEmpty(c.CommandID, s.NewID()),
		"name":    c.Name,
		"type":    int(discordgo.ChatApplicationCommand),
		"options": opts,
	}
	if !c.DM {
		data["guild_id"] = in.GuildID
	}
	p["type"] = int(discordgo.InteractionApplicationCommand)
	p["data"] = data
	return s.sendInteraction(p, in)
}

// SendMessageCommand dispatches INTERACTION_CREATE for a message
// context-menu command on c.Target.
func (s *Server) SendMessageCommand(c MessageCommand) (Interaction, error) {
	p, in := s.interactionBase(c.Invoker, c.GuildID, c.ChannelID, c.Locale, false)
	t := c.Target
	if t.ChannelID == "" {
		t.ChannelID = in.ChannelID
	}
	if t.GuildID == "" {
		t.GuildID = in.GuildID
	}
	msg := s.messageObject(t)
	s.storeMessage(msg)
	p["type"] = int(discordgo.InteractionApplicationCommand)
	p["data"] = map[string]any{
		"id":        nonEmpty(c.CommandID, s.NewID()),
		"name":      c.Name,
		"type":      int(discordgo.MessageApplicationCommand),
		"target_id": msg["id"],
		"guild_id":  in.GuildID,
		"resolved":  map[string]any{"messages": map[string]any{msg["id"].(string): msg}},
	}
	return s.sendInteraction(p, in)
}

func (s *Server) sendInteraction(p map[string]any, in Interaction) (Interaction, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return in, fmt.Errorf("marshal interaction: %w", err)
	}
	in.Raw = raw
	s.mu.Lock()
	s.interactions[in.Token] = &storedInteraction{in: in, dispatched: s.now()}
	s.mu.Unlock()
	if err := s.Dispatch("INTERACTION_CREATE", json.RawMessage(raw)); err != nil {
		return in, err
	}
	return in, nil
}

// SendMessage dispatches MESSAGE_CREATE and stores the message so REST
// reads find it. It returns the message object that was sent.
func (s *Server) SendMessage(m Message) (map[string]any, error) {
	msg := s.messageObject(m)
	s.storeMessage(msg)
	if err := s.Dispatch("MESSAGE_CREATE", msg); err != nil {
		return msg, err
	}
	return msg, nil
}

// AddMessage stores a message without dispatching it, as history that
// was written before the bot connected: REST reads (GET a channel's
// messages, one message) find it. It returns the message object.
func (s *Server) AddMessage(m Message) map[string]any {
	msg := s.messageObject(m)
	s.storeMessage(msg)
	return msg
}

// SendReaction dispatches MESSAGE_REACTION_ADD.
func (s *Server) SendReaction(r Reaction) error {
	guildID, channelID := s.defaultPlace(r.GuildID, r.ChannelID)
	inv := Invoker{}
	if r.UserID != "" && r.UserID != DefaultUserID {
		inv.User = &discordgo.User{ID: r.UserID, Username: "user-" + r.UserID, Discriminator: "0"}
	}
	p := map[string]any{
		"user_id":    inv.user().ID,
		"channel_id": channelID,
		"message_id": r.MessageID,
		"guild_id":   guildID,
		"member":     s.memberJSON(inv, false),
		"emoji":      map[string]any{"id": nil, "name": r.Emoji},
		"burst":      false,
		"type":       0,
	}
	if r.MessageAuthorID != "" {
		p["message_author_id"] = r.MessageAuthorID
	}
	return s.Dispatch("MESSAGE_REACTION_ADD", p)
}

// messageObject builds a Discord message object for m, filling defaults.
func (s *Server) messageObject(m Message) map[string]any {
	guildID, channelID := s.defaultPlace(m.GuildID, m.ChannelID)
	if m.ID == "" {
		m.ID = s.NewID()
	}
	stamp := s.timestamp()
	if !m.Timestamp.IsZero() {
		stamp = m.Timestamp.UTC().Format("2006-01-02T15:04:05.000000+00:00")
	}
	author := Invoker{User: m.Author}.user()
	if m.WebhookID != "" && m.Author == nil {
		// Webhook messages are authored by the webhook itself, a bot.
		author = &discordgo.User{ID: m.WebhookID, Username: "Captain Hook", Discriminator: "0000", Bot: true}
	}
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	msg := map[string]any{
		"id":               m.ID,
		"channel_id":       channelID,
		"author":           userJSON(author),
		"content":          m.Content,
		"timestamp":        stamp,
		"edited_timestamp": nil,
		"tts":              false,
		"mention_everyone": false,
		"mentions":         []any{},
		"mention_roles":    []string{},
		"attachments":      []any{},
		"embeds":           embeds,
		"components":       []any{},
		"pinned":           false,
		"type":             int(m.Type),
		"flags":            0,
	}
	if guildID != "" {
		msg["guild_id"] = guildID
	}
	if m.ReplyTo != "" {
		msg["type"] = int(discordgo.MessageTypeReply)
		ref := map[string]any{"message_id": m.ReplyTo, "channel_id": channelID}
		if guildID != "" {
			ref["guild_id"] = guildID
		}
		msg["message_reference"] = ref
	}
	if m.WebhookID != "" {
		msg["webhook_id"] = m.WebhookID
	} else if guildID != "" {
		member := s.memberJSON(Invoker{User: author}, false)
		delete(member, "user")
		msg["member"] = member
	}
	return msg
}

type storedMessage struct {
	obj     map[string]any
	deleted bool
}

type storedInteraction struct {
	in         Interaction
	dispatched time.Time
	acked      bool
	original   map[string]any // the original response message, once there is one
	loading    bool           // original is a deferred "thinking…" message
}

func (s *Server) storeMessage(msg map[string]any) {
	id, _ := msg["id"].(string)
	s.mu.Lock()
	s.messages[id] = &storedMessage{obj: msg}
	s.mu.Unlock()
}

// everyone is the @everyone role's permissions in g.
func (g Guild) everyone() int64 {
	switch g.EveryonePermissions {
	case 0:
		return everyonePermissions
	case -1:
		return 0
	}
	return g.EveryonePermissions
}

// nonEmptyOrNil is s, or JSON null when s is empty.
func nonEmptyOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
