package summarize

import (
	"unicode"
	"unicode/utf8"
)

// normText is a text normalised for quote matching, with a map from every
// normalised rune back to the bytes of the original text it came from, so a
// match can be shown in the article's exact wording.
type normText struct {
	runes []rune
	start []int // byte offset in the original where the source of runes[i] starts
	end   []int // byte offset in the original where it ends
}

// foldRune maps the typographic variants that writers and models swap freely
// onto one form: quote marks and apostrophes (all onto "), and dashes. It returns -1 for runes
// that carry no text (zero-width and soft-hyphen characters).
func foldRune(r rune) rune {
	switch r {
	case '“', '”', '„', '‟', '«', '»', '〝', '〞', '＂', '"':
		return '"'
	case '\'', '’', '‘', '‚', '‛', '′', '`', '´', 'ʼ', '‹', '›', '＇':
		// Single quotes fold onto double ones too: models swap “…” for
		// '…' inside a quote, and apostrophes cannot be confused with
		// quotation marks in real text.
		return '"'
	case '‐', '‑', '‒', '–', '—', '―', '−', '﹘', '﹣', '－':
		return '-'
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return -1
	}
	return r
}

// normalizeForMatch folds quote marks, apostrophes, dashes and ellipses,
// collapses white space (including no-break and thin spaces) into one space,
// and drops white space before a full stop, so that "versa . . . and",
// "versa... and" and "versa… and" all read "versa... and".
func normalizeForMatch(s string) normText {
	n := normText{
		runes: make([]rune, 0, len(s)),
		start: make([]int, 0, len(s)),
		end:   make([]int, 0, len(s)),
	}
	pendingSpace := false
	spaceAt := 0
	emit := func(r rune, from, to int) {
		n.runes = append(n.runes, r)
		n.start = append(n.start, from)
		n.end = append(n.end, to)
	}
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		from, to := i, i+w
		i = to
		if unicode.IsSpace(r) {
			if !pendingSpace {
				spaceAt = from
			}
			pendingSpace = true
			continue
		}
		r = foldRune(r)
		if r < 0 {
			continue
		}
		first := r
		if r == '…' {
			first = '.'
		}
		if pendingSpace {
			if len(n.runes) > 0 && first != '.' {
				emit(' ', spaceAt, spaceAt+1)
			}
			pendingSpace = false
		}
		if r == '…' {
			emit('.', from, to)
			emit('.', from, to)
			emit('.', from, to)
			continue
		}
		emit(r, from, to)
	}
	return n
}

// find returns the rune index range [i, j) of the first occurrence of needle
// in n, ignoring the case of needle's first letter only.
func (n normText) find(needle []rune) (int, int, bool) {
	return n.findFrom(needle, 0)
}

// findFrom is find starting at rune index from.
func (n normText) findFrom(needle []rune, from int) (int, int, bool) {
	if len(needle) == 0 || len(needle) > len(n.runes) {
		return 0, 0, false
	}
	first := needle[0]
	for i := from; i+len(needle) <= len(n.runes); i++ {
		if n.runes[i] != first && !equalFoldRune(n.runes[i], first) {
			continue
		}
		k := 1
		for k < len(needle) && n.runes[i+k] == needle[k] {
			k++
		}
		if k == len(needle) {
			return i, i + len(needle), true
		}
	}
	return 0, 0, false
}

func equalFoldRune(a, b rune) bool {
	return unicode.ToLower(a) == unicode.ToLower(b)
}
