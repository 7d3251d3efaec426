package article

import (
	"unicode"
	"unicode/utf8"
)

// CountWords counts the words in s fairly across writing systems, so that the
// quality gate and the summary's word count mean the same for every language.
//
// The rule:
//   - Han (Chinese characters, Japanese kanji), Hiragana and Katakana are
//     written without spaces, so each such character counts as one word
//     (the convention of word processors for East Asian text; a Chinese
//     word averages 1.5 characters, so this errs slightly generous).
//   - Hangul is written with spaces between words (eojeol), so a run of
//     Hangul syllables counts as one word, like a Latin word.
//   - Every other maximal run of letters, digits and combining marks is one
//     word. Apostrophes and hyphens inside a word ("don't", "well-known") and
//     '.' or ',' between digits ("3.5", "106,000") do not split it.
//   - Punctuation, symbols and white space never count.
func CountWords(s string) int {
	n := 0
	inWord := false
	prevDigit := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case isCJKChar(r):
			n++
			inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if !inWord {
				n++
				inWord = true
			}
		case inWord && isWordJoiner(r):
			// A joiner continues the word only when a word character follows
			// ("don't"); digit separators only between digits ("3.5").
			next, _ := utf8.DecodeRuneInString(s[i:])
			if r == '.' || r == ',' {
				inWord = prevDigit && unicode.IsDigit(next)
			} else {
				inWord = unicode.IsLetter(next) || unicode.IsDigit(next)
			}
		default:
			inWord = false
		}
		prevDigit = unicode.IsDigit(r)
	}
	return n
}

// isCJKChar reports whether r belongs to a script written without spaces
// between words, where one character is counted as one word.
func isCJKChar(r rune) bool {
	if r < 0x2E80 {
		return false
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) ||
		r == 0x30FC // KATAKANA-HIRAGANA PROLONGED SOUND MARK (script Common)
}

func isWordJoiner(r rune) bool {
	switch r {
	case '\'', '’', '-', '‐', '.', ',':
		return true
	}
	return false
}
