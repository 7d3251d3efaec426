package commands

import (
	"context"
	"testing"

	"github.com/precisbot/precis/digest"
)

// A Manage Server member who cannot see #secret must not preview its digest:
// the preview lists links shared in #secret (titles, addresses, summaries).
func TestPreviewOfAChannelTheMemberCannotSee(t *testing.T) {
	e := newEnv(Limits{})
	e.digest.dg = &digest.Digest{Stories: []digest.Story{{Title: "Shared in #secret"}}}
	r := req(NameDigest, "preview", map[string]any{"channel": "secret"})
	r.Permissions |= admin
	r.ChannelPermissions = map[string]int64{"secret": 0} // no View Channel there
	resp := e.h.Handle(context.Background(), r, nil)
	if resp.Digest != nil {
		t.Errorf("preview of a channel the member cannot see returned its digest (%d stories)", len(resp.Digest.Stories))
	}
}
