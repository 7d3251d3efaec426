package render

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/precisbot/precis/commands"
)

const admin = int64(discordgo.PermissionManageGuild)

func TestDefinitions(t *testing.T) {
	t.Parallel()
	defs := Commands(commands.Definitions())
	seen := map[string]*discordgo.ApplicationCommand{}
	var walk func(cmd string, opts []*discordgo.ApplicationCommandOption)
	walk = func(cmd string, opts []*discordgo.ApplicationCommandOption) {
		for _, o := range opts {
			if len(o.Name) > 32 || strings.ToLower(o.Name) != o.Name || o.Description == "" || len([]rune(o.Description)) > 100 {
				t.Errorf("%s: option %q: bad name or description %q", cmd, o.Name, o.Description)
			}
			walk(cmd+" "+o.Name, o.Options)
		}
	}
	for _, d := range defs {
		seen[d.Name] = d
		if d.Type == discordgo.ChatApplicationCommand && (d.Description == "" || len([]rune(d.Description)) > 100) {
			t.Errorf("%s: description %q", d.Name, d.Description)
		}
		walk(d.Name, d.Options)
	}
	for _, name := range []string{commands.NamePrecis, commands.NameDigest} {
		d := seen[name]
		if d == nil || d.DefaultMemberPermissions == nil || *d.DefaultMemberPermissions != admin {
			t.Errorf("%s: default_member_permissions not Manage Server", name)
		}
	}
	if d := seen[commands.NameSummarizeLink]; d == nil || d.Type != discordgo.MessageApplicationCommand {
		t.Errorf("message context menu missing")
	}
	if d := seen[commands.NameSummarize]; d == nil || d.DefaultMemberPermissions != nil || len(d.Options) != 3 || !d.Options[0].Required {
		t.Errorf("summarize definition %+v", d)
	}
}
