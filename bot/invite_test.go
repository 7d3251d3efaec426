package bot

import "testing"

func TestInviteURL(t *testing.T) {
	t.Parallel()
	want := "https://discord.com/oauth2/authorize?client_id=42&scope=bot+applications.commands&permissions=274877992000"
	if got := InviteURL("42"); got != want {
		t.Errorf("InviteURL = %s, want %s (the README's permissions)", got, want)
	}
	if InviteURL("") != "" {
		t.Error("no application id, no invite URL")
	}
}
