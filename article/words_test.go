package article

import "testing"

func TestCountWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 0},
		{"punctuation only", " — , . !? ", 0},
		{"english", "The quick brown fox jumps over the lazy dog.", 9},
		{"contractions and hyphens", "Don't stop: a well-known rule.", 5},
		{"numbers", "More than 106,000 troops and 3.5 tanks in 2014.", 9},
		{"german umlauts", "Über die Brücke gehen Fußgänger.", 5},
		{"chinese: one word per character", "我们今天去北京。", 7},
		{"japanese kana and kanji", "東京へ行きます。", 7},
		{"katakana with prolonged mark", "コーヒー", 4},
		{"korean counts spaced words", "한국어는 띄어쓰기를 합니다.", 3},
		{"mixed latin and chinese", "iPhone 在中国很受欢迎", 8},
		{"russian", "Москва не сразу строилась.", 4},
		{"no-break and thin spaces separate", "vice\u00a0versa\u2009.", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := CountWords(tt.in); got != tt.want {
				t.Errorf("CountWords(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}
