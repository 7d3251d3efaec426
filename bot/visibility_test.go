package bot

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/bwmarrin/discordgo"
)

const (
	pView  = discordgo.PermissionViewChannel
	pSend  = discordgo.PermissionSendMessages
	pAdmin = discordgo.PermissionAdministrator
)

// Overwrite helpers: the guild is "g", so the @everyone role is "g".
func everyoneOW(allow, deny int64) discordgo.PermissionOverwrite {
	return discordgo.PermissionOverwrite{ID: "g", Type: discordgo.PermissionOverwriteTypeRole, Allow: allow, Deny: deny}
}

func roleOW(id string, allow, deny int64) discordgo.PermissionOverwrite {
	return discordgo.PermissionOverwrite{ID: id, Type: discordgo.PermissionOverwriteTypeRole, Allow: allow, Deny: deny}
}

func memberOW(id string, allow, deny int64) discordgo.PermissionOverwrite {
	return discordgo.PermissionOverwrite{ID: id, Type: discordgo.PermissionOverwriteTypeMember, Allow: allow, Deny: deny}
}

type ows = []discordgo.PermissionOverwrite

func TestViewCovered(t *testing.T) {
	t.Parallel()
	everyoneSees := map[string]int64{"g": pView | pSend, "staff": 0, "muted": 0, "mods": 0}
	staffOnly := ows{everyoneOW(0, pView), roleOW("staff", pView, 0)}
	tests := []struct {
		name       string
		roles      map[string]int64
		owner      string
		shared, to ows
		want       bool
	}{
		{"no overwrites anywhere", everyoneSees, "", nil, nil, true},
		{"staff-only channel into a public digest", everyoneSees, "", staffOnly, nil, false},
		{"staff-only channel into a digest just as private", everyoneSees, "", staffOnly, staffOnly, true},
		{"public channel into a staff-only digest", everyoneSees, "", nil, staffOnly, true},
		{"staff-only channel into a digest staff and mods see", everyoneSees, "",
			staffOnly, ows{everyoneOW(0, pView), roleOW("staff", pView, 0), roleOW("mods", pView, 0)}, false},
		{"a read-only channel is still seen by everyone", everyoneSees, "",
			ows{everyoneOW(0, pSend)}, nil, true},
		{"a role kept out of the shared channel but not the digest's", everyoneSees, "",
			ows{roleOW("muted", 0, pView)}, nil, false},
		// Two roles together: "muted" alone cannot see the private digest,
		// "staff" alone sees both, a member with both sees only the digest.
		{"muted staff see the digest but not the shared channel", everyoneSees, "",
			ows{roleOW("muted", 0, pView)}, staffOnly, false},
		{"a role allow beats a role deny in the same channel", everyoneSees, "",
			ows{roleOW("muted", 0, pView), roleOW("staff", pView, 0)}, staffOnly, true},
		{"a member let into the digest's channel only", everyoneSees, "",
			staffOnly, ows{everyoneOW(0, pView), roleOW("staff", pView, 0), memberOW("alice", pView, 0)}, false},
		{"a member kept out of the shared channel", everyoneSees, "",
			ows{memberOW("bob", 0, pView)}, nil, false},
		{"a member let into both", everyoneSees, "",
			ows{everyoneOW(0, pView), memberOW("alice", pView, 0)}, ows{everyoneOW(0, pView), memberOW("alice", pView, 0)}, true},
		{"the owner sees everything", everyoneSees, "alice",
			staffOnly, ows{everyoneOW(0, pView), roleOW("staff", pView, 0), memberOW("alice", pView, 0)}, true},
		{"only administrators see the digest", map[string]int64{"g": pView, "admins": pAdmin, "staff": 0}, "",
			staffOnly, ows{everyoneOW(0, pView)}, true},
		{"administrators are never kept out", map[string]int64{"g": pView, "admins": pAdmin, "staff": 0}, "",
			ows{everyoneOW(0, pView), roleOW("admins", 0, pView)}, ows{everyoneOW(0, pView), roleOW("admins", pView, 0)}, true},
		// Verified members see channels through a role's own permissions,
		// with no overwrite anywhere naming that role.
		{"a role that grants View Channel without an overwrite", map[string]int64{"g": 0, "verified": pView, "staff": 0}, "",
			staffOnly, nil, false},
		{"that role sees a channel only @everyone is kept out of", map[string]int64{"g": 0, "verified": pView, "staff": 0}, "",
			ows{roleOW("staff", pView, 0)}, nil, true},
		{"nobody sees the digest's channel", map[string]int64{"g": 0}, "", staffOnly, nil, true},
		{"a role the server no longer lists counts as someone", everyoneSees, "",
			staffOnly, ows{everyoneOW(0, pView), roleOW("ghost", pView, 0)}, false},
		{"an @everyone allow in the shared channel", map[string]int64{"g": 0, "verified": pView}, "",
			ows{everyoneOW(pView, 0)}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := guildRules{everyone: "g", owner: tt.owner, roles: tt.roles}
			if got := viewCovered(g, tt.shared, tt.to); got != tt.want {
				t.Errorf("viewCovered = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestViewCoveredMatchesEveryMember checks viewCovered against every
// combination of roles each member could have, on random servers: the
// members it tries (at most two roles each) find every leak there is.
func TestViewCoveredMatchesEveryMember(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 9))
	bits := func() int64 {
		var p int64
		if rng.IntN(2) == 0 {
			p |= pView
		}
		if rng.IntN(12) == 0 {
			p |= pAdmin
		}
		return p
	}
	overwrite := func() (int64, int64) {
		switch rng.IntN(3) {
		case 0:
			return pView, 0
		case 1:
			return 0, pView
		}
		return 0, 0
	}
	roleIDs := []string{"r1", "r2", "r3", "r4"}
	memberIDs := []string{"m1", "m2"}
	channel := func() ows {
		var o ows
		if rng.IntN(2) == 0 {
			a, d := overwrite()
			o = append(o, everyoneOW(a, d))
		}
		for _, r := range append(roleIDs, "gone") {
			if rng.IntN(3) == 0 {
				a, d := overwrite()
				o = append(o, roleOW(r, a, d))
			}
		}
		for _, m := range memberIDs {
			if rng.IntN(4) == 0 {
				a, d := overwrite()
				o = append(o, memberOW(m, a, d))
			}
		}
		return o
	}
	leaks := 0
	for i := range 5000 {
		g := guildRules{everyone: "g", roles: map[string]int64{"g": bits() &^ pAdmin}}
		for _, r := range roleIDs {
			g.roles[r] = bits()
		}
		if rng.IntN(4) == 0 {
			g.owner = "m1"
		}
		shared, to := channel(), channel()

		want := true
		src, dst := newViewRules("g", shared), newViewRules("g", to)
		allRoles := append(roleIDs, "gone")
		for _, m := range append([]string{"", "m3"}, memberIDs...) {
			if m == g.owner && m != "" {
				continue
			}
			for mask := range 1 << len(allRoles) {
				var rs []string
				for k, r := range allRoles {
					if mask&(1<<k) != 0 {
						rs = append(rs, r)
					}
				}
				if canView(g, dst, rs, m) && !canView(g, src, rs, m) {
					want = false
				}
			}
		}
		if !want {
			leaks++
		}
		if got := viewCovered(g, shared, to); got != want {
			t.Fatalf("case %d: viewCovered = %v, every member says %v\nroles %v owner %q\nshared %+v\ndigest %+v", i, got, want, g.roles, g.owner, shared, to)
		}
	}
	if leaks == 0 || leaks == 5000 {
		t.Fatalf("%d of 5000 random cases leak: the generator does not exercise both answers", leaks)
	}
	t.Logf("%d of 5000 random servers would leak", leaks)
}

func BenchmarkViewCovered(b *testing.B) {
	// A large server: 250 roles, 60 role and 40 member overwrites per channel.
	g := guildRules{everyone: "g", roles: map[string]int64{"g": pView}}
	// Covered, so every member is tried.
	shared, to := ows{everyoneOW(0, pView)}, ows{everyoneOW(0, pView)}
	for i := range 250 {
		id := fmt.Sprint("r", i)
		g.roles[id] = 0
		if i < 60 {
			shared = append(shared, roleOW(id, pView, 0))
			to = append(to, roleOW(id, pView, 0))
		}
	}
	for i := range 40 {
		shared = append(shared, memberOW(fmt.Sprint("m", i), pView, 0), memberOW(fmt.Sprint("n", i), pView, 0))
		to = append(to, memberOW(fmt.Sprint("n", i), pView, 0))
	}
	b.ReportAllocs()
	for b.Loop() {
		if !viewCovered(g, shared, to) {
			b.Fatal("want covered")
		}
	}
}

// canView is Discord's permission order for a member with the given roles
// and member ID, written plainly: the reference viewCovered is checked
// against.
func canView(g guildRules, ch viewRules, roles []string, member string) bool {
	base := g.roles[g.everyone]
	for _, r := range roles {
		base |= g.roles[r]
	}
	if base&pAdmin != 0 {
		return true
	}
	v := base&pView != 0
	if ch.everyone.deny {
		v = false
	}
	if ch.everyone.allow {
		v = true
	}
	var allow, deny bool
	for _, r := range roles {
		b := ch.roles[r]
		allow, deny = allow || b.allow, deny || b.deny
	}
	if deny {
		v = false
	}
	if allow {
		v = true
	}
	if b, ok := ch.members[member]; ok && member != "" {
		if b.deny {
			v = false
		}
		if b.allow {
			v = true
		}
	}
	return v
}
