package discordtext

import "testing"

func TestEscapeAndMentions(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"**bold** _it_ ~~s~~ `c` ||sp||", `\*\*bold\*\* \_it\_ \~\~s\~\~ \` + "`c\\`" + ` \|\|sp\|\|`},
		{"[x](javascript:alert(1))", `\[x\](javascript:alert(1))`},
		{"# head\n## two\n- item\n1. first\n-# sub", "\\# head\n\\## two\n\\- item\n\\1. first\n\\-# sub"},
		{"> quote", `\> quote`},
		{"@everyone @HERE", "@\u200beveryone @\u200bHERE"},
		{"<@123> <@!123> <@&456> <#789>", "\\<\u200b@123> \\<\u200b@!123> \\<\u200b@&456> \\<\u200b#789>"},
		{"a-b 3.5 well-known", "a-b 3.5 well-known"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := NeutralizeMentions("hi <@123> @everyone"); got != "hi <\u200b@123> @\u200beveryone" {
		t.Errorf("NeutralizeMentions = %q", got)
	}
}

func TestSafeLine(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"breaks and runs of space", "Storm\n\thits   coast", "Storm hits coast"},
		{"control characters", "Storm\x00\x07 hits", "Storm hits"},
		{"bidi override and zero-width", "evil\u202egnp.exe \u200bhidden\u2066", "evilgnp.exe hidden"},
		{"emoji joiner kept", "👩\u200d💻 coder", "👩\u200d💻 coder"},
		{"mention still neutralised", "@\u200beveryone", "@\u200beveryone"},
		{"invalid UTF-8", "a\xffb", "ab"},
	}
	for _, tt := range tests {
		if got := SafeLine(tt.in); got != tt.want {
			t.Errorf("%s: SafeLine(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}
