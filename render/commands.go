package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/commands"
)

// Commands turns Precis's command definitions into discordgo's.
func Commands(defs []commands.Command) []*discordgo.ApplicationCommand {
	out := make([]*discordgo.ApplicationCommand, 0, len(defs))
	for _, d := range defs {
		c := &discordgo.ApplicationCommand{Name: d.Name, Type: discordgo.ChatApplicationCommand, Description: d.Description}
		if d.MessageMenu {
			c.Type, c.Description = discordgo.MessageApplicationCommand, ""
		}
		if d.Permissions != 0 {
			p := d.Permissions
			c.DefaultMemberPermissions = &p
		}
		if d.GuildOnly {
			c.Contexts = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
		}
		c.Options = options(d.Options)
		out = append(out, c)
	}
	return out
}

func options(opts []commands.Option) []*discordgo.ApplicationCommandOption {
	if len(opts) == 0 {
		return nil
	}
	out := make([]*discordgo.ApplicationCommandOption, 0, len(opts))
	for _, o := range opts {
		do := &discordgo.ApplicationCommandOption{
			Name: o.Name, Description: o.Description, Required: o.Required, MaxLength: o.MaxLength,
			Options: options(o.Options),
		}
		switch o.Type {
		case commands.OptSubcommand:
			do.Type = discordgo.ApplicationCommandOptionSubCommand
		case commands.OptGroup:
			do.Type = discordgo.ApplicationCommandOptionSubCommandGroup
		case commands.OptString:
			do.Type = discordgo.ApplicationCommandOptionString
		case commands.OptInteger:
			do.Type = discordgo.ApplicationCommandOptionInteger
			if o.MaxValue > 0 {
				lo := o.MinValue
				do.MinValue, do.MaxValue = &lo, o.MaxValue
			}
		case commands.OptBoolean:
			do.Type = discordgo.ApplicationCommandOptionBoolean
		case commands.OptChannel:
			do.Type = discordgo.ApplicationCommandOptionChannel
			do.ChannelTypes = []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews}
		}
		for _, ch := range o.Choices {
			do.Choices = append(do.Choices, &discordgo.ApplicationCommandOptionChoice{Name: ch, Value: ch})
		}
		out = append(out, do)
	}
	return out
}

// CommandsPayload is the bulk-overwrite body for defs. discordgo encodes
// default_member_permissions as a string; Discord's OpenAPI schema for this
// endpoint wants an integer, so the field is re-encoded as one.
func CommandsPayload(defs []commands.Command) ([]map[string]any, error) {
	raw, err := json.Marshal(Commands(defs))
	if err != nil {
		return nil, fmt.Errorf("encode commands: %w", err)
	}
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("decode commands: %w", err)
	}
	for _, c := range out {
		if p, ok := c["default_member_permissions"].(string); ok {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("command %v: default_member_permissions %q: %w", c["name"], p, err)
			}
			c["default_member_permissions"] = n
		}
	}
	return out, nil
}
