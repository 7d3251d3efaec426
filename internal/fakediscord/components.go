package fakediscord

import (
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// Interaction types of component interactions.
const (
	interactionComponent   = 3
	interactionModalSubmit = 5
)

// ComponentClick describes a MESSAGE_COMPONENT interaction: a click on a
// button of a message the fake holds (one the bot posted or edited, or one
// a test sent).
type ComponentClick struct {
	Invoker
	// MessageID names the message; it is sent along, as Discord does.
	MessageID string
	// CustomID is the clicked button's custom_id; the message must have
	// such a button.
	CustomID string
	Locale   string
}

// SendComponent dispatches INTERACTION_CREATE for a button click.
func (s *Server) SendComponent(c ComponentClick) (Interaction, error) {
	msg, err := s.messageCopy(c.MessageID)
	if err != nil {
		return Interaction{}, err
	}
	if !hasComponent(msg["components"], c.CustomID) {
		return Interaction{}, fmt.Errorf("fakediscord: message %s has no component %q to click", c.MessageID, c.CustomID)
	}
	guildID, _ := msg["guild_id"].(string)
	channelID, _ := msg["channel_id"].(string)
	p, in := s.interactionBase(c.Invoker, guildID, channelID, c.Locale, false)
	p["type"] = interactionComponent
	p["message"] = msg
	p["data"] = map[string]any{"custom_id": c.CustomID, "component_type": int(discordgo.ButtonComponent)}
	return s.sendInteraction(p, in)
}

// ModalSubmit describes a MODAL_SUBMIT interaction: the answer to a modal
// the bot opened (its type-9 callback).
type ModalSubmit struct {
	Invoker
	// CustomID is the modal's custom_id as the bot sent it.
	CustomID string
	// Values are the text inputs' values by custom_id, sent as action rows
	// of text inputs.
	Values map[string]string
	// MessageID, when set, names the message whose button opened the
	// modal; Discord sends it along.
	MessageID string
	GuildID   string
	ChannelID string
	Locale    string
}

// SendModalSubmit dispatches INTERACTION_CREATE for a submitted modal.
func (s *Server) SendModalSubmit(m ModalSubmit) (Interaction, error) {
	var msg map[string]any
	guildID, channelID := m.GuildID, m.ChannelID
	if m.MessageID != "" {
		var err error
		if msg, err = s.messageCopy(m.MessageID); err != nil {
			return Interaction{}, err
		}
		guildID, _ = msg["guild_id"].(string)
		channelID, _ = msg["channel_id"].(string)
	}
	p, in := s.interactionBase(m.Invoker, guildID, channelID, m.Locale, false)
	p["type"] = interactionModalSubmit
	if msg != nil {
		p["message"] = msg
	}
	rows := []any{}
	for k, v := range m.Values {
		n := 2 * len(rows)
		rows = append(rows, map[string]any{"type": int(discordgo.ActionsRowComponent), "id": n + 1, "components": []any{
			map[string]any{"type": int(discordgo.TextInputComponent), "id": n + 2, "custom_id": k, "value": v},
		}})
	}
	p["data"] = map[string]any{"custom_id": m.CustomID, "components": rows}
	return s.sendInteraction(p, in)
}

// messageCopy is a copy of a stored message object, for sending along.
func (s *Server) messageCopy(id string) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm := s.messages[id]
	if sm == nil || sm.deleted {
		return nil, fmt.Errorf("fakediscord: no message %s", id)
	}
	out := make(map[string]any, len(sm.obj))
	for k, v := range sm.obj {
		out[k] = v
	}
	return out, nil
}

// hasComponent reports whether components (as stored: decoded JSON or Go
// values) hold a component with customID.
func hasComponent(components any, customID string) bool {
	switch c := components.(type) {
	case []any:
		for _, x := range c {
			if hasComponent(x, customID) {
				return true
			}
		}
	case map[string]any:
		if id, _ := c["custom_id"].(string); id == customID {
			return true
		}
		return hasComponent(c["components"], customID)
	}
	return false
}
