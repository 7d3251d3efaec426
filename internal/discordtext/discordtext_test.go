package discordtext

import (
	"testing"
)

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"hello brave new world", 13, "hello brave…"},
		{"abcdefghij", 5, "abcd…"},
		{"日本語のテキストです", 5, "日本語の…"},
		{"anything", 0, ""},
	}
	for _, tt := range tests {
		got := Truncate(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if Len(got) > tt.max {
			t.Errorf("Truncate(%q, %d) is %d long", tt.in, tt.max, Len(got))
		}
	}
}
