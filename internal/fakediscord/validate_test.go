package fakediscord_test

import (
	"strings"
	"testing"

	"github.com/precisbot/precis/internal/fakediscord"
)

func TestValidatePayload(t *testing.T) {
	t.Parallel()
	am := `"allowed_mentions":{"parse":[]}`
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name, method, path, body string
		wantErr                  string // "" = valid
	}{
		{"plain message", "POST", "/channels/1/messages", `{"content":"hi",` + am + `}`, ""},
		{"v9 prefix and query", "POST", "/api/v9/webhooks/1/tok?wait=true", `{"content":"hi",` + am + `}`, ""},
		{"missing allowed_mentions", "POST", "/channels/1/messages", `{"content":"hi"}`, "allowed_mentions missing"},
		{"null parse", "POST", "/channels/1/messages", `{"content":"hi","allowed_mentions":{"parse":null}}`, "parse missing or null"},
		{"parse everyone", "POST", "/channels/1/messages", `{"content":"hi","allowed_mentions":{"parse":["everyone"]}}`, "requires an empty list"},
		{"users listed", "POST", "/channels/1/messages", `{"content":"hi","allowed_mentions":{"parse":[],"users":["1"]}}`, "never pings"},
		{"content 2000", "POST", "/channels/1/messages", `{"content":"` + long(2000) + `",` + am + `}`, ""},
		{"content 2001", "POST", "/channels/1/messages", `{"content":"` + long(2001) + `",` + am + `}`, "content is 2001 characters"},
		{"content 2001 CJK counts runes", "POST", "/channels/1/messages", `{"content":"` + strings.Repeat("語", 2001) + `",` + am + `}`, "content is 2001"},
		{"embed total 6001", "POST", "/channels/1/messages",
			`{"embeds":[{"description":"` + long(4096) + `"},{"description":"` + long(1905) + `"}],` + am + `}`, "embeds total 6001"},
		{"embed title 257 (schema)", "POST", "/channels/1/messages", `{"embeds":[{"title":"` + long(257) + `"}],` + am + `}`, "maxLength"},
		{"field without value (schema)", "POST", "/channels/1/messages", `{"embeds":[{"fields":[{"name":"n"}]}],` + am + `}`, "missing property 'value'"},
		{"26 fields (schema)", "POST", "/channels/1/messages", `{"embeds":[{"fields":[` + strings.TrimSuffix(strings.Repeat(`{"name":"n","value":"v"},`, 26), ",") + `]}],` + am + `}`, "maxItems"},
		{"empty message", "POST", "/channels/1/messages", `{` + am + `}`, "empty message"},
		{"edit may drop content", "PATCH", "/channels/1/messages/2", `{"content":"",` + am + `}`, ""},
		{"edit original without allowed_mentions", "PATCH", "/webhooks/1/tok/messages/@original", `{"content":"x"}`, "allowed_mentions missing"},
		{"edit follow-up", "PATCH", "/webhooks/1/tok/messages/3", `{"content":"x",` + am + `}`, ""},
		{"callback message", "POST", "/interactions/1/tok/callback", `{"type":4,"data":{"content":"x","flags":64,` + am + `}}`, ""},
		{"callback message without mentions rule", "POST", "/interactions/1/tok/callback", `{"type":4,"data":{"content":"x"}}`, "data: allowed_mentions missing"},
		{"callback update too long", "POST", "/interactions/1/tok/callback", `{"type":7,"data":{"content":"` + long(2001) + `",` + am + `}}`, "content is 2001"},
		{"deferred callback", "POST", "/interactions/1/tok/callback", `{"type":5,"data":{"flags":64}}`, ""},
		{"bad callback type", "POST", "/interactions/1/tok/callback", `{"type":"x"}`, "schema"},
		{"javascript link button", "POST", "/channels/1/messages",
			`{"content":"x","components":[{"type":1,"components":[{"type":2,"style":5,"label":"Read","url":"javascript:alert(1)"}]}],` + am + `}`, "must be http"},
		{"https link button", "POST", "/channels/1/messages",
			`{"content":"x","components":[{"type":1,"components":[{"type":2,"style":5,"label":"Read","url":"https://example.com/a"}]}],` + am + `}`, ""},
		{"relative embed url", "POST", "/channels/1/messages", `{"embeds":[{"title":"t","url":"/a"}],` + am + `}`, "only http and https"},
		{"reply reference", "POST", "/channels/1/messages", `{"content":"x","message_reference":{"message_id":"123","fail_if_not_exists":false},` + am + `}`, ""},
		{"bad snowflake", "POST", "/channels/1/messages", `{"content":"x","message_reference":{"message_id":"abc"},` + am + `}`, "not a snowflake"},
		{"commands ok", "PUT", "/applications/1/guilds/2/commands",
			`[{"name":"summarize","description":"Summarize a link","options":[{"type":3,"name":"url","description":"Link","required":true}]},{"name":"Summarize","type":3}]`, ""},
		{"command name with space", "PUT", "/applications/1/commands", `[{"name":"Bad Name","description":"x"}]`, "lower-case"},
		{"option without description", "PUT", "/applications/1/commands", `[{"name":"a","description":"x","options":[{"type":3,"name":"u","description":""}]}]`, "description"},
		{"not JSON", "POST", "/channels/1/messages", `{`, "not JSON"},
		{"unknown route", "POST", "/nope/1", `{}`, "not in Discord's API schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := fakediscord.ValidatePayload(tt.method, tt.path, []byte(tt.body))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("no error, want %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestMessageRules(t *testing.T) {
	t.Parallel()
	if err := fakediscord.MessageRules([]byte(`{"content":"x","allowed_mentions":{"parse":[]}}`), false); err != nil {
		t.Error(err)
	}
	if err := fakediscord.MessageRules([]byte(`{"allowed_mentions":{"parse":[]}}`), false); err == nil {
		t.Error("empty new message accepted")
	}
	if err := fakediscord.MessageRules([]byte(`{"allowed_mentions":{"parse":[]}}`), true); err != nil {
		t.Errorf("empty edit: %v", err)
	}
}

func BenchmarkValidatePayload(b *testing.B) {
	body := []byte(`{"content":"hi","embeds":[{"title":"t","description":"d","fields":[{"name":"n","value":"v"}]}],"allowed_mentions":{"parse":[]}}`)
	for b.Loop() {
		if err := fakediscord.ValidatePayload("POST", "/channels/1/messages", body); err != nil {
			b.Fatal(err)
		}
	}
}
