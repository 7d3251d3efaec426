package summarize

import (
	"strings"
	"unicode"
)

// EstimateTokens is a cheap, tokenizer-free estimate of how many tokens s
// costs a typical BPE model. It errs on the high side so that chunking stays
// inside the model's budget:
//
//   - Han, Hiragana, Katakana and Hangul: 1 token per character;
//   - other non-Latin letters (Cyrillic, Greek, Arabic, Hebrew, Indic, Thai...):
//     1 token per 2 characters;
//   - everything else (Latin letters, digits, punctuation, spaces): 1 token
//     per 4 characters, the usual rule of thumb for English;
//
// rounded up.
func EstimateTokens(s string) int {
	var cjk, other, latin int
	for _, r := range s {
		switch {
		case r < 0x250:
			latin++
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			cjk++
		case unicode.IsLetter(r):
			other++
		default:
			latin++
		}
	}
	return cjk + (other+1)/2 + (latin+3)/4
}

// chunkText splits text at paragraph boundaries into pieces of at most
// budget estimated tokens each. A single paragraph larger than the budget is
// split at sentence boundaries, and a single sentence larger than that at
// white space, so nothing is ever dropped: joining the chunks gives back
// every word of the text.
func chunkText(text string, budget int) []string {
	if budget < 1 {
		budget = 1
	}
	var units []string
	for _, p := range paragraphs(text) {
		if EstimateTokens(p) <= budget {
			units = append(units, p)
			continue
		}
		for _, s := range splitSentences(p) {
			if EstimateTokens(s) <= budget {
				units = append(units, s)
				continue
			}
			units = append(units, splitWords(s, budget)...)
		}
	}
	var chunks []string
	var cur strings.Builder
	curTokens := 0
	for _, u := range units {
		t := EstimateTokens(u) + 1
		if cur.Len() > 0 && curTokens+t > budget {
			chunks = append(chunks, cur.String())
			cur.Reset()
			curTokens = 0
		}
		if cur.Len() > 0 {
			cur.WriteString("\n\n")
		}
		cur.WriteString(u)
		curTokens += t
	}
	if cur.Len() > 0 {
		chunks = append(chunks, cur.String())
	}
	return chunks
}

// splitWords cuts an over-long sentence at white space (or, for text without
// spaces such as Chinese, at rune boundaries) into pieces within budget.
func splitWords(s string, budget int) []string {
	var out []string
	var cur strings.Builder
	for _, w := range strings.Fields(s) {
		for EstimateTokens(w) > budget {
			runes := []rune(w)
			n := len(runes) / 2
			for n > 1 && EstimateTokens(string(runes[:n])) > budget {
				n /= 2
			}
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			out = append(out, string(runes[:n]))
			w = string(runes[n:])
		}
		if cur.Len() > 0 && EstimateTokens(cur.String()+" "+w) > budget {
			out = append(out, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
