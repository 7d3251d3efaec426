package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering keeps the layout honest: only main imports the Discord
// adapter, and only the adapter and the render package (and the test fake
// of Discord) may reach discordgo, directly or through another package.
func TestLayering(t *testing.T) {
	t.Parallel()
	const (
		module    = "github.com/precisbot/precis"
		discordgo = "github.com/bwmarrin/discordgo"
	)
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...").Output()
	if err != nil {
		t.Skipf("go list: %v (the go tool is needed for this check)", err)
	}
	mayUseDiscordgo := map[string]bool{
		module: true, module + "/bot": true, module + "/render": true, module + "/internal/fakediscord": true,
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg, deps := fields[0], fields[1:]
		seen++
		for _, d := range deps {
			if d == discordgo && !mayUseDiscordgo[pkg] {
				t.Errorf("%s depends on discordgo; only the adapter (bot) and render may", pkg)
			}
			if d == module+"/bot" && pkg != module {
				t.Errorf("%s imports the Discord adapter; only main may", pkg)
			}
		}
	}
	for _, core := range []string{"pipeline", "commands", "digest", "summarize", "article", "store"} {
		if !strings.Contains(string(out), module+"/"+core+" ") {
			t.Errorf("package %s not listed", core)
		}
	}
	if seen < 10 {
		t.Errorf("only %d packages listed", seen)
	}
}
